/**
 * The viewer's calls to the runtime: the same AWS JSON APIs the CLI and SDKs use (so the page shows exactly
 * what `aws stepfunctions get-execution-history` would), plus the runtime's own `/_local/*` endpoints for
 * what AWS has no API for (the events a bus accepted, queue contents without receiving them).
 *
 * Responses are typed with the SDK's shapes; AWS JSON protocols send timestamps as epoch seconds, which are
 * turned into Dates here, as the SDK does, so the rest of the page (and graph.ts) sees the SDK's types.
 */
import type {
  DescribeExecutionOutput,
  DescribeStateMachineOutput,
  ExecutionListItem,
  HistoryEvent,
  StateMachineListItem,
} from '@aws-sdk/client-sfn';
import type { EventBridgeEvent } from '../../../events/contract';

/** An AWS error answer (`{"__type": ..., "message": ...}`), or the runtime not answering at all. */
export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

const PROTOCOLS = {
  AWSStepFunctions: 'application/x-amz-json-1.0',
  AWSEvents: 'application/x-amz-json-1.1',
} as const;

/** One AWS JSON-protocol call: POST / with X-Amz-Target, as the SDKs send it. */
async function call<T>(service: keyof typeof PROTOCOLS, action: string, params: object): Promise<T> {
  const response = await fetch('/', {
    method: 'POST',
    headers: { 'X-Amz-Target': `${service}.${action}`, 'Content-Type': PROTOCOLS[service] },
    body: JSON.stringify(params),
  });
  const body = (await response.json()) as T & { __type?: string; message?: string };
  if (!response.ok) throw new ApiError(body.__type ?? 'Error', body.message ?? `${action} failed`);
  return body;
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path);
  if (!response.ok) throw new ApiError('Error', `GET ${path} answered ${response.status}`);
  return (await response.json()) as T;
}

/** Epoch seconds on the wire -> Date, as the SDK deserializes timestamps. */
const date = (seconds: unknown): Date | undefined =>
  typeof seconds === 'number' ? new Date(seconds * 1000) : undefined;

type Wire<T> = { [K in keyof T]: T[K] extends Date | undefined ? number | undefined : T[K] };

/** Every item of a paged Step Functions list, following nextToken as the console does. */
async function allPages<T>(
  readPage: (nextToken: string | undefined) => Promise<{ items: T[]; nextToken?: string }>,
): Promise<T[]> {
  const all: T[] = [];
  let nextToken: string | undefined;
  do {
    const page = await readPage(nextToken);
    all.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}

/** A listed state machine; the local runtime adds `origin: 'local'` to those created at run time. */
export type ListedStateMachine = StateMachineListItem & { origin?: 'local' };

export function listStateMachines(): Promise<ListedStateMachine[]> {
  return allPages(async (nextToken) => {
    const page = await call<{ stateMachines: Wire<ListedStateMachine>[]; nextToken?: string }>(
      'AWSStepFunctions',
      'ListStateMachines',
      { maxResults: 1000, ...(nextToken ? { nextToken } : {}) },
    );
    const items = page.stateMachines.map((m) => ({ ...m, creationDate: date(m.creationDate) }));
    return { items, nextToken: page.nextToken };
  });
}

export async function describeStateMachine(stateMachineArn: string): Promise<DescribeStateMachineOutput> {
  const m = await call<Wire<DescribeStateMachineOutput>>('AWSStepFunctions', 'DescribeStateMachine', {
    stateMachineArn,
  });
  return { ...m, creationDate: date(m.creationDate) };
}

/** What the executions list filters on (`/_local/executions`); every member narrows, none is required. */
export interface ExecutionsQuery {
  readonly stateMachineArn?: string;
  readonly statusFilter?: string;
  readonly nameContains?: string;
  readonly userContains?: string;
  readonly startedAfter?: Date;
  readonly startedBefore?: Date;
  readonly maxResults?: number;
  readonly nextToken?: string;
}

/** One row of the executions list: what ListExecutions gives, plus the trigger's user and the outcome. */
export interface ExecutionRow {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: Date;
  readonly stopDate?: Date;
  readonly user: string;
  readonly outcome: string;
}

export interface ExecutionsPage {
  readonly executions: ExecutionRow[];
  readonly nextToken?: string;
  /** Per state machine ARN, how many executions it has in each status (all of them, not the page's). */
  readonly counts: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/**
 * One page of executions of every state machine (or one), newest first, with only the fields the list
 * shows: one request, however many executions the runtime keeps.
 */
export async function executionsPage(query: ExecutionsQuery): Promise<ExecutionsPage> {
  const { startedAfter, startedBefore, ...rest } = query;
  const response = await fetch('/_local/executions', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      ...rest,
      ...(startedAfter ? { startedAfter: startedAfter.getTime() / 1000 } : {}),
      ...(startedBefore ? { startedBefore: startedBefore.getTime() / 1000 } : {}),
    }),
  });
  const body = (await response.json()) as Omit<ExecutionsPage, 'executions'> & {
    executions: Wire<ExecutionRow>[];
    __type?: string;
    message?: string;
  };
  if (!response.ok) throw new ApiError(body.__type ?? 'Error', body.message ?? 'Listing executions failed');
  return {
    counts: body.counts,
    ...(body.nextToken ? { nextToken: body.nextToken } : {}),
    executions: body.executions.map((e) => ({
      ...e,
      startDate: date(e.startDate) ?? new Date(0),
      stopDate: date(e.stopDate),
    })),
  };
}

