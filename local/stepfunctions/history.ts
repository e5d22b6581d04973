import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import { AwsError } from '../errors';
import type { Execution, LocalStateMachine, TaskCallRecord } from './service';

/*
 * GetExecutionHistory for the local Step Functions.
 *
 * Two records of an execution exist: the engine's event log (aws-local-stepfunctions: ExecutionStarted,
 * StateEntered/Exited/Failed/Retried/Caught, ParallelBranch*, MapIteration*) and the service's record of
 * each Task's integration calls (what was sent, what came back). AWS's history is finer than the first
 * and coarser in places, so this file translates, following what AWS records (its API reference, and
 * the get_execution_history snapshots LocalStack records against real AWS):
 *
 * - A Task attempt is TaskScheduled -> TaskStarted -> TaskSucceeded | TaskFailed | TaskTimedOut. A retry
 *   has no event of its own: the next attempt's TaskScheduled follows the TaskFailed. A caught error is
 *   TaskFailed -> TaskStateExited (output: the Catch's result) -> the handler's StateEntered; an uncaught
 *   one is TaskFailed -> ExecutionFailed, with no TaskStateExited.
 * - Parallel: Entered -> ParallelStateStarted -> branch events -> Succeeded -> Exited. A retried Parallel
 *   shows ParallelStateStarted again (no new Entered, no Failed); ParallelStateFailed marks only a
 *   failure that is not retried. Map likewise, with MapStateStarted{length} and MapIteration* events.
 * - Inside a branch or iteration, a Task that fails for good is also marked TaskStateAborted, and states
 *   still running in sibling branches are aborted (XStateAborted, MapIterationAborted) when one fails.
 * - previousEventId is the event that caused this one, so the ids form a tree, not a line:
 *   ExecutionStarted and the first state's Entered both have 0, as AWS records them; each Parallel
 *   branch's first event points at ParallelStateStarted, each MapIterationStarted at MapStateStarted;
 *   XStateSucceeded and XStateExited of a Parallel/Map point at the latest event inside it; a failed one
 *   (XStateFailed, the retry's XStateStarted, the siblings' aborts) at the event that failed the branch.
 *   ExecutionAborted has 0: StopExecution, not an event, caused it.
 * - ids are then numbered in time order, as AWS numbers them, so concurrent branches interleave.
 *
 * Not verified against AWS: ExecutionTimedOut (given previousEventId 0 like ExecutionAborted), and
 * MapIterationStarted of a Map running one item at a time (AWS then points it at the previous
 * iteration's last event; here it always points at MapStateStarted, as AWS does for concurrent ones).
 */

/** Step Functions' GetExecutionHistory page size: 100 unless asked, at most 1000. */
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

/** The engine event fields read here (each member of the engine's EventLog union fits this shape). */
interface EngineEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly state?: StateData;
  /** On ParallelBranch* and MapIteration* events: the Parallel or Map state they belong to. */
  readonly parentState?: StateData;
  /** The Map iteration an event belongs to (the engine sets the outermost Map's index). */
  readonly index?: number;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly Error?: string;
  readonly Cause?: unknown;
}
interface StateData {
  readonly name: string;
  readonly type: string;
  readonly input: unknown;
  readonly output?: unknown;
}

/** The ASL fields read here. */
interface AslState {
  readonly Type: string;
  readonly Branches?: readonly AslMachine[];
  readonly ItemProcessor?: AslMachine;
  readonly Iterator?: AslMachine;
  readonly InputPath?: string | null;
  readonly ItemsPath?: string;
  readonly TimeoutSeconds?: number;
  readonly HeartbeatSeconds?: number;
}
interface AslMachine {
  readonly States: Readonly<Record<string, AslState>>;
}

/** A Parallel branch or a Map processor a state sits in. */
interface Frame {
  readonly state: string;
  readonly kind: 'Parallel' | 'Map';
  readonly branch: number;
}
interface Scope {
  readonly state: AslState;
  /** Enclosing Parallel branches and Map processors, outermost first. */
  readonly frames: readonly Frame[];
}

