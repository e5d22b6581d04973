import { detailsOf, runAsl, single, stateCause } from './support';

describe('Fail state', () => {
  // recorded: tests/aws/services/stepfunctions/v2/base/test_base.snapshot.json "test_state_fail"
  it('fails the execution with its Error and Cause', async () => {
    const run = await runAsl(
      single(
        { Type: 'Fail', Error: 'SomeFailure', Cause: "This state machines raises a 'SomeFailure' failure." },
        'FailState',
      ),
      {},
    );
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('SomeFailure');
    expect(run.cause).toBe("This state machines raises a 'SomeFailure' failure.");
    expect(run.types).toEqual(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
    expect(run.history.map((e) => e.previousEventId)).toEqual([0, 0, 2]);
    expect(detailsOf(run, 'FailStateEntered')).toMatchObject({ name: 'FailState', input: {} });
    expect(detailsOf(run, 'ExecutionFailed')).toEqual({
      error: 'SomeFailure',
      cause: "This state machines raises a 'SomeFailure' failure.",
    });
  });

  // recorded: .../v2/base/test_base.snapshot.json "test_state_fail_empty"
  it('records no error and no cause when it names none', async () => {
    const run = await runAsl(single({ Type: 'Fail' }, 'FailState'), {});
    expect(run.status).toBe('FAILED');
    expect(run.error).toBeUndefined();
    expect(run.cause).toBeUndefined();
    expect(detailsOf(run, 'ExecutionFailed')).toEqual({});
  });

  // recorded: .../v2/base/test_base.snapshot.json "test_state_fail_path"
  it('reads ErrorPath and CausePath from its input', async () => {
    const run = await runAsl(
      single({ Type: 'Fail', ErrorPath: '$.Error', CausePath: '$.Cause' }, 'FailState'),
      {
        Error: 'error string',
        Cause: 'cause string',
      },
    );
    expect(run.error).toBe('error string');
    expect(run.cause).toBe('cause string');
  });

  // recorded: .../v2/base/test_base.snapshot.json "test_state_fail_intrinsic"
  it('evaluates intrinsic functions in ErrorPath and CausePath', async () => {
    const run = await runAsl(
      single(
        {
          Type: 'Fail',
          ErrorPath: "States.Format('{}', $.Error)",
          CausePath:
            "States.Format('This is a custom error message for {}, caused by {}.', $.Error, $.Cause)",
        },
        'FailState',
      ),
      { Error: 'error string', Cause: 'cause string' },
    );
    expect(run.error).toBe('error string');
    expect(run.cause).toBe('This is a custom error message for error string, caused by cause string.');
  });

  // recorded: .../v2/context_object/test_context_object.snapshot.json "test_error_cause_path"
  it('reads ErrorPath and CausePath from the context object', async () => {
    const run = await runAsl(
      single({ Type: 'Fail', ErrorPath: '$$.State.Name', CausePath: '$$.StateMachine.Name' }, 'StartState'),
      {},
    );
    expect(run.error).toBe('StartState');
    expect(typeof run.cause).toBe('string');
    expect(run.cause?.length).toBeGreaterThan(0);
  });

  // recorded: .../v2/scenarios/test_base_scenarios.snapshot.json "test_invalid_jsonpath[INVALID_JSONPATH_IN_ERRORPATH]"
  it('fails with States.Runtime when ErrorPath is not in the input', async () => {
    const definition = {
      StartAt: 'pass',
      States: {
        pass: { Type: 'Pass', Next: 'fail', Parameters: { Error: 'error-value' } },
        fail: { Type: 'Fail', ErrorPath: '$.ErrorX' },
      },
    };
    const run = await runAsl(definition, { 'int-literal': 0 });
    expect(run.error).toBe('States.Runtime');
    expect(run.cause).toBe(
      stateCause(
        'fail',
        4,
        `The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input '{"Error":"error-value"}'`,
      ),
    );
    expect(run.types).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'FailStateEntered',
      'ExecutionFailed',
    ]);
  });

  // recorded: .../v2/scenarios/test_base_scenarios.snapshot.json "test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_CAUSEPATH]"
  it('fails with States.Runtime when CausePath is not in the input', async () => {
    const definition = {
      StartAt: 'pass',
      States: {
        pass: { Type: 'Pass', Next: 'fail', Parameters: { Error: 'error-value' } },
        fail: { Type: 'Fail', ErrorPath: '$.Error', CausePath: '$.NoSuchCausePath' },
      },
    };
    const run = await runAsl(definition, {});
    expect(run.error).toBe('States.Runtime');
    expect(run.cause).toContain(
      "The JSONPath '$.NoSuchCausePath' specified for the field 'CausePath' could not be found in the input",
    );
    expect(run.cause).toMatch(
      /^An error occurred while executing the state 'fail' \(entered at the event id #4\)\. /,
    );
  });

  // recorded: .../v2/scenarios/test_base_scenarios.snapshot.json "test_map_state_break_condition" (a Fail inside a Map fails the execution)
  it('ends the execution from inside a Map iteration', async () => {
    const definition = single(
      {
        Type: 'Map',
        MaxConcurrency: 1,
        ItemProcessor: {
          StartAt: 'Equals3',
          States: {
            Equals3: {
              Type: 'Choice',
              Choices: [{ Variable: '$', NumericEquals: 3, Next: 'Break' }],
              Default: 'Pass',
            },
            Pass: { Type: 'Pass', End: true },
            Break: {
              Type: 'Fail',
              Error: 'SomeFailure',
              Cause: "This state machines raises a 'SomeFailure' failure.",
            },
          },
        },
      },
      'MapState',
    );
    const run = await runAsl(definition, [1, 3, 5]);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('SomeFailure');
    expect(run.types.slice(-4)).toEqual([
      'FailStateEntered',
      'MapIterationFailed',
      'MapStateFailed',
      'ExecutionFailed',
    ]);
    expect(run.types).not.toContain('MapStateExited');
    expect(detailsOf(run, 'MapIterationFailed')).toEqual({ index: 1, name: 'MapState' });
  });
});

describe('Succeed state', () => {
  // ASL spec, "Succeed State": ends the execution successfully with its input as output
  it('ends the execution with its input', async () => {
    const run = await runAsl(single({ Type: 'Succeed' }, 'Done'), { a: 1 });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ a: 1 });
    expect(run.types).toEqual([
      'ExecutionStarted',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(detailsOf(run, 'SucceedStateExited')).toMatchObject({ name: 'Done', output: { a: 1 } });
  });

  // ASL spec, "Succeed State": InputPath and OutputPath apply
  it('applies InputPath and OutputPath', async () => {
    const run = await runAsl(single({ Type: 'Succeed', InputPath: '$.a', OutputPath: '$.b' }), {
      a: { b: [1] },
    });
    expect(run.output).toEqual([1]);
  });

  // ASL spec, "Succeed State": a useful target of a Choice that ends the execution early
  it('stops the execution after a Choice, skipping later states', async () => {
    const definition = {
      StartAt: 'Check',
      States: {
        Check: {
          Type: 'Choice',
          Choices: [{ Variable: '$.stop', BooleanEquals: true, Next: 'Stop' }],
          Default: 'Work',
        },
        Stop: { Type: 'Succeed' },
        Work: { Type: 'Pass', Result: 'worked', End: true },
      },
    };
    const run = await runAsl(definition, { stop: true });
    expect(run.output).toEqual({ stop: true });
    expect(run.types).toEqual([
      'ExecutionStarted',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
  });
});
