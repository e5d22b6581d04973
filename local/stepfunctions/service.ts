import { randomUUID } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

/** One entry of the engine's event log (the package does not export the type). */
export type EventLog = Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>>['value'] & {
  type: string;
};

import { AwsError, UnsupportedTemplateError } from '../errors';
import type { Resource } from '../template';
import { type IntegrationServices, integrationFor, type TaskIntegration } from './integrations';

/** Step Functions' execution-name rule: 1-80 characters, none of whitespace, brackets, wildcards or controls. */
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;
/** Step Functions' payload limit for execution input and state data. */
const MAX_PAYLOAD_BYTES = 256 * 1024;

/** The error of an execution that was running when the runtime stopped (see the README). */
export const INTERRUPTED_ERROR = 'LocalRuntime.Interrupted';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface LocalStateMachine {
  readonly arn: string;
  readonly name: string;
  readonly definition: StateMachineDefinition;
  /** Built (and validated) once: validation takes 100+ ms, and an invalid definition fails startup. */
  readonly engine: StateMachine;
  readonly definitionString: string;
  readonly roleArn: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly creationDate: Date;
  /** Task state name -> its integration (state names are unique across a whole state machine). */
  readonly tasks: ReadonlyMap<string, { readonly resource: string; readonly integration: TaskIntegration }>;
  /** States with a Retry field, for retry-interval overrides. */
  readonly retryingStates: readonly string[];
}

export interface Execution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  /** The engine's event log, in order: the source of GetExecutionHistory. */
  readonly events: EventLog[];
  /** Each call a Task state made to its service integration, in call order (retries included). */
  readonly taskCalls: TaskCallRecord[];
  readonly done: Promise<void>;
  abort?: () => void;
}

/**
 * One call of a Task state to its integration. The engine's event log says when a state failed or was
 * retried, but not what the service was asked or answered: GetExecutionHistory's Task* events need both.
 */
export interface TaskCallRecord {
  readonly stateName: string;
  /** The Task's Resource, e.g. `arn:aws:states:::events:putEvents`. */
  readonly resource: string;
  /** The effective parameters the integration was called with. */
  readonly parameters: unknown;
  /** Epoch ms. */
  readonly startedAt: number;
  endedAt?: number;
  /** The service's raw result, before ResultSelector and ResultPath. */
  output?: unknown;
  error?: { readonly error: string; readonly cause: string };
}

/** Called before every task integration: tests and fault injection use it to act between steps. */
export type BeforeTask = (call: { executionArn: string; stateName: string; input: unknown }) => Promise<void>;

export interface StepFunctionsOptions {
  /** Replaces every Retry interval (ms), e.g. 0 in tests; by default Retry waits as AWS would, with jitter. */
  readonly retryDelayMs?: number;
  readonly beforeTask?: BeforeTask;
}

/**
 * Step Functions for the template's state machines: each execution runs the synthesized ASL with
 * aws-local-stepfunctions, its Task states bound to the local service integrations.
 */
export class LocalStepFunctions {
  readonly stateMachines = new Map<string, LocalStateMachine>();
  readonly executions = new Map<string, Execution>();
  /** Told when an execution starts and when it ends: the data directory journals both. */
  onExecutionChange?: (execution: Execution) => void;

