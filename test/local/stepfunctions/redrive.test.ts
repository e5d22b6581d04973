import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatesError } from '../../../local/stepfunctions/engine/errors';
import type { IntegrationServices } from '../../../local/stepfunctions/integrations';
import { ExecutionJournal } from '../../../local/stepfunctions/journal/store';
import { type Execution, LocalStepFunctions } from '../../../local/stepfunctions/service';

/*
 * RedriveExecution (developer guide, "Redriving executions in Step Functions"): a FAILED, ABORTED or
 * TIMED_OUT Standard execution restarts from the state that did not succeed, with the input it had;
 * states that succeeded are not run again, and in a Parallel or Map only the branches and iterations that
 * did not succeed run again. The history gets ExecutionRedriven and redriveCount grows.
 */

const WORK = 'arn:aws:lambda:us-east-1:000000000000:function:Work';

/** A service whose one Task resource calls `work`, counting calls per input. */
function serviceWith(work: (input: unknown) => unknown, journal?: ExecutionJournal) {
  const calls: unknown[] = [];
  const sfn = new LocalStepFunctions([], {} as IntegrationServices, {
    retryDelayMs: 0,
    waitDelayMs: 0,
    tasks: {
      [WORK]: (input) => {
        calls.push(input);
        return work(input);
      },
    },
    ...(journal ? { journal } : {}),
  });
  return { sfn, calls };
}

const task = (next?: string) => ({
  Type: 'Task',
  Resource: WORK,
  ...(next ? { Next: next } : { End: true }),
});
const types = (e: Execution) => e.events.map((x) => x.type);

async function run(sfn: LocalStepFunctions, definition: object, input: unknown = {}): Promise<Execution> {
  const machine = sfn.createStateMachine({
    name: `m${Math.random().toString(36).slice(2)}`,
    definition: JSON.stringify(definition),
  });
  const execution = sfn.startExecution(machine.arn, JSON.stringify(input));
  await execution.done;
  return execution;
}

async function redrive(sfn: LocalStepFunctions, execution: Execution): Promise<Execution> {
  const redriven = sfn.redriveExecution(execution.executionArn);
  await redriven.done;
  return redriven;
}

describe('RedriveExecution', () => {
  it('restarts from the state that failed, with its recorded input, without running the others again', async () => {
    // Prepare
    let failing = true;
    const { sfn, calls } = serviceWith((input) => {
      if ((input as { step: string }).step === 'second' && failing)
        throw new StatesError('Broken', 'not yet');
      return { done: (input as { step: string }).step };
    });
    const definition = {
      StartAt: 'First',
      States: {
        First: { ...task('Second'), Parameters: { step: 'first' }, ResultPath: '$.first' },
        Second: {
          ...task(),
          Parameters: { step: 'second', 'from.$': '$.first.done' },
          ResultPath: '$.second',
        },
      },
    };
    const failed = await run(sfn, definition, { user: 'u-1' });
    expect(failed.status).toBe('FAILED');

    // Act
    failing = false;
    const redriven = await redrive(sfn, failed);

    // Assess
    expect(redriven.status).toBe('SUCCEEDED');
    expect(JSON.parse(redriven.output ?? '')).toEqual({
      user: 'u-1',
      first: { done: 'first' },
      second: { done: 'second' },
    });
    expect(calls.map((c) => (c as { step: string }).step)).toEqual(['first', 'second', 'second']);
    expect(redriven.redriveCount).toBe(1);
    const t = types(redriven);
    const at = t.indexOf('ExecutionRedriven');
    expect(t.slice(0, at)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'ExecutionFailed',
    ]);
    expect(t.slice(at)).toEqual([
      'ExecutionRedriven',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(redriven.events[at]?.details).toEqual({ redriveCount: 1 });
    // The state is re-entered with the input it had.
    expect(redriven.events[at + 1]?.details?.input).toEqual(redriven.events[6]?.details?.input);
  });

  it('runs again only the Map iterations that did not succeed', async () => {
    // Prepare
    let failing = true;
    const { sfn, calls } = serviceWith((item) => {
      if (item === 2 && failing) throw new StatesError('Broken', 'item 2');
      return (item as number) * 10;
    });
    const failed = await run(
      sfn,
      {
        StartAt: 'Each',
        States: {
          Each: { Type: 'Map', ItemProcessor: { StartAt: 'Work', States: { Work: task() } }, End: true },
        },
      },
      [1, 2, 3],
    );
    expect(failed.status).toBe('FAILED');
    const before = calls.length;

    // Act
    failing = false;
    const redriven = await redrive(sfn, failed);

    // Assess
    expect(redriven.status).toBe('SUCCEEDED');
    expect(JSON.parse(redriven.output ?? '')).toEqual([10, 20, 30]);
    expect(calls.slice(before)).toEqual([2]);
  });

  it('runs again only the Parallel branches that did not succeed', async () => {
    // Prepare
    let failing = true;
    const { sfn, calls } = serviceWith((input) => {
      if (input === 'b' && failing) throw new StatesError('Broken', 'branch b');
      return `${input}!`;
    });
    const failed = await run(sfn, {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Pass', Result: 'a', Next: 'WorkA' }, WorkA: task() } },
            { StartAt: 'B', States: { B: { Type: 'Pass', Result: 'b', Next: 'WorkB' }, WorkB: task() } },
          ],
          End: true,
        },
      },
    });
    expect(failed.status).toBe('FAILED');
    const before = calls.length;

    // Act
    failing = false;
    const redriven = await redrive(sfn, failed);

    // Assess
    expect(redriven.status).toBe('SUCCEEDED');
    expect(JSON.parse(redriven.output ?? '')).toEqual(['a!', 'b!']);
    expect(calls.slice(before)).toEqual(['b']);
  });

  it('rejects a redrive of an execution that succeeded or is running with ExecutionNotRedrivable', async () => {
    // Prepare
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { sfn } = serviceWith((input) => (input === 'hold' ? held : input));
    const succeeded = await run(sfn, { StartAt: 'Work', States: { Work: task() } });
    const machine = sfn.createStateMachine({
      name: 'held',
      definition: JSON.stringify({ StartAt: 'Work', States: { Work: { ...task(), Parameters: 'hold' } } }),
    });
    const running = sfn.startExecution(machine.arn, '{}');

    // Act
    const redrives = [succeeded, running].map((e) => () => sfn.redriveExecution(e.executionArn));

    // Assess
    expect(redrives[0]).toThrow(
      expect.objectContaining({ code: 'ExecutionNotRedrivable', message: 'Execution is SUCCEEDED' }),
    );
    expect(redrives[1]).toThrow(
      expect.objectContaining({ code: 'ExecutionNotRedrivable', message: 'Execution is RUNNING' }),
    );
    release();
    await running.done;
  });

  it('redrives an execution again after a redrive failed, counting each', async () => {
    // Prepare
    let failures = 2;
    const { sfn } = serviceWith(() => {
      if (failures-- > 0) throw new StatesError('Broken', 'again');
      return 'ok';
    });
    const failed = await run(sfn, { StartAt: 'Work', States: { Work: task() } });

    // Act
    const once = await redrive(sfn, failed);
    const onceStatus = once.status;
    const twice = await redrive(sfn, once);

    // Assess
    expect(onceStatus).toBe('FAILED');
    expect(twice.status).toBe('SUCCEEDED');
    expect(twice.redriveCount).toBe(2);
    expect(types(twice).filter((t) => t === 'ExecutionRedriven')).toHaveLength(2);
    expect(twice.events.map((e) => e.id)).toEqual(twice.events.map((_, i) => i + 1));
  });
});

