import { States, StatesError } from '../../../local/stepfunctions/engine/errors';
import { evaluateIntrinsic, isIntrinsic } from '../../../local/stepfunctions/engine/intrinsics';
import type { PathScope } from '../../../local/stepfunctions/engine/jsonpath';

const scope = (input: unknown = {}, extra: Partial<PathScope> = {}): PathScope => ({
  input,
  context: { StateMachine: { Name: 'first-second-third' }, Execution: { Input: { n: 1 } } },
  ...extra,
});

const run = (expression: string, input?: unknown) => evaluateIntrinsic(expression, scope(input));

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

describe('isIntrinsic', () => {
  it('recognises States.Xxx(...) calls and nothing else', () => {
    expect(isIntrinsic('States.Format()')).toBe(true);
    expect(isIntrinsic('States.UUID()')).toBe(true);
    expect(isIntrinsic('$.States')).toBe(false);
    expect(isIntrinsic('States.Format')).toBe(false);
  });
});

describe('evaluateIntrinsic: arguments', () => {
  // Developer guide, "Intrinsic functions", "Reserved characters": \' \{ \} \\ escapes.
  it('unescapes quoted strings, and keeps escaped braces out of States.Format placeholders', () => {
    expect(run("States.Format('it\\'s \\{\\} {} \\\\', 'x')")).toBe("it's {} x \\");
  });

  // Same section: "If an open escape backslash \ is found ..., the interpreter will throw a runtime error".
  it('rejects an open escape with States.Runtime', () => {
    expect(caught(() => run("States.Format('a\\b')")).error).toBe(States.Runtime);
  });

  // ASL spec, "Intrinsic Functions": literals, paths and nested calls as arguments.
  it('takes numbers, booleans, null, paths, context paths, variables and nested calls', () => {
    // Prepare
    const variables = new Map<string, unknown>([['v', 'var']]);
    // Act
    const result = evaluateIntrinsic(
      "States.Array(1, -2.5, true, null, 'a,b', $.list[0], $['a key'], $$.Execution.Input.n, $v, States.Array())",
      scope({ list: ['first'], 'a key': 'k' }, { variables }),
    );
    // Assess
    expect(result).toEqual([1, -2.5, true, null, 'a,b', 'first', 'k', 1, 'var', []]);
  });

  // LocalStack's AWS-recorded snapshot intrinsic_functions/test_generic.snapshot.json, test_nested_calls_2.
  it('evaluates deeply nested calls', () => {
    const expression =
      "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))";
    expect(run(expression)).toBe('third');
  });

  // Developer guide, "Intrinsic functions": up to 10 intrinsic functions in one field.
  it('fails with States.IntrinsicFailure beyond 10 calls in one field', () => {
    const eleven = `${'States.Array('.repeat(11)}${')'.repeat(11)}`;
    const ten = `${'States.Array('.repeat(10)}${')'.repeat(10)}`;
    expect(() => run(ten)).not.toThrow();
    expect(caught(() => run(eleven)).error).toBe(States.IntrinsicFailure);
  });

  it('fails with States.Runtime naming the path and field when a path argument finds nothing', () => {
    const error = caught(() => evaluateIntrinsic("States.Format('{}', $.missing)", scope({}), 'text.$'));
    expect(error.error).toBe(States.Runtime);
    expect(error.cause).toBe(
      "The JSONPath '$.missing' specified for the field 'text.$' could not be found in the input '{}'",
    );
  });

  it.each([
    'States.Nope()',
    'States.Array(',
    "States.Array('open)",
    'States.Array(1 2)',
    'States.Array(bare)',
  ])('rejects the malformed call %s with States.IntrinsicFailure', (expression) => {
    expect(caught(() => run(expression)).error).toBe(States.IntrinsicFailure);
  });
});