  constructor(
    resources: Iterable<Resource>,
    services: IntegrationServices,
    private readonly options: StepFunctionsOptions = {},
  ) {
    for (const r of resources) {
      if (r.type !== 'AWS::StepFunctions::StateMachine') continue;
      const p = r.properties;
      let definitionString = String(p.DefinitionString ?? '');
      if (p.Definition !== undefined) definitionString = JSON.stringify(p.Definition);
      for (const [key, value] of Object.entries(
        (p.DefinitionSubstitutions as Record<string, unknown>) ?? {},
      )) {
        definitionString = definitionString.replaceAll(`\${${key}}`, String(value));
      }
      const definition = JSON.parse(definitionString) as StateMachineDefinition & { QueryLanguage?: string };
      if (definition.QueryLanguage === 'JSONata') {
        throw new UnsupportedTemplateError(
          `${r.logicalId}: JSONata state machines are not supported by the local engine.`,
        );
      }
      const tasks = new Map<string, { resource: string; integration: TaskIntegration }>();
      const retryingStates: string[] = [];
      forEachState(definition, (name, state) => {
        if ('Retry' in state && state.Retry) retryingStates.push(name);
        if (state.Type !== 'Task') return;
        const where = `${r.logicalId} state '${name}'`;
        const fn = (state.Parameters as Record<string, unknown> | undefined)?.FunctionName;
        if (
          state.Resource === 'arn:aws:states:::lambda:invoke' &&
          (typeof fn !== 'string' || !services.lambdas.has(fn))
        ) {
          throw new UnsupportedTemplateError(`${where}: function ${String(fn)} is not in the template.`);
        }
        tasks.set(name, {
          resource: state.Resource,
          integration: integrationFor(state.Resource, services, where),
        });
      });
      this.stateMachines.set(r.ref, {
        arn: r.ref,
        name: r.attributes.Name as string,
        definition,
        engine: new StateMachine(definition, { validationOptions: { checkPaths: false, checkArn: false } }),
        definitionString,
        roleArn: String(p.RoleArn ?? ''),
        type: p.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
        creationDate: new Date(),
        tasks,
        retryingStates,
      });
    }
  }

