/**
 * What happened to each state of an execution, read from its GetExecutionHistory events: the status the
 * viewer colours the graph with, input, output, error and cause, and every attempt. Runs in the browser
 * and in Jest; no DOM access here, and no Node APIs.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';

/** What happened to a state in one execution, as the console colours it. */
export type StateStatus = 'succeeded' | 'failed' | 'caught' | 'in-progress' | 'not-reached';

/** One attempt of a state (a Task retried three times has four). */
export interface StateAttempt {
  readonly startedEventId: number;
  readonly endedEventId?: number;
  readonly error?: string;
  readonly cause?: string;
}

/** What the history says about one state: the first input, the last output, error and cause, attempts. */
export interface StateRun {
  readonly name: string;
  readonly status: StateStatus;
  readonly input?: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly attempts: readonly StateAttempt[];
  /** History event ids that belong to this state, for highlighting rows of the history table. */
  readonly eventIds: readonly number[];
  /**
   * The state was cut short rather than failing itself: the execution was stopped or timed out while it
   * ran, or a sibling Parallel branch (or Map iteration) failed. Its status is then 'failed'; the page
   * can say "aborted" (the console's "Cancelled").
   */
  readonly aborted?: boolean;
}

/** A mutable StateAttempt while the history is read. */
interface Attempt {
  startedEventId: number;
  endedEventId?: number;
  error?: string;
  cause?: string;
}

/**
 * One entry into a state. A state is entered more than once in a loop, in each Map iteration, and in each
 * attempt of a retried Parallel or Map around it; the state's status is made from its entries (see
 * `runOf`).
 */
interface Entry {
  readonly name: string;
  /** The ASL type, from the Entered event's type (TaskStateEntered -> Task). */
  readonly type: string;
  readonly enteredEventId: number;
  /** The Parallel or Map entry this one runs inside (undefined at the top level). */
  readonly within: Entry | undefined;
  /** How many attempts `within` had started when this entry began: entries of older attempts are stale. */
  readonly withinAttempt: number;
  input?: string;
  output?: string;
  /** Task: one per TaskScheduled; Parallel and Map: one per XStateStarted; others: the entry itself. */
  readonly attempts: Attempt[];
  /** Exited normally ('succeeded'), exited after an error ('caught'), or ended by failure or abort. */
  outcome?: 'succeeded' | 'caught' | 'failed';
  /** The entry has failed and nothing has yet said what becomes of it: a retry, a Catch, or failure. */
  failing: boolean;
  aborted: boolean;
  error?: string;
  cause?: string;
}

const TERMINAL = /^Execution(Succeeded|Failed|Aborted|TimedOut)$/;
/** Task events that carry an error: the attempt failed. */
const TASK_FAILURE =
  /^(Task(Failed|TimedOut|StartFailed|SubmitFailed)|Lambda(Function(Failed|TimedOut|StartFailed|ScheduleFailed)))$/;

/** The details object of an event that carries error and cause, whatever its type. */
function errorOf(event: HistoryEvent): { error?: string; cause?: string } | undefined {
  for (const [key, value] of Object.entries(event))
    if (key.endsWith('EventDetails') && value && typeof value === 'object' && 'error' in value)
      return value as { error?: string; cause?: string };
  return undefined;
}

/**
 * What happened to each state of an execution, from its GetExecutionHistory events (any page order,
 * pages may overlap). States never entered are absent: the page shows them as not reached.
 *
 * Events are tied to states by name (XStateEntered / XStateExited) and otherwise by previousEventId,
 * which names the event that caused each one: a TaskScheduled follows its state's Entered (or its last
 * TaskFailed, on a retry); the first state of a Parallel branch or Map iteration follows
 * ParallelStateStarted / MapIterationStarted, which tells which Parallel or Map it runs in.
 *
 * Status of a state:
 * - 'succeeded': it exited normally (a Task may have failed attempts before: see `attempts`).
 * - 'caught': it failed and a Catch took the error: AWS records XFailed then XStateExited, and the
 *   handler's Entered follows.
 * - 'failed': it failed for good: the execution failed there, or its Parallel branch or Map iteration
 *   failed (even when the Parallel or Map then catches that: the Parallel itself shows 'caught'). A Fail
 *   state is always 'failed'.
 * - 'failed' with `aborted: true`: it was cut short. The execution was stopped (ExecutionAborted) or
 *   timed out while it ran, or a sibling branch failed its Parallel (TaskStateAborted). The console shows
 *   these as cancelled; StateStatus has no such colour, and red tells the reader the run ended there,
 *   which 'in-progress' or 'not-reached' would deny. The error and cause are the stop's, if it gave any.
 * - 'in-progress': entered and not yet out, while the execution runs (a Task waiting for its next
 *   Retry attempt included).
 *
 * A state entered several times: inside a Parallel or Map, the entries of the latest attempt of that
 * Parallel or Map count, and the worst of them wins (one failed Map iteration makes the state failed);
 * at the top level (a loop through a Choice) the latest entry counts.
 *
 * input is the first entry's input, output the last exit's output. error and cause are set only on a
 * 'failed' or 'caught' state (a Task that succeeded on its third attempt keeps its errors in
 * `attempts`). A Fail state's error and cause, which its FailStateEntered does not carry, come from the
 * ExecutionFailed it causes, or from the Catch result of the Parallel or Map that caught it.
 */
