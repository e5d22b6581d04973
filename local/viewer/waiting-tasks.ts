/**
 * The tasks of an execution that wait for a callback (`.waitForTaskToken`), read from its GetExecutionHistory
 * events and its definition: since when, until which deadline, and the task token where the definition put
 * it. The page shows them as the console shows a waiting task ("In progress", with the time left), and
 * offers to send SendTaskSuccess or SendTaskFailure for them. Runs in the browser and in Jest; no DOM
 * access here, and no Node APIs.
 *
 * The token is not a field of AWS's history events: it is wherever the definition placed `$$.Task.Token`
 * (JSONPath) or `$states.context.Task.Token` (JSONata) in the task's parameters, which TaskScheduled
 * records as they were sent. Where the definition builds a string around it (`States.Format`, a JSONata
 * expression that does more than read it), the page cannot tell which part is the token: `token` is then
 * undefined, and the page asks for it.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { type StateRun, stateRuns } from './state-runs';

/** One task waiting for SendTaskSuccess / SendTaskFailure (a Map runs one per iteration of its state). */
export interface WaitingTask {
  readonly stateName: string;
  /** The TaskScheduled event's id: this task among the execution's. */
  readonly scheduledEventId: number;
  /** `<resourceType>:<resource>`, as the history names it: `sqs:sendMessage.waitForTaskToken`. */
  readonly resource: string;
  readonly scheduledAt: Date;
  /**
   * When the call ended and the wait for the token began (TaskSubmitted). Until then the integration's
   * call is in flight, and a callback is refused (TaskDoesNotExist): the task does not wait yet.
   */
  readonly submittedAt?: Date;
  readonly timeoutSeconds?: number;
  readonly heartbeatSeconds?: number;
  /** TimeoutSeconds after the task was scheduled: it then fails with States.Timeout. */
  readonly deadline?: Date;
  /**
   * HeartbeatSeconds after the wait began: it then fails with States.HeartbeatTimeout, unless
   * SendTaskHeartbeat restarted the count (heartbeats are not in the history, so this is the deadline as if
   * none was sent).
   */
  readonly heartbeatDeadline?: Date;
  /** The task token, read from the parameters where the definition put it; undefined when it cannot be. */
  readonly token?: string;
  /** Where in the parameters the token is (`MessageBody.taskToken`, `Entries[0].Detail.taskToken`). */
  readonly tokenPath?: string;
}

/** The ASL fields read here. */
export interface AslMachine {
  readonly States?: Readonly<Record<string, AslState>>;
}
export interface AslState {
  readonly Type?: string;
  readonly Resource?: string;
  readonly Parameters?: unknown;
  readonly Arguments?: unknown;
  readonly Branches?: readonly AslMachine[];
  readonly ItemProcessor?: AslMachine;
  readonly Iterator?: AslMachine;
}

const WAIT_FOR_TOKEN = '.waitForTaskToken';
/** The execution's own events that start or end its run. */
const RUN_EVENT = /^Execution(Started|Redriven|Succeeded|Failed|Aborted|TimedOut)$/;
/** A JSONata template value that is the token and nothing else. */
const JSONATA_TOKEN = /^\{%\s*\$states\.context\.Task\.Token\s*%\}$/;

/**
 * Every task of the execution that waits for its token now, in the order they were scheduled. None once
 * the execution has ended: a stopped or failed run waits for nothing (a redrive schedules its tasks again,
 * with new tokens).
 *
 * A task waits from its TaskScheduled (the call is made, then TaskSubmitted) until an event ends that
 * attempt: TaskSucceeded, TaskFailed, TaskTimedOut, or the state being cut short. stateRuns ties those
 * events to the attempt; this reads the attempts it left open.
 */
export function waitingTasks(
  history: readonly HistoryEvent[],
  definition: unknown,
  runs: ReadonlyMap<string, StateRun> = stateRuns(history),
): WaitingTask[] {
  const lastRunEvent = history
    .filter((e) => RUN_EVENT.test(e.type ?? ''))
    .reduce<HistoryEvent | undefined>((a, b) => ((a?.id ?? -1) > (b.id ?? -1) ? a : b), undefined);
  if (lastRunEvent?.type !== 'ExecutionStarted' && lastRunEvent?.type !== 'ExecutionRedriven') return [];
  const byId = new Map<number, HistoryEvent>();
  for (const e of history) if (e.id !== undefined) byId.set(e.id, e);
  const submittedAfter = new Map<number, HistoryEvent>();
  for (const e of history) {
    if (e.type !== 'TaskSubmitted') continue;
    // TaskSubmitted follows TaskStarted, which follows TaskScheduled.
    const started = byId.get(e.previousEventId ?? 0);
    const scheduled = started?.type === 'TaskStarted' ? started.previousEventId : e.previousEventId;
    if (scheduled !== undefined) submittedAfter.set(scheduled, e);
  }
  const machine = parseDefinition(definition);

  const waiting: WaitingTask[] = [];
  for (const run of runs.values()) {
    if (run.status !== 'in-progress') continue;
    for (const attempt of run.attempts) {
      if (attempt.endedEventId !== undefined) continue;
      const scheduled = byId.get(attempt.startedEventId);
      const details = scheduled?.taskScheduledEventDetails;
      if (scheduled?.type !== 'TaskScheduled' || !details?.resource?.endsWith(WAIT_FOR_TOKEN)) continue;
      const scheduledAt = scheduled.timestamp ?? new Date(0);
      const submittedAt = submittedAfter.get(attempt.startedEventId)?.timestamp;
      const timeoutSeconds = details.timeoutInSeconds;
      const heartbeatSeconds = details.heartbeatInSeconds;
      const found = tokenIn(findState(machine, run.name), details.parameters);
      waiting.push({
        stateName: run.name,
        scheduledEventId: attempt.startedEventId,
        resource: `${details.resourceType}:${details.resource}`,
        scheduledAt,
        ...(submittedAt ? { submittedAt } : {}),
        ...(timeoutSeconds !== undefined
          ? { timeoutSeconds, deadline: new Date(scheduledAt.getTime() + timeoutSeconds * 1000) }
          : {}),
        ...(heartbeatSeconds !== undefined ? { heartbeatSeconds } : {}),
        ...(heartbeatSeconds !== undefined && submittedAt
          ? { heartbeatDeadline: new Date(submittedAt.getTime() + heartbeatSeconds * 1000) }
          : {}),
        ...(found ?? {}),
      });
    }
  }
  return waiting.sort((a, b) => a.scheduledEventId - b.scheduledEventId);
}

