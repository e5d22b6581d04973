import { createHash, randomUUID } from 'node:crypto';
import type { HistoryEventType } from '@aws-sdk/client-sfn';
import type { JournalEvent } from '../journal/history';
import type {
  Catcher,
  ChoiceState,
  FailState,
  MapState,
  ParallelState,
  PassState,
  QueryLanguage,
  State,
  StateMachineDefinition,
  TaskState,
  WaitState,
} from './asl';
import { evaluateChoiceRule } from './choice';
import { asStatesError, States, StatesError } from './errors';
import { evaluateIntrinsic, isIntrinsic } from './intrinsics';
import {
  evaluateCondition,
  evaluateTemplate,
  evaluateTyped,
  type JsonataScope,
  QueryEvaluationError,
} from './jsonata';
import {
  applyPayloadTemplate,
  applyResultPath,
  evaluatePath,
  NOT_FOUND,
  type PathScope,
  requirePath,
  selectPath,
} from './jsonpath';
import { matchingCatcher, matchingRetrier, retryDelayMs } from './retry';
import { Stopper, type StopSignal } from './stop';

/*
 * The interpreter: runs one execution of a state machine definition and appends, as it goes, the history
 * events AWS records for it. Each state type is one function from (state, input, thread) to its output and
 * the events it appends; nothing here knows about services (tasks go through the host) or storage (events
 * go to `append`).
 *
 * previousEventId follows what AWS records: each event points at the one before it in its own thread
 * (the execution, a Parallel branch, a Map iteration); the first state's Entered and ExecutionStarted both
 * have 0; a branch's first event points at ParallelStateStarted and an iteration's at its
 * MapIterationStarted; the Parallel or Map's own ending events point at the latest event inside it.
 */

/** Step Functions' payload limit for state input and output (developer guide, "Quotas"). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/** An execution's history may hold at most 25,000 events (developer guide, "Quotas"). */
export const MAX_HISTORY_EVENTS = 25_000;

/** What a Task asks of its integration. */
export interface TaskRequest {
  readonly resource: string;
  readonly parameters: unknown;
  readonly stateName: string;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  /** Set for `.waitForTaskToken` resources: the token the integration passes on. */
  readonly taskToken?: string;
  readonly signal: StopSignal;
}

/** How a `.waitForTaskToken` task ends: SendTaskSuccess's output, or SendTaskFailure's error. */
export interface TaskTokenWaiter {
  /** Settles with the output sent by SendTaskSuccess, or rejects with a StatesError. */
  readonly result: Promise<unknown>;
  /** Called on each SendTaskHeartbeat. */
  onHeartbeat?: () => void;
}

export interface EngineHost {
  /** Calls a Task's integration; a task failure is thrown as a StatesError (or an Error, whose name is the error). */
  invokeTask(request: TaskRequest): Promise<unknown>;
  /** Registers a task token and returns how its task will end. */
  awaitTaskToken(token: string, signal: StopSignal): TaskTokenWaiter;
  /** Sleeps `ms` (rejects when `signal` aborts); tests make it instant. */
  sleep(ms: number, signal: StopSignal, kind: 'retry' | 'wait'): Promise<void>;
  /** How long a Task's TimeoutSeconds lasts, in ms; tests and demos shorten it (a week's review, say). */
  taskTimeoutMs(seconds: number): number;
}

export interface ExecutionIdentity {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly roleArn: string;
}

/** A thread of events: the execution, a Parallel branch or a Map iteration. */
interface Thread {
  /** Stable across a replay: `0`, or `<Parallel/MapStateStarted id>.<branch or item index>`. */
  readonly key: string;
  last: number;
  /** Workflow variables visible here (a branch or iteration starts with a copy of its parent's). */
  readonly variables: Map<string, unknown>;
  readonly signal: StopSignal;
  /** Whether this is a Parallel branch or a Map iteration. */
  readonly nested?: boolean;
  /** Rejects when the thread is stopped (made once, when a call first needs it). */
  stopped?: Promise<never>;
}

/** A promise that rejects with Aborted when the thread is stopped. */
function stoppedPromise(thread: Thread): Promise<never> {
  if (!thread.stopped) {
    thread.stopped = new Promise<never>((_, reject) => {
      if (thread.signal.aborted) reject(new Aborted());
      else thread.signal.addEventListener('abort', () => reject(new Aborted()), { once: true });
    });
    thread.stopped.catch(() => undefined);
  }
  return thread.stopped;
}

/** How a state ended: the next state's name (or none at the end), and its output. */
interface Transition {
  readonly next?: string;
  readonly output: unknown;
}

/** An error that has already been located (its cause names the state) and recorded in the history. */
class Located extends StatesError {
  constructor(
    error: StatesError,
    /** The event that recorded the failure, which the next event points at. */
    readonly eventId: number,
    /** When it was recorded (epoch ms): a retry's backoff runs from then. */
    readonly at = Date.now(),
  ) {
    super(error.error, error.cause);
  }
}

/** Thrown into a thread whose execution or enclosing Parallel/Map has been stopped. */
class Aborted extends Error {
  override readonly name = 'Aborted';
}

/** Ends the execution at once: the history reached its limit. */
class HistoryLimitReached extends Error {}

export type ExecutionEnd =
  | { readonly status: 'SUCCEEDED'; readonly output: unknown }
  | { readonly status: 'FAILED'; readonly error: string; readonly cause: string }
  | { readonly status: 'ABORTED' | 'TIMED_OUT' };

/**
 * What a run resumes from: the history recorded so far (after a restart, or before a redrive), and for a
 * redrive the outputs of the Parallel branches and Map iterations that had succeeded, which are not run
 * again.
 */
export interface Resume {
  readonly events: readonly JournalEvent[];
  /** `<thread>/<state name>` of a Parallel or Map -> child index -> that child's output. */
  readonly succeededChildren?: ReadonlyMap<string, ReadonlyMap<number, unknown>>;
  /** How many times the execution was redriven before. */
  readonly redriveCount?: number;
  /** The id of the history's last event (the replay material may leave later ones out). */
  readonly lastEventId?: number;
}

/**
 * Runs one execution; `append` receives each new event as it happens.
 *
 * An execution IS its history, so a run can start from one: given the events recorded so far, each thread
 * re-executes its states deterministically and takes every event it would append from the record instead
 * (with the recorded ids, timestamps and outputs), until its record runs out; from there it goes on live.
 * A recorded task result is therefore never re-run, a Wait or a retry backoff keeps its recorded deadline,
 * and a task that was scheduled but has no recorded result is run again (at-least-once).
 */
export class ExecutionRun {
  private nextId = 1;
  /** Events with an id below this were replayed from the record. */
  private readonly firstLiveId: number;
  private readonly recorded = new Map<string, { events: JournalEvent[]; next: number }>();
  private readonly stopper = new Stopper();
  private readonly region: string;
  private startTime: string;
  private redriveCount = 0;
  private halted = false;
  /** Set by `drain`: the runtime is stopping gracefully. */
  private draining = false;
  /** Rejects with Aborted once draining (made once, when a wait first needs it). */
  private drained?: Promise<never>;
  /** The reject of `drained` (kept as it is: a closure kept here would capture the run itself). */
  private rejectDrained?: (reason: Aborted) => void;
  /** Task calls in flight (live ones: a replay's recorded results are not calls). */
  private calls = 0;
  private onQuiet: (() => void)[] = [];
  private stopped?: { status: 'ABORTED' | 'TIMED_OUT'; error?: string; cause?: string };