const ENTERED: Readonly<Record<string, HistoryEventType>> = {
  Task: 'TaskStateEntered',
  Pass: 'PassStateEntered',
  Choice: 'ChoiceStateEntered',
  Wait: 'WaitStateEntered',
  Succeed: 'SucceedStateEntered',
  Fail: 'FailStateEntered',
  Parallel: 'ParallelStateEntered',
  Map: 'MapStateEntered',
};
/** A Fail state never exits: the execution (or its branch) fails. */
const EXITED: Readonly<Record<string, HistoryEventType>> = {
  Task: 'TaskStateExited',
  Pass: 'PassStateExited',
  Choice: 'ChoiceStateExited',
  Wait: 'WaitStateExited',
  Succeed: 'SucceedStateExited',
  Parallel: 'ParallelStateExited',
  Map: 'MapStateExited',
};
/** Only states that last can be cut short; Pass, Choice, Succeed and Fail are instantaneous. */
const ABORTED: Readonly<Record<string, HistoryEventType>> = {
  Task: 'TaskStateAborted',
  Wait: 'WaitStateAborted',
  Parallel: 'ParallelStateAborted',
  Map: 'MapStateAborted',
};
const COMPOSITE = {
  Parallel: {
    started: 'ParallelStateStarted',
    succeeded: 'ParallelStateSucceeded',
    failed: 'ParallelStateFailed',
  },
  Map: { started: 'MapStateStarted', succeeded: 'MapStateSucceeded', failed: 'MapStateFailed' },
} as const satisfies Record<string, Record<string, HistoryEventType>>;
type CompositeKind = keyof typeof COMPOSITE;

const isComposite = (type: string): type is CompositeKind => type === 'Parallel' || type === 'Map';
const json = (value: unknown) => JSON.stringify(value ?? null);
const notTruncated = { truncated: false };

/**
 * The execution's history as GetExecutionHistory returns it (ascending ids from 1), built from the
 * engine's event log and the Task integration calls. A running execution gives the history so far.
 */
export function historyEvents(execution: Execution, machine: LocalStateMachine): HistoryEvent[] {
  return new HistoryBuilder(execution, machine).build();
}

/** An event before it is numbered: ids follow time order, which is known only once all are built. */
interface Draft {
  readonly type: HistoryEventType;
  readonly details: Partial<HistoryEvent>;
  readonly prev: Draft | undefined;
  /** Epoch ms, never earlier than `prev`'s, so numbering by time keeps every cause before its effects. */
  readonly time: number;
  /** Build order, the tie-break between events in the same millisecond. */
  readonly seq: number;
  id?: number;
}

/** A state that was entered and has not exited, in one thread (the root, a branch or an iteration). */
interface OpenState {
  readonly name: string;
  readonly type: string;
  /** Task: the current attempt's integration call is not yet in the history. */
  attemptPending: boolean;
  /**
   * The event that failed this state (and so its branch): set once the failure is final, or for a
   * Parallel or Map about to be retried, the event its next XStateStarted follows from.
   */
  failedBy?: Draft;
  aborted?: boolean;
  /** Parallel and Map: the current attempt's XStateStarted, and what its children are keyed by. */
  composite?: { readonly kind: CompositeKind; started: Draft; readonly prefix: string };
}

class HistoryBuilder {
  private readonly scopes = new Map<string, Scope>();
  private readonly log: readonly EngineEvent[];
  private readonly ended: boolean;
  private readonly region: string;
  /** Each Task state's integration calls not yet matched to an attempt, in call order. */
  private readonly calls = new Map<string, TaskCallRecord[]>();
  private readonly drafts: Draft[] = [];
  /** Thread -> its latest event. The root thread is ''. */
  private readonly cursors = new Map<string, Draft | undefined>();
  private readonly open = new Map<string, OpenState>();
  /** Map iteration thread -> the iteration, until it has succeeded, failed or been aborted. */
  private readonly iterations = new Map<string, { readonly name: string; readonly index: number }>();

  constructor(
    private readonly execution: Execution,
    private readonly machine: LocalStateMachine,
  ) {
    collectScopes(machine.definition, [], this.scopes);
    const log: readonly EngineEvent[] = execution.events;
    this.log = this.inCausalOrder(log);
    this.ended =
      execution.status !== 'RUNNING' ||
      log.some((e) => /^Execution(Succeeded|Failed|Aborted|Timeout)$/.test(e.type));
    // arn:aws:states:<region>:<account>:stateMachine:<name>
    this.region = machine.arn.split(':')[3] ?? '';
    for (const call of execution.taskCalls) {
      const queue = this.calls.get(call.stateName) ?? [];
      queue.push(call);
      this.calls.set(call.stateName, queue);
    }
  }