  findStateMachine(arn: string): LocalStateMachine {
    const machine = this.stateMachines.get(arn);
    if (!machine) throw new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  findExecution(arn: string): Execution {
    const execution = this.executions.get(arn);
    if (!execution) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  /**
   * Starts an execution; it runs in the background and `execution.done` settles when it ends. As in AWS,
   * starting a name again with the same input while it runs returns that execution (an idempotent retry);
   * any other reuse of a name is ExecutionAlreadyExists.
   */
  startExecution(stateMachineArn: string, input = '{}', name: string = randomUUID()): Execution {
    const machine = this.findStateMachine(stateMachineArn);
    if (!EXECUTION_NAME.test(name)) {
      throw new AwsError('InvalidName', `Invalid Name: '${name}'`);
    }
    const executionArn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    if (Buffer.byteLength(input) > MAX_PAYLOAD_BYTES) {
      throw new AwsError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: the input is larger than ${MAX_PAYLOAD_BYTES} bytes.`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      throw new AwsError(
        'InvalidExecutionInput',
        'Invalid State Machine Execution Input: not a JSON document.',
      );
    }
    // The engine stamps $$.Execution.StartTime itself when run() starts.
    const startDate = new Date();
    const taskCalls: TaskCallRecord[] = [];
    const overrides = Object.fromEntries(
      [...machine.tasks].map(([stateName, { resource, integration }]) => [
        stateName,
        async (taskInput: unknown) => {
          await this.options.beforeTask?.({ executionArn, stateName, input: taskInput });
          const call: TaskCallRecord = { stateName, resource, parameters: taskInput, startedAt: Date.now() };
          taskCalls.push(call);
          try {
            call.output = await integration({
              executionArn,
              stateMachineArn,
              input: taskInput as Record<string, unknown>,
            });
            return call.output as never;
          } catch (error) {
            const e = error instanceof Error ? error : new Error(String(error));
            call.error = { error: e.name, cause: e.message };
            throw error;
          } finally {
            call.endedAt = Date.now();
          }
        },
      ]),
    );
    const run = machine.engine.run(parsed as never, {
      overrides: {
        taskResourceLocalHandlers: overrides,
        ...(this.options.retryDelayMs === undefined
          ? {}
          : {
              retryIntervalOverrides: Object.fromEntries(
                machine.retryingStates.map((s) => [s, this.options.retryDelayMs as number]),
              ),
            }),
      },
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          Input: parsed as never,
          StartTime: startDate.toISOString(),
          RoleArn: machine.roleArn,
        },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
    });

    const events: EventLog[] = [];
    const execution: Execution = {
      executionArn,
      stateMachineArn,
      name,
      input,
      startDate,
      status: 'RUNNING',
      events,
      taskCalls,
      abort: run.abort,
      done: Promise.all([
        (async () => {
          for await (const event of run.eventLogs) events.push(event);
        })(),
        run.result.then(
          (output) => ({ output }),
          (error: unknown) => ({ error }),
        ),
      ]).then(([, result]) => {
        // Settle only once the event log is complete: a failure's Error and Cause come from its last event.
        if ('output' in result) {
          execution.status = 'SUCCEEDED';
          execution.output = JSON.stringify(result.output);
        } else if (execution.status === 'RUNNING') {
          // Not stopped (ABORTED) nor interrupted by the runtime stopping: the execution itself failed.
          const failed = events.findLast((e) => e.type === 'ExecutionFailed') as
            | { Error?: string; Cause?: unknown }
            | undefined;
          execution.status = 'FAILED';
          execution.error =
            failed?.Error ?? (result.error instanceof Error ? result.error.name : 'States.Runtime');
          const cause =
            failed?.Cause ?? (result.error instanceof Error ? result.error.message : String(result.error));
          execution.cause = typeof cause === 'string' ? cause : JSON.stringify(cause);
        }
        execution.stopDate = new Date();
        this.onExecutionChange?.(execution);
      }),
    };
    this.executions.set(executionArn, execution);
    this.onExecutionChange?.(execution);
    return execution;
  }

  /** Stops a running execution (status ABORTED, with the caller's error and cause); an ended one is left as it is. */
  async stopExecution(executionArn: string, error?: string, cause?: string): Promise<Execution> {
    const execution = this.findExecution(executionArn);
    if (execution.status !== 'RUNNING') return execution;
    execution.status = 'ABORTED';
    execution.error = error;
    execution.cause = cause;
    execution.abort?.();
    await execution.done;
    return execution;
  }

  /**
   * Ends every running execution as FAILED with `LocalRuntime.Interrupted`: the runtime is stopping and
   * the engine cannot checkpoint them. The data directory restores them the same way after a restart.
   */
  interruptAll(cause: string): void {
    for (const execution of this.executions.values()) {
      if (execution.status !== 'RUNNING') continue;
      markInterrupted(execution, cause, new Date());
      execution.abort?.();
    }
  }

  /** Puts back executions from an earlier run of the runtime (they have ended: nothing resumes them). */
  restore(executions: Iterable<Execution>): void {
    for (const execution of executions) this.executions.set(execution.executionArn, execution);
  }

  /** Whether an execution has not ended yet. */
  get busy(): boolean {
    return [...this.executions.values()].some((e) => !e.stopDate);
  }

  async settle(): Promise<void> {
    await Promise.all([...this.executions.values()].map((e) => e.done));
  }
}

/** Ends an execution the runtime could not finish: FAILED with `LocalRuntime.Interrupted` and `cause`. */
export function markInterrupted(execution: Execution, cause: string, at: Date): void {
  execution.status = 'FAILED';
  execution.error = INTERRUPTED_ERROR;
  execution.cause = cause;
  execution.stopDate = at;
}

type AnyState = {
  Type: string;
  Resource: string;
  Parameters?: unknown;
  Retry?: unknown;
  Branches?: StateMachineDefinition[];
  ItemProcessor?: StateMachineDefinition;
  Iterator?: StateMachineDefinition;
};

/** Visits every state, including those inside Parallel branches and Map processors. */
function forEachState(
  definition: StateMachineDefinition,
  visit: (name: string, state: AnyState) => void,
): void {
  for (const [name, s] of Object.entries(definition.States)) {
    const state = s as unknown as AnyState;
    visit(name, state);
    for (const branch of state.Branches ?? []) forEachState(branch, visit);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) forEachState(processor, visit);
  }
}
