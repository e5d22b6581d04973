/**
 * One AWS API action as the local runtime serves it: the request's JSON parameters in, the response's JSON
 * out. It throws an `AwsError` to answer with an AWS error. `Date` values in the response are sent as epoch
 * seconds, as AWS JSON protocols send timestamps.
 */
export type ApiAction = (params: Record<string, unknown>) => unknown;

/** A service's actions by name (the part of `X-Amz-Target` after the dot, e.g. `PutEvents`). */
export type ApiActions = Readonly<Record<string, ApiAction>>;

/** An error as an HTTP answer, for a service whose errors need more than `__type` and `message` (SQS). */
export interface ErrorAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}
