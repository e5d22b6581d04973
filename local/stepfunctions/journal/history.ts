import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import { AwsError } from '../../errors';

/*
 * An execution IS its history. The interpreter appends AWS HistoryEvents as it runs; GetExecutionHistory,
 * DescribeExecution, the viewer and (with a data directory) recovery read that one record, and the running
 * state of an execution is what `fold` gives.
 *
 * Events are kept as appended, with their payload fields (input, output, parameters) as JSON values rather
 * than the strings AWS sends: an event is rendered in AWS's shape when it is read, so the hot path never
 * serialises what nobody reads.
 */

/** One appended event. `details` is the `*EventDetails` object of AWS's shape, with JSON-valued payloads. */
export interface JournalEvent {
  readonly id: number;
  readonly previousEventId: number;
  /** Epoch ms. */
  readonly timestamp: number;
  readonly type: HistoryEventType;
  readonly details?: Readonly<Record<string, unknown>>;
  /**
   * Not served: the interpreter's thread the event belongs to (`0` for the execution, `<startedId>.<n>`
   * for a Parallel branch or Map iteration), so a replay finds each thread's events in order.
   */
  readonly thread?: string;
  /** Not served: what a replay needs that AWS's fields do not hold (a task token). */
  readonly local?: { readonly taskToken?: string };
}

/** The `*EventDetails` field of each event type that has one (AWS's names). */
const DETAILS_FIELD: Partial<Record<HistoryEventType, keyof HistoryEvent>> = {
  ExecutionStarted: 'executionStartedEventDetails',
  ExecutionSucceeded: 'executionSucceededEventDetails',
  ExecutionFailed: 'executionFailedEventDetails',
  ExecutionAborted: 'executionAbortedEventDetails',
  ExecutionTimedOut: 'executionTimedOutEventDetails',
  ExecutionRedriven: 'executionRedrivenEventDetails',
  TaskScheduled: 'taskScheduledEventDetails',
  TaskStarted: 'taskStartedEventDetails',
  TaskSubmitted: 'taskSubmittedEventDetails',
  TaskSucceeded: 'taskSucceededEventDetails',
  TaskFailed: 'taskFailedEventDetails',
  TaskTimedOut: 'taskTimedOutEventDetails',
  TaskStartFailed: 'taskStartFailedEventDetails',
  TaskSubmitFailed: 'taskSubmitFailedEventDetails',
  LambdaFunctionScheduled: 'lambdaFunctionScheduledEventDetails',
  LambdaFunctionSucceeded: 'lambdaFunctionSucceededEventDetails',
  LambdaFunctionFailed: 'lambdaFunctionFailedEventDetails',
  LambdaFunctionTimedOut: 'lambdaFunctionTimedOutEventDetails',
  LambdaFunctionStartFailed: 'lambdaFunctionStartFailedEventDetails',
  LambdaFunctionScheduleFailed: 'lambdaFunctionScheduleFailedEventDetails',
  MapStateStarted: 'mapStateStartedEventDetails',
  MapIterationStarted: 'mapIterationStartedEventDetails',
  MapIterationSucceeded: 'mapIterationSucceededEventDetails',
  MapIterationFailed: 'mapIterationFailedEventDetails',
  MapIterationAborted: 'mapIterationAbortedEventDetails',
  EvaluationFailed: 'evaluationFailedEventDetails',
};

/** Payload fields carried as JSON values in a JournalEvent and as strings (plus `*Details`) in AWS's shape. */
const PAYLOADS: Readonly<Record<string, string>> = {
  input: 'inputDetails',
  output: 'outputDetails',
  parameters: '',
};

/** An event as GetExecutionHistory returns it (AWS's field names, payloads as JSON strings). */
export function toHistoryEvent(event: JournalEvent, includeExecutionData = true): HistoryEvent {
  const out: HistoryEvent = {
    timestamp: new Date(event.timestamp),
    type: event.type,
    id: event.id,
    previousEventId: event.previousEventId,
  };
  const details = historyEventDetails(event, includeExecutionData);
  if (details) (out as unknown as Record<string, unknown>)[details.field] = details.value;
  return out;
}

/**
 * An event's `*EventDetails` field and value in AWS's shape (payloads as JSON strings), or undefined for an
 * event without one. The execution logs carry the value alone.
 */
export function historyEventDetails(
  event: JournalEvent,
  includeExecutionData = true,
): { field: keyof HistoryEvent; value: Record<string, unknown> } | undefined {
  if (!event.details) return undefined;
  const field = DETAILS_FIELD[event.type] ?? (stateEventField(event.type) as keyof HistoryEvent | undefined);
  if (!field) return undefined;
  const value: Record<string, unknown> = {};
  for (const [key, payload] of Object.entries(event.details)) {
    const detailsKey = PAYLOADS[key];
    if (detailsKey === undefined) {
      value[key] = payload;
      continue;
    }
    if (!includeExecutionData) continue;
    value[key] = JSON.stringify(payload ?? null);
    if (detailsKey) value[detailsKey] = { truncated: false };
  }
  return { field, value };
}