export function stateRuns(history: readonly HistoryEvent[]): Map<string, StateRun> {
  const events = inIdOrder(history);
  const byId = new Map<number, HistoryEvent>();
  for (const e of events) if (e.id !== undefined) byId.set(e.id, e);

  /** Event id -> the entry it belongs to. */
  const entryOf = new Map<number, Entry>();
  const entries: Entry[] = [];
  /** Entries of each state, in order; and each state's event ids. */
  const byName = new Map<string, Entry[]>();
  const eventIds = new Map<string, number[]>();
  const open = new Set<Entry>();
  let ended = false;

  const belongs = (event: HistoryEvent, entry: Entry | undefined) => {
    if (!entry || event.id === undefined) return;
    entryOf.set(event.id, entry);
    eventIds.get(entry.name)?.push(event.id);
  };
  const causeOf = (event: HistoryEvent) => entryOf.get(event.previousEventId ?? -1);
  const close = (entry: Entry, outcome: Entry['outcome']) => {
    entry.outcome = outcome;
    entry.failing = false;
    open.delete(entry);
  };
  const lastAttempt = (entry: Entry | undefined) => entry?.attempts.at(-1);

  for (const event of events) {
    const type = event.type ?? '';
    const id = event.id ?? 0;
    const entered = event.stateEnteredEventDetails;
    const exited = event.stateExitedEventDetails;

    if (entered && type.endsWith('StateEntered')) {
      const name = entered.name ?? '';
      const stateType = type.slice(0, -'StateEntered'.length);
      const within = enclosingOf(event);
      const entry: Entry = {
        name,
        type: stateType,
        enteredEventId: id,
        within,
        withinAttempt: within?.attempts.length ?? 0,
        input: entered.input,
        attempts: [],
        failing: stateType === 'Fail', // a Fail state fails as it is entered
        aborted: false,
      };
      if (stateType !== 'Task' && stateType !== 'Parallel' && stateType !== 'Map')
        entry.attempts.push({ startedEventId: id });
      entries.push(entry);
      open.add(entry);
      if (!byName.has(name)) {
        byName.set(name, []);
        eventIds.set(name, []);
      }
      byName.get(name)?.push(entry);
      belongs(event, entry);
      if (stateType === 'Fail') {
        const attempt = lastAttempt(entry);
        if (attempt) attempt.endedEventId = id;
        close(entry, 'failed');
      }
      continue;
    }

    if (exited && type.endsWith('StateExited')) {
      const name = exited.name ?? '';
      // The entry whose last event caused this one (a Task's TaskSucceeded or TaskFailed, a Pass's Entered),
      // or for a Parallel or Map the one around the branch event that caused it; failing that (a history
      // that starts mid-way), the oldest open entry of that name.
      const cause = causeOf(event);
      const around = ancestorNamed(cause, name);
      const entry = around && open.has(around) ? around : [...open].find((e) => e.name === name);
      if (!entry) continue;
      belongs(event, entry);
      entry.output = exited.output;
      const attempt = lastAttempt(entry);
      if (attempt && attempt.endedEventId === undefined) attempt.endedEventId = id;
      if (entry.failing) {
        // Caught: the Catch's result (at its ResultPath) holds {Error, Cause} when nothing else said it.
        if (entry.error === undefined) Object.assign(entry, catchResultIn(exited.output));
        blame(entry.attempts.at(-1)?.endedEventId ?? id, entry.error, entry.cause);
        close(entry, 'caught');
      } else close(entry, 'succeeded');
      continue;
    }

    if (type === 'TaskScheduled') {
      const entry = causeOf(event);
      belongs(event, entry);
      if (!entry) continue;
      entry.attempts.push({ startedEventId: id });
      entry.failing = false; // a retry: the failure before it was not the last word
      continue;
    }

    if (type === 'ParallelStateStarted' || type === 'MapStateStarted') {
      const entry = compositeOf(event, type.startsWith('Parallel') ? 'Parallel' : 'Map');
      belongs(event, entry);
      if (!entry) continue;
      const previous = lastAttempt(entry);
      if (previous && previous.endedEventId === undefined) {
        // A retry: the attempt before ended with the event that failed its branch.
        failedFor(event, entry);
        previous.endedEventId = event.previousEventId ?? id;
        Object.assign(previous, failureBehind(event));
      }
      entry.attempts.push({ startedEventId: id });
      entry.failing = false;
      continue;
    }

    if (/^(Parallel|Map)State(Succeeded|Failed)$/.test(type)) {
      const entry = compositeOf(event, type.startsWith('Parallel') ? 'Parallel' : 'Map');
      belongs(event, entry);
      if (!entry) continue;
      const attempt = lastAttempt(entry);
      if (attempt) attempt.endedEventId = id;
      if (type.endsWith('Failed')) {
        failedFor(event, entry);
        const failure = failureBehind(event);
        if (attempt) Object.assign(attempt, failure);
        Object.assign(entry, failure);
        entry.failing = true;
      }
      continue;
    }

    if (type.startsWith('MapIteration')) {
      // Each iteration's events belong to the Map state (details name it), whatever caused them.
      const details =
        event.mapIterationStartedEventDetails ??
        event.mapIterationSucceededEventDetails ??
        event.mapIterationFailedEventDetails ??
        event.mapIterationAbortedEventDetails;
      const entry =
        (type === 'MapIterationStarted' ? causeOf(event) : ancestorNamed(causeOf(event), details?.name)) ??
        [...open].reverse().find((e) => e.name === details?.name);
      if (type === 'MapIterationFailed' && entry) failedFor(event, entry);
      belongs(event, entry);
      continue;
    }

    if (type.endsWith('StateAborted')) {
      const entry = abortedBy(event, type.slice(0, -'StateAborted'.length));
      if (!entry) continue;
      belongs(event, entry);
      const attempt = lastAttempt(entry);
      if (attempt && attempt.endedEventId === undefined) attempt.endedEventId = id;
      // A state that failed its own branch is aborted too (after its TaskFailed): that is its failure.
      if (!entry.failing) entry.aborted = true;
      close(entry, 'failed');
      continue;
    }

    if (type === 'ExecutionFailed') {
      ended = true;
      const { error, cause } = event.executionFailedEventDetails ?? {};
      failedFor(event, undefined);
      blame(event.previousEventId ?? 0, error, cause);
      continue;
    }

    if (type === 'ExecutionAborted' || type === 'ExecutionTimedOut') {
      ended = true;
      const details =
        type === 'ExecutionAborted'
          ? event.executionAbortedEventDetails
          : event.executionTimedOutEventDetails;
      const error = details?.error ?? (type === 'ExecutionTimedOut' ? 'States.Timeout' : undefined);
      for (const entry of [...open]) {
        const attempt = lastAttempt(entry);
        if (attempt && attempt.endedEventId === undefined) attempt.endedEventId = id;
        entry.aborted = !entry.failing;
        if (entry.error === undefined) Object.assign(entry, defined({ error, cause: details?.cause }));
        close(entry, 'failed');
      }
      continue;
    }

    if (TERMINAL.test(type)) {
      ended = true;
      continue;
    }

    // A redrive runs on: the states it enters again are in progress until their own events end them.
    if (type === 'ExecutionRedriven') {
      ended = false;
      continue;
    }

    // Every other event (TaskStarted, TaskSucceeded, TaskFailed, ...) belongs to the entry of its cause.
    const entry = causeOf(event);
    belongs(event, entry);
    if (!entry) continue;
    if (TASK_FAILURE.test(type)) {
      const failure = defined(errorOf(event) ?? {});
      const attempt = lastAttempt(entry);
      if (attempt) Object.assign(attempt, failure, { endedEventId: id });
      entry.error = failure.error;
      entry.cause = failure.cause;
      entry.failing = true;
    } else if (type === 'TaskSucceeded') {
      const attempt = lastAttempt(entry);
      if (attempt) attempt.endedEventId = id;
    }
  }

  // An ended execution leaves nothing running: what had failed and was not caught failed for good.
  if (ended)
    for (const entry of [...open]) {
      if (!entry.failing) entry.aborted = true;
      close(entry, 'failed');
    }

  const runs = new Map<string, StateRun>();
  for (const [name, all] of byName) runs.set(name, runOf(name, all, eventIds.get(name) ?? []));
  return runs;

  // --- helpers over the state above ---

  /** The Parallel or Map entry a newly entered state runs in, from what caused its Entered event. */
  function enclosingOf(entered: HistoryEvent): Entry | undefined {
    const prev = byId.get(entered.previousEventId ?? 0);
    const cause = causeOf(entered);
    if (!prev || !cause) return undefined; // previousEventId 0: the top level's first state
    // The first state of a branch or an iteration.
    if (prev.type === 'ParallelStateStarted' || prev.type === 'MapIterationStarted') return cause;
    // Otherwise a sibling's Exited (or a Catch's) caused it: the same scope as that sibling.
    return cause.within;
  }

  /**
   * The Parallel or Map entry an XStateStarted / Succeeded / Failed event is about. Its cause is the
   * state's own Entered (the first Started), or the last event inside it (Succeeded), or the event that
   * failed a branch (Failed, and the Started of a retry): so look from the cause outwards for the nearest
   * open Parallel (or Map) around it.
   */
  function compositeOf(event: HistoryEvent, kind: 'Parallel' | 'Map'): Entry | undefined {
    const prev = byId.get(event.previousEventId ?? 0);
    const cause = causeOf(event);
    const own =
      cause?.type === kind &&
      open.has(cause) &&
      (prev?.type === `${kind}StateEntered` ||
        prev?.type === `${kind}StateStarted` ||
        prev?.type?.startsWith('MapIteration'));
    if (cause && own) return cause;
    for (let e = cause?.within; e; e = e.within) if (e.type === kind && open.has(e)) return e;
    // A history that starts mid-way: the latest open one.
    return [...open].reverse().find((e) => e.type === kind);
  }

  /**
   * The entry an XStateAborted event cuts short. Its cause is either the entry's own failure (a Task that
   * failed its branch) or the event that failed a sibling branch; then the aborted entry is one still
   * open inside the nearest Parallel or Map around that failure. Each open entry is aborted once, so the
   * earliest entered still open is taken.
   */
  function abortedBy(event: HistoryEvent, type: string): Entry | undefined {
    const cause = causeOf(event);
    if (cause && cause.type === type && open.has(cause) && cause.failing) return cause;
    for (let scope = cause?.within ?? cause; scope; scope = scope.within) {
      const inside = entries.find((e) => e.type === type && open.has(e) && isWithin(e, scope));
      if (inside) return inside;
    }
    return entries.find((e) => e.type === type && open.has(e));
  }

  /** Walks back from the event that ended things: every failing entry on the way failed with this error. */
  function blame(fromEventId: number, error: string | undefined, cause: string | undefined) {
    for (let e = byId.get(fromEventId); e; e = byId.get(e.previousEventId ?? 0)) {
      const entry = entryOf.get(e.id ?? 0);
      if (entry && (entry.failing || entry.outcome === 'failed') && entry.error === undefined) {
        Object.assign(entry, defined({ error, cause }));
        const attempt = lastAttempt(entry);
        if (attempt && attempt.error === undefined) Object.assign(attempt, defined({ error, cause }));
      }
      if (!e.previousEventId) break;
    }
  }

  /**
   * An event that fails a branch, an iteration or the execution names, as its cause, the state that
   * failed. A Task has usually said so (TaskFailed, TaskStateAborted); a state that failed without an
   * event of its own (a Pass or Choice whose path matched nothing, a Task whose Parameters did) is still
   * open: it failed here, and was not merely cut short.
   */
  function failedFor(event: HistoryEvent, composite: Entry | undefined) {
    const culprit = causeOf(event);
    if (!culprit || culprit === composite || !open.has(culprit)) return;
    if (culprit.type === 'Parallel' || culprit.type === 'Map') {
      culprit.failing = true; // it is still the one whose XStateFailed or Exited comes next
      return;
    }
    close(culprit, 'failed');
  }

  /** The error of the entry whose failure caused this event (a failed Task's TaskFailed, say). */
  function failureBehind(event: HistoryEvent): { error?: string; cause?: string } {
    const cause = causeOf(event);
    return cause ? defined({ error: cause.error, cause: cause.cause }) : {};
  }
}

