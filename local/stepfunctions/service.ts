import { randomUUID } from 'node:crypto';
import { AwsError, UnsupportedTemplateError } from '../errors';
import { MAX_PAYLOAD_DEPTH, nestsDeeperThan } from '../json-depth';
import type { Resource } from '../template';
import { forEachState, type State, type StateMachineDefinition, type TaskState } from './engine/asl';
import { StatesError } from './engine/errors';
import {
  type ExecutionEnd,
  ExecutionRun,
  MAX_PAYLOAD_BYTES,
  type Resume,
  type TaskRequest,
  type TaskTokenWaiter,
} from './engine/interpreter';
import { applyPayloadTemplate, applyResultPath, type PathScope, selectPath } from './engine/jsonpath';
import { redriveOf, replayOf } from './engine/replay';
import { matchingCatcher, matchingRetrier } from './engine/retry';
import type { StopSignal } from './engine/stop';
import { assertValidDefinition } from './engine/validate';
import { type Integration, type IntegrationServices, integrationFor } from './integrations';
import { type ExecutionStatus, type ExecutionSummary, foldEvent, type JournalEvent } from './journal/history';
import { type ExecutionJournal, type StoredExecution, summaryOf } from './journal/store';

export type { ExecutionStatus } from './journal/history';

/** Step Functions' execution-name rule: 1-80 characters, none of whitespace, brackets, wildcards or controls. */
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;

export interface LocalStateMachine {
  readonly arn: string;
  readonly name: string;
  readonly definition: StateMachineDefinition;
  readonly definitionString: string;
  readonly roleArn: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly creationDate: Date;
  /** The template's machines are read-only; those created through the API are the runtime's own. */
  readonly origin: 'template' | 'local';
  /** Task Resource -> its integration, bound once when the machine is loaded. */
  readonly integrations: ReadonlyMap<string, Integration>;
  /** The template's LoggingConfiguration, as DescribeStateMachine answers it (absent: logging is off). */
  readonly loggingConfiguration?: {
    readonly level: 'ALL' | 'ERROR' | 'FATAL';
    readonly includeExecutionData: boolean;
    readonly destinations: readonly { readonly cloudWatchLogsLogGroup: { readonly logGroupArn: string } }[];
  };
}

/** One execution: its identity and its history; everything else is what folding the history gives. */
export class Execution {
  private history?: JournalEvent[];
  /** Settles when the execution has ended. */
  done: Promise<void> = Promise.resolve();
  /** @internal the running interpreter, while it runs. */
  run?: ExecutionRun;
  /** @internal the machine it runs on, while it runs */
  machine?: LocalStateMachine;
  /**
   * @internal told of each event appended (the journal). One function for every execution, given the
   * execution: on Node 20, a closure kept on the very object it captures made the scavenger promote every
   * execution's history (see engine/stop.ts).
   */
  onAppend?: (execution: Execution, event: JournalEvent, summary: ExecutionSummary) => void;

  constructor(
    readonly executionArn: string,
    readonly stateMachineArn: string,
    readonly name: string,
    /** The execution input, as the caller gave it. */
    readonly input: string,
    /** For an execution read back from the journal: what its history folds to, and how to read it. */
    private summary?: ExecutionSummary,
    private readonly readHistory?: () => JournalEvent[],
    /** Its place among the runtime's executions (the journal's, with one): rising, never reused. */
    readonly serial = 0,
  ) {}

  /** The history, in append order (read from the journal the first time it is asked for). */
  get events(): JournalEvent[] {
    this.history ??= this.readHistory?.() ?? [];
    return this.history;
  }

  /** Appends one event (the interpreter's only way to change an execution). */
  append(event: JournalEvent): void {
    this.events.push(event);
    this.summary = foldEvent(this.summary, event);
    this.onAppend?.(this, event, this.summary);
  }

  private get folded(): ExecutionSummary {
    if (!this.summary) throw new Error(`${this.executionArn} has no history.`);
    return this.summary;
  }
  get status(): ExecutionStatus {
    return this.folded.status;
  }
  get startDate(): Date {
    return this.folded.startDate;
  }
  get stopDate(): Date | undefined {
    return this.folded.stopDate;
  }
  /** The output as JSON text, once SUCCEEDED. */
  get output(): string | undefined {
    return this.folded.status === 'SUCCEEDED' ? JSON.stringify(this.folded.output ?? null) : undefined;
  }
  get error(): string | undefined {
    return this.folded.error;
  }
  get cause(): string | undefined {
    return this.folded.cause;
  }
  get redriveCount(): number {
    return this.folded.redriveCount;
  }
  get redriveDate(): Date | undefined {
    return this.folded.redriveDate;
  }
}

/** A template's LoggingConfiguration (CloudFormation's names) in the API's names; undefined when off. */
function loggingConfigurationOf(config: unknown): LocalStateMachine['loggingConfiguration'] {
  const c = config as
    | {
        Level?: string;
        IncludeExecutionData?: boolean;
        Destinations?: { CloudWatchLogsLogGroup?: { LogGroupArn?: string } }[];
      }
    | undefined;
  const level = c?.Level;
  if (level !== 'ALL' && level !== 'ERROR' && level !== 'FATAL') return undefined;
  return {
    level,
    includeExecutionData: c?.IncludeExecutionData === true,
    destinations: (c?.Destinations ?? []).flatMap((d) =>
      d.CloudWatchLogsLogGroup?.LogGroupArn
        ? [{ cloudWatchLogsLogGroup: { logGroupArn: d.CloudWatchLogsLogGroup.LogGroupArn } }]
        : [],
    ),
  };
}

/** Called before every task integration: tests and fault injection use it to act between steps. */
export type BeforeTask = (call: { executionArn: string; stateName: string; input: unknown }) => Promise<void>;

/** A Task handler bound by resource ARN, for state machines whose tasks are not the template's services. */
export type TaskHandler = (parameters: unknown) => unknown | Promise<unknown>;

/** How many closed task tokens are remembered, to answer a late SendTask* with TaskTimedOut. */
const MAX_CLOSED_TOKENS = 10_000;

