import { detailsOf, failWith, INVOKE, LAMBDA, runAsl, stateCause } from './support';

const jsonata = (States: Record<string, unknown>, StartAt = Object.keys(States)[0]) => ({
  QueryLanguage: 'JSONata',
  StartAt,
  States,
});

describe('JSONata', () => {
  // recorded: tests/aws/services/stepfunctions/v2/query_language/test_base_query_language.snapshot.json "test_base_query_language_field[JSONATA]"
  it('evaluates {% %} in Output with the top-level QueryLanguage', async () => {
    const run = await runAsl(
      jsonata({ S: { Type: 'Pass', Output: { sum: '{% $states.input.a + 1 %}', lit: 'x' }, End: true } }),
      {
        a: 1,
      },
    );
    expect(run.output).toEqual({ sum: 2, lit: 'x' });
  });

  // recorded: .../query_language/test_base_query_language.snapshot.json "test_query_language_field_override[JSONATA_OVERRIDE]"
  it('lets one state opt into JSONata in a JSONPath machine', async () => {
    const definition = {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Parameters: { 'v.$': '$.v' }, Next: 'B' },
        B: { Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% $states.input.v * 2 %}', End: true },
      },
    };
    expect((await runAsl(definition, { v: 4 })).output).toBe(8);
  });

  // recorded: .../outputdecl/test_output.snapshot.json "test_base_output_any_non_dict[...]"
  it.each([
    [null, null],
    [1, 1],
    ['string literal', 'string literal'],
    ['{% [1, 2] %}', [1, 2]],
    [[], []],
  ])('outputs a non-object Output %j', async (Output, expected) => {
    expect((await runAsl(jsonata({ S: { Type: 'Pass', Output, End: true } }), {})).output).toEqual(expected);
  });

  // recorded: .../arguments/test_arguments.snapshot.json "test_base_cases[BASE_LAMBDA_EXPRESSION]"
  it('evaluates Arguments for a Task and exposes the result as $states.result', async () => {
    const definition = jsonata({
      T: {
        Type: 'Task',
        Resource: INVOKE,
        Arguments: { FunctionName: 'fn', Payload: { in: '{% $states.input.x %}' } },
        Output: '{% $states.result.Payload %}',
        End: true,
      },
    });
    const run = await runAsl(
      definition,
      { x: 5 },
      {
        tasks: { [INVOKE]: (p) => ({ Payload: (p as { Payload: unknown }).Payload, StatusCode: 200 }) },
      },
    );
    expect(run.output).toEqual({ in: 5 });
    expect(detailsOf(run, 'TaskScheduled').parameters).toEqual({ FunctionName: 'fn', Payload: { in: 5 } });
  });

  // AWS developer guide, "Transforming data with JSONata": without Output a Task outputs its result
  it('outputs the task result when Output is absent', async () => {
    const run = await runAsl(
      jsonata({ T: { Type: 'Task', Resource: LAMBDA, Arguments: {}, End: true } }),
      { x: 1 },
      {
        tasks: { [LAMBDA]: () => ({ r: 1 }) },
      },
    );
    expect(run.output).toEqual({ r: 1 });
  });

  // recorded: .../assign/test_assign_reference_variables.snapshot.json "test_undefined_reference[BASE_UNDEFINED_OUTPUT]"
  it('fails with States.QueryEvaluationError and an EvaluationFailed event when Output is undefined', async () => {
    const run = await runAsl(
      jsonata({ State0: { Type: 'Pass', Output: '{% $doesNotExist %}', End: true } }),
      {},
    );
    expect(run.status).toBe('FAILED');
    const cause = stateCause(
      'State0',
      2,
      "The JSONata expression '$doesNotExist' specified for the field 'Output' returned nothing (undefined).",
    );
    expect(run.error).toBe('States.QueryEvaluationError');
    expect(run.cause).toBe(cause);
    expect(run.types).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'EvaluationFailed',
      'ExecutionFailed',
    ]);
    expect(detailsOf(run, 'EvaluationFailed')).toEqual({
      error: 'States.QueryEvaluationError',
      cause,
      location: 'Output',
      state: 'State0',
    });
  });

  // recorded: .../assign/test_assign_reference_variables.snapshot.json "test_undefined_reference[BASE_UNDEFINED_OUTPUT_FIELD]"
  it('names the nested field of an undefined Output expression', async () => {
    const run = await runAsl(
      jsonata({ State0: { Type: 'Pass', Output: { result: '{% $doesNotExist %}' }, End: true } }),
      {},
    );
    expect(run.cause).toBe(
      stateCause(
        'State0',
        2,
        "The JSONata expression '$doesNotExist' specified for the field 'Output/result' returned nothing (undefined).",
      ),
    );
  });

  // recorded: .../assign/test_assign_reference_variables.snapshot.json "test_undefined_reference[BASE_UNDEFINED_ARGUMENTS_FIELD]"
  it('fails before scheduling a task whose Arguments are undefined', async () => {
    const run = await runAsl(
      jsonata({
        State0: {
          Type: 'Task',
          Resource: INVOKE,
          Arguments: { FunctionName: '{% $doesNotExist %}' },
          End: true,
        },
      }),
      {},
      { tasks: { [INVOKE]: () => ({}) } },
    );
    expect(run.types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'EvaluationFailed',
      'ExecutionFailed',
    ]);
    expect(run.cause).toBe(
      stateCause(
        'State0',
        2,
        "The JSONata expression '$doesNotExist' specified for the field 'Arguments/FunctionName' returned nothing (undefined).",
      ),
    );
  });

  // recorded: .../assign/test_assign_reference_variables.snapshot.json "test_undefined_reference[BASE_UNDEFINED_ASSIGN]"
  it('names the Assign field of an undefined expression', async () => {
    const run = await runAsl(
      jsonata({ State0: { Type: 'Pass', Assign: { result: '{% $doesNotExist %}' }, End: true } }),
      {},
    );
    expect(run.error).toBe('States.QueryEvaluationError');
    expect(run.cause).toBe(
      stateCause(
        'State0',
        2,
        "The JSONata expression '$doesNotExist' specified for the field 'Assign/result' returned nothing (undefined).",
      ),
    );
  });

  // AWS developer guide, "Passing data between states with variables" (Assign and Output are evaluated together,
  // from the values before the state) and recorded: .../assign/test_assign_reference_variables.snapshot.json
  // "test_state_assign_evaluation_order[BASE_EVALUATION_ORDER_PASS_STATE]"
  it('evaluates every Assign expression against the values before the state', async () => {
    const definition = jsonata({
      A: { Type: 'Pass', Assign: { x: 1 }, Next: 'B' },
      B: { Type: 'Pass', Assign: { x: '{% $x + 1 %}', y: '{% $x %}' }, Output: { x: '{% $x %}' }, Next: 'C' },
      C: { Type: 'Pass', Output: { x: '{% $x %}', y: '{% $y %}', before: '{% $states.input %}' }, End: true },
    });
    const run = await runAsl(definition, {});
    expect(run.output).toEqual({ x: 2, y: 1, before: { x: 1 } });
  });

  // recorded: .../assign/test_assign_base.snapshot.json "test_base_cases[BASE_SCOPE_MAP]" (JSONata form)
  it('lets Map iterations read but not assign outer variables', async () => {
    const definition = jsonata({
      Init: { Type: 'Pass', Assign: { outer: 'o' }, Next: 'M' },
      M: {
        Type: 'Map',
        Items: [1, 2],
        ItemProcessor: {
          StartAt: 'Inner',
          States: {
            Inner: { Type: 'Pass', Output: { seen: '{% $outer %}', item: '{% $states.input %}' }, End: true },
          },
        },
        Next: 'After',
      },
      After: { Type: 'Pass', Output: { result: '{% $states.input %}', outer: '{% $outer %}' }, End: true },
    });
    const run = await runAsl(definition, {});
    expect(run.output).toEqual({
      result: [
        { seen: 'o', item: 1 },
        { seen: 'o', item: 2 },
      ],
      outer: 'o',
    });
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_map_state_items_input_array[mixed]" / "test_map_state_items_eval_jsonata[...]"
  it('iterates over an Items expression', async () => {
    const definition = jsonata({
      M: {
        Type: 'Map',
        Items: '{% $states.input.list %}',
        ItemSelector: {
          v: '{% $states.context.Map.Item.Value %}',
          i: '{% $states.context.Map.Item.Index %}',
        },
        ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
        End: true,
      },
    });
    const run = await runAsl(definition, { list: ['a', 'b'] });
    expect(run.output).toEqual([
      { v: 'a', i: 0 },
      { v: 'b', i: 1 },
    ]);
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_map_state_items_eval_jsonata_fail[number]"
  it('fails with States.QueryEvaluationError when Items is not an array', async () => {
    const definition = jsonata({
      MapIterateState: {
        Type: 'Map',
        Items: '{% 1 %}',
        ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
        End: true,
      },
    });
    const run = await runAsl(definition, {});
    expect(run.error).toBe('States.QueryEvaluationError');
    expect(run.cause).toBe(
      stateCause(
        'MapIterateState',
        2,
        "The JSONata expression '1' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'number' for value: 1",
      ),
    );
    expect(run.types).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      'EvaluationFailed',
      'MapStateFailed',
      'ExecutionFailed',
    ]);
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_map_state_items_input_types[number]"
  it('fails with States.QueryEvaluationError when the Map input is not an array', async () => {
    const definition = jsonata({
      MapIterateState: {
        Type: 'Map',
        ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
        End: true,
      },
    });
    const run = await runAsl(definition, 1);
    expect(run.error).toBe('States.QueryEvaluationError');
    expect(run.cause).toBe(stateCause('MapIterateState', 2, 'Map state input must be an array but was: 1'));
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_choice_aws_docs_scenario[CHOICE_STATE_AWS_SCENARIO_JSONATA]"
  it('branches on a Choice Condition', async () => {
    const definition = jsonata({
      C: {
        Type: 'Choice',
        Choices: [
          { Condition: "{% $states.input.type != 'Private' %}", Next: 'Public' },
          {
            Condition: '{% $states.input.value >= 20 and $states.input.value < 30 %}',
            Next: 'ValueInTwenties',
          },
        ],
        Default: 'DefaultState',
      },
      Public: { Type: 'Pass', End: true },
      ValueInTwenties: { Type: 'Pass', Output: 'twenties', End: true },
      DefaultState: { Type: 'Fail', Cause: 'No Matches!' },
    });
    expect((await runAsl(definition, { type: 'Private', value: 22 })).output).toBe('twenties');
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_choice_condition_constant_jsonata"
  it('accepts a constant boolean Condition', async () => {
    const definition = jsonata({
      C: { Type: 'Choice', Choices: [{ Condition: true, Next: 'Yes' }], Default: 'No' },
      Yes: { Type: 'Pass', End: true },
      No: { Type: 'Fail' },
    });
    expect((await runAsl(definition, {})).status).toBe('SUCCEEDED');
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_wait_seconds_jsonata"
  it('waits Seconds given by an expression', async () => {
    const run = await runAsl(
      jsonata({ WaitState: { Type: 'Wait', Seconds: '{% $states.input.waitSeconds %}', End: true } }),
      {
        waitSeconds: 0,
      },
    );
    expect(run.output).toEqual({ waitSeconds: 0 });
    expect(run.types).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'ExecutionSucceeded',
    ]);
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_wait_timestamp_jsonata[INVALID_DATE]"
  it('fails with States.QueryEvaluationError for an invalid Timestamp expression', async () => {
    const run = await runAsl(
      jsonata({ WaitState: { Type: 'Wait', Timestamp: '{% $states.input.TimestampValue %}', End: true } }),
      {
        TimestampValue: '2016-13-05T21:29:29Z',
      },
    );
    expect(run.error).toBe('States.QueryEvaluationError');
    expect(run.cause).toBe(
      stateCause(
        'WaitState',
        2,
        'The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: 2016-13-05T21:29:29Z',
      ),
    );
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_fail_error_jsonata" and "test_fail_cause_jsonata"
  it('evaluates Fail Error and Cause expressions', async () => {
    const error = await runAsl(jsonata({ FailState: { Type: 'Fail', Error: '{% $states.input.error %}' } }), {
      error: 'Exception',
    });
    expect(detailsOf(error, 'ExecutionFailed')).toEqual({ error: 'Exception' });
    const cause = await runAsl(jsonata({ FailState: { Type: 'Fail', Cause: '{% $states.input.cause %}' } }), {
      cause: 'This failed to due an Exception.',
    });
    expect(detailsOf(cause, 'ExecutionFailed')).toEqual({ cause: 'This failed to due an Exception.' });
  });

  // recorded: .../assign/test_assign_reference_variables.snapshot.json "test_assign_in_catch_state"
  it('assigns $states.errorOutput in a Catcher and outputs the error by default', async () => {
    const definition = jsonata({
      Task: {
        Type: 'Task',
        Assign: { result: 'SUCCESS' },
        Resource: INVOKE,
        Arguments: { FunctionName: '{% $states.input.input_value %}', Payload: { foo: 'oof' } },
        Catch: [
          { ErrorEquals: ['States.ALL'], Assign: { result: '{% $states.errorOutput %}' }, Next: 'fallback' },
        ],
        End: true,
      },
      fallback: {
        Type: 'Pass',
        Output: { output: '{% $states.input %}', result: '{% $result %}' },
        End: true,
      },
    });
    const run = await runAsl(
      definition,
      { input_value: 'fn' },
      { tasks: { [INVOKE]: failWith('Exception', 'boom') } },
    );
    expect(run.output).toEqual({
      output: { Error: 'Exception', Cause: 'boom' },
      result: { Error: 'Exception', Cause: 'boom' },
    });
    expect(detailsOf(run, 'TaskStateExited').assignedVariables).toEqual({
      result: { Error: 'Exception', Cause: 'boom' },
    });
  });

  // recorded: tests/aws/.../v2/states_variables snapshot "task_catch_error_output" template (Catch Output from $states.errorOutput)
  it('shapes a caught error with the Catcher Output', async () => {
    const definition = jsonata({
      Task: {
        Type: 'Task',
        Resource: LAMBDA,
        Catch: [
          {
            ErrorEquals: ['States.ALL'],
            Output: { e: '{% $states.errorOutput.Error %}', in: '{% $states.input %}' },
            Next: 'F',
          },
        ],
        End: true,
      },
      F: { Type: 'Pass', End: true },
    });
    const run = await runAsl(definition, { x: 1 }, { tasks: { [LAMBDA]: failWith('Boom', 'c') } });
    expect(run.output).toEqual({ e: 'Boom', in: { x: 1 } });
  });

  // AWS developer guide, "$states reserved variable": $states.context is the context object
  it('exposes the context object as $states.context', async () => {
    const run = await runAsl(
      jsonata({
        S: {
          Type: 'Pass',
          Output: {
            name: '{% $states.context.State.Name %}',
            input: '{% $states.context.Execution.Input %}',
          },
          End: true,
        },
      }),
      { a: 1 },
    );
    expect(run.output).toEqual({ name: 'S', input: { a: 1 } });
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_map_state_item_selector[MAP_STATE_ITEM_SELECTOR_JSONATA]"
  it('records assignedVariables as JSON text on the Exited event', async () => {
    const run = await runAsl(
      jsonata({ Start: { Type: 'Pass', Assign: { ItemsVar: ['Item1', 'Item2'] }, End: true } }),
      {},
    );
    expect(run.history[2]?.stateExitedEventDetails?.assignedVariables).toEqual({
      ItemsVar: '["Item1","Item2"]',
    });
    expect(run.output).toEqual({});
  });

  // AWS developer guide, "Passing data between states with variables": Parallel branches read outer variables;
  // what a branch assigns stays in the branch
  it('lets Parallel branches read outer variables and keeps branch variables inside', async () => {
    const definition = jsonata({
      Init: { Type: 'Pass', Assign: { v: 'outer' }, Next: 'P' },
      P: {
        Type: 'Parallel',
        Branches: [
          {
            StartAt: 'B',
            States: { B: { Type: 'Pass', Assign: { w: 'inner' }, Output: '{% $v %}', End: true } },
          },
        ],
        Next: 'After',
      },
      After: { Type: 'Pass', Output: { v: '{% $v %}', branches: '{% $states.input %}' }, End: true },
    });
    const run = await runAsl(definition, {});
    expect(run.output).toEqual({ v: 'outer', branches: ['outer'] });
  });
});