describe('evaluateIntrinsic: States.Format', () => {
  // LocalStack's AWS-recorded snapshot intrinsic_functions/test_generic.snapshot.json, test_format_1/2.
  it.each([
    ['', 'Formatting argument .'],
    ['HelloWorld', 'Formatting argument HelloWorld.'],
    [null, 'Formatting argument null.'],
    [1, 'Formatting argument 1.'],
    [1.1, 'Formatting argument 1.1.'],
    [true, 'Formatting argument true.'],
    ['{"Arg1": 1, "Arg2": []}', 'Formatting argument {"Arg1": 1, "Arg2": []}.'],
    [{ Arg1: 1, Arg2: [] }, 'Formatting argument {Arg1=1, Arg2=[]}.'],
  ])('prints %j as AWS does', (value, expected) => {
    expect(run("States.Format('Formatting argument {}.', $.value)", { value })).toBe(expected);
  });

  it('takes the template from a path', () => {
    expect(
      run('States.Format($.template, $.name)', { template: 'Hello, my name is {}.', name: 'Arnav' }),
    ).toBe('Hello, my name is Arnav.');
  });

  // ASL spec, States.Format: "There MUST be as many remaining arguments ... as there are occurrences of {}".
  it.each(["States.Format('{} {}', 1)", "States.Format('{}', 1, 2)"])(
    'fails with States.IntrinsicFailure when placeholders and arguments differ: %s',
    (expression) => {
      expect(caught(() => run(expression)).error).toBe(States.IntrinsicFailure);
    },
  );
});

describe('evaluateIntrinsic: JSON', () => {
  // LocalStack's AWS-recorded snapshot intrinsic_functions/test_json_manipulation.snapshot.json.
  it.each([
    ['', null],
    [' ', null],
    ['null', null],
    ['-0', 0],
    ['1.1', 1.1],
    ['"HelloWorld"', 'HelloWorld'],
    ['{"Arg1": 1, "Arg2": []}', { Arg1: 1, Arg2: [] }],
  ])('parses %j with States.StringToJson', (text, expected) => {
    expect(run('States.StringToJson($.text)', { text })).toEqual(expected);
  });

  it('fails with States.IntrinsicFailure on text that is not JSON', () => {
    expect(caught(() => run("States.StringToJson('{nope')")).error).toBe(States.IntrinsicFailure);
  });

  // Same snapshot, test_json_to_string: compact JSON.
  it('prints compact JSON with States.JsonToString', () => {
    expect(run('States.JsonToString($.value)', { value: { Arg1: 1, Arg2: [] } })).toBe(
      '{"Arg1":1,"Arg2":[]}',
    );
    expect(run('States.JsonToString($.value)', { value: 'HelloWorld' })).toBe('"HelloWorld"');
  });

  // Same snapshot, test_json_merge and test_json_merge_escaped_argument.
  it('merges shallowly with States.JsonMerge, the second object winning', () => {
    const input = { a: { a: { a1: 1, a2: 2 }, b: 2, d: 3 }, b: { a: { a3: 1, a4: 2 }, c: 3, d: 4 } };
    expect(run('States.JsonMerge($.a, $.b, false)', input)).toEqual({
      a: { a3: 1, a4: 2 },
      b: 2,
      c: 3,
      d: 4,
    });
    expect(
      run(
        'States.JsonMerge(States.StringToJson(\'{"constant_in_literal": "false"}\'), $$.Execution.Input, false)',
      ),
    ).toEqual({ constant_in_literal: 'false', n: 1 });
  });

  // Developer guide, States.JsonMerge: "Step Functions only supports the shallow merging mode".
  it.each(['States.JsonMerge($.a, $.a, true)', "States.JsonMerge($.a, 'x', false)"])(
    'fails with States.IntrinsicFailure for %s',
    (expression) => {
      expect(caught(() => run(expression, { a: {} })).error).toBe(States.IntrinsicFailure);
    },
  );
});