  constructor(
    private readonly definition: StateMachineDefinition,
    private readonly identity: ExecutionIdentity,
    private readonly input: unknown,
    private readonly host: EngineHost,
    private readonly append: (event: JournalEvent) => void,
    private readonly resume?: Resume,
  ) {
    this.startTime = new Date().toISOString();
    this.region = identity.stateMachineArn.split(':')[3] ?? 'us-east-1';
    for (const event of resume?.events ?? []) {
      const thread = event.thread ?? ROOT;
      const queue = this.recorded.get(thread) ?? { events: [], next: 0 };
      this.recorded.set(thread, queue);
      queue.events.push(event);
      if (event.type === 'ExecutionStarted') this.startTime = new Date(event.timestamp).toISOString();
      this.nextId = Math.max(this.nextId, event.id + 1);
    }
    this.nextId = Math.max(this.nextId, (resume?.lastEventId ?? 0) + 1);
    this.firstLiveId = this.nextId;
    this.redriveCount = resume?.redriveCount ?? 0;
  }

  /** The context object's Execution part (the same object while the redrive count stays). */
  get execution() {
    if (this.executionContext?.RedriveCount !== this.redriveCount)
      this.executionContext = {
        Id: this.identity.executionArn,
        Input: this.input,
        Name: this.identity.name,
        RoleArn: this.identity.roleArn,
        StartTime: this.startTime,
        RedriveCount: this.redriveCount,
      };
    return this.executionContext;
  }

  private executionContext?: {
    Id: string;
    Input: unknown;
    Name: string;
    RoleArn: string;
    StartTime: string;
    RedriveCount: number;
  };

  /**
   * Stops the run where it is without ending its history: the runtime is stopping, and the execution
   * resumes from its history when it starts again.
   */
  halt(): void {
    this.halted = true;
    this.stopper.abort();
  }

