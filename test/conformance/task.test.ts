import { detailsOf, echo, failWith, INVOKE, LAMBDA, runAsl, single } from './support';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

describe('Task state with a Lambda function ARN', () => {
  // recorded: tests/aws/services/stepfunctions/v2/services/test_lambda_task.snapshot.json "test_invoke_pipe"
  it('records LambdaFunctionScheduled/Started/Succeeded with the input and output', async () => {
    const definition = {
      StartAt: 'step1',
      States: {
        step1: { Type: 'Task', Resource: LAMBDA, Next: 'step2' },
        step2: { Type: 'Task', Resource: LAMBDA, ResultPath: '$.Return', End: true },
      },
    };
    const run = await runAsl(definition, {}, { tasks: { [LAMBDA]: () => ({ Return: 'HelloWorld' }) } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(run.history.map((e) => e.previousEventId)).toEqual([0, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(detailsOf(run, 'LambdaFunctionScheduled', 0)).toMatchObject({ input: {}, resource: LAMBDA });
    expect(detailsOf(run, 'LambdaFunctionScheduled', 1)).toMatchObject({ input: { Return: 'HelloWorld' } });
    expect(detailsOf(run, 'LambdaFunctionSucceeded', 0)).toMatchObject({ output: { Return: 'HelloWorld' } });
    expect(Object.keys(run.history[3] ?? {}).some((key) => key.endsWith('EventDetails'))).toBe(false);
    expect(run.output).toEqual({ Return: { Return: 'HelloWorld' } });
  });

  // recorded: tests/aws/.../v2/services/test_lambda_task.snapshot.json "test_invoke_json_values[HelloWorld]" / "[None]"
  it.each([['HelloWorld'], [null], [1.5], [[1, 'a']]])('passes the JSON value %j through', async (value) => {
    const run = await runAsl(single({ Type: 'Task', Resource: LAMBDA }, 'step1'), value, {
      tasks: { [LAMBDA]: echo },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual(value);
    expect(detailsOf(run, 'LambdaFunctionScheduled').input).toEqual(value);
  });

  // recorded: tests/aws/.../v2/error_handling/test_task_lambda.snapshot.json "test_raise_exception"
  it('fails the execution with the function error and cause when nothing catches it', async () => {
    const run = await runAsl(
      single({ Type: 'Task', Resource: LAMBDA }, 'InvokeLambda'),
      {},
      {
        tasks: { [LAMBDA]: failWith('Exception', 'Some exception was raised.') },
      },
    );
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('Exception');
    expect(run.cause).toBe('Some exception was raised.');
    expect(run.types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'ExecutionFailed',
    ]);
    expect(detailsOf(run, 'LambdaFunctionFailed')).toEqual({
      error: 'Exception',
      cause: 'Some exception was raised.',
    });
    expect(detailsOf(run, 'ExecutionFailed')).toEqual({
      error: 'Exception',
      cause: 'Some exception was raised.',
    });
  });

  // recorded: tests/aws/.../v2/error_handling/test_task_lambda.snapshot.json "test_raise_custom_exception"
  it('exits the state with {Error, Cause} when a Catch matches', async () => {
    const definition = {
      StartAt: 'InvokeLambda',
      States: {
        InvokeLambda: {
          Type: 'Task',
          Resource: LAMBDA,
          Catch: [{ ErrorEquals: ['CustomException'], Next: 'ErrorMatched' }],
          Next: 'Final',
        },
        ErrorMatched: { Type: 'Pass', End: true },
        Final: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(definition, {}, { tasks: { [LAMBDA]: failWith('CustomException', 'boom') } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ Error: 'CustomException', Cause: 'boom' });
    expect(run.types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(detailsOf(run, 'TaskStateExited')).toMatchObject({
      name: 'InvokeLambda',
      output: { Error: 'CustomException', Cause: 'boom' },
    });
    expect(detailsOf(run, 'PassStateEntered').name).toBe('ErrorMatched');
  });

  // recorded: tests/aws/.../v2/timeouts/test_timeouts.snapshot.json "test_fixed_timeout_lambda"
  it('times out with LambdaFunctionTimedOut and States.Timeout', async () => {
    const run = await runAsl(
      single({ Type: 'Task', Resource: LAMBDA, TimeoutSeconds: 5 }, 'Start'),
      {},
      {
        tasks: { [LAMBDA]: () => new Promise(() => {}) },
      },
    );
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Timeout');
    expect(run.types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionTimedOut',
      'ExecutionFailed',
    ]);
    expect(detailsOf(run, 'LambdaFunctionTimedOut')).toEqual({ error: 'States.Timeout' });
    expect(detailsOf(run, 'ExecutionFailed')).toEqual({ error: 'States.Timeout' });
  });
});

describe('Task state with the lambda:invoke integration', () => {
  const invoke = {
    [INVOKE]: (p: unknown) => ({ Payload: (p as { Payload: unknown }).Payload, StatusCode: 200 }),
  };

  // recorded: tests/aws/.../v2/services/test_lambda_task_service.snapshot.json "test_invoke"
  it('records TaskScheduled/Started/Succeeded with resourceType lambda and resource invoke', async () => {
    const definition = {
      StartAt: 'Start',
      States: {
        Start: {
          Type: 'Task',
          Resource: INVOKE,
          Parameters: { 'FunctionName.$': '$.FunctionName', 'Payload.$': '$.Payload' },
          Next: 'EndWithFinal',
        },
        EndWithFinal: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(definition, { FunctionName: 'fn', Payload: { a: 1 } }, { tasks: invoke });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    const scheduled = detailsOf(run, 'TaskScheduled');
    expect(scheduled).toMatchObject({
      parameters: { FunctionName: 'fn', Payload: { a: 1 } },
      resource: 'invoke',
      resourceType: 'lambda',
    });
    expect(scheduled.region).toMatch(REGION);
    expect(scheduled.timeoutInSeconds).toBeUndefined();
    expect(detailsOf(run, 'TaskStarted')).toEqual({ resource: 'invoke', resourceType: 'lambda' });
    expect(detailsOf(run, 'TaskSucceeded')).toEqual({
      resource: 'invoke',
      resourceType: 'lambda',
      output: { Payload: { a: 1 }, StatusCode: 200 },
      outputDetails: { truncated: false },
    });
    expect(run.output).toEqual({ Payload: { a: 1 }, StatusCode: 200 });
  });

  // recorded: tests/aws/.../v2/error_handling/test_task_service_lambda.snapshot.json "test_raise_exception"
  it('records TaskFailed with resource details and fails the execution', async () => {
    const run = await runAsl(
      single(
        { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: 'fn', Payload: null } },
        'InvokeLambda',
      ),
      {},
      { tasks: { [INVOKE]: failWith('Exception', 'Some exception was raised.') } },
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
    expect(detailsOf(run, 'TaskFailed')).toEqual({
      error: 'Exception',
      cause: 'Some exception was raised.',
      resource: 'invoke',
      resourceType: 'lambda',
    });
    expect(detailsOf(run, 'ExecutionFailed')).toEqual({
      error: 'Exception',
      cause: 'Some exception was raised.',
    });
  });

  // recorded: tests/aws/.../v2/error_handling/test_task_service_lambda.snapshot.json "test_raise_exception_catch_output_path[$.no.such.path]"
  it('does not apply OutputPath to a caught error', async () => {
    const definition = {
      StartAt: 'InvokeLambda',
      States: {
        InvokeLambda: {
          Type: 'Task',
          Resource: INVOKE,
          Parameters: { FunctionName: 'fn' },
          OutputPath: '$.no.such.path',
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.InputValue', Next: 'HandleGeneralError' }],
          End: true,
        },
        HandleGeneralError: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(definition, {}, { tasks: { [INVOKE]: failWith('Exception', 'x') } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ InputValue: { Error: 'Exception', Cause: 'x' } });
  });

  // recorded: tests/aws/.../v2/timeouts/test_timeouts.snapshot.json "test_fixed_timeout_service_lambda"
  it('times out with TaskTimedOut after TimeoutSeconds and records timeoutInSeconds', async () => {
    const run = await runAsl(
      single(
        { Type: 'Task', Resource: INVOKE, TimeoutSeconds: 5, Parameters: { FunctionName: 'fn' } },
        'Start',
      ),
      {},
      { tasks: { [INVOKE]: () => new Promise(() => {}) } },
    );
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Timeout');
    expect(run.types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskTimedOut',
      'ExecutionFailed',
    ]);
    expect(detailsOf(run, 'TaskScheduled').timeoutInSeconds).toBe(5);
    expect(detailsOf(run, 'TaskTimedOut')).toEqual({
      error: 'States.Timeout',
      resource: 'invoke',
      resourceType: 'lambda',
    });
    expect(detailsOf(run, 'ExecutionFailed')).toEqual({ error: 'States.Timeout' });
  });

  // recorded: tests/aws/.../v2/timeouts/test_timeouts.snapshot.json "test_fixed_timeout_service_lambda_with_path"
  it('reads TimeoutSecondsPath from the input', async () => {
    const run = await runAsl(
      single(
        {
          Type: 'Task',
          Resource: INVOKE,
          TimeoutSecondsPath: '$.TimeoutSecondsValue',
          Parameters: { FunctionName: 'fn' },
        },
        'Start',
      ),
      { TimeoutSecondsValue: 5 },
      { tasks: { [INVOKE]: () => new Promise(() => {}) } },
    );
    expect(run.error).toBe('States.Timeout');
    expect(detailsOf(run, 'TaskScheduled').timeoutInSeconds).toBe(5);
  });

  // ASL spec, "Task State": States.Timeout can be caught like any other error
  it('lets a Catch on States.Timeout recover a timed-out task', async () => {
    const definition = {
      StartAt: 'Start',
      States: {
        Start: {
          Type: 'Task',
          Resource: INVOKE,
          TimeoutSeconds: 1,
          Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Recovered' }],
          End: true,
        },
        Recovered: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(definition, {}, { tasks: { [INVOKE]: () => new Promise(() => {}) } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.types).toContain('TaskTimedOut');
    expect((run.output as { Error: string }).Error).toBe('States.Timeout');
  });
});

describe('Task input and output processing', () => {
  // ASL spec, "Parameters": the handler receives the evaluated Parameters
  it('sends the evaluated Parameters to the resource', async () => {
    const seen: unknown[] = [];
    const run = await runAsl(
      single({ Type: 'Task', Resource: LAMBDA, InputPath: '$.in', Parameters: { 'v.$': '$.x', k: 'c' } }),
      { in: { x: 3 } },
      {
        tasks: {
          [LAMBDA]: (p) => {
            seen.push(p);
            return 'done';
          },
        },
      },
    );
    expect(seen).toEqual([{ v: 3, k: 'c' }]);
    expect(detailsOf(run, 'LambdaFunctionScheduled').input).toEqual({ v: 3, k: 'c' });
    expect(run.output).toBe('done');
  });

  // recorded: tests/aws/.../v2/context_object/test_context_object.snapshot.json "test_result_selector"
  it('shapes the result with ResultSelector before ResultPath', async () => {
    const state = {
      Type: 'Task',
      Resource: INVOKE,
      Parameters: { FunctionName: 'fn', 'Payload.$': '$' },
      ResultSelector: { 'LambdaOutput.$': '$.Payload', 'ContextObjectValue.$': '$$.Execution.Input' },
      ResultPath: '$.selected',
    };
    const run = await runAsl(
      single(state),
      { 'input-value': 0 },
      {
        tasks: { [INVOKE]: (p) => ({ Payload: (p as { Payload: unknown }).Payload, StatusCode: 200 }) },
      },
    );
    expect(run.output).toEqual({
      'input-value': 0,
      selected: { LambdaOutput: { 'input-value': 0 }, ContextObjectValue: { 'input-value': 0 } },
    });
    // the Succeeded event records the raw result, the Exited event the processed output
    expect(detailsOf(run, 'TaskSucceeded').output).toEqual({
      Payload: { 'input-value': 0 },
      StatusCode: 200,
    });
    expect(detailsOf(run, 'TaskStateExited').output).toEqual(run.output);
  });

  // ASL spec, "ResultPath": the task result is merged into the input
  it('merges the result into the input with ResultPath', async () => {
    const run = await runAsl(
      single({ Type: 'Task', Resource: LAMBDA, ResultPath: '$.taskresult' }),
      { x: 1 },
      {
        tasks: { [LAMBDA]: () => ({ ok: true }) },
      },
    );
    expect(run.output).toEqual({ x: 1, taskresult: { ok: true } });
  });

  // ASL spec, "OutputPath" after ResultPath
  it('applies OutputPath after ResultPath', async () => {
    const run = await runAsl(
      single({ Type: 'Task', Resource: LAMBDA, ResultPath: '$.r', OutputPath: '$.r.value' }),
      { x: 1 },
      { tasks: { [LAMBDA]: () => ({ value: [1, 2] }) } },
    );
    expect(run.output).toEqual([1, 2]);
  });

  // ASL spec, "ResultPath": null keeps the input
  it('keeps the input with ResultPath null', async () => {
    const run = await runAsl(
      single({ Type: 'Task', Resource: LAMBDA, ResultPath: null }),
      { x: 1 },
      {
        tasks: { [LAMBDA]: () => 'ignored' },
      },
    );
    expect(run.output).toEqual({ x: 1 });
    expect(detailsOf(run, 'LambdaFunctionSucceeded').output).toBe('ignored');
  });

  // recorded: tests/aws/.../v2/scenarios/test_base_scenarios.snapshot.json "test_catch_empty"
  it('runs normally with an empty Catch list', async () => {
    const definition = {
      StartAt: 'StartTask',
      States: {
        StartTask: { Type: 'Task', Resource: LAMBDA, Catch: [], Next: 'Final' },
        Final: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(definition, {}, { tasks: { [LAMBDA]: () => ({}) } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });
});