describe('resuming from the journal', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('resumes a redriven execution after a restart without running what it had done', async () => {
    // Prepare: fail, redrive, and stop the runtime while the redriven run is in its second task.
    let failing = true;
    let hold: Promise<void> | undefined;
    let journal = new ExecutionJournal(dir);
    const first = serviceWith((input) => {
      const step = (input as { step: string }).step;
      if (step === 'second' && failing) throw new StatesError('Broken', 'not yet');
      if (step === 'third' && hold) return hold;
      return step;
    }, journal);
    const definition = {
      StartAt: 'First',
      States: {
        First: { ...task('Second'), Parameters: { step: 'first' }, ResultPath: '$.first' },
        Second: { ...task('Third'), Parameters: { step: 'second' }, ResultPath: '$.second' },
        Third: { ...task(), Parameters: { step: 'third' }, ResultPath: '$.third' },
      },
    };
    const machine = first.sfn.createLocalStateMachine({
      name: 'resumed',
      definition: JSON.stringify(definition),
      roleArn: 'arn:aws:iam::000000000000:role/x',
      type: 'STANDARD',
    });
    const execution = first.sfn.startExecution(machine.arn, '{}');
    await execution.done;
    failing = false;
    hold = new Promise(() => {});
    first.sfn.redriveExecution(execution.executionArn);
    while (!first.calls.some((c) => (c as { step: string }).step === 'third'))
      await new Promise((r) => setTimeout(r, 5));
    await first.sfn.haltAll();
    journal.close();

    // Act
    hold = undefined;
    journal = new ExecutionJournal(dir);
    const second = serviceWith((input) => (input as { step: string }).step, journal);
    const resumed = second.sfn.resumeRunning();
    const after = second.sfn.findExecution(execution.executionArn);
    await after.done;

    // Assess
    expect(resumed).toEqual({ resumed: 1, orphans: [] });
    expect(after.status).toBe('SUCCEEDED');
    expect(after.redriveCount).toBe(1);
    expect(second.calls).toEqual([{ step: 'third' }]);
    expect(JSON.parse(after.output ?? '')).toEqual({ first: 'first', second: 'second', third: 'third' });
    expect(after.events.map((e) => e.id)).toEqual(after.events.map((_, i) => i + 1));
    journal.close();
  });
});