  build(): HistoryEvent[] {
    if (!this.log.some((e) => e.type === 'ExecutionStarted'))
      this.executionStarted(this.execution.startDate.getTime());
    this.log.forEach((event, i) => {
      this.translate(event, i);
    });
    // A running execution: show the integration calls of attempts still under way.
    if (!this.ended)
      for (const [thread, state] of this.open) this.flushAttempt(thread, state, Number.POSITIVE_INFINITY);
    this.terminalFromExecution();

    const ordered = [...this.drafts].sort((a, b) => a.time - b.time || a.seq - b.seq);
    ordered.forEach((draft, i) => {
      draft.id = i + 1;
    });
    return ordered.map((d) => ({
      timestamp: new Date(d.time),
      type: d.type,
      id: d.id,
      previousEventId: d.prev?.id ?? 0,
      ...d.details,
    }));
  }

  private translate(e: EngineEvent, i: number): void {
    switch (e.type) {
      case 'ExecutionStarted':
        this.executionStarted(e.timestamp);
        break;
      case 'StateEntered':
        this.stateEntered(e, i);
        break;
      case 'StateRetried':
        this.stateRetried(e, i);
        break;
      case 'StateFailed':
        this.stateFailed(e, i);
        break;
      case 'StateExited':
        this.stateExited(e);
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        this.mapIteration(e);
        break;
      case 'ExecutionSucceeded':
        this.emit('ExecutionSucceeded', e.timestamp, this.cursors.get(''), {
          executionSucceededEventDetails: { output: json(e.output), outputDetails: notTruncated },
        });
        break;
      case 'ExecutionFailed':
        this.emit('ExecutionFailed', e.timestamp, this.cursors.get(''), {
          executionFailedEventDetails: errorAndCause(e.Error, e.Cause),
        });
        break;
      case 'ExecutionAborted':
        this.stopped('ExecutionAborted', e.timestamp);
        break;
      case 'ExecutionTimeout':
        this.stopped('ExecutionTimedOut', e.timestamp);
        break;
      default:
      // StateCaught: the Catch shows as the state's Exited event, which the engine logs next.
      // ParallelBranch*: AWS has no per-branch events.
    }
  }

  private executionStarted(time: number): void {
    // Not the root's cursor: AWS gives the first state's Entered event previousEventId 0 too.
    this.emit('ExecutionStarted', time, undefined, {
      executionStartedEventDetails: {
        input: this.execution.input,
        inputDetails: notTruncated,
        roleArn: this.machine.roleArn,
      },
    });
  }

  private stateEntered(e: EngineEvent, i: number): void {
    const { name, type, input } = e.state as StateData;
    const thread = this.threadOf(e);
    const entered = this.emit(ENTERED[type] ?? 'PassStateEntered', e.timestamp, this.cursors.get(thread), {
      stateEnteredEventDetails: { name, input: json(input), inputDetails: notTruncated },
    });
    this.cursors.set(thread, entered);
    const state: OpenState = { name, type, attemptPending: type === 'Task' };
    this.open.set(thread, state);
    if (isComposite(type)) {
      const prefix = `${thread}[${JSON.stringify(name)},`;
      state.composite = { kind: type, started: entered, prefix };
      this.startComposite(thread, state, e, i, entered);
    }
  }

  /** XStateStarted, on entry and again on each retry; a Parallel's branches start from it. */
  private startComposite(
    thread: string,
    state: OpenState,
    e: EngineEvent,
    i: number,
    cause: Draft | undefined,
  ) {
    const composite = state.composite;
    if (!composite) return;
    for (const key of [...this.cursors.keys()])
      if (key.startsWith(composite.prefix)) this.cursors.delete(key);
    const details: Partial<HistoryEvent> =
      composite.kind === 'Map' ? { mapStateStartedEventDetails: { length: this.mapLength(e, i) } } : {};
    composite.started = this.emit(COMPOSITE[composite.kind].started, e.timestamp, cause, details);
    this.cursors.set(thread, composite.started);
    const branches = this.scopes.get(state.name)?.state.Branches ?? [];
    if (composite.kind === 'Parallel')
      branches.forEach((_, b) => {
        this.cursors.set(`${composite.prefix}${b}]`, composite.started);
      });
  }

