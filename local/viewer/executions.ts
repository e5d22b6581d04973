/**
 * The viewer's executions list (`POST /_local/executions`): one page of executions of every state machine,
 * newest first, with only the fields the list shows, and how many each state machine has in each status.
 *
 * ListExecutions cannot serve the home page at scale: it lists one state machine at a time, filters on
 * status only, and has neither the user nor the outcome, so the page used to describe every execution it
 * listed. This endpoint keeps ListExecutions' names (stateMachineArn, statusFilter, maxResults, nextToken)
 * and adds the console's filters (a part of the name, a start date range) and the app's own (a part of the
 * user id). With a data directory every filter is one SQL query on the journal's indexes; in memory (no
 * data directory) the executions are all in memory and are filtered there.
 */

import { checkRequest, VIEWER_EXECUTIONS_REQUEST } from '../api/shapes';
import { openToken, pageSize, sealToken } from '../api/validate';
import type { LocalApp } from '../app';
import { AwsError } from '../errors';
import type { ExecutionFilter, StoredExecution } from '../stepfunctions/journal/store';
import type { Execution, ExecutionStatus } from '../stepfunctions/service';

export const EXECUTION_STATUSES: readonly ExecutionStatus[] = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
];

/** A page holds 50 rows unless asked otherwise, and at most 100 (the console's page sizes go to 100). */
const DEFAULT_PAGE = 50;
const MAX_PAGE = 100;

/** One row of the list, timestamps in epoch seconds as the AWS JSON protocols send them. */
export interface ExecutionRow {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate: number;
  readonly stopDate?: number;
  /** The trigger's `detail.userId` (every workflow's input is the whole EventBridge event), or ''. */
  readonly user: string;
  /** What the run came to: the output's outcome (and decision or access), or the error of a failed run. */
  readonly outcome: string;
}

export interface ExecutionsPage {
  readonly executions: ExecutionRow[];
  readonly nextToken?: string;
  /** Per state machine ARN, how many executions it has in each status (every execution, not the page's). */
  readonly counts: Record<string, Partial<Record<ExecutionStatus, number>>>;
}

/** What the journal or memory keeps of one execution, as much as a row needs. */
interface Source {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly status: ExecutionStatus;
  readonly startDate: Date;
  readonly stopDate?: Date;
  readonly output?: unknown;
  readonly error?: string;
}

/** Answers `POST /_local/executions` with the request body's text; AWS-shaped errors as AwsError. */
export function viewerExecutions(app: LocalApp, body: string): ExecutionsPage {
  const params = checkRequest(parseBody(body), VIEWER_EXECUTIONS_REQUEST);
  const filter = filterOf(params);
  const size = pageSize({ size: params.maxResults, defaultSize: DEFAULT_PAGE, maxSize: MAX_PAGE });
  // The token is sealed to the filter: paging a list with another list's token is InvalidToken.
  const list = `viewer executions ${JSON.stringify(filter)}`;
  const token = params.nextToken as string | undefined;
  const position = token === undefined ? undefined : openToken(list, token, 'InvalidToken');
  const journal = app.executionJournal;
  const found = journal
    ? sourcesOf(journal.search(filter, size, position), fromJournal)
    : sourcesOf(
        searchInMemory([...app.stepFunctions.executions.values()], filter, size, position),
        fromMemory,
      );
  const counts: ExecutionsPage['counts'] = {};
  const tally = (machine: string, status: ExecutionStatus, count: number) => {
    const byStatus = counts[machine] ?? {};
    byStatus[status] = (byStatus[status] ?? 0) + count;
    counts[machine] = byStatus;
  };
  if (journal) for (const c of journal.statusCounts()) tally(c.stateMachineArn, c.status, c.count);
  else for (const e of started(app.stepFunctions.executions.values())) tally(e.stateMachineArn, e.status, 1);
  return {
    executions: found.items.map(rowOf),
    ...(found.nextToken === undefined ? {} : { nextToken: sealToken(list, found.nextToken) }),
    counts,
  };
}

function sourcesOf<T>(
  page: { items: T[]; nextToken?: string },
  read: (item: T) => Source,
): { items: Source[]; nextToken?: string } {
  return { ...page, items: page.items.map(read) };
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body || '{}');
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid JSON');
  }
}

