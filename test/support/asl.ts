import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { IntegrationServices } from '../../local/stepfunctions/integrations';
import { toHistoryEvent } from '../../local/stepfunctions/journal/history';
import { LocalStepFunctions, type TaskHandler } from '../../local/stepfunctions/service';

export type { TaskHandler } from '../../local/stepfunctions/service';

export interface AslRun {
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  /** The parsed output, when SUCCEEDED. */
  output?: unknown;
  error?: string;
  cause?: string;
  /** Exactly as GetExecutionHistory returns it. */
  history: HistoryEvent[];
  types: string[];
}

let machines = 0;

/**
 * Runs one execution of `definition` (a STANDARD machine) with `input` to its end, on the interpreter
 * alone. Waits and Retry backoffs do not really wait; `tasks` binds Task resources to handlers.
 */
export async function runAsl(
  definition: object,
  input: unknown = {},
  options: { tasks?: Record<string, TaskHandler> } = {},
): Promise<AslRun> {
  const noServices = {} as IntegrationServices; // every Task resource is bound by `tasks`
  const sfn = new LocalStepFunctions([], noServices, {
    retryDelayMs: 0,
    waitDelayMs: 0,
    tasks: options.tasks,
  });
  const machine = sfn.createStateMachine({
    name: `conformance-${++machines}`,
    definition: JSON.stringify(definition),
  });
  const execution = sfn.startExecution(machine.arn, JSON.stringify(input));
  await execution.done;
  const history = execution.events.map((e) => toHistoryEvent(e));
  const status = execution.status;
  if (status === 'RUNNING') throw new Error('the execution did not end');
  return {
    status,
    ...(execution.output === undefined ? {} : { output: JSON.parse(execution.output) }),
    ...(execution.error === undefined ? {} : { error: execution.error }),
    ...(execution.cause === undefined ? {} : { cause: execution.cause }),
    history,
    types: history.map((e) => e.type ?? ''),
  };
}
