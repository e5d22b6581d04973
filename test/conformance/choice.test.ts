import { detailsOf, runAsl } from './support';

/** Runs a Choice with one rule over `input` and says which branch it took. */
async function decide(rule: Record<string, unknown>, input: unknown): Promise<boolean> {
  const definition = {
    StartAt: 'Choice',
    States: {
      Choice: { Type: 'Choice', Choices: [{ ...rule, Next: 'True' }], Default: 'False' },
      True: { Type: 'Pass', Result: true, End: true },
      False: { Type: 'Pass', Result: false, End: true },
    },
  };
  const run = await runAsl(definition, input);
  if (run.status !== 'SUCCEEDED') throw new Error(`${run.error}: ${run.cause}`);
  return run.output as boolean;
}

/** Runs `Variable: $.Variable, <op>: value` over {Variable: variable}, as the recordings do. */
function compare(op: string, variable: unknown, value: unknown) {
  return decide({ Variable: '$.Variable', [op]: value }, { Variable: variable });
}

describe('Choice state', () => {
  // recorded: tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json "test_choice_aws_docs_scenario[CHOICE_STATE_AWS_SCENARIO]"
  const docsScenario = {
    StartAt: 'ChoiceStateX',
    States: {
      ChoiceStateX: {
        Type: 'Choice',
        Choices: [
          { Not: { Variable: '$.type', StringEquals: 'Private' }, Next: 'Public' },
          { Variable: '$.value', NumericEquals: 0, Next: 'ValueIsZero' },
          {
            And: [
              { Variable: '$.value', NumericGreaterThanEquals: 20 },
              { Variable: '$.value', NumericLessThan: 30 },
            ],
            Next: 'ValueInTwenties',
          },
        ],
        Default: 'DefaultState',
      },
      Public: { Type: 'Pass', End: true },
      ValueIsZero: { Type: 'Pass', End: true },
      ValueInTwenties: { Type: 'Pass', End: true },
      DefaultState: { Type: 'Fail', Cause: 'No Matches!' },
    },
  };

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_choice_aws_docs_scenario[CHOICE_STATE_AWS_SCENARIO]"
  it('takes the And rule of the documented scenario and records Choice events', async () => {
    const run = await runAsl(docsScenario, { type: 'Private', value: 22 });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ type: 'Private', value: 22 });
    expect(run.types).toEqual([
      'ExecutionStarted',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(detailsOf(run, 'ChoiceStateExited')).toMatchObject({
      name: 'ChoiceStateX',
      output: { type: 'Private', value: 22 },
    });
    expect(detailsOf(run, 'PassStateEntered').name).toBe('ValueInTwenties');
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_choice_singleton_composite[CHOICE_STATE_SINGLETON_COMPOSITE]"
  it('takes the Not rule first when it matches', async () => {
    const run = await runAsl(docsScenario, { type: 'Public', value: 22 });
    expect(detailsOf(run, 'PassStateEntered').name).toBe('Public');
  });

  // ASL spec, "Choice State": Default is taken when no rule matches
  it('goes to Default when no rule matches', async () => {
    const run = await runAsl(docsScenario, { type: 'Private', value: 5 });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBeUndefined();
    expect(run.cause).toBe('No Matches!');
    expect(run.types).toEqual([
      'ExecutionStarted',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'FailStateEntered',
      'ExecutionFailed',
    ]);
  });

  // ASL spec, "Choice State": without Default, no match raises States.NoChoiceMatched
  it('fails with States.NoChoiceMatched when nothing matches and there is no Default', async () => {
    const definition = {
      StartAt: 'Choose',
      States: {
        Choose: { Type: 'Choice', Choices: [{ Variable: '$.v', NumericEquals: 1, Next: 'One' }] },
        One: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(definition, { v: 2 });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.NoChoiceMatched');
    expect(run.types).toEqual(['ExecutionStarted', 'ChoiceStateEntered', 'ExecutionFailed']);
  });

  // ASL spec, "Choice Rules": rules are evaluated in order, the first match wins
  it('takes the first matching rule', async () => {
    const definition = {
      StartAt: 'Choose',
      States: {
        Choose: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.v', NumericGreaterThan: 1, Next: 'First' },
            { Variable: '$.v', NumericGreaterThan: 0, Next: 'Second' },
          ],
        },
        First: { Type: 'Pass', Result: 'first', End: true },
        Second: { Type: 'Pass', Result: 'second', End: true },
      },
    };
    expect((await runAsl(definition, { v: 5 })).output).toBe('first');
    expect((await runAsl(definition, { v: 0.5 })).output).toBe('second');
  });

  // ASL spec, "Choice State": InputPath and OutputPath apply; the Choice passes its input on
  it('applies InputPath and OutputPath around the choice', async () => {
    const definition = {
      StartAt: 'Choose',
      States: {
        Choose: {
          Type: 'Choice',
          InputPath: '$.in',
          OutputPath: '$.keep',
          Choices: [{ Variable: '$.flag', BooleanEquals: true, Next: 'Done' }],
        },
        Done: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(definition, { in: { flag: true, keep: { k: 1 } } });
    expect(run.output).toEqual({ k: 1 });
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_choice_unsorted_parameters_positive[CHOICE_STATE_UNSORTED_CHOICE_PARAMETERS]"
  it('accepts rule fields in any order', async () => {
    const rule = JSON.parse('{"Next": "True", "BooleanEquals": true, "Variable": "$.result.done"}');
    const definition = {
      StartAt: 'Choice',
      States: {
        Choice: { Type: 'Choice', Choices: [rule], Default: 'False' },
        True: { Type: 'Pass', End: true },
        False: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(definition, { result: { done: true } });
    expect(detailsOf(run, 'PassStateEntered').name).toBe('True');
  });
});

describe('Choice operators', () => {
  // recorded: tests/aws/.../v2/choice_operators/test_numeric.snapshot.json "test_numeric_equals"
  it.each([
    [null, 0, false],
    [0, 0, true],
    [0, 0.0, true],
    [1, 1.0, true],
    [1.1, 1, false],
    ['', 0, false],
    ['0', 0, false],
  ])('NumericEquals %j with %j is %s', async (variable, value, expected) => {
    expect(await compare('NumericEquals', variable, value)).toBe(expected);
  });

  // recorded: .../test_numeric.snapshot.json "test_numeric_greater_than", "_equals", "test_numeric_less_than", "_equals"
  it.each([
    ['NumericGreaterThan', 0, 0, false],
    ['NumericGreaterThan', 1, 0, true],
    ['NumericGreaterThanEquals', 0, 0, true],
    ['NumericGreaterThanEquals', 0, 1, false],
    ['NumericLessThan', 0, 1, true],
    ['NumericLessThan', 1, 1, false],
    ['NumericLessThanEquals', 1, 1, true],
    ['NumericLessThanEquals', 1, 0, false],
  ])('%s %j with %j is %s', async (op, variable, value, expected) => {
    expect(await compare(op, variable, value)).toBe(expected);
  });

  // recorded: .../test_numeric.snapshot.json "test_numeric_equals_path" (the *Path form reads the value from the input)
  it.each([
    ['NumericEqualsPath', 1, 1, true],
    ['NumericGreaterThanPath', 1, 0, true],
    ['NumericLessThanEqualsPath', 1, 0, false],
  ])('%s compares with a value from the input', async (op, variable, value, expected) => {
    expect(
      await decide({ Variable: '$.Variable', [op]: '$.Value' }, { Variable: variable, Value: value }),
    ).toBe(expected);
  });

  // recorded: .../test_string_operators.snapshot.json "test_string_equals", "test_string_equals_path"
  it.each([
    [null, 'HelloWorld', false],
    [0, 'HelloWorld', false],
    [[], 'HelloWorld', false],
    ['HelloWorld', 'HelloWorld', true],
    [' ', '     ', false],
  ])('StringEquals %j with %j is %s', async (variable, value, expected) => {
    expect(await compare('StringEquals', variable, value)).toBe(expected);
  });

  // recorded: .../test_string_operators.snapshot.json "test_string_greater_than", "test_string_less_than", "_equals"
  it.each([
    ['StringGreaterThan', '', '', false],
    ['StringGreaterThan', 'AB', 'ABC', false],
    ['StringGreaterThanEquals', '', '', true],
    ['StringGreaterThanEquals', 'AB', 'A', true],
    ['StringLessThan', 'A', 'AB', true],
    ['StringLessThan', 'AB', 'A', false],
    ['StringLessThanEquals', '', '', true],
    ['StringLessThanEquals', 'AB', 'A', false],
  ])('%s %j with %j is %s', async (op, variable, value, expected) => {
    expect(await compare(op, variable, value)).toBe(expected);
  });

  // ASL spec, "Choice Rules": StringMatches with * wildcards and \\* escapes
  it.each([
    ['log-2024.txt', 'log-*.txt', true],
    ['log.txt', 'log-*.txt', false],
    ['anything', '*', true],
    ['a*b', 'a\\*b', true],
    ['axb', 'a\\*b', false],
  ])('StringMatches %j against %j is %s', async (variable, pattern, expected) => {
    expect(await compare('StringMatches', variable, pattern)).toBe(expected);
  });

  // recorded: .../test_boolean_equals.snapshot.json "test_boolean_equals" / "test_boolean_equals_path"
  it.each([
    [true, true, true],
    [false, false, true],
    [true, false, false],
    [null, false, false],
    [0, false, false],
    ['true', true, false],
  ])('BooleanEquals %j with %j is %s', async (variable, value, expected) => {
    expect(await compare('BooleanEquals', variable, value)).toBe(expected);
  });

  // recorded: .../test_timestamp_operators.snapshot.json "test_timestamp_equals", "test_timestamp_less_than", ...
  it.each([
    ['TimestampEquals', '2016-03-14T01:59:00Z', '2016-03-14T01:59:00Z', true],
    ['TimestampEquals', '2016-03-14T01:59:00Z', '2016-03-14T01:59:01Z', false],
    ['TimestampEquals', 0, '2016-03-14T01:59:00Z', false],
    ['TimestampLessThan', '2016-03-14T01:59:00Z', '2016-03-14T01:59:01Z', true],
    ['TimestampGreaterThan', '2016-03-14T01:59:01Z', '2016-03-14T01:59:00Z', true],
    ['TimestampGreaterThanEquals', '2016-03-14T01:59:00Z', '2016-03-14T01:59:00Z', true],
    ['TimestampLessThanEquals', '2016-03-14T01:59:01Z', '2016-03-14T01:59:00Z', false],
  ])('%s %j with %j is %s', async (op, variable, value, expected) => {
    expect(await compare(op, variable, value)).toBe(expected);
  });

  // recorded: .../test_is_operators.snapshot.json "test_is_null", "test_is_numeric", "test_is_string", "test_is_boolean", "test_is_present"
  it.each([
    ['IsNull', null, true, true],
    ['IsNull', 0, true, false],
    ['IsNull', 0, false, true],
    ['IsNumeric', 0, true, true],
    ['IsNumeric', 1.1, true, true],
    ['IsNumeric', '1', true, false],
    ['IsNumeric', null, false, true],
    ['IsString', '', true, true],
    ['IsString', 'HelloWorld', true, true],
    ['IsString', 1, true, false],
    ['IsBoolean', true, true, true],
    ['IsBoolean', false, true, true],
    ['IsBoolean', 0, true, false],
    ['IsPresent', null, true, true],
    ['IsPresent', 0, true, true],
    ['IsPresent', '', false, false],
  ])('%s on %j with %j is %s', async (op, variable, value, expected) => {
    expect(await compare(op, variable, value)).toBe(expected);
  });

  // ASL spec, "Choice Rules": IsPresent is false for a path that is not in the input
  it('IsPresent is false for a missing field', async () => {
    expect(await decide({ Variable: '$.missing', IsPresent: true }, {})).toBe(false);
    expect(await decide({ Variable: '$.missing', IsPresent: false }, {})).toBe(true);
  });

  // ASL spec, "Choice Rules": IsTimestamp recognises RFC 3339 timestamps
  it.each([
    ['2016-03-14T01:59:00Z', true],
    ['2016-03-14T01:59:00+01:00', true],
    ['HelloWorld', false],
    [42, false],
  ])('IsTimestamp on %j is %s', async (variable, expected) => {
    expect(await compare('IsTimestamp', variable, true)).toBe(expected);
  });

  // ASL spec, "Choice Rules": And, Or and Not compose rules
  it.each([
    [
      {
        Or: [
          { Variable: '$.a', NumericEquals: 1 },
          { Variable: '$.b', NumericEquals: 1 },
        ],
      },
      { a: 0, b: 1 },
      true,
    ],
    [
      {
        Or: [
          { Variable: '$.a', NumericEquals: 1 },
          { Variable: '$.b', NumericEquals: 1 },
        ],
      },
      { a: 0, b: 0 },
      false,
    ],
    [
      {
        And: [
          { Variable: '$.a', NumericEquals: 1 },
          { Variable: '$.b', NumericEquals: 1 },
        ],
      },
      { a: 1, b: 0 },
      false,
    ],
    [{ Not: { Variable: '$.a', StringEquals: 'x' } }, { a: 'y' }, true],
    [
      {
        And: [{ Not: { Variable: '$.a', IsNull: true } }, { Or: [{ Variable: '$.a', NumericLessThan: 0 }] }],
      },
      { a: -1 },
      true,
    ],
  ])('composes %j over %j to %s', async (rule, input, expected) => {
    expect(await decide(rule, input)).toBe(expected);
  });

  // ASL spec, "Choice Rules": a comparison on a missing Variable path fails the execution with States.Runtime
  it('fails with States.Runtime when the Variable path is missing', async () => {
    const definition = {
      StartAt: 'Choose',
      States: {
        Choose: {
          Type: 'Choice',
          Choices: [{ Variable: '$.missing', StringEquals: 'x', Next: 'X' }],
          Default: 'X',
        },
        X: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(definition, {});
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Runtime');
  });
});