export async function describeExecution(executionArn: string): Promise<DescribeExecutionOutput> {
  const e = await call<Wire<DescribeExecutionOutput>>('AWSStepFunctions', 'DescribeExecution', {
    executionArn,
  });
  return executionDates<DescribeExecutionOutput>(e);
}

/**
 * StopExecution: the execution ends ABORTED where it is (with `error` and `cause` when given, as the
 * console's "Stop execution" dialog can). An execution that has already ended is left as it is.
 */
export async function stopExecution(
  executionArn: string,
  reason: { error?: string; cause?: string } = {},
): Promise<{ stopDate?: Date }> {
  const { stopDate } = await call<{ stopDate?: number }>('AWSStepFunctions', 'StopExecution', {
    executionArn,
    ...reason,
  });
  return { stopDate: date(stopDate) };
}

/**
 * RedriveExecution: a FAILED, ABORTED or TIMED_OUT execution goes on from the state that did not succeed;
 * DescribeExecution's redriveStatus says whether it can (ExecutionNotRedrivable otherwise).
 */
export async function redriveExecution(executionArn: string): Promise<{ redriveDate?: Date }> {
  const { redriveDate } = await call<{ redriveDate?: number }>('AWSStepFunctions', 'RedriveExecution', {
    executionArn,
  });
  return { redriveDate: date(redriveDate) };
}

/** StartExecution: a new execution of a state machine, with a name (AWS makes one up when absent). */
export function startExecution(
  stateMachineArn: string,
  input: string,
  name?: string,
): Promise<{ executionArn: string; startDate?: number }> {
  return call('AWSStepFunctions', 'StartExecution', { stateMachineArn, input, ...(name ? { name } : {}) });
}

/**
 * SendTaskSuccess: the task waiting for `taskToken` succeeds with `output` (a JSON document, as text).
 * Refused as AWS refuses it: TaskDoesNotExist (no task waits for the token: it has ended, timed out, or
 * never was), InvalidToken, InvalidOutput, TaskTimedOut.
 */
export async function sendTaskSuccess(taskToken: string, output: string): Promise<void> {
  await call('AWSStepFunctions', 'SendTaskSuccess', { taskToken, output });
}

/** SendTaskFailure: the task waiting for `taskToken` fails with `error` and `cause` (each optional). */
export async function sendTaskFailure(
  taskToken: string,
  failure: { error?: string; cause?: string },
): Promise<void> {
  await call('AWSStepFunctions', 'SendTaskFailure', { taskToken, ...failure });
}

/** The whole history, paged through nextToken as the console does. */
export function getExecutionHistory(executionArn: string): Promise<HistoryEvent[]> {
  return allPages(async (nextToken) => {
    const page = await call<{ events: Wire<HistoryEvent>[]; nextToken?: string }>(
      'AWSStepFunctions',
      'GetExecutionHistory',
      { executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) },
    );
    return {
      items: page.events.map((e) => ({ ...e, timestamp: date(e.timestamp) })),
      nextToken: page.nextToken,
    };
  });
}

/** An execution (listed or described) with its epoch-second dates as Dates. */
function executionDates<T extends ExecutionListItem | DescribeExecutionOutput>(e: Wire<T>): T {
  // The spread keeps every other member as it came; only the timestamps change type.
  return {
    ...e,
    startDate: date(e.startDate),
    stopDate: date(e.stopDate),
    redriveDate: date(e.redriveDate),
  } as T;
}

