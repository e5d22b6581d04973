import { States, StatesError } from '../../../local/stepfunctions/engine/errors';
import {
  evaluateCondition,
  evaluateTemplate,
  evaluateTyped,
  isExpression,
  type JsonataScope,
  QueryEvaluationError,
} from '../../../local/stepfunctions/engine/jsonata';

const scope = (input: unknown = {}, variables: Record<string, unknown> = {}, extra = {}): JsonataScope => ({
  states: { input, context: { Execution: { Name: 'run-1' } }, ...extra },
  variables: new Map(Object.entries(variables)),
});

/** The StatesError a rejected evaluation carries. */
async function failure(promise: Promise<unknown>): Promise<QueryEvaluationError> {
  const thrown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(thrown).toBeInstanceOf(QueryEvaluationError);
  expect(thrown).toBeInstanceOf(StatesError);
  expect((thrown as StatesError).error).toBe(States.QueryEvaluationError);
  return thrown as QueryEvaluationError;
}

describe('isExpression', () => {
  // "Transforming data with JSONata": a JSONata expression is a string of the form "{% <expression> %}".
  it('recognises only strings that open with {% and close with %}', () => {
    expect(isExpression('{% $states.input %}')).toBe(true);
    expect(isExpression('{%$x%}')).toBe(true);
    expect(isExpression(' {% $x %}')).toBe(false);
    expect(isExpression('$states.input')).toBe(false);
    expect(isExpression({ a: '{% 1 %}' })).toBe(false);
  });
});

describe('evaluateTemplate', () => {
  it('returns the template with every expression replaced and every other value kept', async () => {
    // Prepare
    const template = {
      static: 'Hello',
      title: '{% $states.input.title %}',
      name: '{% $customerName %}',
      n: [1, '{% 1 + 1 %}'],
    };

    // Act
    const result = await evaluateTemplate(
      template,
      scope({ title: 'Doctor' }, { customerName: 'María' }),
      'Arguments',
    );

    // Assess ("Transforming data with JSONata", the JSONPath-to-JSONata conversion sample)
    expect(result).toEqual({ static: 'Hello', title: 'Doctor', name: 'María', n: [1, 2] });
  });

  it('binds $states.context, and $states.result and $states.errorOutput when given', async () => {
    const s = scope({}, {}, { result: { ok: 1 }, errorOutput: { Error: 'E' } });
    await expect(
      evaluateTemplate(
        '{% [$states.context.Execution.Name, $states.result.ok, $states.errorOutput.Error] %}',
        s,
        'Output',
      ),
    ).resolves.toEqual(['run-1', 1, 'E']);
  });

  it('returns a sequence as a plain array', async () => {
    const result = await evaluateTemplate(
      '{% $states.input.items.n %}',
      scope({ items: [{ n: 3 }, { n: 9 }] }),
      'Output',
    );
    expect(result).toEqual([3, 9]);
    expect(Object.getOwnPropertyNames(result)).toEqual(['0', '1', 'length']);
  });

  // assign/test_assign_reference_variables.snapshot.json: "The JSONata expression '$doesNotExist' specified
  // for the field 'Arguments/FunctionName' returned nothing (undefined)." (also Output, Output/result,
  // Assign/result, Arguments).
  it.each([
    ['{% $doesNotExist %}', 'Arguments', 'Arguments'],
    [{ FunctionName: '{% $doesNotExist %}' }, 'Arguments', 'Arguments/FunctionName'],
    [{ result: '{% $doesNotExist %}' }, 'Assign', 'Assign/result'],
  ])(
    'rejects an expression that returns nothing, naming the field (%j in %s)',
    async (template, where, field) => {
      const error = await failure(evaluateTemplate(template, scope(), where));
      expect(error.cause).toBe(
        `The JSONata expression '$doesNotExist' specified for the field '${field}' returned nothing (undefined).`,
      );
      expect(error.location).toBe(field);
    },
  );

  // floci-io/floci#2689 (measured against AWS): an array element is named by its index, Output/values[0].
  it('rejects an array element that returns nothing, naming it by index', async () => {
    const error = await failure(
      evaluateTemplate({ values: ['{% $states.input.missing %}'] }, scope(), 'Output'),
    );
    expect(error.location).toBe('Output/values[0]');
  });

  it('rejects $states.result where none is bound', async () => {
    const error = await failure(evaluateTemplate('{% $states.result %}', scope(), 'Output'));
    expect(error.cause).toContain('returned nothing (undefined).');
  });

  // intrinsic_functions/test_math_operations_jsonata.snapshot.json: "... threw an error during evaluation.
  // T1006: Attempted to invoke a non-function".
  it('rejects a runtime error with JSONata code and message after AWS sentence', async () => {
    const error = await failure(
      evaluateTemplate({ FunctionResult: '{% $randomSeeded(3) %}' }, scope(), 'Output'),
    );
    expect(error.cause).toBe(
      "The JSONata expression '$randomSeeded(3)' specified for the field 'Output/FunctionResult' threw an error during evaluation. T1006: Attempted to invoke a non-function",
    );
  });

  // floci-io/floci#2668: AWS answers 'T0412: Argument 1 of function "sum" must be an array of "numbers"'.
  it('rejects a function called with the wrong type in JSONata words', async () => {
    const error = await failure(evaluateTemplate('{% $sum("a") %}', scope(), 'Output'));
    expect(error.cause).toMatch(/\. T0412: Argument 1 of function "sum" must be an array of "numbers"$/);
  });

  // "Transforming data with JSONata", supported version: "$eval is not available — use $parse instead";
  // floci-io/floci#2737: AWS fails $eval("1+1") with T1006.
  it('rejects $eval as a non-function', async () => {
    const error = await failure(evaluateTemplate('{% $eval("1+1") %}', scope(), 'Output'));
    expect(error.cause).toMatch(/T1006: Attempted to invoke a non-function$/);
  });

  // evaluate_jsonata/test_base_evaluate_expressions.snapshot.json: "The JSONata expression
  // '$fn := function($x){$x}' specified for the field 'Items' returned an unsupported result type."
  it('rejects a function as a result', async () => {
    const error = await failure(evaluateTemplate('{% $fn := function($x){$x} %}', scope(), 'Items'));
    expect(error.cause).toBe(
      "The JSONata expression '$fn := function($x){$x}' specified for the field 'Items' returned an unsupported result type.",
    );
  });

  it('returns each input its own value from one template', async () => {
    const template = '{% $states.input.n * 2 %}';
    for (let n = 0; n < 3; n++)
      await expect(evaluateTemplate(template, scope({ n }), 'Output')).resolves.toBe(n * 2);
  });
});