export interface StepFunctionsOptions {
  /** Replaces every Retry backoff (ms), e.g. 0 in tests; by default Retry waits as AWS would, with jitter. */
  readonly retryDelayMs?: number;
  /** Replaces every Wait state's wait (ms), e.g. 0 in tests. */
  readonly waitDelayMs?: number;
  /**
   * Replaces every Task's TimeoutSeconds (ms), e.g. to see a manual review reach its deadline without
   * waiting a week (`--task-timeout-ms`). The ASL keeps its own value; the history records it.
   */
  readonly taskTimeoutMs?: number;
  readonly beforeTask?: BeforeTask;
  /** Extra integrations by resource ARN (tests bind made-up resources to handlers). */
  readonly tasks?: Readonly<Record<string, TaskHandler>>;
  /** Where executions are journaled (a data directory); in memory only when absent. */
  readonly journal?: ExecutionJournal;
}

/** A task waiting for SendTaskSuccess / SendTaskFailure. */
interface WaitingTask {
  readonly executionArn: string;
  resolve(output: unknown): void;
  reject(error: StatesError): void;
  waiter: TaskTokenWaiter;
}

/**
 * Step Functions: the template's state machines and those created at run time, each execution run by our
 * own interpreter (./engine), its Task states bound to the local service integrations.
 */
export class LocalStepFunctions {
  readonly stateMachines = new Map<string, LocalStateMachine>();
  /**
   * The executions in memory: all of them without a journal; with one, those running (an ended one is
   * read back from the journal when asked for).
   */
  readonly executions = new Map<string, Execution>();
  /** How many executions started without a journal: their serial numbers. */
  private started = 0;
  private readonly waitingTasks = new Map<string, WaitingTask>();
  /**
   * Tokens whose task has closed (answered, timed out, stopped), the oldest forgotten first: a late answer
   * gets TaskTimedOut, as on AWS, rather than TaskDoesNotExist, which is for a token never issued.
   */
  private readonly closedTokens = new Set<string>();
  private running = 0;
  /** `drain`: runs stop at their next point; `halted`: everything has stopped, and nothing may start. */
  private stopping?: 'draining' | 'halted';
  /**
   * The runs `drain` stopped: a run can end (stopped at its next point) while a call of another of its
   * threads is still in flight, so `haltAll` must reach them all the same.
   */
  private drained: ExecutionRun[] = [];
  /**
   * Told of each event appended to an execution's history, once journaled: what Step Functions derives from
   * histories outside the engine (CloudWatch Logs entries, EventBridge status change events) listens here.
   */
  onHistoryEvent?: (execution: Execution, machine: LocalStateMachine, event: JournalEvent) => void;

  /** What each running execution calls with each event it appends. */
  private readonly appended = (execution: Execution, event: JournalEvent, summary: ExecutionSummary) => {
    this.options.journal?.append(execution.executionArn, event, summary);
    if (this.onHistoryEvent && execution.machine) this.onHistoryEvent(execution, execution.machine, event);
  };

  constructor(
    resources: Iterable<Resource>,
    private readonly services: IntegrationServices,
    private readonly options: StepFunctionsOptions = {},
  ) {
    for (const r of resources) {
      if (r.type !== 'AWS::StepFunctions::StateMachine') continue;
      const p = r.properties;
      let definitionString = String(p.DefinitionString ?? '');
      if (p.Definition !== undefined) definitionString = JSON.stringify(p.Definition);
      for (const [key, value] of Object.entries((p.DefinitionSubstitutions as Record<string, unknown>) ?? {}))
        definitionString = definitionString.replaceAll(`\${${key}}`, String(value));
      this.load({
        arn: r.ref,
        name: r.attributes.Name as string,
        definitionString,
        roleArn: String(p.RoleArn ?? ''),
        type: p.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
        where: r.logicalId,
        origin: 'template',
        loggingConfiguration: loggingConfigurationOf(p.LoggingConfiguration),
      });
    }
    for (const saved of options.journal?.stateMachines() ?? []) {
      const machine = this.createStateMachine({
        ...saved,
        region: saved.arn.split(':')[3],
        account: saved.arn.split(':')[4],
      });
      this.stateMachines.set(machine.arn, { ...machine, creationDate: new Date(saved.creationDate) });
    }
  }

  /** Parses, validates and binds a definition; a Task the runtime cannot run stops it here, naming it. */
  private load(m: {
    arn: string;
    name: string;
    definitionString: string;
    roleArn: string;
    type: 'STANDARD' | 'EXPRESS';
    where: string;
    origin: 'template' | 'local';
    loggingConfiguration?: LocalStateMachine['loggingConfiguration'];
  }): LocalStateMachine {
    try {
      assertValidDefinition(m.definitionString);
    } catch (error) {
      if (error instanceof AwsError) throw new UnsupportedTemplateError(`${m.where}: ${error.message}`);
      throw error;
    }
    const definition = JSON.parse(m.definitionString) as StateMachineDefinition;
    const integrations = new Map<string, Integration>();
    forEachState(definition, (name, state) => {
      if (state.Type !== 'Task') return;
      const integration = this.bind(state, `${m.where} state '${name}'`);
      if (!integrations.has(state.Resource)) integrations.set(state.Resource, integration);
    });
    const machine: LocalStateMachine = {
      arn: m.arn,
      name: m.name,
      definition,
      definitionString: m.definitionString,
      roleArn: m.roleArn,
      type: m.type,
      creationDate: new Date(),
      origin: m.origin,
      integrations,
      ...(m.loggingConfiguration ? { loggingConfiguration: m.loggingConfiguration } : {}),
    };
    this.stateMachines.set(machine.arn, machine);
    return machine;
  }

  /**
   * The integration a Task state calls: a handler bound by the options (tests), or the local service
   * integration of its resource. A resource or a lambda:invoke function the runtime cannot run is an
   * UnsupportedTemplateError naming the state.
   */
  private bind(state: TaskState, where: string): Integration {
    const handler = this.options.tasks?.[state.Resource];
    if (handler) return async ({ parameters }) => handler(parameters);
    const fn = (state.Parameters as Record<string, unknown> | undefined)?.FunctionName;
    if (
      state.Resource.startsWith('arn:aws:states:::lambda:invoke') &&
      typeof fn === 'string' &&
      !this.services.lambdas.has(fn)
    )
      throw new UnsupportedTemplateError(`${where}: function ${fn} is not in the template.`);
    return integrationFor(state.Resource, this.services, where);
  }