function filterOf(params: Record<string, unknown>): ExecutionFilter {
  const status = params.statusFilter as string | undefined;
  if (status !== undefined && !EXECUTION_STATUSES.includes(status as ExecutionStatus))
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${status}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${EXECUTION_STATUSES.join(', ')}]`,
    );
  const filter: { -readonly [K in keyof ExecutionFilter]: ExecutionFilter[K] } = {};
  if (params.stateMachineArn) filter.stateMachineArn = params.stateMachineArn as string;
  if (status !== undefined) filter.status = status as ExecutionStatus;
  if (params.nameContains) filter.nameContains = params.nameContains as string;
  if (params.userContains) filter.userContains = params.userContains as string;
  const after = timestamp(params, 'startedAfter');
  const before = timestamp(params, 'startedBefore');
  if (after) filter.startedAfter = after;
  if (before) filter.startedBefore = before;
  return filter;
}

/** A Timestamp member: epoch seconds, or a date string (as the shapes read them); anything else refused. */
function timestamp(params: Record<string, unknown>, key: string): Date | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(String(value));
  if (Number.isNaN(date.getTime()))
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${String(value)}' at '${key}' failed to satisfy constraint: Member must be a timestamp`,
    );
  return date;
}

/** Executions that have a history (one being created has none yet). */
function* started(executions: Iterable<Execution>): Generator<Execution> {
  for (const e of executions) if (e.events.length > 0) yield e;
}

/** The same filter and order as the journal's search, over the executions kept in memory. */
function searchInMemory(
  executions: Execution[],
  filter: ExecutionFilter,
  size: number,
  position: string | undefined,
): { items: Execution[]; nextToken?: string } {
  const name = filter.nameContains?.toLowerCase();
  const user = filter.userContains?.toLowerCase();
  const matching = [...started(executions)]
    .filter(
      (e) =>
        (filter.stateMachineArn === undefined || e.stateMachineArn === filter.stateMachineArn) &&
        (filter.status === undefined || e.status === filter.status) &&
        (filter.startedAfter === undefined || e.startDate >= filter.startedAfter) &&
        (filter.startedBefore === undefined || e.startDate < filter.startedBefore) &&
        (name === undefined || e.name.toLowerCase().includes(name)) &&
        (user === undefined || userOf(e.input).toLowerCase().includes(user)),
    )
    // Newest first; the map keeps start order, so reversing first keeps a later start ahead on a tie.
    .reverse()
    .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
  const from = position === undefined ? 0 : Number(position);
  const items = matching.slice(from, from + size);
  return from + size < matching.length ? { items, nextToken: String(from + size) } : { items };
}

function fromJournal(e: StoredExecution): Source {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    input: e.input,
    status: e.summary.status,
    startDate: e.summary.startDate,
    ...(e.summary.stopDate ? { stopDate: e.summary.stopDate } : {}),
    output: e.summary.output,
    ...(e.summary.error === undefined ? {} : { error: e.summary.error }),
  };
}

function fromMemory(e: Execution): Source {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    input: e.input,
    status: e.status,
    startDate: e.startDate,
    ...(e.stopDate ? { stopDate: e.stopDate } : {}),
    output: e.output === undefined ? undefined : JSON.parse(e.output),
    ...(e.error === undefined ? {} : { error: e.error }),
  };
}

function rowOf(e: Source): ExecutionRow {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: e.startDate.getTime() / 1000,
    ...(e.stopDate ? { stopDate: e.stopDate.getTime() / 1000 } : {}),
    user: userOf(e.input),
    outcome: outcomeOf(e),
  };
}

/** The trigger's user: every workflow's input is the whole EventBridge event, with `detail.userId`. */
function userOf(input: string): string {
  try {
    const userId = (JSON.parse(input) as { detail?: { userId?: unknown } } | null)?.detail?.userId;
    return typeof userId === 'string' ? userId : '';
  } catch {
    return '';
  }
}

/**
 * What the run came to: the output's `outcome`, with the workflow's result (`decision` for KYC, `access`
 * for an access change) when it has one; the error for a run that did not succeed.
 */
function outcomeOf(e: Source): string {
  if (e.status === 'RUNNING') return '';
  if (e.status !== 'SUCCEEDED') return e.error ?? '';
  const output = e.output as Record<string, unknown> | null | undefined;
  if (typeof output !== 'object' || output === null) return '';
  const parts = [output.outcome, output.decision ?? output.access].filter((p) => typeof p === 'string');
  return parts.join(': ');
}
