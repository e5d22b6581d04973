import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { LocalApp } from '../../local/app';
import { historyEvents } from '../../local/stepfunctions/history';
import type { IntegrationServices } from '../../local/stepfunctions/integrations';
import { type Execution, LocalStepFunctions } from '../../local/stepfunctions/service';

/** The execution's history, checked for what every AWS history has: ids 1..n, causes before effects. */
export function historyOf(app: LocalApp, execution: Execution | undefined): HistoryEvent[] {
  if (!execution) throw new Error('the execution did not start');
  const history = historyEvents(execution, app.stepFunctions.findStateMachine(execution.stateMachineArn));
  history.forEach((event, i) => {
    expect(event.id).toBe(i + 1);
    expect(event.previousEventId).toBeGreaterThanOrEqual(0);
    expect(event.previousEventId).toBeLessThan(event.id ?? 0);
    expect(event.timestamp).toBeInstanceOf(Date);
    if (i > 0)
      expect(event.timestamp?.getTime()).toBeGreaterThanOrEqual(history[i - 1]?.timestamp?.getTime() ?? 0);
  });
  return history;
}

/** Runs a definition with no Task states (so no services) to its end and returns its history. */
export async function historyOfDefinition(definition: object): Promise<HistoryEvent[]> {
  const arn = 'arn:aws:states:us-east-1:000000000000:stateMachine:no-tasks';
  const noServices = {} as IntegrationServices; // only Task states use them
  const sfn = new LocalStepFunctions(
    [
      {
        logicalId: 'NoTasks',
        type: 'AWS::StepFunctions::StateMachine',
        properties: {
          DefinitionString: JSON.stringify(definition),
          RoleArn: 'arn:aws:iam::000000000000:role/no-tasks',
        },
        metadata: {},
        ref: arn,
        attributes: { Name: 'no-tasks' },
      },
    ],
    noServices,
    { retryDelayMs: 0 },
  );
  const execution = sfn.startExecution(arn, '{}');
  await execution.done;
  return historyEvents(execution, sfn.findStateMachine(arn));
}