  /** Creates a state machine from a definition (CreateStateMachine; tests). */
  createStateMachine(props: {
    name: string;
    definition: string;
    roleArn?: string;
    type?: 'STANDARD' | 'EXPRESS';
    account?: string;
    region?: string;
  }): LocalStateMachine {
    const arn = `arn:aws:states:${props.region ?? 'us-east-1'}:${props.account ?? '000000000000'}:stateMachine:${props.name}`;
    return this.load({
      arn,
      name: props.name,
      definitionString: props.definition,
      roleArn: props.roleArn ?? `arn:aws:iam::${props.account ?? '000000000000'}:role/${props.name}`,
      type: props.type ?? 'STANDARD',
      where: props.name,
      origin: 'local',
    });
  }

  findStateMachine(arn: string): LocalStateMachine {
    const machine = this.stateMachines.get(arn);
    if (!machine) throw new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  findExecution(arn: string): Execution {
    const execution = this.execution(arn);
    if (!execution) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  /** The execution with this ARN, in memory or in the journal, if there is one. */
  execution(arn: string): Execution | undefined {
    return this.executions.get(arn) ?? this.fromJournal(arn);
  }

  private fromJournal(arn: string): Execution | undefined {
    const stored = this.options.journal?.find(arn);
    return stored && this.fromStored(stored);
  }

  /** An execution the journal holds, its history read from there when asked for. */
  private fromStored(stored: StoredExecution): Execution {
    const journal = this.options.journal;
    return new Execution(
      stored.executionArn,
      stored.stateMachineArn,
      stored.name,
      stored.input,
      stored.summary,
      () => journal?.events(stored.executionArn) ?? [],
      stored.seq,
    );
  }

  /**
   * The executions of these state machines still running or stopped at or after `since` (epoch ms; every
   * one when undefined), oldest first: what their execution logs are made of.
   */
  executionsSince(stateMachineArns: readonly string[], since?: number): Execution[] {
    const journal = this.options.journal;
    if (journal)
      return journal
        .runningSince(stateMachineArns, since)
        .map((s) => this.executions.get(s.executionArn) ?? this.fromStored(s));
    return [...this.executions.values()].filter(
      (e) =>
        stateMachineArns.includes(e.stateMachineArn) &&
        (since === undefined || e.status === 'RUNNING' || (e.stopDate?.getTime() ?? since) >= since),
    );
  }

  /** One page of a state machine's executions, newest first (ListExecutions). */
  listExecutions(
    stateMachineArn: string,
    status: ExecutionStatus | undefined,
    size: number,
    nextToken: string | undefined,
  ): { items: Execution[]; nextToken?: string } {
    const journal = this.options.journal;
    if (journal) {
      const page = journal.page(stateMachineArn, status, size, nextToken);
      return {
        items: page.items.map(
          (s) =>
            this.executions.get(s.executionArn) ??
            new Execution(s.executionArn, s.stateMachineArn, s.name, s.input, s.summary, undefined, s.seq),
        ),
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      };
    }
    // In memory: newest first by start, then by start order.
    const all = [...this.executions.values()]
      .filter((e) => e.stateMachineArn === stateMachineArn && (status === undefined || e.status === status))
      .reverse()
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
    let from = 0;
    if (nextToken !== undefined) {
      const match = /^executions:(\d+)$/.exec(Buffer.from(nextToken, 'base64url').toString('utf8'));
      if (!match) throw new AwsError('InvalidToken', `Invalid Token: '${nextToken}'`);
      from = Number(match[1]);
    }
    const items = all.slice(from, from + size);
    return from + size < all.length
      ? { items, nextToken: Buffer.from(`executions:${from + size}`).toString('base64url') }
      : { items };
  }

  /**
   * Starts an execution; it runs in the background and `execution.done` settles when it ends. As in AWS,
   * starting a name again with the same input while it runs returns that execution (an idempotent retry);
   * any other reuse of a name is ExecutionAlreadyExists.
   */
  startExecution(stateMachineArn: string, input = '{}', name: string = randomUUID()): Execution {
    this.refuseWhenHalted();
    const machine = this.findStateMachine(stateMachineArn);
    if (!EXECUTION_NAME.test(name)) throw new AwsError('InvalidName', `Invalid Name: '${name}'`);
    const executionArn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn) ?? this.fromJournal(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const parsed = parseExecutionInput(input);
    const identity = { executionArn, stateMachineArn: machine.arn, name, input };
    const serial = this.options.journal?.create(identity) ?? ++this.started;
    const execution = new Execution(executionArn, machine.arn, name, input, undefined, undefined, serial);
    this.launch(execution, machine, parsed);
    return execution;
  }

  /**
   * Runs an execution on the interpreter: from its start, or (with `resume`) from its history, after a
   * restart or for a redrive. Each event is journaled as it is appended, before the run acts on it.
   */
  private launch(
    execution: Execution,
    machine: LocalStateMachine,
    input: unknown,
    resume?: Resume,
    redrive = false,
  ) {
    const journal = this.options.journal;
    execution.machine = machine;
    execution.onAppend = this.appended;
    const run = new ExecutionRun(
      machine.definition,
      {
        executionArn: execution.executionArn,
        name: execution.name,
        stateMachineArn: machine.arn,
        stateMachineName: machine.name,
        roleArn: machine.roleArn,
      },
      input,
      this.host(machine),
      (event) => execution.append(event),
      resume,
    );
    this.refuseWhenHalted();
    // Started while the runtime stops (an event delivered meanwhile): journaled as started, run at the next.
    if (this.stopping === 'draining') run.drain();
    execution.run = run;
    this.executions.set(execution.executionArn, execution);
    this.running++;
    execution.done = run.run(redrive).then(() => {
      this.running--;
      execution.run = undefined;
      execution.machine = undefined;
      // With a journal, an execution that has ended is read back from it when asked for.
      if (journal && execution.status !== 'RUNNING') {
        this.executions.delete(execution.executionArn);
        journal.release(execution.executionArn);
      }
    });
  }

  /**
   * Resumes every execution the journal says was running when the runtime stopped: each goes on where its
   * history says (a Wait or a backoff keeps its deadline; a recorded result is not fetched again; a task
   * that was in flight is run again).
   */
  resumeRunning(): { resumed: number; orphans: string[] } {
    const journal = this.options.journal;
    const orphans: string[] = [];
    let resumed = 0;
    for (const stored of journal?.running() ?? []) {
      const machine = this.stateMachines.get(stored.stateMachineArn);
      // A machine no longer in the app: its executions wait, untouched, for it to come back.
      if (!machine) {
        orphans.push(stored.executionArn);
        continue;
      }
      const events = journal?.events(stored.executionArn) ?? [];
      const execution = new Execution(
        stored.executionArn,
        stored.stateMachineArn,
        stored.name,
        stored.input,
        summaryOf(events),
        () => events,
        stored.seq,
      );
      this.launch(execution, machine, JSON.parse(stored.input), replayOf(events));
      resumed++;
    }
    return { resumed, orphans };
  }

  /**
   * RedriveExecution: a FAILED, ABORTED or TIMED_OUT Standard execution goes on from the state that did
   * not succeed, with its recorded input; only its unsuccessful Parallel branches and Map iterations run
   * again. The history gets ExecutionRedriven and the execution's redriveCount grows.
   */
  redriveExecution(executionArn: string): Execution {
    const execution = this.findExecution(executionArn);
    const machine = this.findStateMachine(execution.stateMachineArn);
    const reason = notRedrivable(execution, machine);
    if (reason) throw new AwsError('ExecutionNotRedrivable', reason);
    this.launch(execution, machine, JSON.parse(execution.input), redriveOf(execution.events), true);
    return execution;
  }

  /** What the interpreter needs from the runtime for one state machine's executions. */
  private host(machine: LocalStateMachine) {
    const { beforeTask, retryDelayMs, waitDelayMs } = this.options;
    return {
      invokeTask: async (request: TaskRequest) => {
        await beforeTask?.({
          executionArn: request.executionArn,
          stateName: request.stateName,
          input: request.parameters,
        });
        const integration = machine.integrations.get(request.resource);
        if (!integration)
          throw new StatesError('States.Runtime', `The resource '${request.resource}' is not bound.`);
        return integration(request);
      },
      awaitTaskToken: (token: string, signal: StopSignal): TaskTokenWaiter => {
        let settle!: Pick<WaitingTask, 'resolve' | 'reject'>;
        const result = new Promise<unknown>((resolve, reject) => {
          settle = { resolve, reject };
        });
        const waiting: WaitingTask = { executionArn: '', ...settle, waiter: { result } };
        this.waitingTasks.set(token, waiting);
        const forget = () => {
          if (!this.waitingTasks.delete(token)) return;
          this.closedTokens.add(token);
          // Bounded: the oldest closed tokens are forgotten (a Set iterates in insertion order).
          if (this.closedTokens.size > MAX_CLOSED_TOKENS)
            this.closedTokens.delete(this.closedTokens.values().next().value as string);
        };
        result.then(forget, forget);
        signal.addEventListener('abort', forget, { once: true });
        return waiting.waiter;
      },
      taskTimeoutMs: (seconds: number) => this.options.taskTimeoutMs ?? seconds * 1000,
      sleep: (ms: number, signal: StopSignal, kind: 'retry' | 'wait') =>
        sleep((kind === 'retry' ? retryDelayMs : waitDelayMs) ?? ms, signal),
    };
  }

  /** SendTaskSuccess: the waiting task succeeds with `output` (JSON text). */
  sendTaskSuccess(token: string, output: string): void {
    const task = this.waitingTask(token);
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new AwsError('InvalidOutput', 'Invalid Output: the output is not a valid JSON document.');
    }
    task.resolve(parsed);
  }

  /** SendTaskFailure: the waiting task fails with `error` and `cause`. */
  sendTaskFailure(token: string, error = '', cause = ''): void {
    this.waitingTask(token).reject(new StatesError(error, cause));
  }

  /** SendTaskHeartbeat: the waiting task's HeartbeatSeconds start again. */
  sendTaskHeartbeat(token: string): void {
    this.waitingTask(token).waiter.onHeartbeat?.();
  }

  private waitingTask(token: string): WaitingTask {
    if (!token || token.length > 1024) throw new AwsError('InvalidToken', `Invalid Token: '${token}'`);
    const task = this.waitingTasks.get(token);
    if (task) return task;
    if (this.closedTokens.has(token))
      throw new AwsError('TaskTimedOut', `Task Timed Out: '${token}' (its task has already closed)`);
    throw new AwsError('TaskDoesNotExist', `Task Does Not Exist: '${token}'`);
  }

  /** Stops a running execution (ABORTED, with the caller's error and cause); an ended one is left as it is. */
  async stopExecution(executionArn: string, error?: string, cause?: string): Promise<Execution> {
    const execution = this.findExecution(executionArn);
    execution.run?.stop('ABORTED', error, cause);
    await execution.done;
    return execution;
  }

  /**
   * The graceful half of stopping the runtime: every run stops at its next point (see ExecutionRun.drain):
   * no state is entered and no task call starts, Waits, retry backoffs and callbacks stop waiting, and each
   * task call in flight ends with its result journaled. Resolves when no call is left in flight and every
   * run has stopped, or after `graceMs`, or when `now` aborts, whichever comes first; says how many calls
   * ended meanwhile and how many are still in flight (`haltAll` abandons those: journaled as in flight, they
   * run again at the next start). Executions started from now on record their start and wait for the next.
   */
  async drain(graceMs: number, now?: AbortSignal): Promise<{ finished: number; inFlight: number }> {
    this.stopping ??= 'draining';
    const runs = [...this.executions.values()].flatMap((e) => (e.run ? [{ execution: e, run: e.run }] : []));
    const before = runs.reduce((sum, { run }) => sum + run.callsInFlight, 0);
    for (const { run } of runs) run.drain();
    this.drained.push(...runs.map(({ run }) => run));
    let timer: NodeJS.Timeout | undefined;
    let onNow: (() => void) | undefined;
    await Promise.race([
      Promise.all(runs.map(({ execution, run }) => Promise.all([execution.done, run.quiet()]))),
      new Promise<void>((resolve) => {
        onNow = () => resolve();
        if (now?.aborted) return resolve();
        timer = setTimeout(onNow, graceMs);
        now?.addEventListener('abort', onNow, { once: true });
      }),
    ]);
    clearTimeout(timer);
    if (onNow) now?.removeEventListener('abort', onNow);
    const inFlight = runs.reduce((sum, { run }) => sum + run.callsInFlight, 0);
    return { finished: before - inFlight, inFlight };
  }

  /** Once every run has halted, nothing starts (the journal is about to close). */
  private refuseWhenHalted(): void {
    if (this.stopping === 'halted')
      throw new AwsError('ServiceUnavailable', 'The local runtime is stopping: no execution can start.');
  }

  /** Task calls in flight, across running executions. */
  get callsInFlight(): number {
    const runs = new Set(this.drained);
    for (const execution of this.executions.values()) if (execution.run) runs.add(execution.run);
    return [...runs].reduce((sum, run) => sum + run.callsInFlight, 0);
  }

  /** Whether `drain` or `haltAll` has begun: the runtime is stopping. */
  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  /**
   * Stops every run where it is, at once, recording nothing more: the runtime is stopping (after `drain`,
   * what is left of it). A task call still in flight is abandoned: with a journal it is journaled as in
   * flight and runs again when the execution resumes from its history at the next start (at-least-once);
   * without one the execution is gone with the process, as everything is. No execution starts afterwards.
   */
  async haltAll(): Promise<void> {
    this.stopping = 'halted';
    const running = [...this.executions.values()].filter((e) => e.run);
    for (const execution of running) execution.run?.halt();
    for (const run of this.drained.splice(0)) run.halt();
    await Promise.all(running.map((e) => e.done));
  }

  /** Whether an execution has not ended yet. */
  get busy(): boolean {
    return this.running > 0;
  }

  async settle(): Promise<void> {
    while (this.running > 0) await Promise.all([...this.executions.values()].map((e) => e.done));
  }

  // --- The API over machines created at run time, StartSyncExecution and TestState (added below the rest) --

  /** Revision and update date of machines changed by UpdateStateMachine. */
  private readonly revisions = new Map<string, { revisionId: string; updateDate: Date }>();
  /** The machine an execution ran, for executions started before an UpdateStateMachine or a delete. */
  private readonly machineOfExecution = new Map<string, LocalStateMachine>();

  /**
   * CreateStateMachine: a machine of the runtime's own (`origin: 'local'`). Creating the same name again with
   * the same definition, role and type returns the existing one (AWS's idempotent create); anything else is
   * StateMachineAlreadyExists. A Task the runtime cannot run is InvalidDefinition naming it.
   */
  createLocalStateMachine(props: {
    name: string;
    definition: string;
    roleArn: string;
    type: 'STANDARD' | 'EXPRESS';
  }): LocalStateMachine {
    if (!EXECUTION_NAME.test(props.name)) throw new AwsError('InvalidName', `Invalid Name: '${props.name}'`);
    assertValidDefinition(props.definition, { type: props.type });
    const arn = localMachineArn(props.name);
    const existing = this.stateMachines.get(arn);
    if (existing) {
      const same =
        existing.definitionString === props.definition &&
        existing.roleArn === props.roleArn &&
        existing.type === props.type;
      if (same) return existing;
      throw new AwsError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const machine = unsupportedAsInvalid(() => this.createStateMachine(props));
    this.save(machine);
    return machine;
  }

  /** Keeps a machine created through the API in the data directory, so it is there after a restart. */
  private save(machine: LocalStateMachine): void {
    this.options.journal?.saveStateMachine({
      arn: machine.arn,
      name: machine.name,
      definition: machine.definitionString,
      roleArn: machine.roleArn,
      type: machine.type,
      creationDate: machine.creationDate.getTime(),
    });
  }

  /**
   * UpdateStateMachine, for machines created at run time only. Running executions keep the definition they
   * started with, as in AWS; DescribeStateMachineForExecution keeps answering it for them.
   */
  updateLocalStateMachine(
    arn: string,
    change: { definition?: string; roleArn?: string },
  ): { revisionId: string; updateDate: Date } {
    const old = this.findStateMachine(arn);
    assertLocal(old, 'updated');
    const definition = change.definition ?? old.definitionString;
    const roleArn = change.roleArn ?? old.roleArn;
    const current = this.revisions.get(arn);
    // AWS answers the same revision when nothing changed (test_create_update_state_machine_same_parameters).
    if (current && definition === old.definitionString && roleArn === old.roleArn) return current;
    assertValidDefinition(definition, { type: old.type });
    const loaded = unsupportedAsInvalid(() =>
      this.createStateMachine({ name: old.name, definition, roleArn, type: old.type }),
    );
    this.stateMachines.set(arn, { ...loaded, creationDate: old.creationDate });
    this.save({ ...loaded, creationDate: old.creationDate });
    for (const e of this.executions.values())
      if (e.stateMachineArn === arn && !this.machineOfExecution.has(e.executionArn))
        this.machineOfExecution.set(e.executionArn, old);
    const revision = { revisionId: randomUUID(), updateDate: new Date() };
    this.revisions.set(arn, revision);
    return revision;
  }

  /**
   * DeleteStateMachine, for machines created at run time only. AWS marks the machine DELETING and removes it
   * once its executions end; here it is removed at once (DescribeStateMachine then answers
   * StateMachineDoesNotExist, as AWS does once the deletion completes) and its running executions run on to
   * their end. Deleting a machine that does not exist succeeds, as in AWS (test_delete_nonexistent_sm).
   */
  deleteLocalStateMachine(arn: string): void {
    const machine = this.stateMachines.get(arn);
    if (!machine) return;
    assertLocal(machine, 'deleted');
    for (const e of this.executions.values())
      if (e.stateMachineArn === arn && !this.machineOfExecution.has(e.executionArn))
        this.machineOfExecution.set(e.executionArn, machine);
    this.stateMachines.delete(arn);
    this.revisions.delete(arn);
    this.options.journal?.deleteStateMachine(arn);
  }

  /** The revision of a machine changed by UpdateStateMachine, if it was. */
  revisionOf(arn: string): { revisionId: string; updateDate: Date } | undefined {
    return this.revisions.get(arn);
  }

  /** DescribeStateMachineForExecution: the machine as the execution ran it. */
  stateMachineForExecution(executionArn: string): LocalStateMachine {
    const execution = this.findExecution(executionArn);
    return this.machineOfExecution.get(executionArn) ?? this.findStateMachine(execution.stateMachineArn);
  }

  /**
   * StartSyncExecution: runs an EXPRESS machine to its end and answers how it ended. Like AWS, the execution
   * (an `express:` ARN) is not kept: ListExecutions and DescribeExecution do not know it.
   */
  async startSyncExecution(
    stateMachineArn: string,
    input = '{}',
    name: string = randomUUID(),
  ): Promise<{ execution: Execution; billedMs: number }> {
    const machine = this.findStateMachine(stateMachineArn);
    if (machine.type !== 'EXPRESS')
      throw new AwsError(
        'StateMachineTypeNotSupported',
        'This operation is not supported by this type of state machine',
      );
    if (!EXECUTION_NAME.test(name)) throw new AwsError('InvalidName', `Invalid Name: '${name}'`);
    const parsed = parseExecutionInput(input);
    const executionArn = `${machine.arn.replace(':stateMachine:', ':express:')}:${name}:${randomUUID()}`;
    const execution = new Execution(executionArn, machine.arn, name, input);
    const started = Date.now();
    const run = new ExecutionRun(
      machine.definition,
      {
        executionArn,
        name,
        stateMachineArn: machine.arn,
        stateMachineName: machine.name,
        roleArn: machine.roleArn,
      },
      parsed,
      this.host(machine),
      (event) => execution.append(event),
    );
    await run.run();
    // AWS bills Express executions in 100 ms steps, at least 100 ms (its recorded answers show 64 MB).
    return { execution, billedMs: Math.max(100, Math.ceil((Date.now() - started) / 100) * 100) };
  }

  /**
   * TestState: runs one state on the interpreter, as a machine of that state plus a Succeed stand-in for each
   * state it can go to. The run stops as soon as the state hands over (the next state's Entered event names
   * nextState) or a Retry would wait (RETRIABLE); the outcome is read from the history.
   */
  async testState(request: TestStateRequest): Promise<TestStateResult> {
    const { name, state, language } = testedState(request);
    const mock = checkMock(request, state);
    if (state.Type === 'Map' || state.Type === 'Parallel')
      throw mock
        ? // Wording ours: AWS runs a mocked Map or Parallel; this runtime does not yet.
          new AwsError(
            'ValidationException',
            `The local runtime does not test ${state.Type} states yet, even with a mock.`,
          )
        : new AwsError(
            'InvalidDefinition',
            'TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]',
          );
    if (request.context !== undefined)
      // Wording ours: the interpreter builds the context object from the execution; it cannot take one.
      throw new AwsError('ValidationException', 'The local runtime does not support TestState context yet.');
    if (request.stateConfiguration !== undefined)
      throw new AwsError(
        'ValidationException',
        'The local runtime does not support TestState stateConfiguration yet.',
      );
    if (state.Type === 'Task' && !mock && !request.roleArn)
      throw new AwsError('ValidationException', 'RoleArn must be specified when testing a Task state');
    const variables = parseJsonParam(request.variables, 'variables', {});
    if (!isRecord(variables)) throw new AwsError('ValidationException', 'variables must be a JSON object.');
    const input = parseJsonParam(request.input, 'input', {}, 'InvalidExecutionInput');

    const machine = testMachine(name, state, language);
    assertValidDefinition(JSON.stringify(machine));
    const integrations = new Map<string, Integration>();
    if (state.Type === 'Task') {
      const resource = state.Resource;
      integrations.set(
        resource,
        mock
          ? async () => {
              if (mock.errorOutput)
                throw new StatesError(mock.errorOutput.error ?? '', mock.errorOutput.cause ?? '');
              return mock.result;
            }
          : unsupportedAsInvalid(() => this.bind(state, `state '${name}'`)),
      );
    }
    // Workflow variables given to the test are assigned by a Pass state run first, from the execution input.
    const SETUP = 'LocalTestState:Variables';
    const names = Object.keys(variables);
    const runnable: StateMachineDefinition =
      names.length === 0
        ? machine
        : {
            ...machine,
            StartAt: SETUP,
            States: {
              ...machine.States,
              [SETUP]: {
                Type: 'Pass',
                QueryLanguage: 'JSONPath',
                Assign: Object.fromEntries(names.map((v) => [`${v}.$`, `$.variables.${v}`])),
                OutputPath: '$.input',
                Next: name,
              } as unknown as State,
            },
          };
    const bound: LocalStateMachine = {
      arn: localMachineArn('TestState'),
      name: 'TestState',
      definition: runnable,
      definitionString: JSON.stringify(runnable),
      roleArn: request.roleArn ?? '',
      type: 'EXPRESS',
      creationDate: new Date(),
      origin: 'local',
      integrations,
    };
    const events: JournalEvent[] = [];
    let entered = false;
    let exited = false;
    let nextState: string | undefined;
    let retryMs: number | undefined;
    let run: ExecutionRun | undefined;
    const host = this.host(bound);
    const executionName = randomUUID();
    run = new ExecutionRun(
      runnable,
      {
        executionArn: `${bound.arn.replace(':stateMachine:', ':express:')}:${executionName}`,
        name: executionName,
        stateMachineArn: bound.arn,
        stateMachineName: bound.name,
        roleArn: bound.roleArn,
      },
      names.length === 0 ? input : { variables, input },
      {
        ...host,
        sleep: (ms, signal, kind) => {
          if (kind === 'wait') return host.sleep(ms, signal, kind);
          // A Retry would retry: TestState reports RETRIABLE rather than waiting and trying again.
          retryMs = ms;
          run?.halt();
          return Promise.reject(new Error('aborted'));
        },
      },
      (event) => {
        events.push(event);
        const stateName = event.details?.name;
        if (event.type.endsWith('StateEntered')) {
          if (entered && (exited || stateName !== name)) {
            nextState = String(stateName);
            run?.halt();
          }
          if (stateName === name) entered = true;
        }
        if (event.type.endsWith('StateExited') && stateName === name) exited = true;
      },
    );
    const end = await run.run();
    return testOutcome({ name, state, language, request, events, end, nextState, retryMs, variables });
  }
}

/** Ends an execution the runtime could not finish: its history ends FAILED with `LocalRuntime.Interrupted`. */
/** Why an execution cannot be redriven (RedriveExecution's rules), or undefined when it can. */
export function notRedrivable(
  execution: Execution,
  machine: LocalStateMachine,
  now = Date.now(),
): string | undefined {
  if (machine.type !== 'STANDARD') return 'Execution of an EXPRESS state machine cannot be redriven.';
  if (execution.status === 'RUNNING' || execution.status === 'SUCCEEDED')
    return `Execution is ${execution.status}`;
  // "You can redrive an execution within 14 days of its unsuccessful completion" (developer guide).
  if (now - (execution.stopDate?.getTime() ?? now) > 14 * 24 * 3600 * 1000)
    return 'Execution cannot be redriven 14 days after it ended.';
  return undefined;
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
function sleep(ms: number, signal: StopSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// --- Helpers of the API over machines created at run time, StartSyncExecution and TestState --------------

/** The ARN of a machine created at run time (the account and region createStateMachine uses). */
function localMachineArn(name: string): string {
  return `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;
}

/** The template's machines are read-only: AWS's answer to a forbidden change, saying where to change it. */
function assertLocal(machine: LocalStateMachine, verb: 'updated' | 'deleted'): void {
  if (machine.origin === 'local') return;
  throw new AwsError(
    'ValidationException',
    `State machine '${machine.name}' comes from the CDK app's template and cannot be ${verb} here: change the CDK app and restart the local runtime.`,
  );
}

/** A Task the runtime cannot run is AWS's InvalidDefinition naming it, not a crash. */
function unsupportedAsInvalid<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof UnsupportedTemplateError)
      throw new AwsError('InvalidDefinition', `Invalid State Machine Definition: '${error.message}'`);
    throw error;
  }
}