/**
 * The state a failed, stopped or timed-out execution ended in, which its page opens on: of the states that
 * failed by themselves, the one entered last (a Fail inside a Parallel branch rather than the Parallel
 * around it, a Fail after a caught error rather than the state that was caught); else, when every failed
 * state was cut short (a stopped run), the one of those entered last. Undefined while the execution runs,
 * after it succeeded, or when it failed outside any state.
 */
export function failedState(
  history: readonly HistoryEvent[],
  runs: ReadonlyMap<string, StateRun>,
): string | undefined {
  const events = inIdOrder(history);
  const last = events.findLast((e) => TERMINAL.test(e.type ?? '') || e.type === 'ExecutionRedriven');
  if (last === undefined || last.type === 'ExecutionSucceeded' || last.type === 'ExecutionRedriven')
    return undefined;
  const entered = events.flatMap((e) => e.stateEnteredEventDetails?.name ?? []);
  const enteredLast = (aborted: boolean) =>
    entered.findLast((name) => {
      const run = runs.get(name);
      return run?.status === 'failed' && (run.aborted === true) === aborted;
    });
  return enteredLast(false) ?? enteredLast(true);
}

/** `entry` or the nearest entry around it named `name`. */
function ancestorNamed(entry: Entry | undefined, name: string | undefined): Entry | undefined {
  for (let e = entry; e; e = e.within) if (e.name === name) return e;
  return undefined;
}