  private stateRetried(e: EngineEvent, i: number): void {
    const thread = this.threadOf(e);
    const state = this.open.get(thread);
    if (!state) return;
    state.attemptPending = state.type === 'Task';
    // A Task's next attempt follows its TaskFailed (the cursor); a Parallel or Map starts again from the
    // event that failed the last attempt.
    if (state.composite) this.startComposite(thread, state, e, i, state.failedBy ?? this.cursors.get(thread));
    state.failedBy = undefined;
  }

  private stateFailed(e: EngineEvent, i: number): void {
    const thread = this.threadOf(e);
    const state = this.open.get(thread);
    if (!state) return;
    this.flushAttempt(thread, state, e.timestamp, e);
    const outcome = this.outcomeOf(e, i);

    if (state.composite) {
      // The branch or iteration that failed it; states still running beside it are cut short.
      const { prefix, kind, started } = state.composite;
      const failedBy = this.failingEventIn(prefix) ?? this.latestIn(prefix) ?? started;
      this.abortInside(prefix, failedBy, e.timestamp);
      // A retry starts again from the failing event; otherwise XStateFailed is what failed this state.
      state.failedBy = failedBy;
      if (outcome === 'retried' || outcome === 'pending') return;
      state.failedBy = this.emit(COMPOSITE[kind].failed, e.timestamp, failedBy, {});
      this.cursors.set(thread, state.failedBy);
      return;
    }
    if (outcome !== 'final') return;
    state.failedBy = this.cursors.get(thread);
    // In a branch or iteration, a state that fails it is aborted too (at the root the execution fails).
    if (thread !== '') this.abort(state, state.failedBy, e.timestamp);
  }

  private stateExited(e: EngineEvent): void {
    const { name, type, output } = e.state as StateData;
    const thread = this.threadOf(e);
    const state = this.open.get(thread);
    if (state) this.flushAttempt(thread, state, e.timestamp);
    const details = { stateExitedEventDetails: { name, output: json(output), outputDetails: notTruncated } };
    const composite = state?.composite;
    let exited: Draft;
    if (composite && !state.failedBy) {
      // Succeeded and Exited both follow from the last event inside, as AWS records them.
      const last = this.latestIn(composite.prefix) ?? composite.started;
      this.emit(COMPOSITE[composite.kind].succeeded, e.timestamp, last, {});
      exited = this.emit(EXITED[type] ?? 'PassStateExited', e.timestamp, last, details);
    } else {
      // After a Catch the cursor is the TaskFailed or XStateFailed: the Exited event carries the Catch's output.
      exited = this.emit(EXITED[type] ?? 'PassStateExited', e.timestamp, this.cursors.get(thread), details);
    }
    this.cursors.set(thread, exited);
    this.open.delete(thread);
  }

  private mapIteration(e: EngineEvent): void {
    const name = e.parentState?.name ?? '';
    const index = e.index ?? 0;
    const mapThread = this.threadOfState(name, e.index);
    const thread = `${mapThread}[${JSON.stringify(name)},${index}]`;
    const details = { name, index };
    if (e.type === 'MapIterationStarted') {
      this.iterations.set(thread, details);
      const started = this.open.get(mapThread)?.composite?.started;
      this.cursors.set(
        thread,
        this.emit('MapIterationStarted', e.timestamp, started, { mapIterationStartedEventDetails: details }),
      );
      return;
    }
    this.iterations.delete(thread);
    const [type, key] =
      e.type === 'MapIterationSucceeded'
        ? (['MapIterationSucceeded', 'mapIterationSucceededEventDetails'] as const)
        : (['MapIterationFailed', 'mapIterationFailedEventDetails'] as const);
    this.cursors.set(thread, this.emit(type, e.timestamp, this.cursors.get(thread), { [key]: details }));
  }

  /** StopExecution or the execution's TimeoutSeconds: calls under way show as scheduled and started. */
  private stopped(type: 'ExecutionAborted' | 'ExecutionTimedOut', time: number): void {
    for (const [thread, state] of this.open) this.flushAttempt(thread, state, time);
    const { error, cause } = this.execution;
    const details =
      type === 'ExecutionAborted'
        ? { executionAbortedEventDetails: errorAndCause(error, cause) }
        : { executionTimedOutEventDetails: errorAndCause('States.Timeout', cause) };
    this.emit(type, time, undefined, details);
  }

