import type { TaskHandler } from './support';
import { detailsOf, failWith, flaky, INVOKE, LAMBDA, runAsl, StatesError, single } from './support';

/** A handler that throws the errors in `errors` one per call, then returns `result`. */
function sequence(errors: string[], result: unknown = 'ok') {
  const calls: number[] = [];
  const handler: TaskHandler = () => {
    calls.push(calls.length);
    const error = errors[calls.length - 1];
    if (error) throw new StatesError(error, `call ${calls.length}`);
    return result;
  };
  return { handler, calls };
}

const lambdaAttempt = ['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed'];

describe('Retry', () => {
  // recorded: tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json "test_lambda_invoke_with_retry_base"
  it('retries MaxAttempts times, then the Catch handles the error', async () => {
    const definition = {
      StartAt: 'InvokeLambdaWithRetry',
      States: {
        InvokeLambdaWithRetry: {
          Type: 'Task',
          Resource: LAMBDA,
          Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 3 }],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'HandleError' }],
          ResultSelector: { 'Retries.$': '$$.State.RetryCount' },
          End: true,
        },
        HandleError: { Type: 'Pass', End: true },
      },
    };
    const { handler, state } = flaky(99, 'Exception');
    const run = await runAsl(
      definition,
      { Value1: 'HelloWorld!', Value2: null },
      { tasks: { [LAMBDA]: handler } },
    );
    expect(state.calls).toBe(4);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ Error: 'Exception', Cause: 'attempt 4' });
    expect(run.types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      ...lambdaAttempt,
      ...lambdaAttempt,
      ...lambdaAttempt,
      ...lambdaAttempt,
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });

  // recorded: tests/aws/.../v2/scenarios/test_base_scenarios.snapshot.json "test_retry_interval_features"
  it('records each attempt with no events between them, whatever the backoff', async () => {
    const definition = single(
      {
        Type: 'Task',
        Resource: LAMBDA,
        Retry: [
          {
            ErrorEquals: ['States.ALL'],
            IntervalSeconds: 3,
            MaxAttempts: 2,
            BackoffRate: 2,
            MaxDelaySeconds: 5,
            JitterStrategy: 'FULL',
          },
        ],
      },
      'LambdaTask',
    );
    const run = await runAsl(
      definition,
      {},
      { tasks: { [LAMBDA]: failWith('Exception', 'Some exception was raised.') } },
    );
    expect(run.status).toBe('FAILED');
    expect(run.types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      ...lambdaAttempt,
      ...lambdaAttempt,
      ...lambdaAttempt,
      'ExecutionFailed',
    ]);
    expect(run.history.map((e) => e.previousEventId)).toEqual([0, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(detailsOf(run, 'ExecutionFailed')).toEqual({
      error: 'Exception',
      cause: 'Some exception was raised.',
    });
  });

  // recorded: tests/aws/.../v2/scenarios/test_base_scenarios.snapshot.json "test_retry_interval_features_jitter_none"
  it('accepts JitterStrategy NONE', async () => {
    const run = await runAsl(
      single({
        Type: 'Task',
        Resource: LAMBDA,
        Retry: [
          {
            ErrorEquals: ['States.ALL'],
            IntervalSeconds: 3,
            MaxAttempts: 2,
            BackoffRate: 2,
            JitterStrategy: 'NONE',
          },
        ],
      }),
      {},
      { tasks: { [LAMBDA]: failWith('Exception') } },
    );
    expect(run.types.filter((t) => t === 'LambdaFunctionScheduled')).toHaveLength(3);
  });

  // recorded: tests/aws/.../v2/scenarios/test_base_scenarios.snapshot.json "test_retry_interval_features_max_attempts_zero"
  it('never retries with MaxAttempts 0', async () => {
    const definition = single(
      {
        Type: 'Task',
        Resource: INVOKE,
        Parameters: {
          'FunctionName.$': '$.FunctionName',
          Payload: { 'RetryAttempt.$': '$$.State.RetryCount' },
        },
        Retry: [
          {
            ErrorEquals: ['States.ALL'],
            IntervalSeconds: 3,
            MaxAttempts: 0,
            BackoffRate: 2,
            MaxDelaySeconds: 5,
          },
        ],
      },
      'LambdaTask',
    );
    const run = await runAsl(
      definition,
      { FunctionName: 'fn' },
      { tasks: { [INVOKE]: failWith('Exception', 'c') } },
    );
    expect(run.status).toBe('FAILED');
    expect(run.types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'ExecutionFailed',
    ]);
    expect(detailsOf(run, 'TaskScheduled').parameters).toEqual({
      FunctionName: 'fn',
      Payload: { RetryAttempt: 0 },
    });
  });

  // recorded: tests/aws/.../v2/scenarios/test_base_scenarios.snapshot.json "test_lambda_empty_retry"
  it('fails at once with an empty Retry list', async () => {
    const run = await runAsl(
      single({ Type: 'Task', Resource: LAMBDA, Retry: [] }, 'LambdaTask'),
      {},
      {
        tasks: { [LAMBDA]: failWith('Exception', 'x') },
      },
    );
    expect(run.types).toEqual(['ExecutionStarted', 'TaskStateEntered', ...lambdaAttempt, 'ExecutionFailed']);
  });

  // ASL spec, "Retrying after error": a retried task that then succeeds records only the attempts
  it('records a failed attempt followed by a successful one with nothing in between', async () => {
    const { handler } = flaky(1, 'Transient', { done: true });
    const run = await runAsl(
      single({
        Type: 'Task',
        Resource: INVOKE,
        Parameters: { FunctionName: 'fn' },
        Retry: [{ ErrorEquals: ['Transient'], IntervalSeconds: 1, MaxAttempts: 2 }],
      }),
      {},
      { tasks: { [INVOKE]: handler } },
    );
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ done: true });
    expect(run.types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(run.history.map((e) => e.previousEventId)).toEqual([0, 0, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  // ASL spec, "Retrying after error" / Context object: $$.State.RetryCount counts the retries of the state
  it('exposes the retry count as $$.State.RetryCount', async () => {
    const { handler } = flaky(2, 'Transient', {});
    const run = await runAsl(
      single({
        Type: 'Task',
        Resource: LAMBDA,
        Parameters: { 'attempt.$': '$$.State.RetryCount' },
        ResultSelector: { 'retries.$': '$$.State.RetryCount' },
        Retry: [{ ErrorEquals: ['Transient'], MaxAttempts: 3 }],
      }),
      {},
      { tasks: { [LAMBDA]: handler } },
    );
    expect(run.output).toEqual({ retries: 2 });
    expect([0, 1, 2].map((n) => detailsOf(run, 'LambdaFunctionScheduled', n).input)).toEqual([
      { attempt: 0 },
      { attempt: 1 },
      { attempt: 2 },
    ]);
  });

  // ASL spec, "Retry": MaxAttempts defaults to 3
  it('defaults MaxAttempts to 3', async () => {
    const { handler, state } = flaky(99, 'E');
    await runAsl(
      single({ Type: 'Task', Resource: LAMBDA, Retry: [{ ErrorEquals: ['E'] }] }),
      {},
      {
        tasks: { [LAMBDA]: handler },
      },
    );
    expect(state.calls).toBe(4);
  });

  // ASL spec, "Retry": the first Retrier whose ErrorEquals matches is used
  it('uses the first matching retrier', async () => {
    const { handler, state } = flaky(99, 'E');
    await runAsl(
      single({
        Type: 'Task',
        Resource: LAMBDA,
        Retry: [
          { ErrorEquals: ['E'], MaxAttempts: 1 },
          { ErrorEquals: ['States.ALL'], MaxAttempts: 5 },
        ],
      }),
      {},
      { tasks: { [LAMBDA]: handler } },
    );
    expect(state.calls).toBe(2);
  });

  // ASL spec, "Retry": retry counts are kept per Retrier
  it('counts attempts per retrier', async () => {
    const { handler, calls } = sequence(['A', 'B', 'A', 'B', 'A']);
    const run = await runAsl(
      single({
        Type: 'Task',
        Resource: LAMBDA,
        Retry: [
          { ErrorEquals: ['A'], MaxAttempts: 2 },
          { ErrorEquals: ['B'], MaxAttempts: 2 },
        ],
      }),
      {},
      { tasks: { [LAMBDA]: handler } },
    );
    // A, B, A, B are retried (two per retrier); the third A exhausts its retrier
    expect(calls).toHaveLength(5);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('A');
    expect(run.cause).toBe('call 5');
  });

  // ASL spec, "Retry": an error no Retrier names is not retried
  it('does not retry an error no retrier names', async () => {
    const { handler, state } = flaky(99, 'Other');
    const run = await runAsl(
      single({ Type: 'Task', Resource: LAMBDA, Retry: [{ ErrorEquals: ['E'] }] }),
      {},
      {
        tasks: { [LAMBDA]: handler },
      },
    );
    expect(state.calls).toBe(1);
    expect(run.error).toBe('Other');
  });

  // AWS developer guide, "Error names": States.TaskFailed matches any error except States.Timeout
  it('retries any task error on States.TaskFailed', async () => {
    const { handler, state } = flaky(1, 'Custom.Error', 'fine');
    const run = await runAsl(
      single({
        Type: 'Task',
        Resource: LAMBDA,
        Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 1 }],
      }),
      {},
      { tasks: { [LAMBDA]: handler } },
    );
    expect(state.calls).toBe(2);
    expect(run.output).toBe('fine');
  });

  // AWS developer guide, "Error names": States.TaskFailed does not match States.Timeout
  it('does not retry a timeout on States.TaskFailed', async () => {
    let calls = 0;
    const run = await runAsl(
      single({
        Type: 'Task',
        Resource: INVOKE,
        TimeoutSeconds: 1,
        Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 2 }],
      }),
      {},
      {
        tasks: {
          [INVOKE]: () => {
            calls += 1;
            return new Promise(() => {});
          },
        },
      },
    );
    expect(calls).toBe(1);
    expect(run.error).toBe('States.Timeout');
  });

  // AWS developer guide, "Error names": States.ALL matches States.Timeout
  it('retries a timeout on States.ALL', async () => {
    let calls = 0;
    const run = await runAsl(
      single({
        Type: 'Task',
        Resource: INVOKE,
        TimeoutSeconds: 1,
        Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 1 }],
      }),
      {},
      {
        tasks: {
          [INVOKE]: () => {
            calls += 1;
            return new Promise(() => {});
          },
        },
      },
    );
    expect(calls).toBe(2);
    expect(run.types.filter((t) => t === 'TaskTimedOut')).toHaveLength(2);
  });

  // ASL spec, "Retry": BackoffRate and MaxDelaySeconds shape the delays, not the number of attempts
  it('makes MaxAttempts + 1 attempts whatever BackoffRate and MaxDelaySeconds say', async () => {
    const { handler, state } = flaky(99, 'E');
    await runAsl(
      single({
        Type: 'Task',
        Resource: LAMBDA,
        Retry: [
          { ErrorEquals: ['E'], IntervalSeconds: 10, BackoffRate: 5, MaxDelaySeconds: 15, MaxAttempts: 4 },
        ],
      }),
      {},
      { tasks: { [LAMBDA]: handler } },
    );
    expect(state.calls).toBe(5);
  });
});