  /**
   * Stops the run gracefully, for the runtime to stop: from now on no state is entered and no task call
   * starts (a new execution records only its ExecutionStarted); a Wait, a retry backoff or a callback stops
   * waiting; a task call in flight goes on, and its result (or failure) is recorded. Each thread stops at
   * the first such point, recording nothing more, and the execution resumes from its history at the next
   * start. `quiet` says when no call is left in flight; `halt` then stops whatever is left at once.
   */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    this.rejectDrained?.(new Aborted());
  }

  /** Whether `drain` was called. */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Task calls in flight. */
  get callsInFlight(): number {
    return this.calls;
  }

  /** Resolves when no task call is in flight. */
  quiet(): Promise<void> {
    if (this.calls === 0) return Promise.resolve();
    return new Promise((resolve) => this.onQuiet.push(resolve));
  }

  /** @internal a live task call starts (TaskStarted is recorded) */
  callStarted(): void {
    this.calls++;
  }

  /** @internal a live task call has ended: its result is recorded, or it was abandoned */
  callEnded(): void {
    if (--this.calls > 0) return;
    const waiting = this.onQuiet;
    this.onQuiet = [];
    for (const resolve of waiting) resolve();
  }

  /** `work`, unless the run drains first: a Wait, a backoff or a callback does not hold a stopping runtime. */
  unlessDraining<T>(work: Promise<T>): Promise<T> {
    if (!this.drained) {
      this.drained = new Promise<never>((_, reject) => {
        this.rejectDrained = reject;
      });
      this.drained.catch(() => undefined);
      if (this.draining) this.rejectDrained?.(new Aborted());
    }
    return Promise.race([work, this.drained]);
  }

  /** Stops the execution: ABORTED (StopExecution) or TIMED_OUT; `run` then appends the ending event. */
  stop(status: 'ABORTED' | 'TIMED_OUT', error?: string, cause?: string): void {
    if (this.stopped) return;
    this.stopped = { status, error, cause };
    this.stopper.abort();
  }

  /** Runs the execution to its end (or to `halt`), appending its ending event. */
  async run(redrive = false): Promise<ExecutionEnd> {
    const thread: Thread = { key: ROOT, last: 0, variables: new Map(), signal: this.stopper.signal };
    let timer: NodeJS.Timeout | undefined;
    try {
      const started = this.record(
        thread,
        'ExecutionStarted',
        { input: this.input, roleArn: this.identity.roleArn },
        {
          previous: 0,
          advance: false,
        },
      );
      // $$.Execution.StartTime is the ExecutionStarted event's own time, not a clock read a moment apart.
      this.startTime = new Date(started.timestamp).toISOString();
      if (redrive) {
        this.redriveCount++;
        this.record(
          thread,
          'ExecutionRedriven',
          { redriveCount: this.redriveCount },
          { previous: 0, advance: false, live: true },
        );
      }
      const timeout = this.definition.TimeoutSeconds;
      if (timeout !== undefined)
        timer = setTimeout(
          () => this.stop('TIMED_OUT', States.Timeout, `The execution timed out after ${timeout} seconds.`),
          Math.max(0, started.timestamp + timeout * 1000 - Date.now()),
        );
      const output = await this.runStates(this.definition, this.input, thread, this.definition.QueryLanguage);
      this.record(thread, 'ExecutionSucceeded', { output });
      return { status: 'SUCCEEDED', output };
    } catch (thrown) {
      if (this.halted) return { status: 'ABORTED' };
      if (this.stopped) {
        const { status, error, cause } = this.stopped;
        this.record(
          thread,
          status === 'ABORTED' ? 'ExecutionAborted' : 'ExecutionTimedOut',
          { ...(error === undefined ? {} : { error }), ...(cause === undefined ? {} : { cause }) },
          { previous: 0 },
        );
        return { status };
      }
      // Drained: the execution stays running, its history ending where each thread stopped.
      if (this.draining && thrown instanceof Aborted) return { status: 'ABORTED' };
      if (thrown instanceof HistoryLimitReached) {
        const error = States.Runtime;
        const cause = `The execution reached the maximum number of history events (${MAX_HISTORY_EVENTS}).`;
        this.record(thread, 'ExecutionFailed', { error, cause }, { pastTheLimit: true });
        return { status: 'FAILED', error, cause };
      }
      const failure = asStatesError(thrown);
      const previous = thrown instanceof Located ? thrown.eventId : thread.last;
      this.record(thread, 'ExecutionFailed', errorDetails(failure), { previous, pastTheLimit: true });
      return { status: 'FAILED', error: failure.error, cause: failure.cause };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Appends an event to a thread, or takes it from the thread's record when replaying. By default it
   * points at the thread's last event and becomes the thread's last.
   */
  record(
    thread: Thread,
    type: HistoryEventType,
    details?: Record<string, unknown>,
    options: {
      previous?: number;
      advance?: boolean;
      pastTheLimit?: boolean;
      local?: JournalEvent['local'];
      /** Appended even while the thread replays (a redrive's own event). */
      live?: boolean;
    } = NO_OPTIONS,
  ): JournalEvent {
    if (this.halted) throw new Aborted();
    const queue = this.recorded.get(thread.key);
    let event = options.live ? undefined : queue?.events[queue.next];
    if (queue && event) {
      if (event.type !== type)
        throw new StatesError(
          States.Runtime,
          `The execution cannot resume: its history has ${event.type} (event ${event.id}) where the definition leads to ${type}.`,
        );
      queue.next++;
    } else {
      // Draining: nothing new starts (an event that would begin a state, a task call or an iteration).
      if (this.draining && STARTS.has(type)) throw new Aborted();
      if (!options.pastTheLimit && this.nextId >= MAX_HISTORY_EVENTS) {
        // The last event is kept for ExecutionFailed.
        this.stopper.abort();
        throw new HistoryLimitReached();
      }
      event = {
        id: this.nextId++,
        previousEventId: options.previous ?? thread.last,
        timestamp: Date.now(),
        type,
        thread: thread.key,
        details,
        local: options.local,
      };
      this.append(event);
    }
    if (options.advance !== false) thread.last = event.id;
    return event;
  }

  /** The next recorded event of a thread that a replay has not reached yet. */
  peek(thread: Thread): JournalEvent | undefined {
    const queue = this.recorded.get(thread.key);
    return queue?.events[queue.next];
  }

  /** Whether an event was taken from the record rather than appended by this run. */
  replayed(event: JournalEvent): boolean {
    return event.id < this.firstLiveId;
  }

  /** The outputs of a container's children that succeeded before a redrive (they are not run again). */
  succeededChildren(thread: Thread, stateName: string): ReadonlyMap<number, unknown> | undefined {
    return this.resume?.succeededChildren?.get(`${thread.key}/${stateName}`);
  }

  /** Runs the states of a machine (or a branch, or a Map processor) from StartAt to an end. */
  async runStates(
    machine: StateMachineDefinition,
    input: unknown,
    thread: Thread,
    inherited: QueryLanguage | undefined,
  ): Promise<unknown> {
    const language = machine.QueryLanguage ?? inherited;
    let name = machine.StartAt;
    let data = input;
    for (;;) {
      if (thread.signal.aborted) throw new Aborted();
      const state = machine.States[name];
      if (!state) throw new StatesError(States.Runtime, `The state '${name}' does not exist.`);
      // A JSONPath state that waits for nothing ends at once: only a promise is awaited.
      let transition = this.runState(
        name,
        state,
        data,
        thread,
        state.QueryLanguage ?? language ?? 'JSONPath',
      );
      if (transition instanceof Promise) transition = await transition;
      const { next, output } = transition;
      if (next === undefined) return output;
      name = next;
      data = output;
    }
  }

  private runState(
    name: string,
    state: State,
    input: unknown,
    thread: Thread,
    language: QueryLanguage,
  ): Transition | Promise<Transition> {
    const entered = this.record(thread, ENTERED[state.Type], { name, input });
    const s = new StateRun(
      this,
      name,
      state,
      this.replayed(entered) ? entered.details?.input : input,
      thread,
      language,
      entered,
    );
    const failed = (thrown: unknown): never => {
      const located = s.locate(thrown);
      // Inside a branch or iteration, AWS also marks a Task that failed for good as aborted.
      if (thread.nested && state.Type === 'Task' && located instanceof Located)
        this.record(thread, 'TaskStateAborted', { name }, { previous: located.eventId, advance: false });
      throw located;
    };
    try {
      const transition = s.execute(state);
      return transition instanceof Promise ? transition.catch(failed) : transition;
    } catch (thrown) {
      return failed(thrown);
    }
  }

  /** The latest event id so far (live or recorded). */
  lastId(): number {
    return this.nextId - 1;
  }

  /** The machine's top-level query language. */
  get queryLanguage(): QueryLanguage | undefined {
    return this.definition.QueryLanguage;
  }

  get hostServices(): EngineHost {
    return this.host;
  }
  get ids(): ExecutionIdentity {
    return this.identity;
  }
  get awsRegion(): string {
    return this.region;
  }
}

/** The execution's own thread. */
const ROOT = '0';

/** A JSONPath scope whose context object is made only when a path reads `$$`: most paths never do. */
class StateScope implements PathScope {
  private made?: unknown;

  constructor(
    private readonly state: StateRun,
    readonly input: unknown,
    readonly variables: ReadonlyMap<string, unknown>,
    private readonly extra: Record<string, unknown> | undefined,
  ) {}

  get context(): unknown {
    this.made ??= this.state.context(this.extra);
    return this.made;
  }
}

const NO_OPTIONS = {};

/** Each state type's Entered and Exited event types (a Fail state has no Exited event). */
const ENTERED = {
  Pass: 'PassStateEntered',
  Task: 'TaskStateEntered',
  Choice: 'ChoiceStateEntered',
  Wait: 'WaitStateEntered',
  Succeed: 'SucceedStateEntered',
  Fail: 'FailStateEntered',
  Parallel: 'ParallelStateEntered',
  Map: 'MapStateEntered',
} as const satisfies Record<State['Type'], HistoryEventType>;
/** The events that begin something: a draining run records none of them. */
const STARTS: ReadonlySet<HistoryEventType> = new Set<HistoryEventType>([
  ...Object.values(ENTERED),
  'TaskScheduled',
  'LambdaFunctionScheduled',
  'MapIterationStarted',
]);
const EXITED = {
  Pass: 'PassStateExited',
  Task: 'TaskStateExited',
  Choice: 'ChoiceStateExited',
  Wait: 'WaitStateExited',
  Succeed: 'SucceedStateExited',
  Fail: 'FailStateExited' as HistoryEventType,
  Parallel: 'ParallelStateExited',
  Map: 'MapStateExited',
} as const satisfies Record<State['Type'], HistoryEventType>;

/** One run of one state: its input, its thread, and the steps every state type shares. */
class StateRun {
  private retryCount = 0;

  constructor(
    private readonly run: ExecutionRun,
    private readonly name: string,
    private readonly state: State,
    /** The state's raw input. */
    private readonly input: unknown,
    private readonly thread: Thread,
    private readonly language: QueryLanguage,
    private readonly entered: JournalEvent,
  ) {}

  private get jsonata(): boolean {
    return this.language === 'JSONata';
  }

  /** The context object ($$ / $states.context) as it is in this state now. */
  context(extra?: Record<string, unknown>): Record<string, unknown> {
    // Most states read it never or once: built when first asked for, again after a retry.
    if (!extra && this.cachedContext) return this.cachedContext;
    const context = {
      Execution: this.run.execution,
      // RetryCount is a Task's (the recorded context of a Pass state has only these two).
      State: {
        // Made here, not for every state: most states never read their context.
        EnteredTime: new Date(this.entered.timestamp).toISOString(),
        Name: this.name,
        ...(this.state.Type === 'Task' ? { RetryCount: this.retryCount } : {}),
      },
      StateMachine: { Id: this.run.ids.stateMachineArn, Name: this.run.ids.stateMachineName },
      ...extra,
    };
    if (!extra) this.cachedContext = context;
    return context;
  }

  private cachedContext?: Record<string, unknown>;

  /** A JSONPath scope; `extra` adds to the context object (a task token, a Map item). */
  pathScope(input: unknown, extra?: Record<string, unknown>): PathScope {
    return new StateScope(this, input, this.thread.variables, extra);
  }

  jsonataScope(states: Partial<JsonataScope['states']> = {}, context = this.context()): JsonataScope {
    return { states: { input: this.input, context, ...states }, variables: this.thread.variables };
  }

  /** A failure of this state as history and callers see it: a data error's cause names the state. */
  locate(thrown: unknown): unknown {
    if (thrown instanceof Located || thrown instanceof Aborted || thrown instanceof HistoryLimitReached)
      return thrown;
    if (!(thrown instanceof StatesError)) return thrown;
    // AWS's DataLimitExceeded cause names the state or task itself, without this prefix.
    if (thrown.error === States.DataLimitExceeded) return thrown;
    const located = new StatesError(
      thrown.error,
      `An error occurred while executing the state '${this.name}' (entered at the event id #${this.entered.id}). ${thrown.cause}`,
    );
    if (!(thrown instanceof QueryEvaluationError)) return located;
    // A JSONata failure is recorded as an EvaluationFailed event of its own.
    const event = this.run.record(this.thread, 'EvaluationFailed', {
      ...errorDetails(located),
      location: thrown.location,
      state: this.name,
    });
    return new Located(located, event.id);
  }

  // --- Input and output processing shared by the state types ----------------------------------------

  /** JSONPath's InputPath (the effective input); JSONata states take their input whole. */
  effectiveInput(): unknown {
    if (this.jsonata) return this.input;
    const path = (this.state as { InputPath?: string | null }).InputPath;
    return path === undefined ? this.input : selectPath(path, this.pathScope(this.input), 'InputPath');
  }

  /** The state's output from its result: ResultPath then OutputPath, or JSONata's Output. */
  async output(
    state: State,
    result: unknown,
    states: Partial<JsonataScope['states']> = {},
  ): Promise<unknown> {
    if (!this.jsonata) return this.outputPath(state, result);
    const s = state as { Output?: unknown };
    if (s.Output === undefined) return result;
    return evaluateTemplate(s.Output, this.jsonataScope({ result, ...states }), 'Output');
  }

  /** JSONPath's output: the result placed by ResultPath, then OutputPath. */
  outputPath(state: State, result: unknown): unknown {
    const s = state as { ResultPath?: string | null; OutputPath?: string | null };
    // Only the states that produce a result place it with ResultPath; the others pass their input on.
    const producesResult =
      state.Type === 'Pass' || state.Type === 'Task' || state.Type === 'Parallel' || state.Type === 'Map';
    const merged = producesResult ? applyResultPath(this.input, result, s.ResultPath) : result;
    return s.OutputPath === undefined
      ? merged
      : selectPath(s.OutputPath, this.pathScope(merged), 'OutputPath');
  }

  /** Assign: new values computed from the state's data, all at once, then visible to later states. */
  async assign(
    assign: Record<string, unknown> | undefined,
    jsonPathInput: unknown,
    states: Partial<JsonataScope['states']> = {},
  ): Promise<Record<string, unknown> | undefined> {
    if (!assign) return undefined;
    if (!this.jsonata) return this.assignPath(assign, jsonPathInput);
    return this.setVariables(
      (await evaluateTemplate(assign, this.jsonataScope(states), 'Assign')) as Record<string, unknown>,
    );
  }

  /** JSONPath's Assign, from `input` (the state's result, or its input where it has none). */
  assignPath(
    assign: Record<string, unknown> | undefined,
    input: unknown,
  ): Record<string, unknown> | undefined {
    if (!assign) return undefined;
    return this.setVariables(applyPayloadTemplate(assign, this.pathScope(input)) as Record<string, unknown>);
  }

  private setVariables(values: Record<string, unknown>): Record<string, unknown> {
    for (const [key, value] of Object.entries(values)) this.thread.variables.set(key, value);
    return values;
  }

  /** Ends the state: its Exited event, and where to go next. */
  exit(output: unknown, next: string | undefined, assigned?: Record<string, unknown>): Transition {
    // Data passed on unchanged was measured when it was made.
    if (output !== this.input) checkSize(output, this.name);
    const exited = this.run.record(
      this.thread,
      EXITED[this.state.Type],
      assigned
        ? {
            name: this.name,
            output,
            assignedVariables: Object.fromEntries(
              Object.entries(assigned).map(([k, v]) => [k, JSON.stringify(v)]),
            ),
            assignedVariablesDetails: { truncated: false },
          }
        : { name: this.name, output },
    );
    if (this.run.replayed(exited)) {
      // The record is the truth: a replay goes on from what the state really gave (a UUID, a random number).
      output = exited.details?.output;
      const recorded = exited.details?.assignedVariables as Record<string, string> | undefined;
      for (const [key, value] of Object.entries(recorded ?? {}))
        this.thread.variables.set(key, JSON.parse(value));
    }
    const s = this.state as { Next?: string; End?: boolean };
    return { next: next ?? (s.End ? undefined : s.Next), output };
  }

  // --- The state types --------------------------------------------------------------------------------

  /** Runs the state: a JSONPath Pass, Choice or Succeed ends synchronously; the others return a promise. */
  execute(state: State): Transition | Promise<Transition> {
    switch (state.Type) {
      case 'Pass':
        return this.jsonata ? this.passJsonata(state) : this.pass(state);
      case 'Task':
        return this.task(state);
      case 'Choice':
        return this.jsonata ? this.choiceJsonata(state) : this.choice(state);
      case 'Wait':
        return this.wait(state);
      case 'Succeed':
        return this.jsonata
          ? this.output(state, this.input).then((output) => this.exit(output, undefined))
          : this.exit(this.outputPath(state, this.effectiveInput()), undefined);
      case 'Fail':
        return this.fail(state);
      case 'Parallel':
        return this.parallel(state);
      case 'Map':
        return this.map(state);
      default:
        throw new StatesError(States.Runtime, `Unsupported state type '${(state as State).Type}'.`);
    }
  }

  private pass(state: PassState): Transition {
    const effective = this.effectiveInput();
    const result =
      state.Parameters !== undefined
        ? applyPayloadTemplate(state.Parameters, this.pathScope(effective))
        : state.Result !== undefined
          ? state.Result
          : effective;
    const output = this.outputPath(state, result);
    return this.exit(output, undefined, this.assignPath(state.Assign, result));
  }

  private async passJsonata(state: PassState): Promise<Transition> {
    const output = await this.output(state, this.input);
    return this.exit(output, undefined, await this.assign(state.Assign, undefined));
  }

  async wait(state: WaitState): Promise<Transition> {
    const effective = this.effectiveInput();
    let until: number;
    if (this.jsonata) {
      const scope = this.jsonataScope();
      if (state.Seconds !== undefined)
        until =
          this.entered.timestamp +
          Number(await evaluateTyped(state.Seconds, scope, 'Seconds', 'number')) * 1000;
      else {
        const value = await evaluateTemplate(state.Timestamp, scope, 'Timestamp');
        until = parseTimestamp(value);
        if (Number.isNaN(until))
          throw new QueryEvaluationError(
            `The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
            'Timestamp',
          );
      }
    } else if (state.Seconds !== undefined) until = this.entered.timestamp + Number(state.Seconds) * 1000;
    else if (state.Timestamp !== undefined) until = parseTimestamp(state.Timestamp);
    else if (state.SecondsPath)
      until = this.entered.timestamp + waitSeconds(state.SecondsPath, this.pathScope(effective)) * 1000;
    else until = waitTimestamp(state.TimestampPath ?? '$', this.pathScope(effective));
    await this.sleepUntil(until, 'wait');
    const output = await this.output(state, effective);
    return this.exit(output, undefined, await this.assign(state.Assign, effective));
  }

  async fail(state: FailState): Promise<never> {
    let error = state.Error;
    let cause = state.Cause;
    if (this.jsonata) {
      const scope = this.jsonataScope();
      if (error !== undefined) error = String(await evaluateTemplate(error, scope, 'Error'));
      if (cause !== undefined) cause = String(await evaluateTemplate(cause, scope, 'Cause'));
    } else {
      const scope = this.pathScope(this.input);
      if (state.ErrorPath) error = failField(state.ErrorPath, scope, 'ErrorPath');
      if (state.CausePath) cause = failField(state.CausePath, scope, 'CausePath');
    }
    throw new Located(new StatesError(error ?? '', cause ?? ''), this.thread.last);
  }

  private choice(state: ChoiceState): Transition {
    const effective = this.effectiveInput();
    const rule = state.Choices.find((r) => evaluateChoiceRule(r, this.pathScope(effective)));
    const next = rule ? rule.Next : this.defaultOf(state);
    return this.exit(
      this.outputPath(state, effective),
      next,
      this.assignPath(rule?.Assign ?? state.Assign, effective),
    );
  }

  private async choiceJsonata(state: ChoiceState): Promise<Transition> {
    for (const rule of state.Choices) {
      if (!(await evaluateCondition(rule.Condition ?? false, this.jsonataScope()))) continue;
      const output = await evaluateTemplate(
        rule.Output ?? state.Output ?? '{% $states.input %}',
        this.jsonataScope(),
        'Output',
      );
      return this.exit(output, rule.Next, await this.assign(rule.Assign ?? state.Assign, undefined));
    }
    const next = this.defaultOf(state);
    const output =
      state.Output === undefined
        ? this.input
        : await evaluateTemplate(state.Output, this.jsonataScope(), 'Output');
    return this.exit(output, next, await this.assign(state.Assign, undefined));
  }

  /** A Choice's Default, or States.NoChoiceMatched when it has none. */
  private defaultOf(state: ChoiceState): string {
    if (state.Default !== undefined) return state.Default;
    throw new Located(
      new StatesError(
        States.NoChoiceMatched,
        `No Matches! Choice state '${this.name}' did not match any of its rules.`,
      ),
      this.thread.last,
    );
  }

  /**
   * The shared life of Task, Parallel and Map: compute the input once, then attempt; a failed attempt is
   * retried as the first matching retrier says, then caught by the first matching catcher, or thrown.
   */
  private async attempt(
    state: TaskState | ParallelState | MapState,
    attemptOnce: (effective: unknown) => Promise<unknown>,
    effective: unknown,
  ): Promise<Transition> {
    const attempts = new Map<number, number>();
    for (;;) {
      let failure: StatesError;
      let failedAt: number;
      let failedAtTime = Date.now();
      try {
        const raw = await attemptOnce(effective);
        // A task's result was measured as it came (its cause names the resource, not the state).
        if (state.Type !== 'Task') checkSize(raw, this.name);
        return await this.succeed(state, raw);
      } catch (thrown) {
        if (thrown instanceof Aborted || thrown instanceof HistoryLimitReached) throw thrown;
        if (this.thread.signal.aborted) throw new Aborted();
        const located = this.locate(thrown);
        failure = asStatesError(located);
        failedAt = located instanceof Located ? located.eventId : this.thread.last;
        if (located instanceof Located) failedAtTime = located.at;
      }
      if (failure.error === States.Runtime) throw new Located(failure, failedAt);
      // A Parallel or Map records its failure only once it is not retried (AWS's recorded histories).
      const match = matchingRetrier(state.Retry, failure.error);
      const used = match ? (attempts.get(match.index) ?? 0) : 0;
      // The jitter is drawn from the failure itself, so a replay waits until the same deadline.
      const delay =
        match && retryDelayMs(match.retrier, used, seededRandom(`${this.run.ids.executionArn}#${failedAt}`));
      if (match && delay !== undefined) {
        attempts.set(match.index, used + 1);
        this.retryCount++;
        this.cachedContext = undefined;
        this.thread.last = failedAt;
        await this.sleepUntil(failedAtTime + delay, 'retry');
        continue;
      }
      if (state.Type !== 'Task') {
        const failed = this.run.record(
          this.thread,
          `${state.Type}StateFailed` as HistoryEventType,
          undefined,
          {
            previous: failedAt,
          },
        );
        failedAt = failed.id;
      }
      const catcher = matchingCatcher(state.Catch, failure.error);
      if (!catcher) throw new Located(failure, failedAt);
      this.thread.last = failedAt;
      return this.caught(catcher, failure);
    }
  }

  private succeed(
    state: TaskState | ParallelState | MapState,
    raw: unknown,
  ): Transition | Promise<Transition> {
    if (this.jsonata)
      return this.output(state, raw).then(async (output) =>
        this.exit(output, undefined, await this.assign(state.Assign, undefined, { result: raw })),
      );
    const result =
      state.ResultSelector !== undefined
        ? applyPayloadTemplate(state.ResultSelector, this.pathScope(raw))
        : raw;
    const output = this.outputPath(state, result);
    return this.exit(output, undefined, this.assignPath(state.Assign, result));
  }

  private async caught(catcher: Catcher, failure: StatesError): Promise<Transition> {
    const errorOutput = { Error: failure.error, Cause: failure.cause };
    if (this.jsonata) {
      const output =
        catcher.Output === undefined
          ? errorOutput
          : await evaluateTemplate(catcher.Output, this.jsonataScope({ errorOutput }), 'Output');
      return this.exit(output, catcher.Next, await this.assign(catcher.Assign, undefined, { errorOutput }));
    }
    const output = applyResultPath(this.input, errorOutput, catcher.ResultPath);
    return this.exit(output, catcher.Next, await this.assign(catcher.Assign, errorOutput));
  }

  /**
   * Waits until `deadline` (epoch ms). When replaying a thread whose record goes on, the wait is over
   * already: what followed it is recorded.
   */
  private sleepUntil(deadline: number, kind: 'retry' | 'wait'): Promise<void> {
    const next = this.run.peek(this.thread);
    if (next && !(kind === 'wait' && next.type === 'WaitStateAborted')) return Promise.resolve();
    const ms = Math.max(0, deadline - Date.now());
    const slept = this.run.hostServices.sleep(ms, this.thread.signal, kind).catch((error) => {
      if (this.thread.signal.aborted) throw new Aborted();
      throw error;
    });
    // A stopping runtime does not wait: the deadline is in the history, and holds at the next start.
    return this.run.unlessDraining(slept);
  }

  // --- Task ---------------------------------------------------------------------------------------------

  async task(state: TaskState): Promise<Transition> {
    const effective = this.effectiveInput();
    return this.attempt(state, (input) => this.callTask(state, input), effective);
  }

  private async callTask(state: TaskState, effective: unknown): Promise<unknown> {
    const lambda = state.Resource.startsWith('arn:aws:lambda:');
    const { resourceType, resource } = lambda
      ? { resourceType: 'lambda', resource: state.Resource }
      : splitResource(state.Resource);
    const names = lambda ? { resource: state.Resource } : { resourceType, resource };
    // A replay reuses the recorded token: a callback sent to it must still find the task.
    const recorded = this.run.peek(this.thread);
    const waitForToken = state.Resource.endsWith('.waitForTaskToken');
    const token = waitForToken ? (recorded?.local?.taskToken ?? randomUUID()) : undefined;
    const extra = token ? { Task: { Token: token } } : undefined;
    const parameters = this.jsonata
      ? state.Arguments === undefined
        ? this.input
        : await evaluateTemplate(state.Arguments, this.jsonataScope({}, this.context(extra)), 'Arguments')
      : state.Parameters === undefined
        ? effective
        : applyPayloadTemplate(state.Parameters, this.pathScope(effective, extra));
    const timeoutSeconds = await this.seconds(state, 'TimeoutSeconds', effective);
    const heartbeatSeconds = await this.seconds(state, 'HeartbeatSeconds', effective);

    // Built field by field rather than spread: spreading was the costliest line of a task's run.
    const scheduledDetails: Record<string, unknown> = lambda
      ? { resource, input: parameters }
      : { resourceType, resource, region: this.run.awsRegion, parameters };
    if (timeoutSeconds !== undefined) scheduledDetails.timeoutInSeconds = timeoutSeconds;
    if (heartbeatSeconds !== undefined) scheduledDetails.heartbeatInSeconds = heartbeatSeconds;
    const scheduled = this.run.record(
      this.thread,
      lambda ? 'LambdaFunctionScheduled' : 'TaskScheduled',
      scheduledDetails,
      token ? { local: { taskToken: token } } : NO_OPTIONS,
    );
    this.run.record(
      this.thread,
      lambda ? 'LambdaFunctionStarted' : 'TaskStarted',
      lambda ? undefined : names,
    );
    // What was sent is what the record says (a replayed call is the same call).
    const sent = this.run.replayed(scheduled)
      ? (scheduled.details?.[lambda ? 'input' : 'parameters'] ?? parameters)
      : parameters;

    // A plain call needs no signal of its own: it ends when it answers or when its thread is stopped. A
    // call with a deadline or a callback gets one, which its timers can abort.
    const timed = timeoutSeconds !== undefined || heartbeatSeconds !== undefined || token !== undefined;
    const attempt = timed ? new Stopper() : undefined;
    const signal = attempt?.signal ?? this.thread.signal;
    const onAbort = () => attempt?.abort();
    if (attempt) this.thread.signal.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    // A local, not a field of this state run: a closure kept on the object it captures is a shape Node 20's
    // scavenger keeps promoting (see stop.ts).
    let restartHeartbeat: ((from?: number) => void) | undefined;
    let live = false;
    try {
      const ended = !attempt
        ? stoppedPromise(this.thread)
        : new Promise<never>((_, reject) => {
            const fail = (error: string) => () => {
              reject(new StatesError(error, ''));
              attempt.abort();
            };
            // StopExecution, or a failed sibling branch, ends the call where it is.
            attempt.signal.addEventListener('abort', () => reject(new Aborted()), { once: true });
            // Deadlines run from when the task was scheduled, also across a restart.
            const started = scheduled.timestamp;
            if (timeoutSeconds !== undefined)
              timer = setTimeout(
                fail(States.Timeout),
                Math.max(0, started + this.run.hostServices.taskTimeoutMs(timeoutSeconds) - Date.now()),
              );
            restartHeartbeat = (from = Date.now()) => {
              clearTimeout(heartbeat);
              if (heartbeatSeconds !== undefined)
                heartbeat = setTimeout(
                  fail(States.HeartbeatTimeout),
                  Math.max(0, from + heartbeatSeconds * 1000 - Date.now()),
                );
            };
          });
      ended.catch(() => undefined);
      const awaitToken = (submittedAt: number) => {
        const waiter = this.run.hostServices.awaitTaskToken(token as string, signal);
        waiter.onHeartbeat = () => restartHeartbeat?.();
        restartHeartbeat?.(submittedAt);
        // A stopping runtime does not wait for the callback: the token is in the history, and the task
        // waits for it again at the next start.
        return this.run.unlessDraining(waiter.result);
      };
      const call = async (): Promise<unknown> => {
        const next = this.run.peek(this.thread);
        if (next) return this.replayResult(next, token ? awaitToken : undefined);
        // A replayed call that was in flight is not run again while the runtime stops (the next start will).
        if (this.run.isDraining) throw new Aborted();
        live = true;
        this.run.callStarted();
        const called = await this.run.hostServices.invokeTask({
          resource: state.Resource,
          parameters: sent,
          stateName: this.name,
          executionArn: this.run.ids.executionArn,
          stateMachineArn: this.run.ids.stateMachineArn,
          signal,
          ...(token ? { taskToken: token } : {}),
        });
        if (!token) return called;
        const submitted = this.run.record(this.thread, 'TaskSubmitted', { ...names, output: called });
        // The call has ended; what is left is waiting for the callback, which a stop does not wait for.
        live = false;
        this.run.callEnded();
        return awaitToken(submitted.timestamp);
      };
      const output = await Promise.race([call(), ended]);
      // A result too large fails the task itself, named by its resource (AWS's recorded causes).
      checkSize(output, lambda ? state.Resource : resourceType);
      const succeeded = this.run.record(
        this.thread,
        lambda ? 'LambdaFunctionSucceeded' : 'TaskSucceeded',
        lambda ? { output } : { resourceType, resource, output },
      );
      return this.run.replayed(succeeded) ? succeeded.details?.output : output;
    } catch (thrown) {
      if (thrown instanceof Located || thrown instanceof HistoryLimitReached) throw thrown;
      if (thrown instanceof Aborted || this.thread.signal.aborted) {
        // Drained while waiting for a callback: forget the wait (the token stays in the history).
        attempt?.abort();
        throw thrown instanceof Aborted ? thrown : new Aborted();
      }
      const failure = asStatesError(thrown);
      const timeout = failure.error === States.Timeout || failure.error === States.HeartbeatTimeout;
      const type = timeout
        ? lambda
          ? 'LambdaFunctionTimedOut'
          : 'TaskTimedOut'
        : lambda
          ? 'LambdaFunctionFailed'
          : 'TaskFailed';
      const event = this.run.record(this.thread, type, {
        ...(lambda ? {} : names),
        ...errorDetails(failure),
      });
      throw new Located(failure, event.id, event.timestamp);
    } finally {
      clearTimeout(timer);
      clearTimeout(heartbeat);
      restartHeartbeat = undefined;
      if (attempt) this.thread.signal.removeEventListener('abort', onAbort);
      // Its result is recorded by now (or it was abandoned): a draining runtime may go on stopping.
      if (live) this.run.callEnded();
    }
  }

  /**
   * A task call a replay finds already recorded: its result, its failure, a callback still awaited, or
   * (when the record goes on with something else) a call that a stop or a failed sibling interrupted.
   */
  private async replayResult(
    next: JournalEvent,
    awaitToken: ((submittedAt: number) => Promise<unknown>) | undefined,
  ): Promise<unknown> {
    const d = next.details as { output?: unknown; error?: string; cause?: string } | undefined;
    switch (next.type) {
      case 'TaskSucceeded':
      case 'LambdaFunctionSucceeded':
        return d?.output;
      case 'TaskFailed':
      case 'LambdaFunctionFailed':
      case 'TaskTimedOut':
      case 'LambdaFunctionTimedOut':
        throw new StatesError(d?.error ?? '', d?.cause ?? '');
      case 'TaskSubmitted':
        if (awaitToken) {
          this.run.record(this.thread, 'TaskSubmitted');
          if (this.run.peek(this.thread))
            return this.replayResult(this.run.peek(this.thread) as JournalEvent, undefined);
          return awaitToken(next.timestamp);
        }
        break;
    }
    // Interrupted: the abort that interrupted it comes again as the replay reaches its cause (or the
    // runtime stops first).
    return this.run.unlessDraining(
      new Promise((_, reject) =>
        this.thread.signal.addEventListener('abort', () => reject(new Aborted()), { once: true }),
      ),
    );
  }

  /** TimeoutSeconds or HeartbeatSeconds: a number, a JSONata expression, or the `...Path` form. */
  private async seconds(state: TaskState, field: 'TimeoutSeconds' | 'HeartbeatSeconds', effective: unknown) {
    const value = state[field];
    const path = state[`${field}Path`];
    if (value !== undefined)
      return seconds(this.jsonata ? await evaluateTemplate(value, this.jsonataScope(), field) : value, field);
    if (path !== undefined)
      return seconds(selectPath(path, this.pathScope(effective), `${field}Path`), `${field}Path`);
    return undefined;
  }

  // --- Parallel -----------------------------------------------------------------------------------------

  async parallel(state: ParallelState): Promise<Transition> {
    const effective = this.effectiveInput();
    return this.attempt(
      state,
      async (input) => {
        const branchInput = this.jsonata
          ? state.Arguments === undefined
            ? this.input
            : await evaluateTemplate(state.Arguments, this.jsonataScope(), 'Arguments')
          : state.Parameters === undefined
            ? input
            : applyPayloadTemplate(state.Parameters, this.pathScope(input));
        const started = this.run.record(this.thread, 'ParallelStateStarted').id;
        return this.fanOut(
          'Parallel',
          state.Branches.map((branch) => ({ machine: branch, input: branchInput })),
          started,
          Number.POSITIVE_INFINITY,
          undefined,
        );
      },
      effective,
    );
  }

  // --- Map ----------------------------------------------------------------------------------------------

  async map(state: MapState): Promise<Transition> {
    const effective = this.effectiveInput();
    return this.attempt(
      state,
      async (input) => {
        const processor = state.ItemProcessor ?? state.Iterator;
        if (!processor) throw new StatesError(States.Runtime, 'The Map state has no ItemProcessor.');
        let items: unknown;
        if (this.jsonata)
          items =
            state.Items === undefined
              ? this.input
              : await evaluateTyped(state.Items, this.jsonataScope(), 'Items', 'array');
        else items = selectPath(state.ItemsPath ?? '$', this.pathScope(input), 'ItemsPath');
        if (!Array.isArray(items)) {
          if (this.jsonata)
            throw new QueryEvaluationError(
              `Map state input must be an array but was: ${JSON.stringify(items)}`,
              'Items',
            );
          throw new StatesError(
            States.Runtime,
            `Map state input must be an array but was: ${typeName(items)}`,
          );
        }
        const selector = state.ItemSelector ?? state.Parameters;
        const iterations = await Promise.all(
          items.map(async (value, index) => {
            const item = { Map: { Item: { Index: index, Value: value } } };
            let itemInput = value;
            if (selector !== undefined)
              itemInput = this.jsonata
                ? await evaluateTemplate(selector, this.jsonataScope({}, this.context(item)), 'ItemSelector')
                : applyPayloadTemplate(selector, this.pathScope(input, item));
            return { machine: processor, input: itemInput };
          }),
        );
        const concurrency = await this.mapNumber(state, 'MaxConcurrency', input);
        const toleratedCount = await this.mapNumber(state, 'ToleratedFailureCount', input);
        const toleratedPercentage = await this.mapNumber(state, 'ToleratedFailurePercentage', input);
        const started = this.run.record(this.thread, 'MapStateStarted', { length: items.length }).id;
        return this.fanOut('Map', iterations, started, concurrency || Number.POSITIVE_INFINITY, {
          count: toleratedCount,
          percentage: toleratedPercentage,
        });
      },
      effective,
    );
  }

  private async mapNumber(
    state: MapState,
    field: 'MaxConcurrency' | 'ToleratedFailureCount' | 'ToleratedFailurePercentage',
    input: unknown,
  ): Promise<number | undefined> {
    let value: unknown = state[field];
    const path = state[`${field}Path`];
    if (this.jsonata && value !== undefined)
      value = await evaluateTyped(value, this.jsonataScope(), field, 'number');
    else if (path !== undefined) value = requirePath(path, this.pathScope(input), `${field}Path`);
    if (value === undefined) return undefined;
    // The causes are AWS's (recorded: test_max_concurrency_path, test_map_state_tolerated_failure_*_path).
    const fail = (cause: string) => new StatesError(States.Runtime, cause);
    const percentage = field === 'ToleratedFailurePercentage';
    if (typeof value !== 'number' || (!percentage && !Number.isInteger(value)))
      throw fail(
        `The ${field}Path field refers to value "${typeof value === 'string' ? value : JSON.stringify(value)}" which is not a valid ${percentage ? 'number' : 'integer'}: ${path}`,
      );
    if (percentage && (value < 0 || value > 100))
      throw fail('ToleratedFailurePercentage must be between 0 and 100.');
    if (value < 0) throw fail(`${field} cannot be negative.`);
    return value;
  }

  /**
   * Runs Parallel branches or Map iterations, at most `concurrency` at once, each in a thread of its own
   * with a copy of the variables. The first failure (beyond a Map's tolerated failures) aborts the others;
   * results keep the branches' / items' order.
   */
  private async fanOut(
    kind: 'Parallel' | 'Map',
    children: readonly { machine: StateMachineDefinition; input: unknown }[],
    startedId: number,
    concurrency: number,
    tolerated: { count?: number; percentage?: number } | undefined,
  ): Promise<unknown> {
    const siblings = new Stopper();
    const onAbort = () => siblings.abort();
    this.thread.signal.addEventListener('abort', onAbort, { once: true });
    const results: unknown[] = new Array(children.length);
    let failures = 0;
    let previousLast: number | undefined;
    let firstFailure: { error: StatesError; eventId: number; at: number } | undefined;
    // Before a redrive, the children that had succeeded keep their outputs and do not run again.
    const succeeded = this.run.succeededChildren(this.thread, this.name);
    const mapName = { name: this.name };
    const maxFailures =
      tolerated === undefined
        ? 0
        : Math.max(
            tolerated.count ?? 0,
            tolerated.percentage === undefined
              ? 0
              : Math.floor((tolerated.percentage / 100) * children.length),
          );
    const runChild = async (index: number) => {
      const child = children[index];
      if (!child) return;
      if (succeeded?.has(index)) {
        results[index] = succeeded.get(index);
        return;
      }
      // One item at a time, AWS links an iteration to the previous one's last state event.
      const thread: Thread = {
        key: `${startedId}.${index}`,
        last: concurrency === 1 && previousLast !== undefined ? previousLast : startedId,
        variables: new Map(this.thread.variables),
        signal: siblings.signal,
        nested: true,
      };
      if (kind === 'Map') this.run.record(thread, 'MapIterationStarted', { ...mapName, index });
      try {
        results[index] = await this.run.runStates(
          child.machine,
          child.input,
          thread,
          // A Parallel's or Map's own QueryLanguage stays its own: the states inside take the machine's.
          this.run.queryLanguage,
        );
        previousLast = thread.last;
        if (kind === 'Map') this.run.record(thread, 'MapIterationSucceeded', { ...mapName, index });
      } catch (thrown) {
        if (thrown instanceof HistoryLimitReached) throw thrown;
        if (thrown instanceof Aborted) {
          // The runtime is stopping (nothing aborted the siblings): the child stops where it is, recording
          // nothing, and so does the Parallel or Map; the other children stop at their own next point.
          if (this.run.isDraining && !siblings.signal.aborted) throw thrown;
          if (kind === 'Map') this.run.record(thread, 'MapIterationAborted', { ...mapName, index });
          return;
        }
        failures++;
        const error = asStatesError(thrown);
        const eventId = thrown instanceof Located ? thrown.eventId : thread.last;
        const at = thrown instanceof Located ? thrown.at : Date.now();
        thread.last = eventId;
        if (kind === 'Map') this.run.record(thread, 'MapIterationFailed', { ...mapName, index });
        if (failures > maxFailures && !firstFailure) {
          firstFailure = { error, eventId, at };
          siblings.abort();
        }
      }
    };
    try {
      let nextIndex = 0;
      const lanes = Array.from({ length: Math.min(concurrency, children.length) }, async () => {
        while (nextIndex < children.length && !siblings.signal.aborted) await runChild(nextIndex++);
      });
      await Promise.all(lanes);
    } finally {
      // Draining, children may still be running (a call in flight): a halt must still reach them.
      if (!this.run.isDraining) this.thread.signal.removeEventListener('abort', onAbort);
    }
    if (this.thread.signal.aborted) throw new Aborted();
    if (firstFailure) {
      const error =
        tolerated && (tolerated.count !== undefined || tolerated.percentage !== undefined)
          ? new StatesError(
              States.ExceedToleratedFailureThreshold,
              'The specified tolerated failure threshold was exceeded',
            )
          : firstFailure.error;
      throw new Located(error, firstFailure.eventId, firstFailure.at);
    }
    // Both the Succeeded and the Exited event point at the latest event inside (AWS's recorded histories).
    const done = this.run.record(this.thread, `${kind}StateSucceeded` as HistoryEventType, undefined, {
      previous: this.run.lastId(),
    });
    this.thread.last = done.previousEventId;
    return results;
  }
}

/** resourceType and resource as AWS splits an integration ARN (events / putEvents.waitForTaskToken). */
export function splitResource(arn: string): { resourceType: string; resource: string } {
  const match = /^arn:[^:]+:states:[^:]*:[^:]*:(.+?):([^:]+?(?:\.sync(?::\d+)?|\.waitForTaskToken)?)$/.exec(
    arn,
  );
  return match
    ? { resourceType: match[1] as string, resource: match[2] as string }
    : { resourceType: 'unknown', resource: arn };
}

/** A number in [0, 1) drawn from `seed`: the same seed gives the same number, also after a restart. */
function seededRandom(seed: string): () => number {
  return () => createHash('sha256').update(seed).digest().readUInt32BE(0) / 2 ** 32;
}

/** An error and cause as history details carry them: AWS leaves out an empty one. */
function errorDetails(failure: StatesError): { error?: string; cause?: string } {
  return {
    ...(failure.error ? { error: failure.error } : {}),
    ...(failure.cause ? { cause: failure.cause } : {}),
  };
}

/** A state's output larger than Step Functions allows fails it with States.DataLimitExceeded. */
function checkSize(value: unknown, stateName: string): void {
  // Cheap first: only a value that could be large is measured.
  if (value === null || typeof value !== 'object') {
    if (typeof value !== 'string' || value.length * 3 < MAX_PAYLOAD_BYTES) return;
  }
  if (Buffer.byteLength(JSON.stringify(value) ?? '') > MAX_PAYLOAD_BYTES)
    throw new StatesError(
      States.DataLimitExceeded,
      `The state/task '${stateName}' returned a result with a size exceeding the maximum number of bytes service limit.`,
    );
}

/** A Task's TimeoutSeconds or HeartbeatSeconds: a positive integer. */
function seconds(value: unknown, field: string): number {
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
    throw new StatesError(
      States.Runtime,
      `The value for the field '${field}' must be a positive integer, but was ${JSON.stringify(value)}.`,
    );
  return value;
}

/** Wait's SecondsPath, as AWS words its failures (recorded: base/test_wait). */
function waitSeconds(path: string, scope: PathScope): number {
  const value = evaluatePath(path, scope);
  const fail = (reason: string) => new StatesError(States.Runtime, `The SecondsPath parameter ${reason}`);
  if (value === NOT_FOUND) throw fail(`does not reference an input value: ${path}`);
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw fail(
      `cannot be parsed as a long value: ${path} == ${typeof value === 'string' ? value : JSON.stringify(value)}`,
    );
  if (value < 0) throw fail(`references a negative value: ${path} == ${value}`);
  return value;
}

/** Wait's TimestampPath, as AWS words its failures (recorded: test_wait_timestamp_path). */
function waitTimestamp(path: string, scope: PathScope): number {
  const value = evaluatePath(path, scope);
  const fail = (reason: string) => new StatesError(States.Runtime, `The TimestampPath parameter ${reason}`);
  if (value === NOT_FOUND) throw fail(`does not reference an input value: ${path}`);
  const ms = parseTimestamp(value);
  if (Number.isNaN(ms))
    throw fail(
      `does not reference a valid ISO-8601 extended offset date-time format string: ${path} == ${typeof value === 'string' ? value : JSON.stringify(value)}`,
    );
  return ms;
}

/** An ISO-8601 extended offset date-time (RFC 3339) as epoch ms, or NaN. */
function parseTimestamp(value: unknown): number {
  if (typeof value !== 'string') return Number.NaN;
  const match = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(value);
  if (!match) return Number.NaN;
  const [, , month = 0, day = 0, hour = 0, minute = 0, second = 0] = match.map(Number);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return Number.NaN;
  return Date.parse(value);
}

/** Fail's ErrorPath / CausePath: a path or an intrinsic function, giving a string. */
function failField(path: string, scope: PathScope, field: string): string {
  const value = isIntrinsic(path) ? evaluateIntrinsic(path, scope, field) : requirePath(path, scope, field);
  if (typeof value !== 'string')
    throw new StatesError(
      States.Runtime,
      `The value for the field '${field}' must be a STRING but was: ${typeName(value)}`,
    );
  return value;
}

function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'ARRAY';
  return typeof value === 'object'
    ? 'OBJECT'
    : typeof value === 'number'
      ? 'NUMBER'
      : typeof value === 'boolean'
        ? 'BOOLEAN'
        : 'STRING';
}
