/**
 * An error as Step Functions names it: `error` is what Retry and Catch match in `ErrorEquals`, `cause`
 * the text shown beside it. The predefined names are the Amazon States Language's "Error names" section.
 */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    override readonly cause = '',
  ) {
    super(cause || error);
    this.name = error;
  }
}

/** The errors the States Language predefines (spec, "Error names"), plus JSONata's own. */
export const States = {
  ALL: 'States.ALL',
  HeartbeatTimeout: 'States.HeartbeatTimeout',
  Timeout: 'States.Timeout',
  TaskFailed: 'States.TaskFailed',
  Permissions: 'States.Permissions',
  ResultPathMatchFailure: 'States.ResultPathMatchFailure',
  ParameterPathFailure: 'States.ParameterPathFailure',
  QueryEvaluationError: 'States.QueryEvaluationError',
  BranchFailed: 'States.BranchFailed',
  NoChoiceMatched: 'States.NoChoiceMatched',
  IntrinsicFailure: 'States.IntrinsicFailure',
  ExceedToleratedFailureThreshold: 'States.ExceedToleratedFailureThreshold',
  ItemReaderFailed: 'States.ItemReaderFailed',
  ResultWriterFailed: 'States.ResultWriterFailed',
  Runtime: 'States.Runtime',
  DataLimitExceeded: 'States.DataLimitExceeded',
} as const;

/** Any thrown value as a StatesError: a plain Error keeps its name, anything else is States.TaskFailed. */
export function asStatesError(thrown: unknown): StatesError {
  if (thrown instanceof StatesError) return thrown;
  if (thrown instanceof Error) return new StatesError(thrown.name || States.TaskFailed, thrown.message);
  return new StatesError(States.TaskFailed, String(thrown));
}