  /** An execution whose engine log has no end (e.g. restored without it) still ends as the service says. */
  private terminalFromExecution(): void {
    const { status, stopDate, output, error, cause } = this.execution;
    const terminal = /^Execution(Succeeded|Failed|Aborted|TimedOut)$/;
    if (status === 'RUNNING' || this.drafts.some((d) => terminal.test(d.type))) return;
    const time = Math.max(stopDate?.getTime() ?? 0, ...this.drafts.map((d) => d.time));
    const last = this.drafts.at(-1);
    if (status === 'SUCCEEDED')
      this.emit('ExecutionSucceeded', time, last, {
        executionSucceededEventDetails: { output: output ?? 'null', outputDetails: notTruncated },
      });
    else if (status === 'FAILED')
      this.emit('ExecutionFailed', time, last, { executionFailedEventDetails: errorAndCause(error, cause) });
    else if (status === 'ABORTED') this.stopped('ExecutionAborted', time);
    else this.stopped('ExecutionTimedOut', time);
  }

  /**
   * The current attempt's integration call: TaskScheduled, TaskStarted and, if it answered by `until`, its
   * result. The k-th call of a Task state is its k-th attempt that reached the integration (an attempt
   * can fail before it, e.g. on a Parameters path), so a call counts only if it started by `until`.
   */
  private flushAttempt(thread: string, state: OpenState, until: number, failure?: EngineEvent): void {
    if (!state.attemptPending) return;
    state.attemptPending = false;
    const queue = this.calls.get(state.name);
    const call = queue?.[0];
    if (!queue || !call || call.startedAt > until) return;
    queue.shift();

    const where = resourceOf(call.resource);
    const scope = this.scopes.get(state.name)?.state;
    const scheduled = this.emit('TaskScheduled', call.startedAt, this.cursors.get(thread), {
      taskScheduledEventDetails: {
        ...where,
        region: this.region,
        parameters: json(call.parameters),
        ...(typeof scope?.TimeoutSeconds === 'number' ? { timeoutInSeconds: scope.TimeoutSeconds } : {}),
        ...(typeof scope?.HeartbeatSeconds === 'number'
          ? { heartbeatInSeconds: scope.HeartbeatSeconds }
          : {}),
      },
    });
    let last = this.emit('TaskStarted', call.startedAt, scheduled, { taskStartedEventDetails: where });
    if (failure?.Error === 'States.Timeout' && call.error?.error !== 'States.Timeout') {
      // The engine gave up waiting: the call may still be running, or have answered after the timeout.
      last = this.emit('TaskTimedOut', failure.timestamp, last, {
        taskTimedOutEventDetails: { ...where, ...errorAndCause(failure.Error, failure.Cause) },
      });
    } else if (call.endedAt !== undefined && call.endedAt <= until) {
      last = call.error
        ? this.emit('TaskFailed', call.endedAt, last, {
            taskFailedEventDetails: { ...where, ...errorAndCause(call.error.error, call.error.cause) },
          })
        : this.emit('TaskSucceeded', call.endedAt, last, {
            taskSucceededEventDetails: { ...where, output: json(call.output), outputDetails: notTruncated },
          });
    }
    this.cursors.set(thread, last);
  }

  /**
   * What became of a failed state: retried (StateRetried follows, after the Retry's wait), caught
   * (StateCaught follows at once), final (anything else follows: the branch, its Parallel or the
   * execution fails), or pending (nothing follows yet: a running execution may still be in the wait).
   */
  private outcomeOf(failed: EngineEvent, i: number): 'retried' | 'caught' | 'final' | 'pending' {
    const name = failed.state?.name ?? '';
    const thread = this.threadOf(failed);
    const enclosing = new Set((this.scopes.get(name)?.frames ?? []).map((f) => f.state));
    for (const e of this.log.slice(i + 1)) {
      if (e.state?.name === name && this.threadOf(e) === thread) {
        if (e.type === 'StateRetried') return 'retried';
        return e.type === 'StateCaught' ? 'caught' : 'final';
      }
      // Not ParallelBranch* or MapIteration*: a sibling branch may end while this state waits to retry.
      if (e.type.startsWith('Execution') || (e.state && enclosing.has(e.state.name))) return 'final';
    }
    return this.ended ? 'final' : 'pending';
  }