/**
 * The token in `parameters` (TaskScheduled's, a JSON string) at the place the state's template puts it:
 * a `"<key>.$": "$$.Task.Token"` field of Parameters, or an Arguments value that is only
 * `{% $states.context.Task.Token %}`. Undefined when the template puts it nowhere the page can read back.
 */
export function tokenIn(
  state: AslState | undefined,
  parameters: string | undefined,
): { token: string; tokenPath: string } | undefined {
  if (!state || parameters === undefined) return undefined;
  let sent: unknown;
  try {
    sent = JSON.parse(parameters);
  } catch {
    return undefined;
  }
  const paths = [
    ...tokenPaths(state.Parameters, (key, value) =>
      key.endsWith('.$') && typeof value === 'string' && value.trim() === '$$.Task.Token'
        ? key.slice(0, -2)
        : undefined,
    ),
    ...tokenPaths(state.Arguments, (key, value) =>
      typeof value === 'string' && JSONATA_TOKEN.test(value.trim()) ? key : undefined,
    ),
  ];
  for (const path of paths) {
    const token = valueAt(sent, path);
    if (typeof token === 'string' && token !== '') return { token, tokenPath: pathText(path) };
  }
  return undefined;
}

type Path = readonly (string | number)[];

/** The paths, in the sent payload, of the template's fields that `keyOf` says hold the token. */
function tokenPaths(template: unknown, keyOf: (key: string, value: unknown) => string | undefined): Path[] {
  const found: Path[] = [];
  const walk = (node: unknown, path: Path) => {
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) walk(item, [...path, i]);
    } else if (node !== null && typeof node === 'object')
      for (const [key, value] of Object.entries(node)) {
        const tokenKey = keyOf(key, value);
        if (tokenKey !== undefined) found.push([...path, tokenKey]);
        else walk(value, [...path, key]);
      }
  };
  walk(template, []);
  return found;
}

function valueAt(value: unknown, path: Path): unknown {
  let at = value;
  for (const step of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string | number, unknown>)[step];
  }
  return at;
}

/** `MessageBody.taskToken`, `Entries[0].Detail.taskToken`. */
function pathText(path: Path): string {
  return path
    .map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`))
    .join('');
}

function parseDefinition(definition: unknown): AslMachine | undefined {
  try {
    const value = typeof definition === 'string' ? JSON.parse(definition) : definition;
    return value !== null && typeof value === 'object' ? (value as AslMachine) : undefined;
  } catch {
    return undefined;
  }
}

/** A state by name anywhere in the machine: its own states, Parallel branches and Map item processors. */
export function findState(machine: AslMachine | undefined, name: string): AslState | undefined {
  const states = machine?.States;
  if (!states || typeof states !== 'object') return undefined;
  if (Object.hasOwn(states, name)) return states[name];
  for (const state of Object.values(states)) {
    for (const inner of [...(state?.Branches ?? []), state?.ItemProcessor, state?.Iterator]) {
      const found = findState(inner, name);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The output typed for SendTaskSuccess, checked as the API checks it before it is sent: one JSON document
 * (an object, an array, a string, a number, true, false or null). Otherwise the parser's message.
 */
export function checkOutput(text: string): { ok: true } | { ok: false; message: string } {
  try {
    JSON.parse(text);
    return { ok: true };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The time from `now` to `deadline` for people, to the second: `59 min 58 s`, `2 h 0 min 5 s`, `12 s`.
 * Undefined once the deadline has passed.
 */
export function timeLeft(deadline: Date, now: number): string | undefined {
  const ms = deadline.getTime() - now;
  if (ms <= 0) return undefined;
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const min = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h} h ${min} min ${s} s`;
  if (min > 0) return `${min} min ${s} s`;
  return `${s} s`;
}
