import type { StateMachineDefinition } from '../../../local/stepfunctions/engine/asl';
import { StatesError } from '../../../local/stepfunctions/engine/errors';
import { type EngineHost, ExecutionRun } from '../../../local/stepfunctions/engine/interpreter';
import { replayOf } from '../../../local/stepfunctions/engine/replay';
import type { JournalEvent } from '../../../local/stepfunctions/journal/history';

/*
 * An execution is its history: a run given the events recorded so far goes on from where they end. These
 * tests stop a run at each kind of point (a Wait, a retry backoff, a task in flight) and start another
 * from its history, as the runtime does after a restart.
 */

const identity = {
  executionArn: 'arn:aws:states:us-east-1:000000000000:execution:m:e',
  name: 'e',
  stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m',
  stateMachineName: 'm',
  roleArn: 'arn:aws:iam::000000000000:role/r',
};

/** A host whose tasks call `work`, and which records every sleep it is asked for (and never wakes). */
function host(work: (parameters: unknown) => unknown) {
  const sleeps: { ms: number; kind: string }[] = [];
  const calls: unknown[] = [];
  const h: EngineHost = {
    invokeTask: async ({ parameters }) => {
      calls.push(parameters);
      return work(parameters);
    },
    awaitTaskToken: () => ({ result: new Promise(() => {}) }),
    taskTimeoutMs: (seconds) => seconds * 1000,
    sleep: (ms, signal, kind) => {
      sleeps.push({ ms, kind });
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    },
  };
  return { h, sleeps, calls };
}

/** Starts a run and halts it once `until` holds; returns the events it recorded. */
async function runUntil(
  definition: object,
  h: EngineHost,
  until: () => boolean,
  input: unknown = {},
): Promise<JournalEvent[]> {
  const events: JournalEvent[] = [];
  const run = new ExecutionRun(definition as StateMachineDefinition, identity, input, h, (e) =>
    events.push(e),
  );
  const done = run.run();
  for (const deadline = Date.now() + 10_000; !until(); await new Promise((r) => setTimeout(r, 2)))
    if (Date.now() > deadline)
      throw new Error(`the run never got there: ${JSON.stringify(events.map((e) => e.type))}`);
  run.halt();
  await done;
  return events;
}

/** Resumes from `events`; resolves when the run ends, or returns it running. */
function resume(definition: object, events: JournalEvent[], h: EngineHost, input: unknown = {}) {
  const appended: JournalEvent[] = [];
  const run = new ExecutionRun(
    definition as StateMachineDefinition,
    identity,
    input,
    h,
    (e) => appended.push(e),
    replayOf(events),
  );
  return { run, done: run.run(), appended };
}

const TASK = 'arn:aws:lambda:us-east-1:000000000000:function:Work';

describe('resuming a run from its history', () => {
  it('keeps a Wait deadline: the rest of the wait, not all of it', async () => {
    // Prepare
    const definition = { StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 600, End: true } } };
    const first = host(() => ({}));
    const events = await runUntil(definition, first.h, () => first.sleeps.length > 0);
    await new Promise((r) => setTimeout(r, 50));

    // Act
    const second = host(() => ({}));
    const { run, done } = resume(definition, events, second.h);
    await new Promise((r) => setTimeout(r, 5));
    run.halt();
    await done;

    // Assess
    expect(first.sleeps[0]?.ms).toBeGreaterThan(599_000);
    const rest = second.sleeps[0]?.ms ?? 0;
    expect(rest).toBeLessThanOrEqual((first.sleeps[0]?.ms ?? 0) - 50);
    expect(rest).toBeGreaterThan(590_000);
  });

  it('keeps a retry backoff deadline, jitter included, and does not call the failed task again before it', async () => {
    // Prepare
    const definition = {
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Task',
          Resource: TASK,
          Retry: [{ ErrorEquals: ['Broken'], IntervalSeconds: 600, JitterStrategy: 'FULL' }],
          End: true,
        },
      },
    };
    const failing = () => {
      throw new StatesError('Broken', 'down');
    };
    const first = host(failing);
    const events = await runUntil(definition, first.h, () => first.sleeps.length > 0);

    // Act
    const second = host(failing);
    const { run, done } = resume(definition, events, second.h);
    await new Promise((r) => setTimeout(r, 5));
    run.halt();
    await done;

    // Assess
    expect(second.calls).toEqual([]);
    expect(second.sleeps[0]?.kind).toBe('retry');
    expect(second.sleeps[0]?.ms).toBeLessThanOrEqual(first.sleeps[0]?.ms ?? 0);
    expect(second.sleeps[0]?.ms).toBeGreaterThan((first.sleeps[0]?.ms ?? 0) - 5_000);
  });

  it('does not run a task whose result was recorded, and runs again one that was in flight', async () => {
    // Prepare: the first task answered; the second was called and never answered.
    const definition = {
      StartAt: 'One',
      States: {
        One: { Type: 'Task', Resource: TASK, Parameters: { n: 1 }, ResultPath: '$.one', Next: 'Two' },
        Two: { Type: 'Task', Resource: TASK, Parameters: { n: 2 }, ResultPath: '$.two', End: true },
      },
    };
    const first = host((p) => ((p as { n: number }).n === 1 ? 'first' : new Promise(() => {})));
    const events = await runUntil(definition, first.h, () => first.calls.length === 2);

    // Act
    const second = host((p) => `again ${(p as { n: number }).n}`);
    const { done, appended } = resume(definition, events, second.h);
    const end = await done;

    // Assess
    expect(second.calls).toEqual([{ n: 2 }]);
    expect(end).toEqual({ status: 'SUCCEEDED', output: { one: 'first', two: 'again 2' } });
    expect(appended.map((e) => e.type)).toEqual([
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(appended[0]?.id).toBe((events.at(-1)?.id ?? 0) + 1);
  });

  it('resumes Map iterations where each one was, keeping the recorded results', async () => {
    // Prepare
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          MaxConcurrency: 2,
          ItemProcessor: { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: TASK, End: true } } },
          End: true,
        },
      },
    };
    const first = host((item) => (item === 3 ? new Promise(() => {}) : `done ${item}`));
    const items = [1, 2, 3, 4];
    const events = await runUntil(definition, first.h, () => first.calls.includes(3), items);

    // Act
    const second = host((item) => `again ${item}`);
    const { done } = resume(definition, events, second.h, items);
    const end = await done;

    // Assess: 1 and 2 had answered and are not run again; 3 was in flight and is (4 may have answered).
    expect(second.calls).toContain(3);
    expect(second.calls).not.toContain(1);
    expect(second.calls).not.toContain(2);
    expect(end).toEqual({
      status: 'SUCCEEDED',
      output: ['done 1', 'done 2', 'again 3', second.calls.includes(4) ? 'again 4' : 'done 4'],
    });
  });
});
