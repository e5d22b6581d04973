/**
 * Errors a handler throws on purpose. Lambda reports an error's `name` as `errorType`, and a state
 * machine's Retry and Catch match on it, so every class sets `name` to a stable literal (never derived
 * from the class name, which a minifier may rename) and exposes it as `errorName` for the state machine
 * builders to reference instead of retyping the string.
 */
export abstract class HandlerError extends Error {
  abstract override readonly name: string;
  /**
   * Whether the same input can succeed on a later attempt (a transient failure worth a Retry).
   * Deliberately not called `isRetryable`: some emulators read that property, where on AWS only the state
   * machine's Retry decides.
   */
  abstract readonly retryable: boolean;
}

/** One problem found in a handler's input: where it is and what is wrong, never the offending value. */
export interface InputIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * The input does not match the function's request schema: a bug in the caller (the state machine's
 * Parameters), so retrying cannot help. The message names the function and every problem, and leaves
 * the values out because they may be personal data.
 */
export class InvalidInput extends HandlerError {
  static readonly errorName = 'InvalidInput';
  override readonly name = InvalidInput.errorName;
  readonly retryable = false;

  constructor(
    readonly functionName: string,
    readonly issues: readonly InputIssue[],
    options?: ErrorOptions,
  ) {
    super(`Invalid input for ${functionName}: ${summarise(issues)}`, options);
  }
}

/** Step Functions caps an error's Cause at 32 KiB; a handful of issues is all a reader needs anyway. */
const MAX_ISSUES_IN_MESSAGE = 10;

function summarise(issues: readonly InputIssue[]): string {
  const shown = issues.slice(0, MAX_ISSUES_IN_MESSAGE).map((issue) => `${issue.path}: ${issue.message}`);
  const hidden = issues.length - shown.length;
  return hidden > 0 ? `${shown.join('; ')}; and ${hidden} more` : shown.join('; ');
}
