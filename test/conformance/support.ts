/**
 * Helpers for the conformance suite: each test runs one ASL definition through `runAsl` and compares
 * what it records with what AWS records (LocalStack's AWS-validated snapshots under
 * tests/aws/services/stepfunctions/v2/, and the Step Functions developer guide).
 *
 * History event details come back exactly as GetExecutionHistory serves them, so `input`, `output`,
 * `parameters` and `assignedVariables` values are JSON text; `details()` parses those fields for the
 * assertions, everything else is returned as is.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { StatesError } from '../../local/stepfunctions/engine/errors';
import { type AslRun, runAsl, type TaskHandler } from '../support/asl';

export { type AslRun, runAsl, StatesError, type TaskHandler };

/** A Lambda function ARN used directly as a Task's Resource (LambdaFunction* events). */
export const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:Echo';
/** The optimized Lambda integration (Task* events with resourceType `lambda`, resource `invoke`). */
export const INVOKE = 'arn:aws:states:::lambda:invoke';

/** The JSON fields of event details that GetExecutionHistory serves as text. */
const JSON_FIELDS = new Set(['input', 'output', 'parameters']);

/** The `*EventDetails` member of an event, with its JSON text fields parsed. */
export function details(event: HistoryEvent | undefined): Record<string, unknown> {
  if (!event) throw new Error('no such event');
  const entry = Object.entries(event).find(([key]) => key.endsWith('EventDetails'));
  if (!entry) return {};
  const parsed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry[1] as Record<string, unknown>)) {
    if (JSON_FIELDS.has(key) && typeof value === 'string') parsed[key] = JSON.parse(value);
    else if (key === 'assignedVariables' && value && typeof value === 'object')
      parsed[key] = Object.fromEntries(
        Object.entries(value as Record<string, string>).map(([name, text]) => [name, JSON.parse(text)]),
      );
    else parsed[key] = value;
  }
  return parsed;
}

/** All events of one type, in history order. */
export function eventsOf(run: AslRun, type: string): HistoryEvent[] {
  return run.history.filter((event) => event.type === type);
}

/** The details of the n-th (0-based) event of a type. */
export function detailsOf(run: AslRun, type: string, n = 0): Record<string, unknown> {
  return details(eventsOf(run, type)[n]);
}

/** The cause AWS gives a States.Runtime / States.QueryEvaluationError raised while running a state. */
export function stateCause(state: string, enteredEventId: number, text: string): string {
  return `An error occurred while executing the state '${state}' (entered at the event id #${enteredEventId}). ${text}`;
}

/** A handler that returns its parameters: the usual echo Lambda of the recordings. */
export const echo: TaskHandler = (parameters) => parameters;

/** A handler that fails the task with the given error and cause. */
export function failWith(error: string, cause = ''): TaskHandler {
  return () => {
    throw new StatesError(error, cause);
  };
}

/** A handler that fails its first `failures` calls, then returns `result`; `calls` counts invocations. */
export function flaky(failures: number, error: string, result: unknown = {}) {
  const state = { calls: 0 };
  const handler: TaskHandler = () => {
    state.calls += 1;
    if (state.calls <= failures) throw new StatesError(error, `attempt ${state.calls}`);
    return result;
  };
  return { handler, state };
}

/** A one-state machine: `state` named `name`, ending the execution. */
export function single(state: Record<string, unknown>, name = 'State0'): object {
  const terminal = state.Type === 'Fail' || state.Type === 'Succeed' || state.Type === 'Choice';
  return { StartAt: name, States: { [name]: terminal ? state : { ...state, End: true } } };
}
