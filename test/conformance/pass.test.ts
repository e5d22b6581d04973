import { details, detailsOf, runAsl, single } from './support';

describe('Pass state', () => {
  // recorded: tests/aws/services/stepfunctions/v2/base/test_base.snapshot.json "test_state_pass_result"
  it('replaces its input with Result', async () => {
    const run = await runAsl(single({ Type: 'Pass', Result: { Arg1: 'argument1' } }, 'State_1'), {});
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ Arg1: 'argument1' });
    expect(run.types).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(run.history.map((e) => [e.id, e.previousEventId])).toEqual([
      [1, 0],
      [2, 0],
      [3, 2],
      [4, 3],
    ]);
    expect(detailsOf(run, 'PassStateEntered')).toMatchObject({ name: 'State_1', input: {} });
    expect(detailsOf(run, 'PassStateExited')).toMatchObject({
      name: 'State_1',
      output: { Arg1: 'argument1' },
    });
    expect(detailsOf(run, 'ExecutionSucceeded')).toMatchObject({ output: { Arg1: 'argument1' } });
  });

  // recorded: tests/aws/.../v2/base/test_base.snapshot.json "test_decl_version_1_0"
  it('passes its input through when it has no Result', async () => {
    const run = await runAsl(single({ Type: 'Pass' }, 'State_1'), { a: [1, 2] });
    expect(run.output).toEqual({ a: [1, 2] });
    expect(detailsOf(run, 'ExecutionStarted')).toMatchObject({ input: { a: [1, 2] } });
  });

  // recorded: tests/aws/.../v2/base/test_base.snapshot.json "test_state_pass_result_jsonpaths"
  it('does not evaluate ".$" keys inside Result', async () => {
    const run = await runAsl(
      single({ Type: 'Pass', Result: { 'unsupported1.$': '$.jsonpath', 'unsupported2.$': '$$' } }),
      {},
    );
    expect(run.output).toEqual({ 'unsupported1.$': '$.jsonpath', 'unsupported2.$': '$$' });
  });

  // recorded: tests/aws/.../v2/base/test_base.snapshot.json "test_state_pass_result_null_input_output_paths"
  it('treats InputPath null as {} and OutputPath null as {}', async () => {
    const definition = {
      StartAt: 'State0',
      States: {
        State0: { Type: 'Pass', Parameters: { Arg1: 'argument1', 'FromInput.$': '$' }, Next: 'State1' },
        State1: {
          Type: 'Pass',
          InputPath: null,
          Parameters: { Arg2: 'argument2', 'FromInput.$': '$' },
          Next: 'State2',
        },
        State2: { Type: 'Pass', OutputPath: null, End: true },
      },
    };
    const run = await runAsl(definition, { InputValue: 0 });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({});
    expect(detailsOf(run, 'PassStateExited', 0).output).toEqual({
      Arg1: 'argument1',
      FromInput: { InputValue: 0 },
    });
    expect(detailsOf(run, 'PassStateExited', 1).output).toEqual({ Arg2: 'argument2', FromInput: {} });
    expect(run.types).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'PassStateEntered',
      'PassStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });

  // ASL spec, "ResultPath": "If the value of ResultPath is null, that means that the state's result is discarded"
  it('discards its result when ResultPath is null', async () => {
    const run = await runAsl(single({ Type: 'Pass', Result: 'ignored', ResultPath: null }), { keep: true });
    expect(run.output).toEqual({ keep: true });
  });

  // ASL spec, "ResultPath" example: "ResultPath": "$.master.detail" creates the missing objects
  it('writes its result into a nested ResultPath, creating missing objects', async () => {
    const run = await runAsl(single({ Type: 'Pass', Result: 'Hello', ResultPath: '$.master.detail' }), {
      master: { other: 1 },
      top: true,
    });
    expect(run.output).toEqual({ master: { other: 1, detail: 'Hello' }, top: true });
  });

  // ASL spec, "ResultPath": a ResultPath whose path does not exist yet is created
  it('creates a ResultPath whose parents are missing', async () => {
    const run = await runAsl(single({ Type: 'Pass', Result: 1, ResultPath: '$.a.b.c' }), {});
    expect(run.output).toEqual({ a: { b: { c: 1 } } });
  });

  // ASL spec, "ResultPath": "$" (the default) replaces the whole input
  it('replaces the input with ResultPath "$"', async () => {
    const run = await runAsl(single({ Type: 'Pass', Result: { r: 1 }, ResultPath: '$' }), { in: 1 });
    expect(run.output).toEqual({ r: 1 });
  });

  // ASL spec, "InputPath, Parameters and ResultSelector": InputPath selects part of the input
  it('selects its effective input with InputPath', async () => {
    const run = await runAsl(single({ Type: 'Pass', InputPath: '$.inner' }), { inner: { x: 1 }, other: 2 });
    expect(run.output).toEqual({ x: 1 });
    expect(detailsOf(run, 'PassStateEntered').input).toEqual({ inner: { x: 1 }, other: 2 });
  });

  // ASL spec, "OutputPath": selects part of the state output
  it('selects its output with OutputPath', async () => {
    const run = await runAsl(
      single({ Type: 'Pass', Result: { a: { b: 2 } }, ResultPath: '$.r', OutputPath: '$.r.a' }),
      {
        x: 1,
      },
    );
    expect(run.output).toEqual({ b: 2 });
  });

  // ASL spec, "Using Paths": InputPath, Parameters, ResultPath and OutputPath applied in that order
  it('applies InputPath, Parameters, ResultPath and OutputPath in order', async () => {
    const state = {
      Type: 'Pass',
      InputPath: '$.data',
      Parameters: { 'doubled.$': '$.value', fixed: 'yes' },
      ResultPath: '$.result',
      OutputPath: '$.result',
    };
    const run = await runAsl(single(state), { data: { value: 7 }, other: 'dropped' });
    expect(run.output).toEqual({ doubled: 7, fixed: 'yes' });
  });

  // recorded: tests/aws/.../v2/base/test_base.snapshot.json "test_state_pass_regex_json_path_base"
  it('evaluates a JSONPath filter expression in Parameters', async () => {
    const run = await runAsl(
      single({ Type: 'Pass', Parameters: { 'FromInput.$': '$.users[?(@.status == 0)]' } }),
      {
        users: [
          { year: 1997, status: 0 },
          { year: 1998, status: 1 },
        ],
      },
    );
    expect(run.output).toEqual({ FromInput: [{ year: 1997, status: 0 }] });
  });

  const items = { items: Array.from({ length: 11 }, (_, item_key) => ({ item_key })) };
  // recorded: tests/aws/.../v2/base/test_base.snapshot.json "test_json_path_array_access[$.items[0]]" and "[$.items[10]]"
  it.each([
    ['$.items[0]', { item_key: 0 }],
    ['$.items[10]', { item_key: 10 }],
  ])('reads array element %s', async (path, expected) => {
    const run = await runAsl(single({ Type: 'Pass', Parameters: { 'item.$': path } }, 'EntryState'), items);
    expect(run.output).toEqual({ item: expected });
  });

  // recorded: tests/aws/.../v2/base/test_base.snapshot.json "test_json_path_array_wildcard_or_slice_with_no_input[...]"
  it.each(['$[*]', '$.items[*]', '$.items[1:]', '$.items[:1]', '$.item.items[1:5].itemValue'])(
    'gives [] for the wildcard or slice %s over a missing input',
    async (path) => {
      const run = await runAsl(single({ Type: 'Pass', Parameters: { 'item.$': path } }, 'EntryState'), {});
      expect(run.status).toBe('SUCCEEDED');
      expect(run.output).toEqual({ item: [] });
    },
  );

  // ASL spec, "Parameters": nested objects and arrays are copied, ".$" keys anywhere are evaluated
  it('evaluates ".$" keys in nested Parameters objects', async () => {
    const state = {
      Type: 'Pass',
      Parameters: { outer: { 'inner.$': '$.v', list: [1, { 'deep.$': '$.v' }] }, 'all.$': '$' },
    };
    const run = await runAsl(single(state), { v: 'x' });
    expect(run.output).toEqual({ outer: { inner: 'x', list: [1, { deep: 'x' }] }, all: { v: 'x' } });
  });
});