function isWithin(entry: Entry, scope: Entry): boolean {
  for (let e = entry.within; e; e = e.within) if (e === scope) return true;
  return false;
}

/** The history sorted by id, each id once (pages read in either direction may overlap). */
function inIdOrder(history: readonly HistoryEvent[]): HistoryEvent[] {
  const seen = new Map<number, HistoryEvent>();
  const unnumbered: HistoryEvent[] = [];
  for (const event of history)
    if (event.id === undefined) unnumbered.push(event);
    else seen.set(event.id, event);
  return [...[...seen.values()].sort((a, b) => (a.id ?? 0) - (b.id ?? 0)), ...unnumbered];
}

/** The object without its undefined fields (so Object.assign never erases with undefined). */
function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The {Error, Cause} a Catch wrote into the state's output (at its ResultPath: anywhere in the JSON). */
function catchResultIn(output: string | undefined): { error?: string; cause?: string } {
  let value: unknown;
  try {
    value = JSON.parse(output ?? 'null');
  } catch {
    return {};
  }
  // Breadth first: the shallowest {Error} is the Catch's ResultPath, not something deeper in the input.
  const queue: unknown[] = [value];
  while (queue.length > 0) {
    const v = queue.shift();
    if (v === null || typeof v !== 'object') continue;
    const record = v as Record<string, unknown>;
    if (typeof record.Error === 'string')
      return defined({
        error: record.Error,
        cause: typeof record.Cause === 'string' ? record.Cause : undefined,
      });
    queue.push(...Object.values(record));
  }
  return {};
}