describe('evaluateIntrinsic: arrays', () => {
  // LocalStack's AWS-recorded snapshot intrinsic_functions/test_array.snapshot.json, test_array_partition.
  it.each([
    [[], 2, []],
    [[0, 1, 2], 2, [[0, 1], [2]]],
    [[0, 1, 2, 3], 4, [[0, 1, 2, 3]]],
    [[0], 5, [[0]]],
  ])('partitions %j in chunks of %d', (array, size, expected) => {
    expect(run('States.ArrayPartition($.array, $.size)', { array, size })).toEqual(expected);
  });

  it.each([0, -1])('fails with States.IntrinsicFailure for a chunk size of %d', (size) => {
    expect(caught(() => run('States.ArrayPartition($.a, $.size)', { a: [1], size })).error).toBe(
      States.IntrinsicFailure,
    );
  });

  // Same snapshot, test_array_contains: structural equality.
  it.each([
    [[], null, false],
    [[[1, 2, 3], 2], [1, 2, 3], true],
    [[{ 1: 2, 2: [] }], { 2: [], 1: 2 }, true],
    [[true, false], false, true],
  ])('finds %j containing %j: %s', (array, value, expected) => {
    expect(run('States.ArrayContains($.array, $.value)', { array, value })).toBe(expected);
  });

  // Same snapshot, test_array_range; developer guide: at most 1000 items, a non-zero step.
  it.each([
    [0, 9, 3, [0, 3, 6, 9]],
    [0, 10, 3, [0, 3, 6, 9]],
    [1, 9, 9, [1]],
    [1, 9, 2, [1, 3, 5, 7, 9]],
    [5, 1, -2, [5, 3, 1]],
  ])('ranges from %d to %d by %d', (first, last, step, expected) => {
    expect(run(`States.ArrayRange(${first}, ${last}, ${step})`)).toEqual(expected);
  });

  it('allows 1000 items and fails with States.IntrinsicFailure at 1001 or a zero step', () => {
    expect(run('States.ArrayRange(1, 1000, 1)')).toHaveLength(1000);
    expect(caught(() => run('States.ArrayRange(0, 1000, 1)')).error).toBe(States.IntrinsicFailure);
    expect(caught(() => run('States.ArrayRange(0, 10, 0)')).error).toBe(States.IntrinsicFailure);
  });

  // Same snapshot, test_array_get_item and test_array_length.
  it('gets an item and the length of an array', () => {
    const input = { array: [1, 2, 3, 4, 5, 6, 7, 8, 9], index: 5 };
    expect(run('States.ArrayGetItem($.array, $.index)', input)).toBe(6);
    expect(run('States.ArrayLength($.array)', input)).toBe(9);
  });

  it('fails with States.IntrinsicFailure for an index out of bounds or a non-array', () => {
    expect(caught(() => run('States.ArrayGetItem($.a, 3)', { a: [1] })).error).toBe(States.IntrinsicFailure);
    expect(caught(() => run("States.ArrayLength('abc')")).error).toBe(States.IntrinsicFailure);
  });

  // Developer guide, States.ArrayUnique (the snapshot of it records another function's output).
  it('removes duplicates, keeping first occurrences', () => {
    const array = [
      null,
      null,
      true,
      1,
      1,
      1.1,
      'a',
      'a',
      [],
      [],
      [null],
      [null],
      { a: 1, b: 2 },
      { b: 2, a: 1 },
    ];
    expect(run('States.ArrayUnique($.array)', { array })).toEqual([
      null,
      true,
      1,
      1.1,
      'a',
      [],
      [null],
      { a: 1, b: 2 },
    ]);
  });

  // Same snapshot, test_array_0 / test_array_2.
  it('builds arrays with States.Array', () => {
    expect(run('States.Array()')).toEqual([]);
    expect(run('States.Array($.a, $.a)', { a: { Arg1: 1 } })).toEqual([{ Arg1: 1 }, { Arg1: 1 }]);
  });
});

