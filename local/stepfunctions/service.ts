import { randomUUID } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

/** One entry of the engine's event log (the package does not export the type). */
export type EventLog = Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>>['value'] & {
  type: string;
};

import { AwsError, UnsupportedTemplateError } from '../errors';
import type { Resource } from '../template';
import { type IntegrationServices, integrationFor, type TaskIntegration } from './integrations';

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
  readonly tasks: ReadonlyMap<string, TaskIntegration>;
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
  readonly done: Promise<void>;
  abort?: () => void;
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
      const tasks = new Map<string, TaskIntegration>();
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
        tasks.set(name, integrationFor(state.Resource, services, where));
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

  /** Starts an execution; it runs in the background and `execution.done` settles when it ends. */
  startExecution(stateMachineArn: string, input = '{}', name: string = randomUUID()): Execution {
    const machine = this.findStateMachine(stateMachineArn);
    const executionArn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    if (this.executions.has(executionArn)) {
      throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
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
    const overrides = Object.fromEntries(
      [...machine.tasks].map(([stateName, integration]) => [
        stateName,
        async (taskInput: unknown) => {
          await this.options.beforeTask?.({ executionArn, stateName, input: taskInput });
          return integration({
            executionArn,
            stateMachineArn,
            input: taskInput as Record<string, unknown>,
          }) as never;
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
        } else if (execution.status !== 'ABORTED') {
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
      }),
    };
    this.executions.set(executionArn, execution);
    return execution;
  }

  /** Resolves when no execution is running. */
  /** Whether an execution has not ended yet. */
  get busy(): boolean {
    return [...this.executions.values()].some((e) => !e.stopDate);
  }

  async settle(): Promise<void> {
    await Promise.all([...this.executions.values()].map((e) => e.done));
  }
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