const SEVERITY: Readonly<Record<StateStatus, number>> = {
  'not-reached': 0,
  succeeded: 1,
  caught: 2,
  failed: 3,
  'in-progress': 4,
};

/** One state's run from its entries: see stateRuns for the rules. */
function runOf(name: string, all: readonly Entry[], eventIds: readonly number[]): StateRun {
  const last = all.at(-1) as Entry;
  // Inside a Parallel or Map: the entries of its latest attempt; at the top level: the latest entry.
  const current = last.within
    ? all.filter((e) => e.within === last.within && e.withinAttempt === last.within?.attempts.length)
    : [last];
  const counted = current.length > 0 ? current : [last];
  const statusOfEntry = (e: Entry): StateStatus => e.outcome ?? 'in-progress';
  const status = counted.map(statusOfEntry).reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a));
  // The latest entry with that status, preferring one that knows its error: when a Map iteration fails,
  // the engine may already have entered the same Fail state in the next iteration, which is then aborted
  // and is on no failure's path.
  const worst = counted.filter((e) => statusOfEntry(e) === status);
  const shown = worst.findLast((e) => e.error !== undefined) ?? (worst.at(-1) as Entry);
  const output = [...all].reverse().find((e) => e.output !== undefined)?.output;
  const showsError = status === 'failed' || status === 'caught';
  const attempts = all.flatMap((e) => e.attempts.map((a): StateAttempt => ({ ...a })));
  return {
    name,
    status,
    ...(all[0]?.input !== undefined ? { input: all[0].input } : {}),
    ...(output !== undefined ? { output } : {}),
    ...(showsError ? defined({ error: shown.error, cause: shown.cause }) : {}),
    attempts,
    eventIds: [...eventIds].sort((a, b) => a - b),
    ...(status === 'failed' && shown.aborted ? { aborted: true } : {}),
  };
}