describe('the JSONata functions Step Functions provides', () => {
  const run = (expression: string, input: unknown = {}) =>
    evaluateTemplate(`{% ${expression} %}`, scope(input), 'Output');

  // Developer guide, "JSONata functions provided by Step Functions"; the values measured on AWS are quoted
  // in floci-io/floci#2662.
  it('partitions an array into chunks, the last one shorter', async () => {
    await expect(run('$partition([1,2,3,4,5,6,7,8,9], 4)')).resolves.toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9],
    ]);
  });

  it('returns a range that includes its end when a step lands on it', async () => {
    await expect(run('$range(0, 6, 2)')).resolves.toEqual([0, 2, 4, 6]);
    await expect(run('$range(0, 10, 3)')).resolves.toEqual([0, 3, 6, 9]);
    await expect(run('$range(3, 1, -1)')).resolves.toEqual([3, 2, 1]);
  });

  it('returns the hex digest for each supported hash algorithm', async () => {
    await expect(run('$hash("input", "SHA-1")')).resolves.toBe('140f86aae51ab9e1cda9b4254fe98a74eb54c1a1');
    await expect(run('$hash("input", "MD5")')).resolves.toBe('a43c1b0aa53a0c908810c06ab1ff3967');
  });

  it('rejects an unsupported hash algorithm', async () => {
    const error = await failure(run('$hash("input", "SHA-3")'));
    expect(error.cause).toContain(
      "threw an error during evaluation: The hash algorithm 'SHA-3' is not supported",
    );
  });

  it('returns the same number for the same seed, the one AWS gives for 42', async () => {
    await expect(run('$random(42)')).resolves.toBe(0.7275636800328681);
    const [a, b] = (await run('[$random(7), $random(7)]')) as number[];
    expect(a).toBe(b);
  });

  it('returns a number in [0, 1) without a seed', async () => {
    const value = (await run('$random()')) as number;
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThan(1);
  });

  it('returns a version 4 UUID', async () => {
    await expect(run('$uuid()')).resolves.toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('parses a JSON string into its value', async () => {
    await expect(run('$parse($states.input.s).a', { s: '{"a":[1,2]}' })).resolves.toEqual([1, 2]);
  });

  it('rejects a string that is not JSON', async () => {
    await failure(run('$parse("{nope")'));
  });
});

describe('evaluateCondition', () => {
  it('returns the boolean an expression gives, and a literal boolean as is', async () => {
    await expect(evaluateCondition('{% $states.input.age >= 18 %}', scope({ age: 20 }))).resolves.toBe(true);
    await expect(evaluateCondition('{% $limit < 3 %}', scope({}, { limit: 5 }))).resolves.toBe(false);
    await expect(evaluateCondition(true, scope())).resolves.toBe(true);
  });

  // Wording of the Items check recorded by AWS (evaluate_jsonata snapshot: "returned an unexpected result
  // type. Expected 'array', but was 'string' for value: \"string\""), applied to Condition's boolean.
  it('rejects a condition that is not a boolean', async () => {
    const error = await failure(evaluateCondition("{% 'yes' %}", scope(), 'Choices[0]/Condition'));
    expect(error.cause).toBe(
      "The JSONata expression ''yes'' specified for the field 'Choices[0]/Condition' returned an unexpected result type. Expected 'boolean', but was 'string' for value: \"yes\"",
    );
    expect(error.location).toBe('Choices[0]/Condition');
  });

  it('rejects a condition that returns nothing', async () => {
    const error = await failure(evaluateCondition('{% $states.input.missing %}', scope()));
    expect(error.cause).toBe(
      "The JSONata expression '$states.input.missing' specified for the field 'Condition' returned nothing (undefined).",
    );
  });
});

describe('evaluateTyped', () => {
  // evaluate_jsonata/test_base_evaluate_expressions.snapshot.json, Items given an object.
  it("rejects a value of the wrong type in AWS's words", async () => {
    const error = await failure(evaluateTyped("{% {'foo': 'bar'} %}", scope(), 'Items', 'array'));
    expect(error.cause).toBe(
      "The JSONata expression '{'foo': 'bar'}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}",
    );
  });

  it('returns a value of the expected type', async () => {
    await expect(evaluateTyped('{% [1, 2] %}', scope(), 'Items', 'array')).resolves.toEqual([1, 2]);
  });
});