/** One event a bus accepted, what it matched and where it was delivered (`/_local/events`). */
export interface BusRecord {
  readonly event: EventBridgeEvent<Record<string, unknown>>;
  readonly busName: string;
  readonly receivedAt: Date;
  readonly matchedRules: readonly string[];
  readonly deliveries: readonly {
    readonly rule: string;
    readonly target: string;
    readonly attempts: number;
    readonly error?: string;
    readonly deadLettered?: boolean;
  }[];
}

/** Accepted events, newest first: all of them, one bus's, or those one execution put. */
export async function busEvents(query: { bus?: string; execution?: string; limit?: number }) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const { events } = await getJson<{ events: Wire<BusRecord>[] }>(`/_local/events?${params}`);
  return events.map((r): BusRecord => ({ ...r, receivedAt: date(r.receivedAt) ?? new Date(0) }));
}

export interface QueueContents {
  readonly name: string;
  readonly origin: Origin;
  readonly url: string;
  readonly arn: string;
  readonly counts: { readonly visible: number; readonly inFlight: number; readonly delayed: number };
  readonly messages: readonly {
    readonly messageId: string;
    readonly body: string;
    readonly sentAt: Date;
    readonly receiveCount: number;
  }[];
}

/** Where a queue or a rule comes from: the CDK app's template, or the API at run time (a team's own). */
export type Origin = 'template' | 'local';

/** Every queue with its origin and messages, read without receiving them (`/_local/queues`). */
export async function queues(): Promise<QueueContents[]> {
  const { queues } = await getJson<{ queues: Wire<QueueContents>[] }>('/_local/queues');
  return queues.map((q) => ({
    ...q,
    messages: q.messages.map((m) => ({ ...m, sentAt: date(m.sentAt) ?? new Date(0) })),
  }));
}

/** A rule of a bus, as `/_local/catalogue` gives it. */
export interface CatalogueRule {
  readonly name: string;
  readonly arn: string;
  readonly busName: string;
  readonly description?: string;
  readonly state: 'ENABLED' | 'DISABLED';
  readonly pattern: unknown;
  readonly origin: Origin;
  readonly targets: readonly {
    readonly id: string;
    readonly arn: string;
    readonly kind: 'state machine' | 'queue' | 'function' | 'log group' | 'other';
    readonly deadLetterArn?: string;
    readonly inputChanged: boolean;
  }[];
}

/** One event the app defines, with its producers, consumers (rule ARNs), sample and latest occurrences. */
export interface CatalogueEvent {
  readonly source: string;
  readonly detailType: string;
  readonly description?: string;
  readonly schema: {
    readonly registryName: string;
    readonly name: string;
    readonly arn: string;
    readonly type: string;
    readonly version: string;
    readonly content: unknown;
  };
  readonly declared: { readonly producer?: string; readonly consumers: readonly string[] };
  readonly producers: readonly {
    readonly stateMachineArn: string;
    readonly stateMachineName: string;
    readonly origin: Origin;
    readonly states: readonly string[];
    readonly buses: readonly string[];
  }[];
  readonly sample?: {
    readonly from: 'file' | 'schema';
    readonly file?: string;
    readonly busName: string;
    readonly detail: unknown;
  };
  readonly consumers: readonly string[];
  readonly seen: number;
  readonly recent: readonly {
    readonly id: string;
    readonly busName: string;
    readonly receivedAt: Date;
    readonly userId?: string;
    readonly version?: number;
    readonly executionArn?: string;
    readonly replayName?: string;
  }[];
}

export interface Catalogue {
  readonly buses: readonly {
    readonly name: string;
    readonly arn: string;
    readonly rules: readonly CatalogueRule[];
  }[];
  readonly events: readonly CatalogueEvent[];
}

/** The event catalogue and every bus's rules (`/_local/catalogue`). */
export async function catalogue(): Promise<Catalogue> {
  type WireEvent = Omit<CatalogueEvent, 'recent'> & {
    recent: (Omit<CatalogueEvent['recent'][number], 'receivedAt'> & { receivedAt: number })[];
  };
  const answer = await getJson<Omit<Catalogue, 'events'> & { events: WireEvent[] }>('/_local/catalogue');
  return {
    ...answer,
    events: answer.events.map((e) => ({
      ...e,
      recent: e.recent.map((o) => ({ ...o, receivedAt: date(o.receivedAt) ?? new Date(0) })),
    })),
  };
}
