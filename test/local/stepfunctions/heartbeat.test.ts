import type { IntegrationServices } from '../../../local/stepfunctions/integrations';
import { LocalStepFunctions } from '../../../local/stepfunctions/service';

/*
 * HeartbeatSeconds on a callback task. API reference, SendTaskHeartbeat: it "resets the Heartbeat clock";
 * it "does not in itself create an event in the execution history", and "if the task times out, the
 * execution history contains ... a TaskTimedOut entry for tasks using the ... callback pattern". Amazon
 * States Language, Task state: past HeartbeatSeconds without a heartbeat, the state fails with
 * States.HeartbeatTimeout.
 */

const CALLBACK = 'arn:aws:states:::local:review.waitForTaskToken';

/** A machine of one callback task with a 2-second heartbeat; each call hands its token to `tokens`. */
function start(tokens: string[]) {
  const sfn = new LocalStepFunctions([], {} as IntegrationServices, {
    tasks: {
      [CALLBACK]: (parameters) => {
        tokens.push((parameters as { token: string }).token);
        return {};
      },
    },
  });
  const machine = sfn.createStateMachine({
    name: 'heartbeat',
    definition: JSON.stringify({
      StartAt: 'Review',
      States: {
        Review: {
          Type: 'Task',
          Resource: CALLBACK,
          HeartbeatSeconds: 2,
          Parameters: { 'token.$': '$$.Task.Token' },
          End: true,
        },
      },
    }),
  });
  return { sfn, execution: sfn.startExecution(machine.arn, '{}') };
}

/** Waits until `ready` holds, polling, with a generous ceiling. */
async function until(ready: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; !ready(); await new Promise((r) => setTimeout(r, 5)))
    if (Date.now() > deadline) throw new Error('never got there');
}

describe('HeartbeatSeconds on a callback task', () => {
  test('with no heartbeat, the task times out with States.HeartbeatTimeout', async () => {
    const tokens: string[] = [];
    const { execution } = start(tokens);
    await execution.done;
    expect([execution.status, execution.error]).toEqual(['FAILED', 'States.HeartbeatTimeout']);
    expect(execution.events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskTimedOut',
      'ExecutionFailed',
    ]);
    expect(execution.events[2]?.details?.heartbeatInSeconds).toBe(2);
  });

  test('each SendTaskHeartbeat starts the clock again, and records nothing', async () => {
    const tokens: string[] = [];
    const { sfn, execution } = start(tokens);
    await until(() => tokens.length === 1);
    const token = tokens[0] as string;
    // Heartbeats every 250 ms for 3 s: longer than HeartbeatSeconds, never a gap near it.
    for (let sent = 0; sent < 12; sent++) {
      await new Promise((r) => setTimeout(r, 250));
      sfn.sendTaskHeartbeat(token);
    }
    expect(execution.status).toBe('RUNNING');
    sfn.sendTaskSuccess(token, '{"decision":"approved"}');
    await execution.done;
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
  });
});
