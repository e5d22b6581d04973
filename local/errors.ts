/**
 * An error the local runtime answers an API call with, shaped like AWS's: a name (`__type` on the wire) and
 * a message.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** Something in the template the local runtime cannot emulate: startup stops and names it. */
export class UnsupportedTemplateError extends Error {
  override readonly name = 'UnsupportedTemplateError';
}
