import { details, detailsOf, eventsOf, failWith, LAMBDA, runAsl, single } from './support';

const branch = (name: string, state: Record<string, unknown>) => ({
  StartAt: name,
  States: { [name]: ['Fail', 'Succeed'].includes(String(state.Type)) ? state : { ...state, End: true } },
});

describe('Parallel state', () => {
  // recorded: tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json "test_parallel_state[PARALLEL_STATE]"
  it('gives every branch the same input and outputs their results in branch order', async () => {
    const definition = {
      StartAt: 'LoadInput',
      States: {
        LoadInput: { Type: 'Pass', Result: [1, 2, 3, 4], Next: 'ParallelState' },
        ParallelState: {
          Type: 'Parallel',
          End: true,
          Branches: [
            branch('Branch1', { Type: 'Pass' }),
            {
              StartAt: 'Branch21',
              States: { Branch21: { Type: 'Pass', Next: 'Branch22' }, Branch22: { Type: 'Pass', End: true } },
            },
            {
              StartAt: 'Branch31',
              States: {
                Branch31: { Type: 'Pass', Next: 'Branch32' },
                Branch32: { Type: 'Pass', Next: 'Branch33' },
                Branch33: { Type: 'Pass', End: true },
              },
            },
          ],
        },
      },
    };
    const run = await runAsl(definition, {});
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual([
      [1, 2, 3, 4],
      [1, 2, 3, 4],
      [1, 2, 3, 4],
    ]);
    expect(run.types.slice(0, 5)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'ParallelStateEntered',
      'ParallelStateStarted',
    ]);
    expect(run.types.slice(-3)).toEqual([
      'ParallelStateSucceeded',
      'ParallelStateExited',
      'ExecutionSucceeded',
    ]);
    const inner = run.types.slice(5, -3);
    expect(inner.filter((t) => t === 'PassStateEntered')).toHaveLength(6);
    expect(inner.filter((t) => t === 'PassStateExited')).toHaveLength(6);
    expect(run.history).toHaveLength(20);
    expect(eventsOf(run, 'PassStateEntered').map((e) => details(e).input)).toEqual([
      {},
      ...Array.from({ length: 6 }, () => [1, 2, 3, 4]),
    ]);
    expect(detailsOf(run, 'ParallelStateExited')).toMatchObject({ name: 'ParallelState' });
    expect(run.history.map((e) => e.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_parallel_state_order"
  it('keeps the branch order in its output array', async () => {
    const definition = single(
      {
        Type: 'Parallel',
        Branches: [0, 1, 2, 3].map((n) => branch(`Branch${n}`, { Type: 'Pass', Result: { branch: n } })),
      },
      'StartState',
    );
    const run = await runAsl(definition, {});
    expect(run.output).toEqual([{ branch: 0 }, { branch: 1 }, { branch: 2 }, { branch: 3 }]);
    expect(run.history).toHaveLength(14);
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_parallel_state_fail"
  it('fails with the branch error itself, not States.BranchFailed', async () => {
    const definition = single(
      { Type: 'Parallel', Branches: [branch('Branch1', { Type: 'Fail', Error: 'FailureType' })] },
      'ParallelState',
    );
    const run = await runAsl(definition, {});
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('FailureType');
    expect(run.types).toEqual([
      'ExecutionStarted',
      'ParallelStateEntered',
      'ParallelStateStarted',
      'FailStateEntered',
      'ParallelStateFailed',
      'ExecutionFailed',
    ]);
    expect(run.history.map((e) => e.previousEventId)).toEqual([0, 0, 2, 3, 4, 5]);
    expect(detailsOf(run, 'ExecutionFailed')).toEqual({ error: 'FailureType' });
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_parallel_state_catch"
  it('can catch a branch error on the Parallel state', async () => {
    const definition = {
      StartAt: 'ParallelState',
      States: {
        ParallelState: {
          Type: 'Parallel',
          Branches: [branch('Branch1', { Type: 'Fail', Error: 'FailureType', Cause: 'Cause description' })],
          Catch: [{ ErrorEquals: ['FailureType'], Next: 'FinalCaught' }],
          Next: 'Final',
        },
        FinalCaught: { Type: 'Pass', End: true },
        Final: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(definition, {});
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ Error: 'FailureType', Cause: 'Cause description' });
    expect(run.types).toEqual([
      'ExecutionStarted',
      'ParallelStateEntered',
      'ParallelStateStarted',
      'FailStateEntered',
      'ParallelStateFailed',
      'ParallelStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(detailsOf(run, 'PassStateEntered').name).toBe('FinalCaught');
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_parallel_state_retry"
  it('reruns all branches on Retry, recording ParallelStateStarted per attempt', async () => {
    const definition = single(
      {
        Type: 'Parallel',
        Branches: [branch('Branch1', { Type: 'Fail', Error: 'FailureType', Cause: 'Cause description' })],
        Retry: [{ ErrorEquals: ['FailureType'], IntervalSeconds: 1, MaxAttempts: 2 }],
      },
      'ParallelState',
    );
    const run = await runAsl(definition, {});
    expect(run.error).toBe('FailureType');
    expect(run.cause).toBe('Cause description');
    expect(run.types).toEqual([
      'ExecutionStarted',
      'ParallelStateEntered',
      'ParallelStateStarted',
      'FailStateEntered',
      'ParallelStateStarted',
      'FailStateEntered',
      'ParallelStateStarted',
      'FailStateEntered',
      'ParallelStateFailed',
      'ExecutionFailed',
    ]);
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_parallel_state_nested"
  it('runs nested Parallel states', async () => {
    const inner = (n: number) => ({
      StartAt: `Inner${n}`,
      States: {
        [`Inner${n}`]: {
          Type: 'Parallel',
          End: true,
          Branches: [branch(`Leaf${n}a`, { Type: 'Pass' }), branch(`Leaf${n}b`, { Type: 'Pass', Result: n })],
        },
      },
    });
    const run = await runAsl(single({ Type: 'Parallel', Branches: [inner(1), inner(2)] }, 'Outer'), { x: 1 });
    expect(run.output).toEqual([
      [{ x: 1 }, 1],
      [{ x: 1 }, 2],
    ]);
    expect(eventsOf(run, 'ParallelStateSucceeded')).toHaveLength(3);
  });

  // ASL spec, "Parallel State": Parameters shape each branch input, ResultSelector and ResultPath the output
  it('applies Parameters, ResultSelector and ResultPath', async () => {
    const definition = single({
      Type: 'Parallel',
      Parameters: { 'v.$': '$.value' },
      ResultSelector: { 'first.$': '$[0].v', 'second.$': '$[1]' },
      ResultPath: '$.results',
      Branches: [branch('A', { Type: 'Pass' }), branch('B', { Type: 'Pass', Result: 'b' })],
    });
    const run = await runAsl(definition, { value: 7 });
    expect(run.output).toEqual({ value: 7, results: { first: 7, second: 'b' } });
  });

  // ASL spec, "Parallel State": a failing Task branch fails the whole state with the task error
  it('fails with a task error raised in a branch', async () => {
    const definition = single({
      Type: 'Parallel',
      Branches: [branch('Ok', { Type: 'Pass' }), branch('Task', { Type: 'Task', Resource: LAMBDA })],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }],
    });
    (definition as { States: Record<string, unknown> }).States.Caught = { Type: 'Pass', End: true };
    (definition as { States: Record<string, Record<string, unknown>> }).States.State0 = {
      ...(definition as { States: Record<string, Record<string, unknown>> }).States.State0,
      End: undefined,
      Next: 'Caught',
    };
    const run = await runAsl(
      JSON.parse(JSON.stringify(definition)),
      { in: 1 },
      {
        tasks: { [LAMBDA]: failWith('Task.Broke', 'inner cause') },
      },
    );
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ in: 1, error: { Error: 'Task.Broke', Cause: 'inner cause' } });
  });

  // ASL spec, "Parallel State": branches with no states left produce their input; an empty output array is never produced
  it('records ParallelStateSucceeded before ParallelStateExited', async () => {
    const run = await runAsl(
      single({ Type: 'Parallel', Branches: [branch('Only', { Type: 'Pass' })] }, 'P'),
      'x',
    );
    expect(run.types).toEqual([
      'ExecutionStarted',
      'ParallelStateEntered',
      'ParallelStateStarted',
      'PassStateEntered',
      'PassStateExited',
      'ParallelStateSucceeded',
      'ParallelStateExited',
      'ExecutionSucceeded',
    ]);
    expect(run.output).toEqual(['x']);
  });
});