/**
 * Execution input as StartExecution checks it: JSON, within the payload limit and MAX_PAYLOAD_DEPTH (past which
 * the interpreter's recursive walks, and the journal's JSON.stringify, would overflow the stack and leave the
 * execution RUNNING for ever; AWS documents no depth, so the refusal's wording is the runtime's).
 */
function parseExecutionInput(input: string): unknown {
  if (Buffer.byteLength(input) > MAX_PAYLOAD_BYTES)
    throw new AwsError(
      'InvalidExecutionInput',
      `Invalid State Machine Execution Input: the input is larger than ${MAX_PAYLOAD_BYTES} bytes.`,
    );
  if (nestsDeeperThan(input, MAX_PAYLOAD_DEPTH))
    throw new AwsError(
      'InvalidExecutionInput',
      `Invalid State Machine Execution Input: the input is nested deeper than ${MAX_PAYLOAD_DEPTH} levels.`,
    );
  try {
    return JSON.parse(input);
  } catch {
    throw new AwsError(
      'InvalidExecutionInput',
      'Invalid State Machine Execution Input: not a JSON document.',
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON-text parameter, parsed; absent gives `fallback`. */
function parseJsonParam(
  text: string | undefined,
  field: string,
  fallback: unknown,
  code = 'ValidationException',
) {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Wording ours.
    throw new AwsError(code, `The ${field} is not a valid JSON document.`);
  }
}

export type InspectionLevel = 'INFO' | 'DEBUG' | 'TRACE';

/** TestState's request (AWS's TestStateInput). */
export interface TestStateRequest {
  readonly definition: string;
  readonly roleArn?: string;
  readonly input?: string;
  readonly inspectionLevel?: InspectionLevel;
  readonly revealSecrets?: boolean;
  readonly variables?: string;
  readonly stateName?: string;
  readonly mock?: { result?: string; errorOutput?: { error?: string; cause?: string } };
  readonly context?: string;
  readonly stateConfiguration?: unknown;
}

/** TestState's answer (AWS's TestStateOutput): JSON fields as JSON text. */
export interface TestStateResult {
  status: 'SUCCEEDED' | 'FAILED' | 'CAUGHT_ERROR' | 'RETRIABLE';
  output?: string;
  error?: string;
  cause?: string;
  nextState?: string;
  inspectionData?: Record<string, unknown>;
}

/**
 * The state under test and its name: the state of `stateName` in a whole machine, or a definition that is
 * one state, which AWS names "StateName" (its recorded messages say `/States/StateName/...`, and the
 * context's State.Name is "StateName": LocalStack's test_state_mock_validation and test_state_with_variables).
 */
function testedState(request: TestStateRequest): {
  name: string;
  state: State;
  language: StateMachineDefinition['QueryLanguage'];
} {
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.definition);
  } catch {
    assertValidDefinition(request.definition);
  }
  if (!isRecord(parsed))
    throw new AwsError('InvalidDefinition', "Invalid State Machine Definition: 'not a JSON object'");
  if (request.stateName === undefined)
    return { name: 'StateName', state: parsed as unknown as State, language: undefined };
  assertValidDefinition(request.definition);
  const machine = parsed as unknown as StateMachineDefinition;
  let found: State | undefined;
  forEachState(machine, (name, state) => {
    if (name === request.stateName) found = state;
  });
  if (!found)
    // Wording ours.
    throw new AwsError(
      'ValidationException',
      `State '${request.stateName}' does not exist in the definition.`,
    );
  return { name: request.stateName, state: found, language: machine.QueryLanguage };
}

