import type { ChoiceRule } from '../../../local/stepfunctions/engine/asl';
import { evaluateChoiceRule } from '../../../local/stepfunctions/engine/choice';
import { States, StatesError } from '../../../local/stepfunctions/engine/errors';
import type { PathScope } from '../../../local/stepfunctions/engine/jsonpath';

const scope = (input: unknown, variables?: Map<string, unknown>): PathScope => ({
  input,
  context: { Execution: { StartTime: '2012-10-09T19:00:55Z' } },
  ...(variables ? { variables } : {}),
});

/** Evaluates `{ Variable: '$.Variable', [operator]: value }` against `{ Variable: variable }`. */
const check = (operator: string, variable: unknown, value: unknown): boolean =>
  evaluateChoiceRule({ Variable: '$.Variable', [operator]: value, Next: 'x' }, scope({ Variable: variable }));

/** The same comparison in its Path form, reading the value from `$.Value`. */
const checkPath = (operator: string, variable: unknown, value: unknown): boolean =>
  evaluateChoiceRule(
    { Variable: '$.Variable', [`${operator}Path`]: '$.Value', Next: 'x' },
    scope({ Variable: variable, Value: value }),
  );

/** The StatesError a call throws. */
function caught(act: () => unknown): StatesError {
  try {
    act();
  } catch (error) {
    if (error instanceof StatesError) return error;
    throw error;
  }
  throw new Error('expected a StatesError');
}

// LocalStack's AWS-recorded snapshots choice_operators/*.snapshot.json use these values as Variable.
const VALUES: readonly unknown[] = [
  null,
  0,
  1,
  1.1,
  '',
  ' ',
  'HelloWorld',
  '2012-10-09T19:00:55Z',
  [],
  [''],
  {},
  { A: 0 },
  true,
  false,
];

describe('evaluateChoiceRule: type tests', () => {
  // choice_operators/test_is_operators.snapshot.json (test_is_null, _numeric, _string, _boolean, _present).
  it.each([
    ['IsNull', (v: unknown) => v === null],
    ['IsNumeric', (v: unknown) => typeof v === 'number'],
    ['IsString', (v: unknown) => typeof v === 'string'],
    ['IsBoolean', (v: unknown) => typeof v === 'boolean'],
    ['IsPresent', () => true],
  ])('answers %s true and false as AWS does for every JSON type', (operator, test) => {
    for (const value of VALUES) {
      expect(check(operator, value, true)).toBe(test(value));
      expect(check(operator, value, false)).toBe(!test(value));
    }
  });

  // ASL spec, "Choice Rules": IsTimestamp follows the RFC 3339 profile (uppercase T and Z or an offset).
  it.each([
    ['2012-10-09T19:00:55Z', true],
    ['2012-10-09T19:00:55.123456789+01:00', true],
    ['2012-10-09T19:00:55', false],
    ['2012-10-09 19:00:55Z', false],
    ['2012-10-09t19:00:55z', false],
    ['2012-13-09T19:00:55Z', false],
    ['2012-02-30T19:00:55Z', false],
    ['2023-02-24', false],
    [0, false],
  ])('answers IsTimestamp for %j with %s', (value, expected) => {
    expect(check('IsTimestamp', value, true)).toBe(expected);
  });

  it('answers IsPresent false for a missing Variable instead of failing', () => {
    expect(evaluateChoiceRule({ Variable: '$.missing', IsPresent: false }, scope({}))).toBe(true);
    expect(evaluateChoiceRule({ Variable: '$.missing', IsPresent: true }, scope({}))).toBe(false);
  });
});