  /** Cuts short everything still running under a failed Parallel or Map, as AWS does. */
  private abortInside(prefix: string, cause: Draft | undefined, time: number): void {
    for (const [thread, state] of [...this.open]) {
      if (!thread.startsWith(prefix)) continue;
      this.flushAttempt(thread, state, time);
      if (!state.failedBy) this.abort(state, cause, time);
      this.open.delete(thread);
    }
    for (const [thread, details] of [...this.iterations]) {
      if (!thread.startsWith(prefix)) continue;
      this.emit('MapIterationAborted', time, cause, { mapIterationAbortedEventDetails: details });
      this.iterations.delete(thread);
    }
  }

  private abort(state: OpenState, cause: Draft | undefined, time: number): void {
    const type = ABORTED[state.type];
    if (!type || state.aborted) return;
    state.aborted = true;
    this.emit(type, time, cause, {});
  }

  /** The event that failed a branch or iteration under `prefix` (the earliest, if several did). */
  private failingEventIn(prefix: string): Draft | undefined {
    return [...this.open]
      .filter(([thread, state]) => thread.startsWith(prefix) && state.failedBy)
      .map(([, state]) => state.failedBy as Draft)
      .sort((a, b) => a.time - b.time || a.seq - b.seq)[0];
  }

  /** The latest event in any thread under `prefix`. */
  private latestIn(prefix: string): Draft | undefined {
    let latest: Draft | undefined;
    for (const [thread, draft] of this.cursors) {
      if (!thread.startsWith(prefix) || !draft) continue;
      if (!latest || draft.time > latest.time || (draft.time === latest.time && draft.seq > latest.seq))
        latest = draft;
    }
    return latest;
  }

  /** MapStateStarted's length: the items ItemsPath selects, or failing a simple path, the iterations run. */
  private mapLength(e: EngineEvent, i: number): number {
    const state = this.scopes.get(e.state?.name ?? '')?.state;
    const input = state?.InputPath === null ? {} : select(e.state?.input, state?.InputPath ?? '$');
    const items = select(input, state?.ItemsPath ?? '$');
    if (Array.isArray(items)) return items.length;
    const thread = this.threadOf(e);
    const indices = new Set<number>();
    for (const x of this.log.slice(i + 1)) {
      if (x.state?.name === e.state?.name && this.threadOf(x) === thread) break;
      if (x.type === 'MapIterationStarted' && x.parentState?.name === e.state?.name)
        indices.add(x.index ?? 0);
    }
    return indices.size;
  }

  private emit(
    type: HistoryEventType,
    time: number,
    prev: Draft | undefined,
    details: Partial<HistoryEvent>,
  ): Draft {
    const draft: Draft = {
      type,
      details,
      prev,
      time: Math.max(time, prev?.time ?? time),
      seq: this.drafts.length,
    };
    this.drafts.push(draft);
    return draft;
  }

  /**
   * The thread an engine event runs in: '' for the top level, then one `[state, n]` per enclosing
   * Parallel branch (n = the branch) or Map iteration (n = the index). State names are unique across a
   * state machine, so the definition says which branch a state is in; the engine says which iteration.
   */
  private threadOf(e: EngineEvent): string {
    return this.threadOfState(e.state?.name ?? '', e.index);
  }

  private threadOfState(name: string, index: number | undefined): string {
    const frames = this.scopes.get(name)?.frames ?? [];
    return frames
      .map((f) => `[${JSON.stringify(f.state)},${f.kind === 'Parallel' ? f.branch : (index ?? 0)}]`)
      .join('');
  }

  /**
   * The engine's log in cause-before-effect order. Branch and iteration events reach the root log
   * through async iterators, so one can land after the Parallel or Map state's own Exited or Failed
   * event: each such straggler is moved back in front of it (never past the state's next attempt).
   */
  private inCausalOrder(log: readonly EngineEvent[]): EngineEvent[] {
    const out = [...log];
    for (let i = 0; i < out.length; i++) {
      const end = out[i];
      if (!end?.state || !isComposite(end.state.type) || !['StateExited', 'StateFailed'].includes(end.type))
        continue;
      const name = end.state.name;
      const thread = this.threadOf(end);
      const prefix = `${thread}[${JSON.stringify(name)},`;
      const late: number[] = [];
      for (let j = i + 1; j < out.length; j++) {
        const e = out[j] as EngineEvent;
        if (e.state?.name === name && this.threadOf(e) === thread) break;
        const inside =
          e.parentState?.name === name || (e.state !== undefined && this.threadOf(e).startsWith(prefix));
        if (inside) late.push(j);
      }
      if (late.length === 0) continue;
      const moved = late.map((j) => out[j] as EngineEvent);
      for (const j of late.reverse()) out.splice(j, 1);
      out.splice(i, 0, ...moved);
      i -= 1; // look at the moved events again: one may end a nested Parallel or Map
    }
    return out;
  }
}