/** TestState's mock, checked as AWS checks it (LocalStack's test_state_mock_validation snapshots). */
function checkMock(
  request: TestStateRequest,
  state: State,
): { result?: unknown; errorOutput?: { error?: string; cause?: string } } | undefined {
  const mock = request.mock;
  if (!mock) return undefined;
  if (mock.result !== undefined && mock.errorOutput !== undefined)
    throw new AwsError(
      'ValidationException',
      'A test mock should have only one of the following fields: [result, errorOutput].',
    );
  if (state.Type !== 'Task' && state.Type !== 'Map' && state.Type !== 'Parallel')
    throw new AwsError(
      'ValidationException',
      `State type '${state.Type}' is not supported when a mock is specified`,
    );
  if (request.revealSecrets === true)
    throw new AwsError(
      'ValidationException',
      'TestState does not support RevealSecrets when a mock is specified.',
    );
  if (mock.errorOutput !== undefined) return { errorOutput: mock.errorOutput };
  if (mock.result === undefined)
    // Wording ours.
    throw new AwsError(
      'ValidationException',
      'A test mock should have one of the following fields: [result, errorOutput].',
    );
  try {
    return { result: JSON.parse(mock.result) };
  } catch {
    throw new AwsError('ValidationException', 'Mocked result must be valid JSON');
  }
}