describe('evaluateChoiceRule: comparisons', () => {
  // choice_operators/test_string_operators.snapshot.json.
  it('compares strings exactly and in order, and never matches another type', () => {
    expect(check('StringEquals', 'Hello', 'Hello')).toBe(true);
    expect(check('StringEquals', ' ', '     ')).toBe(false);
    expect(check('StringEquals', '\t\n', '\t\r\n')).toBe(false);
    for (const value of VALUES)
      if (typeof value !== 'string') expect(check('StringEquals', value, 'HelloWorld')).toBe(false);
    expect(check('StringLessThan', 'A', 'AB')).toBe(true);
    expect(check('StringLessThan', '', '')).toBe(false);
    expect(check('StringGreaterThan', 'A', 'A ')).toBe(false);
    expect(check('StringGreaterThan', 'AB', 'A')).toBe(true);
    expect(check('StringLessThanEquals', '', '')).toBe(true);
    expect(check('StringGreaterThanEquals', 'A', 'AB')).toBe(false);
  });

  // choice_operators/test_numeric.snapshot.json: 0 equals 0.0, a string is never numeric.
  it('compares numbers, and never matches another type', () => {
    expect(check('NumericEquals', 0, 0)).toBe(true);
    expect(check('NumericEquals', 1, 1.0)).toBe(true);
    expect(check('NumericEquals', 2.22, 2.22)).toBe(true);
    expect(check('NumericEquals', 1.1, 1)).toBe(false);
    for (const value of VALUES)
      if (typeof value !== 'number') expect(check('NumericEquals', value, 0)).toBe(false);
    expect(check('NumericEquals', '1', 1)).toBe(false);
    expect(check('NumericLessThan', 0, 1)).toBe(true);
    expect(check('NumericGreaterThan', 1, 0)).toBe(true);
    expect(check('NumericGreaterThan', 1, 1)).toBe(false);
    expect(check('NumericLessThanEquals', 1, 1)).toBe(true);
    expect(check('NumericGreaterThanEquals', 0, 1)).toBe(false);
  });

  // choice_operators/test_boolean_equals.snapshot.json: only true and false match.
  it('compares booleans, and never matches another type', () => {
    expect(check('BooleanEquals', true, true)).toBe(true);
    expect(check('BooleanEquals', false, false)).toBe(true);
    expect(check('BooleanEquals', false, true)).toBe(false);
    for (const value of VALUES) {
      if (typeof value !== 'boolean') {
        expect(check('BooleanEquals', value, true)).toBe(false);
        expect(check('BooleanEquals', value, false)).toBe(false);
      }
    }
  });

  // choice_operators/test_timestamp_operators.snapshot.json (T0 = ...:55Z, T1 = ...:56Z).
  it('compares timestamps as instants, and never matches a non-timestamp', () => {
    const t0 = '2012-10-09T19:00:55Z';
    const t1 = '2012-10-09T19:00:56Z';
    expect(check('TimestampEquals', t0, t0)).toBe(true);
    expect(check('TimestampEquals', t0, t1)).toBe(false);
    expect(check('TimestampEquals', '2012-10-09T20:00:55+01:00', t0)).toBe(true);
    expect(check('TimestampLessThan', t0, t1)).toBe(true);
    expect(check('TimestampLessThan', '2012-10-09T19:00:55.1Z', '2012-10-09T19:00:55.10000001Z')).toBe(true);
    expect(check('TimestampGreaterThan', t1, t0)).toBe(true);
    expect(check('TimestampLessThanEquals', t0, t0)).toBe(true);
    expect(check('TimestampGreaterThanEquals', t0, t1)).toBe(false);
    for (const value of [null, 0, 1.1, '', ' ', '2023-02-24 12:15:56.832957', [], {}, true]) {
      expect(check('TimestampEquals', value, t0)).toBe(false);
    }
  });

  // The same snapshots' *_path cases: the operand comes from another path.
  it.each([
    ['StringEquals', 'Hello', 'Hello', true],
    ['StringLessThanEquals', 'AB', 'A', false],
    ['NumericEquals', 0, 0.0, true],
    ['NumericGreaterThan', 1, 0, true],
    ['NumericLessThanEquals', 1, 0, false],
    ['BooleanEquals', true, true, true],
    ['TimestampLessThan', '2012-10-09T19:00:56Z', '2012-10-09T19:00:55Z', false],
    ['TimestampEquals', '2012-10-09T19:00:55Z', '2012-10-09T19:00:55Z', true],
    ['NumericEquals', 1, '1', false],
  ])('evaluates %sPath on %j and %j as %s', (operator, variable, value, expected) => {
    expect(checkPath(operator, variable, value)).toBe(expected);
  });

  it('reads Path operands and Variables from the context object and variables', () => {
    // Prepare
    const rule: ChoiceRule = { Variable: '$limit', TimestampGreaterThanPath: '$$.Execution.StartTime' };
    const variables = new Map<string, unknown>([['limit', '2020-01-01T00:00:00Z']]);
    // Act
    const matched = evaluateChoiceRule(rule, scope({}, variables));
    // Assess
    expect(matched).toBe(true);
  });

  // ASL spec, "Choice Rules": StringMatches with * wildcards; \\* is a literal star.
  it.each([
    ['log-*.txt', 'log-2024.txt', true],
    ['log-*.txt', 'log-.txt', true],
    ['log-*.txt', 'log-1.txt.gz', false],
    ['*', '', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['a\\\\*', 'a\\anything', true],
    ['(x).+', '(x).+', true],
  ])('matches %j against %j: %s', (pattern, value, expected) => {
    expect(check('StringMatches', value, pattern)).toBe(expected);
  });

  it('never matches StringMatches on a non-string', () => {
    expect(check('StringMatches', 1, '*')).toBe(false);
  });
});

describe('evaluateChoiceRule: And, Or, Not and missing values', () => {
  const input = { value: 15, type: 'Private' };

  // ASL spec, "Choice Rules": Boolean expressions.
  it('combines rules with And, Or and Not', () => {
    const rule: ChoiceRule = {
      And: [
        { Variable: '$.value', NumericGreaterThanEquals: 10 },
        {
          Or: [
            { Variable: '$.type', StringEquals: 'Public' },
            { Not: { Variable: '$.type', StringEquals: 'Public' } },
          ],
        },
      ],
      Next: 'x',
    };
    expect(evaluateChoiceRule(rule, scope(input))).toBe(true);
    expect(evaluateChoiceRule({ Not: { Variable: '$.value', NumericEquals: 15 } }, scope(input))).toBe(false);
  });

  it('stops at the first And that fails and the first Or that matches', () => {
    const missing = { Variable: '$.missing', NumericEquals: 1 };
    expect(
      evaluateChoiceRule({ And: [{ Variable: '$.value', NumericEquals: 0 }, missing] }, scope(input)),
    ).toBe(false);
    expect(
      evaluateChoiceRule({ Or: [{ Variable: '$.value', NumericEquals: 15 }, missing] }, scope(input)),
    ).toBe(true);
  });

  // AWS's wording for a Choice Variable that is missing (reproduced by several emulators; not in LocalStack's snapshots).
  it('fails with States.Runtime when the Variable is missing', () => {
    const error = caught(() => evaluateChoiceRule({ Variable: '$.missing', IsNull: true }, scope(input)));
    expect(error.error).toBe(States.Runtime);
    expect(error.cause).toBe(
      "Invalid path '$.missing': The choice state's condition path references an invalid value.",
    );
  });

  it('fails with States.Runtime when a Path operand is missing', () => {
    const error = caught(() =>
      evaluateChoiceRule({ Variable: '$.value', NumericEqualsPath: '$.other' }, scope(input)),
    );
    expect(error.error).toBe(States.Runtime);
    expect(error.cause).toBe(
      "Invalid path '$.other': The choice state's condition path references an invalid value.",
    );
  });

  it('rejects a rule without a comparison operator', () => {
    expect(caught(() => evaluateChoiceRule({ Variable: '$.value' }, scope(input))).error).toBe(
      States.Runtime,
    );
  });
});
