import { detailsOf, failWith, LAMBDA, runAsl, single } from './support';

describe('variables in JSONPath states', () => {
  // recorded: tests/aws/services/stepfunctions/v2/assign/test_assign_base.snapshot.json "test_base_cases[BASE_CONSTANT_LITERALS]" / "[BASE_PATHS]"
  it('assigns literals and ".$" paths and records them on the Exited event', async () => {
    const definition = single(
      {
        Type: 'Pass',
        Assign: {
          constant: 42,
          'str_path.$': '$.input_value',
          'str_intrinsic_func.$': "States.Format('Format Func {}', $.input_value)",
          literal_path: '$.not.evaluated',
        },
      },
      'State0',
    );
    const run = await runAsl(definition, { input_value: 'input_value_literal' });
    expect(run.output).toEqual({ input_value: 'input_value_literal' });
    expect(detailsOf(run, 'PassStateExited')).toMatchObject({
      name: 'State0',
      assignedVariables: {
        constant: 42,
        str_path: 'input_value_literal',
        str_intrinsic_func: 'Format Func input_value_literal',
        literal_path: '$.not.evaluated',
      },
      assignedVariablesDetails: { truncated: false },
    });
  });

  // recorded: .../assign/test_assign_reference_variables.snapshot.json "test_reference_assign[BASE_REFERENCE_IN_PARAMETERS]"
  it('reads a variable as $name in Parameters of a later state', async () => {
    const definition = {
      StartAt: 'State0',
      States: {
        State0: { Type: 'Pass', Assign: { x: 42, obj: { a: [1, 2] } }, Next: 'State1' },
        State1: {
          Type: 'Pass',
          Parameters: { 'x.$': '$x', 'a.$': '$obj.a', 'second.$': '$obj.a[1]' },
          End: true,
        },
      },
    };
    const run = await runAsl(definition, {});
    expect(run.output).toEqual({ x: 42, a: [1, 2], second: 2 });
  });

  // recorded: .../assign/test_assign_reference_variables.snapshot.json "test_state_assign_evaluation_order[BASE_EVALUATION_ORDER_PASS_STATE]"
  it('evaluates Assign from the state result and applies it after the output paths', async () => {
    const definition = {
      StartAt: 'State0',
      States: {
        State0: {
          Type: 'Pass',
          Result: { theQuestion: 'What is the answer to life the universe and everything?' },
          Assign: { 'question.$': '$.theQuestion', answer: 42 },
          Next: 'State1',
        },
        State1: {
          Type: 'Pass',
          InputPath: '$answer',
          ResultPath: '$.theAnswer',
          OutputPath: '$answer',
          Assign: { answer: '<omitted>' },
          End: true,
        },
      },
    };
    const run = await runAsl(definition, {});
    expect(run.output).toBe(42);
    expect(detailsOf(run, 'PassStateExited', 0).assignedVariables).toEqual({
      answer: 42,
      question: 'What is the answer to life the universe and everything?',
    });
    expect(detailsOf(run, 'PassStateExited', 1).assignedVariables).toEqual({ answer: '<omitted>' });
  });

  // recorded: .../assign/test_assign_base.snapshot.json "test_base_cases[BASE_SCOPE_MAP]"
  it('lets Map iterations read outer variables and uses $items as ItemsPath', async () => {
    const definition = {
      StartAt: 'State0',
      States: {
        State0: { Type: 'Pass', Assign: { x: 42, items: [1, 2, 3] }, Next: 'State1' },
        State1: {
          Type: 'Map',
          ItemsPath: '$items',
          MaxConcurrency: 1,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Inner',
            States: { Inner: { Type: 'Pass', Assign: { 'innerX.$': '$x' }, End: true } },
          },
          Next: 'State2',
        },
        State2: { Type: 'Pass', Assign: { 'final.$': '$x' }, End: true },
      },
    };
    const run = await runAsl(definition, { input_value: 'input_value_literal' });
    expect(run.output).toEqual([1, 2, 3]);
    expect(detailsOf(run, 'MapStateStarted')).toEqual({ length: 3 });
    expect([1, 2, 3].map((n) => detailsOf(run, 'PassStateExited', n).assignedVariables)).toEqual([
      { innerX: 42 },
      { innerX: 42 },
      { innerX: 42 },
    ]);
    expect(detailsOf(run, 'PassStateExited', 4).assignedVariables).toEqual({ final: 42 });
  });

  // recorded: .../assign/test_assign_base.snapshot.json "test_base_parallel_cases[BASE_SCOPE_PARALLEL]"
  it('lets Parallel branches read outer variables', async () => {
    const branch = (name: string) => ({
      StartAt: name,
      States: { [name]: { Type: 'Pass', Assign: { 'innerX.$': '$x', 'value.$': '$' }, End: true } },
    });
    const definition = {
      StartAt: 'State0',
      States: {
        State0: { Type: 'Pass', Assign: { x: 42 }, Next: 'State1' },
        State1: {
          Type: 'Parallel',
          End: true,
          Branches: [branch('Branch1'), branch('Branch21'), branch('Branch31')],
        },
      },
    };
    const run = await runAsl(definition, {});
    expect(run.output).toEqual([{}, {}, {}]);
    for (const n of [1, 2, 3])
      expect(detailsOf(run, 'PassStateExited', n).assignedVariables).toEqual({ innerX: 42, value: {} });
  });

  // AWS developer guide, "Passing data between states with variables": a variable assigned inside a Map
  // iteration is not visible outside it
  it('does not leak variables assigned inside a Map iteration', async () => {
    const definition = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemProcessor: {
            StartAt: 'Inner',
            States: { Inner: { Type: 'Pass', Assign: { inner: 1 }, End: true } },
          },
          Next: 'After',
        },
        After: { Type: 'Pass', Parameters: { 'inner.$': '$inner' }, End: true },
      },
    };
    const run = await runAsl(definition, [1]);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Runtime');
  });

  // recorded: .../assign/test_assign_reference_variables.snapshot.json "test_reference_assign[BASE_REFERENCE_IN_CHOICE]"
  it('compares a variable in a Choice rule', async () => {
    const definition = {
      StartAt: 'Set',
      States: {
        Set: { Type: 'Pass', Assign: { status: 'done' }, Next: 'Check' },
        Check: {
          Type: 'Choice',
          Choices: [{ Variable: '$status', StringEquals: 'done', Next: 'Yes' }],
          Default: 'No',
        },
        Yes: { Type: 'Pass', Result: 'yes', End: true },
        No: { Type: 'Pass', Result: 'no', End: true },
      },
    };
    expect((await runAsl(definition, {})).output).toBe('yes');
  });

  // recorded: .../assign/test_assign_reference_variables.snapshot.json "test_assign_in_choice_state[CORRECT]"
  it('assigns the variables of the matched Choice rule', async () => {
    const definition = {
      StartAt: 'Check',
      States: {
        Check: {
          Type: 'Choice',
          Choices: [{ Variable: '$.v', NumericEquals: 1, Assign: { picked: 'one' }, Next: 'Done' }],
          Default: 'Done',
          Assign: { picked: 'default' },
        },
        Done: { Type: 'Pass', Parameters: { 'picked.$': '$picked' }, End: true },
      },
    };
    expect((await runAsl(definition, { v: 1 })).output).toEqual({ picked: 'one' });
    expect((await runAsl(definition, { v: 2 })).output).toEqual({ picked: 'default' });
  });

  // recorded: .../assign/test_assign_reference_variables.snapshot.json "test_variables_in_lambda_task[BASE_ASSIGN_FROM_LAMBDA_TASK_RESULT]"
  it('assigns from a task result with $ and reads it later', async () => {
    const definition = {
      StartAt: 'Task',
      States: {
        Task: { Type: 'Task', Resource: LAMBDA, Assign: { 'fromResult.$': '$.value' }, Next: 'Read' },
        Read: { Type: 'Pass', Parameters: { 'v.$': '$fromResult' }, End: true },
      },
    };
    const run = await runAsl(definition, {}, { tasks: { [LAMBDA]: () => ({ value: 'from lambda' }) } });
    expect(run.output).toEqual({ v: 'from lambda' });
    expect(detailsOf(run, 'TaskStateExited').assignedVariables).toEqual({ fromResult: 'from lambda' });
  });

  // recorded: .../assign/test_assign_reference_variables.snapshot.json "test_reference_assign[BASE_REFERENCE_IN_INTRINSIC_FUNCTION]"
  it('passes a variable to an intrinsic function', async () => {
    const definition = {
      StartAt: 'Set',
      States: {
        Set: { Type: 'Pass', Assign: { name: 'World' }, Next: 'Use' },
        Use: { Type: 'Pass', Parameters: { 'greeting.$': "States.Format('Hello {}', $name)" }, End: true },
      },
    };
    expect((await runAsl(definition, {})).output).toEqual({ greeting: 'Hello World' });
  });

  // recorded: .../assign/test_assign_reference_variables.snapshot.json "test_reference_assign[BASE_REFERENCE_IN_WAIT]"
  it('reads SecondsPath from a variable', async () => {
    const definition = {
      StartAt: 'Set',
      States: {
        Set: { Type: 'Pass', Assign: { seconds: 0 }, Next: 'Wait' },
        Wait: { Type: 'Wait', SecondsPath: '$seconds', End: true },
      },
    };
    expect((await runAsl(definition, { a: 1 })).status).toBe('SUCCEEDED');
  });

  // recorded: .../assign/test_assign_reference_variables.snapshot.json "test_assign_in_catch_state"
  it('assigns in a Catcher from the error output', async () => {
    const definition = {
      StartAt: 'Task',
      States: {
        Task: {
          Type: 'Task',
          Resource: LAMBDA,
          Assign: { result: 'SUCCESS' },
          Catch: [{ ErrorEquals: ['States.ALL'], Assign: { 'result.$': '$.Error' }, Next: 'fallback' }],
          End: true,
        },
        fallback: { Type: 'Pass', Parameters: { 'result.$': '$result' }, End: true },
      },
    };
    const run = await runAsl(definition, {}, { tasks: { [LAMBDA]: failWith('Exception', 'boom') } });
    expect(run.output).toEqual({ result: 'Exception' });
    expect(detailsOf(run, 'TaskStateExited').assignedVariables).toEqual({ result: 'Exception' });
  });
});