describe('context object', () => {
  // recorded: tests/aws/.../v2/base/test_base.snapshot.json "test_query_context_object_values"
  it('exposes Execution, State and StateMachine fields through $$', async () => {
    const definition = {
      StartAt: 'QueryValues1',
      States: {
        QueryValues1: {
          Type: 'Pass',
          ResultPath: '$.q',
          Parameters: {
            'context_object.$': '$$',
            'execution_id.$': '$$.Execution.Id',
            'execution_input.$': '$$.Execution.Input',
            'execution_name.$': '$$.Execution.Name',
            'execution_rolearn.$': '$$.Execution.RoleArn',
            'execution_starttime.$': '$$.Execution.StartTime',
            'state_enteredtime.$': '$$.State.EnteredTime',
            'state_name.$': '$$.State.Name',
            'statemachine_id.$': '$$.StateMachine.Id',
            'statemachine_name.$': '$$.StateMachine.Name',
          },
          End: true,
        },
      },
    };
    const run = await runAsl(definition, { message: 'TestMessage' });
    expect(run.status).toBe('SUCCEEDED');
    const q = (run.output as { q: Record<string, unknown> }).q;
    const context = q.context_object as {
      Execution: Record<string, unknown>;
      State: Record<string, unknown>;
      StateMachine: Record<string, unknown>;
    };
    expect(Object.keys(context).sort()).toEqual(['Execution', 'State', 'StateMachine']);
    expect(context.Execution).toEqual({
      Id: q.execution_id,
      Input: { message: 'TestMessage' },
      StartTime: q.execution_starttime,
      Name: q.execution_name,
      RoleArn: q.execution_rolearn,
      RedriveCount: 0,
    });
    expect(context.State).toEqual({ Name: 'QueryValues1', EnteredTime: q.state_enteredtime });
    expect(context.StateMachine).toEqual({ Id: q.statemachine_id, Name: q.statemachine_name });
    expect(q.execution_input).toEqual({ message: 'TestMessage' });
    expect(q.state_name).toBe('QueryValues1');
    expect(q.execution_id).toMatch(/^arn:aws:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/);
    expect(q.statemachine_id).toMatch(/^arn:aws:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/);
    expect(String(q.execution_id).split(':').at(-1)).toBe(q.execution_name);
    expect(String(q.execution_id).split(':').at(-2)).toBe(q.statemachine_name);
    expect(String(q.statemachine_id).split(':').at(-1)).toBe(q.statemachine_name);
    expect(q.execution_rolearn).toBe(detailsOf(run, 'ExecutionStarted').roleArn);
  });

  // recorded: tests/aws/.../v2/base/test_base.py "test_pass_start_time_format" (asserts \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}.\d{3}Z)
  it('formats Execution.StartTime and State.EnteredTime with milliseconds and Z', async () => {
    const state = {
      Type: 'Pass',
      Parameters: { 'start.$': '$$.Execution.StartTime', 'entered.$': '$$.State.EnteredTime' },
    };
    const run = await runAsl(single(state, 'Pass'), {});
    const out = run.output as { start: string; entered: string };
    expect(out.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(out.entered).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(out.start).toBe(run.history[0]?.timestamp?.toISOString());
    expect(out.entered).toBe(run.history[1]?.timestamp?.toISOString());
  });

  // recorded: tests/aws/.../v2/base/test_base.snapshot.json "test_query_context_object_values" (QueryValues2)
  it('gives each state its own State.Name', async () => {
    const definition = {
      StartAt: 'First',
      States: {
        First: {
          Type: 'Pass',
          Parameters: { 'n.$': '$$.State.Name' },
          ResultPath: '$.first',
          Next: 'Second',
        },
        Second: { Type: 'Pass', Parameters: { 'n.$': '$$.State.Name' }, ResultPath: '$.second', End: true },
      },
    };
    const run = await runAsl(definition, {});
    expect(run.output).toEqual({ first: { n: 'First' }, second: { n: 'Second' } });
  });

  // recorded: tests/aws/.../v2/context_object/test_context_object.snapshot.json "test_input_path[$$.Execution.Input]"
  it('accepts a context path as InputPath', async () => {
    const run = await runAsl(
      {
        StartAt: 'Pass',
        States: {
          Pass: { Type: 'Pass', Result: { changed: true }, Next: 'Back' },
          Back: { Type: 'Pass', InputPath: '$$.Execution.Input', End: true },
        },
      },
      { 'input-value': 0 },
    );
    expect(run.output).toEqual({ 'input-value': 0 });
  });

  // recorded: tests/aws/.../v2/context_object/test_context_object.snapshot.json "test_output_path[$$.Execution.Input]"
  it('accepts a context path as OutputPath', async () => {
    const run = await runAsl(single({ Type: 'Pass', Result: 'x', OutputPath: '$$.Execution.Input' }), {
      'input-value': 0,
    });
    expect(run.output).toEqual({ 'input-value': 0 });
  });

  // recorded: tests/aws/.../v2/context_object/test_context_object.snapshot.json "test_items_path" and
  // tests/aws/.../v2/scenarios/test_base_scenarios.snapshot.json "test_map_state_parameters_legacy"
  it('exposes Map.Item.Index and Map.Item.Value inside ItemSelector', async () => {
    const definition = single({
      Type: 'Map',
      ItemsPath: '$.list',
      MaxConcurrency: 1,
      ItemSelector: { 'index.$': '$$.Map.Item.Index', 'value.$': '$$.Map.Item.Value', 'outer.$': '$.tag' },
      ItemProcessor: { StartAt: 'Item', States: { Item: { Type: 'Pass', End: true } } },
    });
    const run = await runAsl(definition, { list: ['a', 'b'], tag: 't' });
    expect(run.output).toEqual([
      { index: 0, value: 'a', outer: 't' },
      { index: 1, value: 'b', outer: 't' },
    ]);
  });

  // recorded: tests/aws/.../v2/context_object/test_context_object.snapshot.json "test_input_path[$$]"
  it('gives the whole context object for InputPath "$$"', async () => {
    const run = await runAsl(single({ Type: 'Pass', InputPath: '$$' }, 'Pass'), { 'input-value': 0 });
    const out = run.output as Record<string, Record<string, unknown>>;
    expect(out.Execution?.Input).toEqual({ 'input-value': 0 });
    expect(out.State?.Name).toBe('Pass');
    expect(out.StateMachine?.Name).toBeDefined();
    expect(details(run.history[1]).name).toBe('Pass');
  });
});