/** Every state by name, with the Parallel branches and Map processors it is nested in. */
function collectScopes(machine: AslMachine, frames: readonly Frame[], into: Map<string, Scope>): void {
  for (const [name, state] of Object.entries(machine.States)) {
    into.set(name, { state, frames });
    state.Branches?.forEach((branch, b) => {
      collectScopes(branch, [...frames, { state: name, kind: 'Parallel', branch: b }], into);
    });
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) collectScopes(processor, [...frames, { state: name, kind: 'Map', branch: 0 }], into);
  }
}

/**
 * resourceType and resource as AWS splits an integration ARN: `arn:aws:states:::events:putEvents` is
 * events / putEvents, `arn:aws:states:::aws-sdk:s3:listBuckets` is aws-sdk:s3 / listBuckets, and
 * `arn:aws:states:::states:startExecution.sync:2` is states / startExecution.sync:2.
 */
function resourceOf(arn: string): { resourceType: string; resource: string } {
  const match = /^arn:[^:]+:states:[^:]*:[^:]*:(.+?):([^:]+?(?:\.sync(?::\d+)?|\.waitForTaskToken)?)$/.exec(
    arn,
  );
  return match
    ? { resourceType: match[1] as string, resource: match[2] as string }
    : { resourceType: 'unknown', resource: arn };
}

/** An error and cause as history details carry them: strings, and no empty cause (a Fail state may have none). */
function errorAndCause(error: string | undefined, cause: unknown): { error?: string; cause?: string } {
  const text =
    typeof cause === 'string' || cause === undefined || cause === null ? cause : JSON.stringify(cause);
  return { ...(error ? { error } : {}), ...(text ? { cause: text } : {}) };
}

/** A JSONPath of plain field names (`$`, `$.a.b`); anything else is undefined. */
function select(value: unknown, path: string): unknown {
  if (!/^\$(\.[A-Za-z_][\w-]*)*$/.test(path)) return undefined;
  return path
    .split('.')
    .slice(1)
    .reduce<unknown>(
      (v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
      value,
    );
}

export interface HistoryPageOptions {
  /** 1-1000; 0 or absent means 100. */
  readonly maxResults?: number;
  readonly nextToken?: string;
  /** Newest first. */
  readonly reverseOrder?: boolean;
}

/**
 * One page of GetExecutionHistory. The token names the last event id returned and the direction, so it
 * stays valid while a running execution's history grows (new events follow on a forward walk). A token
 * that is not one of ours, or asks for the other direction, is AWS's InvalidToken.
 */
export function pageOfHistory(
  events: readonly HistoryEvent[],
  options: HistoryPageOptions = {},
): { events: HistoryEvent[]; nextToken?: string } {
  const size = options.maxResults ?? 0;
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
  const direction = options.reverseOrder ? 'desc' : 'asc';
  const ordered = [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  if (direction === 'desc') ordered.reverse();

  let from = 0;
  if (options.nextToken !== undefined) {
    const after = tokenPosition(options.nextToken, direction);
    from = ordered.findIndex((e) => (direction === 'asc' ? (e.id ?? 0) > after : (e.id ?? 0) < after));
    if (from < 0) from = ordered.length;
  }
  const page = ordered.slice(from, from + limit);
  const last = page.at(-1);
  return from + limit < ordered.length && last
    ? { events: page, nextToken: Buffer.from(`history:${direction}:${last.id}`).toString('base64url') }
    : { events: page };
}

function tokenPosition(token: string, direction: 'asc' | 'desc'): number {
  const match = /^history:(asc|desc):(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match || match[1] !== direction) throw new AwsError('InvalidToken', `Invalid Token: '${token}'`);
  return Number(match[2]);
}