/** `stateEnteredEventDetails` / `stateExitedEventDetails` for every `*StateEntered` / `*StateExited`. */
function stateEventField(type: string): string | undefined {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return undefined;
}

/** The status of an execution, as folding its history gives it. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** What an execution's history says about it as a whole: what DescribeExecution and ListExecutions show. */
export interface ExecutionSummary {
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  redriveCount: number;
  redriveDate?: Date;
}

/** Folds one event into an execution's summary (the same fold rebuilds it from a journal). */
export function foldEvent(summary: ExecutionSummary | undefined, event: JournalEvent): ExecutionSummary {
  // Only the execution's own events change it; the states' events are most of a history.
  if (summary && !event.type.startsWith('Execution')) return summary;
  const d = (event.details ?? {}) as { input?: unknown; output?: unknown; error?: string; cause?: string };
  switch (event.type) {
    case 'ExecutionStarted':
      return { status: 'RUNNING', startDate: new Date(event.timestamp), input: d.input, redriveCount: 0 };
    case 'ExecutionRedriven':
      if (!summary) break;
      return {
        status: 'RUNNING',
        startDate: summary.startDate,
        input: summary.input,
        redriveCount: summary.redriveCount + 1,
        redriveDate: new Date(event.timestamp),
      };
  }
  if (!summary) throw new Error(`A history must begin with ExecutionStarted, not ${event.type}.`);
  switch (event.type) {
    case 'ExecutionSucceeded':
      return ended(summary, event, 'SUCCEEDED', d.output);
    case 'ExecutionFailed':
      return ended(summary, event, 'FAILED', undefined, d);
    case 'ExecutionAborted':
      return ended(summary, event, 'ABORTED', undefined, d);
    case 'ExecutionTimedOut':
      return ended(summary, event, 'TIMED_OUT', undefined, d);
    default:
      return summary;
  }
}

/**
 * The summary of an ended execution. Written out field by field: on Node 20, an object spread and then
 * given more keys (`{ ...summary, status }`) is one the scavenger goes on promoting, with all it points to
 * (see engine/stop.ts).
 */
function ended(
  summary: ExecutionSummary,
  event: JournalEvent,
  status: ExecutionStatus,
  output: unknown,
  failure?: { error?: string; cause?: string },
): ExecutionSummary {
  return {
    status,
    startDate: summary.startDate,
    stopDate: new Date(event.timestamp),
    input: summary.input,
    output,
    error: failure?.error,
    cause: failure?.cause,
    redriveCount: summary.redriveCount,
    redriveDate: summary.redriveDate,
  };
}

/** GetExecutionHistory's page size: 100 unless asked (0 means the default), at most 1000. */
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

export interface HistoryPageRequest {
  readonly maxResults?: number;
  readonly nextToken?: string;
  /** Newest first. */
  readonly reverseOrder?: boolean;
  /** false leaves out the payloads (input, output, parameters), as AWS does. */
  readonly includeExecutionData?: boolean;
}

/**
 * One page of GetExecutionHistory. Ids run 1..n in append order, so a page is a slice by id. The token
 * names the last id returned and the direction, so it stays valid while a running execution's history
 * grows; a token that is not one of ours, or asks for the other direction, is AWS's InvalidToken.
 */
export function pageOfHistory(
  events: readonly JournalEvent[],
  request: HistoryPageRequest = {},
): { events: HistoryEvent[]; nextToken?: string } {
  const size = request.maxResults ?? 0;
  const violated = !Number.isInteger(size)
    ? 'Member must be an integer'
    : size < 0
      ? 'Member must have value greater than or equal to 0'
      : size > MAX_PAGE_SIZE
        ? `Member must have value less than or equal to ${MAX_PAGE_SIZE}`
        : undefined;
  if (violated)
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${size}' at 'maxResults' failed to satisfy constraint: ${violated}`,
    );
  const limit = size || DEFAULT_PAGE_SIZE;
  const direction = request.reverseOrder ? 'desc' : 'asc';
  const n = events.length;
  // Index (0-based) of the first event of the page.
  let from = direction === 'asc' ? 0 : n - 1;
  if (request.nextToken !== undefined) {
    const after = tokenPosition(request.nextToken, direction);
    from = direction === 'asc' ? after : Math.min(after - 2, n - 1);
  }
  const page: HistoryEvent[] = [];
  const step = direction === 'asc' ? 1 : -1;
  let i = from;
  for (; i >= 0 && i < n && page.length < limit; i += step)
    page.push(toHistoryEvent(events[i] as JournalEvent, request.includeExecutionData ?? true));
  const last = page.at(-1);
  return i >= 0 && i < n && last
    ? { events: page, nextToken: Buffer.from(`history:${direction}:${last.id}`).toString('base64url') }
    : { events: page };
}

function tokenPosition(token: string, direction: 'asc' | 'desc'): number {
  const match = /^history:(asc|desc):(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match || match[1] !== direction) throw new AwsError('InvalidToken', `Invalid Token: '${token}'`);
  return Number(match[2]);
}
