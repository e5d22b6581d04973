import type { JournalEvent } from '../journal/history';
import type { Resume } from './interpreter';

/*
 * What a run replays to go on from a history: after a restart, the whole history; across a redrive, the
 * history before it with the unsuccessful part cut away, as RedriveExecution defines it ("Redriving
 * executions" in the developer guide): the run starts again from the state that did not succeed, with the
 * input it had, and only the Parallel branches and Map iterations that did not succeed run again.
 */

const ENDINGS = new Set(['ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut', 'ExecutionSucceeded']);

/** The replay material for a history (which may hold redrives), and how many redrives it holds. */
export function replayOf(events: readonly JournalEvent[]): Resume & { redriveCount: number } {
  const last = events.findLastIndex((e) => e.type === 'ExecutionRedriven');
  const lastEventId = events.at(-1)?.id ?? 0;
  if (last < 0) return { events, redriveCount: 0, lastEventId };
  const before = redriveOf(events.slice(0, last));
  return {
    ...before,
    events: [...before.events, ...events.slice(last + 1)],
    redriveCount: before.redriveCount + 1,
    lastEventId,
  };
}

/** The replay material to redrive an ended execution with: its history, what did not succeed cut away. */
export function redriveOf(events: readonly JournalEvent[]): Resume & { redriveCount: number } {
  const before = replayOf(events);
  const cut = redriveCut(before.events);
  return {
    events: cut.events,
    succeededChildren: new Map([...(before.succeededChildren ?? []), ...cut.succeededChildren]),
    redriveCount: before.redriveCount,
    lastEventId: events.at(-1)?.id ?? 0,
  };
}

/**
 * The history of an ended execution with what did not succeed cut away: its ending, and in each thread
 * the state it had not finished (from its Entered event on). The succeeded children of a cut Parallel or
 * Map (in its last attempt) are kept by their outputs.
 */
export function redriveCut(events: readonly JournalEvent[]): {
  events: JournalEvent[];
  succeededChildren: Map<string, Map<number, unknown>>;
} {
  const threads = new Map<string, JournalEvent[]>();
  for (const e of events) {
    if (ENDINGS.has(e.type)) continue;
    const key = e.thread ?? '0';
    const list = threads.get(key) ?? [];
    threads.set(key, list);
    list.push(e);
  }
  const dropped = new Set<number>();
  const succeededChildren = new Map<string, Map<number, unknown>>();
  for (const [key, list] of threads) {
    const open = unfinishedState(list);
    if (open < 0) continue;
    const entered = list[open] as JournalEvent;
    for (const e of list.slice(open)) dropped.add(e.id);
    // A cut Parallel or Map keeps what its last attempt's children achieved.
    const lastStart = list
      .slice(open)
      .findLast((e) => e.type === 'ParallelStateStarted' || e.type === 'MapStateStarted');
    if (!lastStart) continue;
    const outputs = new Map<number, unknown>();
    for (const [childKey, childEvents] of threads) {
      const [startId, index] = childKey.split('.');
      if (Number(startId) !== lastStart.id || index === undefined) continue;
      const output = succeededOutput(childEvents, lastStart.type === 'MapStateStarted');
      if (output.succeeded) outputs.set(Number(index), output.value);
    }
    succeededChildren.set(`${key}/${String(entered.details?.name)}`, outputs);
  }
  return { events: events.filter((e) => !ENDINGS.has(e.type) && !dropped.has(e.id)), succeededChildren };
}

/** The index of the state a thread entered and did not leave, or -1. */
function unfinishedState(list: readonly JournalEvent[]): number {
  let open = -1;
  for (let i = 0; i < list.length; i++) {
    const type = (list[i] as JournalEvent).type;
    if (type.endsWith('StateEntered')) open = i;
    else if (type.endsWith('StateExited')) open = -1;
  }
  return open;
}

/** Whether a branch or iteration ended well, and its output (its last state's). */
function succeededOutput(
  list: readonly JournalEvent[],
  map: boolean,
): { succeeded: boolean; value?: unknown } {
  if (map && !list.some((e) => e.type === 'MapIterationSucceeded')) return { succeeded: false };
  if (unfinishedState(list) >= 0) return { succeeded: false };
  const exited = list.findLast((e) => e.type.endsWith('StateExited'));
  // A branch that ended well ends with its last state's Exited event (a Fail state has none).
  if (!exited || (!map && list.at(-1) !== exited)) return { succeeded: false };
  return { succeeded: true, value: exited.details?.output };
}