/** The machine TestState runs: the state as it is, and a Succeed stand-in for every state it can go to. */
function testMachine(
  name: string,
  state: State,
  language: StateMachineDefinition['QueryLanguage'],
): StateMachineDefinition {
  const s = state as {
    Next?: unknown;
    Default?: unknown;
    Choices?: { Next?: unknown }[];
    Catch?: { Next?: unknown }[];
  };
  const targets = [
    s.Next,
    s.Default,
    ...(s.Choices ?? []).map((c) => c.Next),
    ...(s.Catch ?? []).map((c) => c.Next),
  ];
  const States: Record<string, State> = {};
  for (const target of targets)
    if (typeof target === 'string' && target !== name) States[target] = { Type: 'Succeed' } as State;
  States[name] = state;
  return {
    ...(language ? { QueryLanguage: language } : {}),
    StartAt: name,
    States,
  } as StateMachineDefinition;
}

const TASK_FAILED = new Set(['TaskFailed', 'TaskTimedOut', 'LambdaFunctionFailed', 'LambdaFunctionTimedOut']);
const TASK_SUCCEEDED = new Set(['TaskSucceeded', 'LambdaFunctionSucceeded']);
const TASK_SCHEDULED = new Set(['TaskScheduled', 'LambdaFunctionScheduled']);