describe('evaluateIntrinsic: encoding and hashing', () => {
  // LocalStack's AWS-recorded snapshot intrinsic_functions/test_encode_decode.snapshot.json.
  it('encodes and decodes Base64', () => {
    expect(run("States.Base64Encode('Data to encode')")).toBe('RGF0YSB0byBlbmNvZGU=');
    expect(run("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')")).toBe('Data to encode');
    expect(run("States.Base64Encode('')")).toBe('');
  });

  // Developer guide: Base64 and Hash take at most 10,000 characters.
  it('fails with States.IntrinsicFailure above 10,000 characters', () => {
    const input = { ok: 'x'.repeat(10_000), long: 'x'.repeat(10_001) };
    expect(() => run('States.Base64Encode($.ok)', input)).not.toThrow();
    expect(caught(() => run('States.Base64Encode($.long)', input)).error).toBe(States.IntrinsicFailure);
    expect(caught(() => run("States.Hash($.long, 'MD5')", input)).error).toBe(States.IntrinsicFailure);
  });

  // LocalStack's AWS-recorded snapshot intrinsic_functions/test_hash_calculations.snapshot.json.
  it.each([
    ['MD5', '812f45842bc6d66ee14572ce20db8e86'],
    ['SHA-1', 'aaff4a450a104cd177d28d18d74485e8cae074b7'],
    ['SHA-256', 'b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3'],
    [
      'SHA-384',
      'd28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562',
    ],
    [
      'SHA-512',
      '6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4',
    ],
  ])('hashes with %s', (algorithm, expected) => {
    expect(run(`States.Hash('input data', '${algorithm}')`)).toBe(expected);
  });

  it('fails with States.IntrinsicFailure for an unknown algorithm', () => {
    expect(caught(() => run("States.Hash('x', 'SHA-3')")).error).toBe(States.IntrinsicFailure);
  });
});

describe('evaluateIntrinsic: math, strings and UUIDs', () => {
  // LocalStack's AWS-recorded snapshot intrinsic_functions/test_math_operations.snapshot.json, test_math_add.
  it.each([
    [-9, 3, -6],
    [1.49, 1.5, 3],
    [1.5, 1.51, 4],
    [-1.49, -1.5, -2],
    [-1.5, -1.51, -3],
    [-0.5, 0.5, 1],
    [-0.5, 0, 0],
    [2.5, 0, 3],
  ])('adds %d and %d as %d, rounding fractions half up', (a, b, expected) => {
    expect(run('States.MathAdd($.a, $.b)', { a, b })).toBe(expected);
  });

  it('fails with States.IntrinsicFailure when MathAdd is given a string', () => {
    expect(caught(() => run("States.MathAdd('1', 2)")).error).toBe(States.IntrinsicFailure);
  });

  // Same snapshot, test_math_random / test_math_random_seeded.
  it('returns a random integer between start and end, the same one for the same seed', () => {
    for (let i = 0; i < 50; i++) {
      const value = run('States.MathRandom(-5, 5)') as number;
      expect(Number.isInteger(value) && value >= -5 && value <= 5).toBe(true);
    }
    expect(run('States.MathRandom(0, 999, 3)')).toBe(run('States.MathRandom(0, 999, 3)'));
    expect(Number.isInteger(run('States.MathRandom(12.5, 44.51)'))).toBe(true);
  });

  // LocalStack's AWS-recorded snapshot intrinsic_functions/test_string_operations.snapshot.json.
  it.each([
    [' , ', ',', [' ', ' ']],
    [',,,,', ',', []],
    ['1,2,3,4,5', ',', ['1', '2', '3', '4', '5']],
    ['This.is+a,test=string', '.+,=', ['This', 'is', 'a', 'test', 'string']],
    ['split on T and \nnew line', 'T\n', ['split on ', ' and ', 'new line']],
  ])('splits %j on any of %j', (text, delimiters, expected) => {
    expect(run('States.StringSplit($.text, $.delimiters)', { text, delimiters })).toEqual(expected);
  });

  // Developer guide, States.UUID: a version 4 UUID.
  it('generates v4 UUIDs', () => {
    const uuid = run('States.UUID()');
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(run('States.UUID()')).not.toBe(uuid);
  });

  it('rejects arguments to States.UUID', () => {
    expect(caught(() => run('States.UUID(1)')).error).toBe(States.IntrinsicFailure);
  });
});
