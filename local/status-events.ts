import type { JournalEvent } from './stepfunctions/journal/history';
import type { Execution, LocalStateMachine } from './stepfunctions/service';

/*
 * Step Functions' execution status change events (Step Functions Developer Guide, "Automating Step Functions
 * event delivery with EventBridge"): each time a Standard execution's status changes (it starts, is
 * redriven, succeeds, fails, times out or is aborted), Step Functions puts an `aws.states` event on the
 * account's default bus. Derived here from the history events the engine appends, never written beside it.
 */

export const STATUS_CHANGE_SOURCE = 'aws.states';
export const STATUS_CHANGE_DETAIL_TYPE = 'Step Functions Execution Status Change';

/** The history events that change an execution's status. */
const STATUS_CHANGES = new Set([
  'ExecutionStarted',
  'ExecutionRedriven',
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionTimedOut',
  'ExecutionAborted',
]);

/** The `detail` of a status change event, its fields in the order of the Developer Guide's example. */
export interface StatusChangeDetail {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: number;
  readonly stopDate: number | null;
  readonly input: string;
  readonly output: string | null;
  readonly inputDetails: { readonly included: boolean };
  readonly outputDetails: { readonly included: boolean } | null;
  readonly error: string | null;
  readonly cause: string | null;
  readonly redriveCount: number;
  readonly redriveDate: number | null;
  readonly redriveStatus: 'REDRIVABLE' | 'NOT_REDRIVABLE';
  readonly redriveStatusReason: string | null;
}

/**
 * The status change event a history event makes, or undefined when it changes no status or the machine is
 * Express (whose executions Step Functions sends no such events for). Read after the event is folded in.
 */
export function statusChangeOf(
  execution: Execution,
  machine: LocalStateMachine,
  event: JournalEvent,
): { detail: StatusChangeDetail; resources: string[]; time: Date } | undefined {
  if (machine.type !== 'STANDARD' || !STATUS_CHANGES.has(event.type)) return undefined;
  const status = execution.status;
  const ended = status !== 'RUNNING';
  const redrivable = status === 'FAILED' || status === 'TIMED_OUT' || status === 'ABORTED';
  const output = execution.output;
  const detail: StatusChangeDetail = {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status,
    startDate: execution.startDate.getTime(),
    stopDate: ended ? (execution.stopDate?.getTime() ?? event.timestamp) : null,
    input: execution.input,
    output: output ?? null,
    inputDetails: { included: true },
    outputDetails: output === undefined ? null : { included: true },
    error: ended ? (execution.error ?? null) : null,
    cause: ended ? (execution.cause ?? null) : null,
    redriveCount: execution.redriveCount,
    redriveDate: execution.redriveDate?.getTime() ?? null,
    redriveStatus: redrivable ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
    redriveStatusReason: redrivable ? null : `Execution is ${status} and cannot be redriven`,
  };
  return { detail, resources: [execution.executionArn], time: new Date(event.timestamp) };
}