/** TestState's answer, read from the history of its run. */
function testOutcome(t: {
  name: string;
  state: State;
  language: StateMachineDefinition['QueryLanguage'];
  request: TestStateRequest;
  events: readonly JournalEvent[];
  end: ExecutionEnd;
  nextState: string | undefined;
  retryMs: number | undefined;
  variables: Record<string, unknown>;
}): TestStateResult {
  const ofState = (type: (t: string) => boolean) =>
    t.events.filter((e) => type(e.type) && (e.details?.name === undefined || e.details.name === t.name));
  const entered = t.events.find((e) => e.type.endsWith('StateEntered') && e.details?.name === t.name);
  const exited = t.events.find((e) => e.type.endsWith('StateExited') && e.details?.name === t.name);
  const failure = ofState((type) => TASK_FAILED.has(type)).at(-1);
  const succeeded = ofState((type) => TASK_SUCCEEDED.has(type)).at(-1);
  const scheduled = ofState((type) => TASK_SCHEDULED.has(type)).at(-1);
  const failed = failure && {
    error: String(failure.details?.error ?? ''),
    cause: String(failure.details?.cause ?? ''),
  };
  const retriers = (t.state as { Retry?: Parameters<typeof matchingRetrier>[0] }).Retry;
  const catchers = (t.state as { Catch?: Parameters<typeof matchingCatcher>[0] }).Catch;

  let result: TestStateResult;
  let errorDetails: Record<string, number> | undefined;
  if (t.retryMs !== undefined) {
    result = { status: 'RETRIABLE', ...failed };
    const retrier = failed && matchingRetrier(retriers, failed.error);
    errorDetails = {
      ...(retrier ? { retryIndex: retrier.index } : {}),
      retryBackoffIntervalSeconds: Math.round(t.retryMs / 1000),
    };
  } else if (exited && t.state.Type === 'Task' && !succeeded) {
    // A Task that handed over without a successful call was caught. An error raised before the call (a
    // Parameters path that does not match, say) has no TaskFailed event: its error and cause are left out.
    result = { status: 'CAUGHT_ERROR', ...failed, output: JSON.stringify(exited.details?.output ?? null) };
    if (t.nextState !== undefined) result.nextState = t.nextState;
    const catcher = failed && matchingCatcher(catchers, failed.error);
    if (catcher && catchers) errorDetails = { catchIndex: catchers.indexOf(catcher) };
  } else if (t.end.status === 'FAILED' && !exited) {
    result = { status: 'FAILED', error: t.end.error, cause: t.end.cause };
  } else {
    result = { status: 'SUCCEEDED', output: JSON.stringify(exited?.details?.output ?? null) };
    if (t.nextState !== undefined) result.nextState = t.nextState;
  }
  if ((t.request.inspectionLevel ?? 'INFO') === 'INFO') return result;

  // DEBUG and TRACE: what the history holds, and the JSONPath steps that are pure functions of it. A step
  // that would need the context object ($$) is left out rather than guessed; so is TRACE's HTTP request and
  // response (no HTTP Task runs locally).
  const data: Record<string, unknown> = {};
  const json = (value: unknown) => JSON.stringify(value ?? null);
  const input = entered?.details?.input;
  if (entered) data.input = json(input);
  const variables = new Map(Object.entries(t.variables));
  const scope = (value: unknown): PathScope => ({ input: value, context: {}, variables });
  const usesContext = (value: unknown) => value !== undefined && JSON.stringify(value).includes('$$');
  const s = t.state as {
    InputPath?: string | null;
    Parameters?: unknown;
    Result?: unknown;
    ResultSelector?: unknown;
    ResultPath?: string | null;
  };
  const jsonata = (t.state.QueryLanguage ?? t.language) === 'JSONata';
  const attempt = (step: () => unknown): unknown => {
    try {
      return step();
    } catch {
      return undefined;
    }
  };
  if (entered && !jsonata) {
    const passWithResult = t.state.Type === 'Pass' && s.Result !== undefined;
    const afterInputPath = usesContext(s.InputPath)
      ? undefined
      : attempt(() => selectPath(s.InputPath, scope(input), 'InputPath'));
    // AWS's recorded answer for a Pass with Result has no afterInputPath (test_base_inspection_level_debug).
    if (afterInputPath !== undefined && !passWithResult) data.afterInputPath = json(afterInputPath);
    let selected: unknown;
    if (t.state.Type === 'Task') {
      if (scheduled) data.afterParameters = json(scheduled.details?.parameters ?? scheduled.details?.input);
      if (succeeded) {
        const raw = succeeded.details?.output;
        data.result = json(raw);
        selected =
          s.ResultSelector === undefined
            ? raw
            : usesContext(s.ResultSelector)
              ? undefined
              : attempt(() => applyPayloadTemplate(s.ResultSelector, scope(raw)));
      }
    } else if (t.state.Type === 'Pass' && exited) {
      if (passWithResult) {
        data.result = json(s.Result);
        selected = s.Result;
      } else if (afterInputPath !== undefined) {
        selected =
          s.Parameters === undefined
            ? afterInputPath
            : usesContext(s.Parameters)
              ? undefined
              : attempt(() => applyPayloadTemplate(s.Parameters, scope(afterInputPath)));
        if (selected !== undefined) data.afterParameters = json(selected);
      }
    }
    if (selected !== undefined) {
      data.afterResultSelector = json(selected);
      data.afterResultPath = json(attempt(() => applyResultPath(input, selected, s.ResultPath)));
    }
  } else if (jsonata && t.state.Type === 'Task') {
    if (scheduled) data.afterArguments = json(scheduled.details?.parameters ?? scheduled.details?.input);
    if (succeeded) data.result = json(succeeded.details?.output);
  }
  const assigned = (exited?.details?.assignedVariables ?? {}) as Record<string, string>;
  const after = {
    ...t.variables,
    ...Object.fromEntries(Object.entries(assigned).map(([k, v]) => [k, JSON.parse(v)])),
  };
  if (Object.keys(after).length > 0) data.variables = json(after);
  if (errorDetails) data.errorDetails = errorDetails;
  return { ...result, inspectionData: data };
}