describe('Catch', () => {
  /** A Task with `Catch`, and the fallback states its catchers name (AWS refuses unreachable states). */
  const catching = (
    Catch: { ErrorEquals: string[]; Next: string; ResultPath?: string | null }[],
    extra: Record<string, unknown> = {},
  ) => ({
    StartAt: 'Task',
    States: {
      Task: { Type: 'Task', Resource: LAMBDA, Catch, End: true, ...extra },
      ...Object.fromEntries(
        Catch.map(({ Next }) => [
          Next,
          { Type: 'Pass', Result: Next.slice(-1), ResultPath: '$.by', End: true },
        ]),
      ),
    },
  });

  // ASL spec, "Retry and Catch": retries are exhausted before a Catch applies
  it('evaluates Retry before Catch', async () => {
    const { handler, state } = flaky(99, 'E', 'never');
    const run = await runAsl(
      catching([{ ErrorEquals: ['E'], Next: 'CaughtA' }], {
        Retry: [{ ErrorEquals: ['E'], MaxAttempts: 2 }],
      }),
      {},
      { tasks: { [LAMBDA]: handler } },
    );
    expect(state.calls).toBe(3);
    expect(run.output).toEqual({ Error: 'E', Cause: 'attempt 3', by: 'A' });
  });

  // ASL spec, "Fallback states": the first Catcher that matches is used
  it('uses the first matching catcher', async () => {
    const run = await runAsl(
      catching([
        { ErrorEquals: ['E'], Next: 'CaughtA' },
        { ErrorEquals: ['States.ALL'], Next: 'CaughtB' },
      ]),
      {},
      { tasks: { [LAMBDA]: failWith('E', 'c') } },
    );
    expect((run.output as { by: string }).by).toBe('A');
  });

  // ASL spec, "Fallback states": States.ALL catches what the others do not
  it('falls to States.ALL for an unnamed error', async () => {
    const run = await runAsl(
      catching([
        { ErrorEquals: ['E'], Next: 'CaughtA' },
        { ErrorEquals: ['States.ALL'], Next: 'CaughtB' },
      ]),
      {},
      { tasks: { [LAMBDA]: failWith('Z', 'c') } },
    );
    expect(run.output).toEqual({ Error: 'Z', Cause: 'c', by: 'B' });
  });

  // ASL spec, "Fallback states": the ResultPath of a Catcher places the error output in the input
  it('places {Error, Cause} with the catcher ResultPath', async () => {
    const run = await runAsl(
      catching([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'CaughtA' }]),
      { keep: 1 },
      { tasks: { [LAMBDA]: failWith('E', 'why') } },
    );
    expect(run.output).toEqual({ keep: 1, error: { Error: 'E', Cause: 'why' }, by: 'A' });
  });

  // ASL spec, "Fallback states": ResultPath null on a catcher keeps the state input
  it('keeps the input with a catcher ResultPath null', async () => {
    const run = await runAsl(
      catching([{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'CaughtA' }]),
      { keep: 1 },
      { tasks: { [LAMBDA]: failWith('E', 'why') } },
    );
    expect(run.output).toEqual({ keep: 1, by: 'A' });
  });

  // ASL spec, "Fallback states": without ResultPath the error output replaces the input
  it('replaces the input with {Error, Cause} by default', async () => {
    const run = await runAsl(
      catching([{ ErrorEquals: ['States.ALL'], Next: 'CaughtA' }]),
      { keep: 1 },
      {
        tasks: { [LAMBDA]: failWith('E', 'why') },
      },
    );
    expect(run.output).toEqual({ Error: 'E', Cause: 'why', by: 'A' });
  });

  // AWS developer guide, "Error names": States.TaskFailed in a Catch matches a named task error
  it('catches a custom error on States.TaskFailed', async () => {
    const run = await runAsl(
      catching([{ ErrorEquals: ['States.TaskFailed'], Next: 'CaughtB' }]),
      {},
      {
        tasks: { [LAMBDA]: failWith('My.Error', 'm') },
      },
    );
    expect(run.output).toEqual({ Error: 'My.Error', Cause: 'm', by: 'B' });
  });

  // ASL spec, "Fallback states": an error no catcher names fails the execution
  it('fails the execution when no catcher matches', async () => {
    const run = await runAsl(
      catching([{ ErrorEquals: ['Other'], Next: 'CaughtA' }]),
      {},
      {
        tasks: { [LAMBDA]: failWith('E', 'why') },
      },
    );
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('E');
    expect(run.cause).toBe('why');
  });

  // ASL spec, "Fallback states": several names in one ErrorEquals
  it('matches any of the names in ErrorEquals', async () => {
    const run = await runAsl(
      catching([{ ErrorEquals: ['X', 'E', 'Y'], Next: 'CaughtA' }]),
      {},
      {
        tasks: { [LAMBDA]: failWith('E') },
      },
    );
    expect((run.output as { by: string }).by).toBe('A');
  });

  // recorded: tests/aws/.../v2/scenarios/test_base_scenarios.snapshot.json "test_catch_states_runtime"
  it('cannot catch States.Runtime raised by the state itself', async () => {
    const definition = {
      StartAt: 'RaiseRuntime',
      States: {
        RaiseRuntime: {
          Type: 'Task',
          Resource: LAMBDA,
          OutputPath: '$.no.such.result.path',
          Catch: [{ ErrorEquals: ['States.Runtime'], Next: 'CaughtRuntime' }],
          Next: 'Final',
        },
        CaughtRuntime: { Type: 'Pass', End: true },
        Final: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(definition, {}, { tasks: { [LAMBDA]: () => ({}) } });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Runtime');
    expect(run.cause).toBe(
      "An error occurred while executing the state 'RaiseRuntime' (entered at the event id #2). Invalid path '$.no.such.result.path' : Missing property in path $['no']",
    );
    expect(run.types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'ExecutionFailed',
    ]);
  });

  // recorded: tests/aws/.../v2/error_handling/test_task_service_lambda.snapshot.json "test_raise_exception_catch"
  it('records TaskFailed then TaskStateExited with the error output when caught', async () => {
    const definition = {
      StartAt: 'Start',
      States: {
        Start: {
          Type: 'Task',
          Resource: INVOKE,
          Parameters: { FunctionName: 'fn' },
          Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'EndWithStateTaskFailedHandler' }],
          End: true,
        },
        EndWithStateTaskFailedHandler: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(definition, {}, { tasks: { [INVOKE]: failWith('Exception', 'boom') } });
    expect(run.types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(detailsOf(run, 'TaskStateExited')).toMatchObject({
      name: 'Start',
      output: { Error: 'Exception', Cause: 'boom' },
    });
  });
});
