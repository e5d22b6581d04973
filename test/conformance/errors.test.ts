import { detailsOf, INVOKE, LAMBDA, runAsl, single, stateCause } from './support';

describe('States.Runtime', () => {
  // recorded: tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json "test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_INPUTPATH]"
  it('fails the execution when InputPath selects nothing', async () => {
    const run = await runAsl(single({ Type: 'Pass', InputPath: '$.NoSuchInputPath' }, 'pass'), {
      'int-literal': 0,
    });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Runtime');
    expect(run.cause).toBe(
      stateCause('pass', 2, "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"),
    );
    expect(run.types).toEqual(['ExecutionStarted', 'PassStateEntered', 'ExecutionFailed']);
    expect(detailsOf(run, 'ExecutionFailed')).toEqual({ error: 'States.Runtime', cause: run.cause });
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_OUTPUTPATH]"
  it('fails the execution when OutputPath selects nothing', async () => {
    const run = await runAsl(single({ Type: 'Pass', OutputPath: '$.NoSuchOutputPath' }, 'pass'), {
      'int-literal': 0,
    });
    expect(run.error).toBe('States.Runtime');
    expect(run.cause).toBe(
      stateCause('pass', 2, "Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']"),
    );
    expect(run.types).toEqual(['ExecutionStarted', 'PassStateEntered', 'ExecutionFailed']);
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH]"
  // (AWS records States.Runtime here, not the spec's States.ParameterPathFailure)
  it('fails with States.Runtime, not ParameterPathFailure, when a Parameters path selects nothing', async () => {
    const run = await runAsl(
      single({ Type: 'Pass', Parameters: { 'value.$': '$.no_such_jsonpath' } }, 'pass'),
      {
        'int-literal': 0,
      },
    );
    expect(run.error).toBe('States.Runtime');
    expect(run.cause).toBe(
      stateCause(
        'pass',
        2,
        `The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{"int-literal":0}'`,
      ),
    );
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_CONTEXTPATH]"
  it('fails with States.Runtime when a Parameters context path selects nothing', async () => {
    const run = await runAsl(
      single({ Type: 'Pass', Parameters: { 'value.$': '$$.Execution.Input.no_such_jsonpath' } }, 'pass'),
      { 'int-literal': 0 },
    );
    expect(run.error).toBe('States.Runtime');
    expect(run.cause).toContain(
      "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$' could not be found in the input",
    );
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_TIMEOUTSECONDSPATH]"
  it('fails before scheduling when TimeoutSecondsPath selects nothing', async () => {
    const run = await runAsl(
      single({ Type: 'Task', Resource: LAMBDA, TimeoutSecondsPath: '$.NoSuchTimeoutSecondsPath' }, 'task'),
      {},
      { tasks: { [LAMBDA]: () => ({}) } },
    );
    expect(run.error).toBe('States.Runtime');
    expect(run.cause).toBe(
      stateCause(
        'task',
        2,
        "Invalid path '$.NoSuchTimeoutSecondsPath' : No results for path: $['NoSuchTimeoutSecondsPath']",
      ),
    );
    expect(run.types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'ExecutionFailed']);
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_catch_states_runtime" (a Catch on States.ALL does not catch it either)
  it('is not caught by States.ALL', async () => {
    const definition = {
      StartAt: 'pass',
      States: {
        pass: {
          Type: 'Task',
          Resource: LAMBDA,
          OutputPath: '$.missing',
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(definition, {}, { tasks: { [LAMBDA]: () => ({}) } });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Runtime');
  });
});

describe('other predefined errors', () => {
  // ASL spec, "Errors": States.ResultPathMatchFailure when ResultPath cannot be applied to the input
  it('raises States.ResultPathMatchFailure when ResultPath cannot be applied to a non-object input', async () => {
    const run = await runAsl(single({ Type: 'Task', Resource: LAMBDA, ResultPath: '$.result' }), 'a string', {
      tasks: { [LAMBDA]: () => 1 },
    });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.ResultPathMatchFailure');
  });

  // ASL spec, "Errors": States.ResultPathMatchFailure is a task failure a Catch can handle
  it('lets a Catch handle States.ResultPathMatchFailure', async () => {
    const definition = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: LAMBDA,
          ResultPath: '$.result',
          Catch: [{ ErrorEquals: ['States.ResultPathMatchFailure'], ResultPath: null, Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', Result: 'caught', End: true },
      },
    };
    const run = await runAsl(definition, [1, 2], { tasks: { [LAMBDA]: () => 1 } });
    expect(run.output).toBe('caught');
  });

  // AWS developer guide, "Intrinsic functions" / "Error names": States.IntrinsicFailure when an intrinsic cannot run
  it('raises States.IntrinsicFailure for an out-of-range ArrayGetItem index', async () => {
    const run = await runAsl(single({ Type: 'Pass', Parameters: { 'v.$': 'States.ArrayGetItem($.a, 5)' } }), {
      a: [1],
    });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.IntrinsicFailure');
  });

  // recorded: tests/aws/.../v2/error_handling/test_states_errors.snapshot.json "test_start_large_input"
  it('fails with States.DataLimitExceeded when a state output exceeds 256 KiB', async () => {
    const big = 'a'.repeat(257 * 1024);
    const run = await runAsl(single({ Type: 'Pass', Result: { Arg1: big } }, 'State_1'), {});
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.DataLimitExceeded');
    expect(run.cause).toBe(
      "The state/task 'State_1' returned a result with a size exceeding the maximum number of bytes service limit.",
    );
    expect(run.types).toEqual(['ExecutionStarted', 'PassStateEntered', 'ExecutionFailed']);
  });

  // recorded: .../v2/error_handling/test_states_errors.snapshot.json "test_service_task_lambada_data_limit_exceeded_on_large_utf8_response"
  it('fails a lambda:invoke task whose result exceeds 256 KiB, catchable by name', async () => {
    const definition = {
      StartAt: 'InvokeLambda',
      States: {
        InvokeLambda: {
          Type: 'Task',
          Resource: INVOKE,
          Parameters: { 'FunctionName.$': '$.FunctionName', 'Payload.$': '$.Payload' },
          Catch: [
            { ErrorEquals: ['States.DataLimitExceeded'], Next: 'HandleDataLimitExceeded' },
            { ErrorEquals: ['States.ALL'], Next: 'HandleGeneralError' },
          ],
          Next: 'ProcessResult',
        },
        ProcessResult: { Type: 'Pass', End: true },
        HandleDataLimitExceeded: { Type: 'Pass', End: true },
        HandleGeneralError: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(
      definition,
      { FunctionName: 'fn', Payload: null },
      {
        tasks: { [INVOKE]: () => ({ Payload: '⚡'.repeat(100 * 1024), StatusCode: 200 }) },
      },
    );
    const cause =
      "The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit.";
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ Error: 'States.DataLimitExceeded', Cause: cause });
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
    expect(detailsOf(run, 'TaskFailed')).toEqual({
      error: 'States.DataLimitExceeded',
      cause,
      resource: 'invoke',
      resourceType: 'lambda',
    });
    expect(detailsOf(run, 'PassStateEntered').name).toBe('HandleDataLimitExceeded');
  });

  // recorded: .../v2/error_handling/test_states_errors.snapshot.json "test_task_lambda_data_limit_exceeded_on_large_utf8_response"
  it('names the function ARN in the DataLimitExceeded cause of a Lambda ARN task', async () => {
    const definition = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: LAMBDA,
          Catch: [{ ErrorEquals: ['States.DataLimitExceeded'], Next: 'Handle' }],
          End: true,
        },
        Handle: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(definition, {}, { tasks: { [LAMBDA]: () => 'x'.repeat(257 * 1024) } });
    expect(detailsOf(run, 'LambdaFunctionFailed')).toEqual({
      error: 'States.DataLimitExceeded',
      cause: `The state/task '${LAMBDA}' returned a result with a size exceeding the maximum number of bytes service limit.`,
    });
    expect(run.types).toContain('TaskStateExited');
  });

  // AWS developer guide, "Step Functions service quotas": an execution history holds at most 25,000 events
  it('fails an execution that would exceed 25,000 history events', async () => {
    const definition = {
      StartAt: 'Loop',
      States: {
        Loop: { Type: 'Pass', Next: 'Again' },
        Again: {
          Type: 'Choice',
          Choices: [{ Variable: '$.stop', IsPresent: true, Next: 'Done' }],
          Default: 'Loop',
        },
        Done: { Type: 'Succeed' },
      },
    };
    const run = await runAsl(definition, {});
    expect(run.status).toBe('FAILED');
    expect(run.history.length).toBeLessThanOrEqual(25000);
    expect(run.history.length).toBeGreaterThan(24990);
    expect(run.types.at(-1)).toBe('ExecutionFailed');
  }, 120000);
});

describe('ExecutionFailed', () => {
  // recorded: .../v2/base/test_base.snapshot.json "test_state_fail" (ExecutionFailed points at the last event)
  it('follows the failing state event and carries error and cause', async () => {
    const definition = {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Next: 'B' },
        B: { Type: 'Fail', Error: 'E', Cause: 'C' },
      },
    };
    const run = await runAsl(definition, {});
    const last = run.history.at(-1);
    expect(last?.type).toBe('ExecutionFailed');
    expect(last?.id).toBe(5);
    expect(last?.previousEventId).toBe(4);
    expect(last?.executionFailedEventDetails).toEqual({ error: 'E', cause: 'C' });
  });
});
