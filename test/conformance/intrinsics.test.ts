import { runAsl, single } from './support';

/** Runs `"FunctionResult.$": expression` in a Pass Parameters over {FunctionInput: input}. */
async function call(expression: string, input: unknown) {
  const run = await runAsl(
    single({ Type: 'Pass', Parameters: { 'FunctionResult.$': expression } }, 'State_0'),
    {
      FunctionInput: input,
    },
  );
  if (run.status !== 'SUCCEEDED') throw new Error(`${run.error}: ${run.cause}`);
  return (run.output as { FunctionResult: unknown }).FunctionResult;
}

const two = 'States.X($.FunctionInput.fst, $.FunctionInput.snd)';
const with2 = (name: string) => two.replace('X', name);

describe('intrinsic functions', () => {
  // recorded: tests/aws/services/stepfunctions/v2/intrinsic_functions/test_array.snapshot.json "test_array_0", "test_array_2"
  it.each([
    ['States.Array()', 'HelloWorld', []],
    [with2('Array'), { fst: 'HelloWorld', snd: 'HelloWorld' }, ['HelloWorld', 'HelloWorld']],
    [with2('Array'), { fst: null, snd: 1.1 }, [null, 1.1]],
    [with2('Array'), { fst: { Arg1: 1, Arg2: [] }, snd: '' }, [{ Arg1: 1, Arg2: [] }, '']],
  ])('%s over %j gives %j', async (expression, input, expected) => {
    expect(await call(expression, input)).toEqual(expected);
  });

  // recorded: .../test_array.snapshot.json "test_array_partition"
  it.each([
    [[], 2, []],
    [[0], 5, [[0]]],
    [[0, 1, 2], 2, [[0, 1], [2]]],
    [[0, 1, 2, 3], 3, [[0, 1, 2], [3]]],
    [[0, 1, 2, 3], 1, [[0], [1], [2], [3]]],
  ])('States.ArrayPartition(%j, %i) gives %j', async (fst, snd, expected) => {
    expect(await call(with2('ArrayPartition'), { fst, snd })).toEqual(expected);
  });

  // recorded: .../test_array.snapshot.json "test_array_contains"
  it.each([
    [[], null, false],
    [[[1, 2, 3], 2], [1, 2, 3], true],
    [[{ 1: 2, 2: [] }], { 1: 2, 2: [] }, true],
    [[{ 1: 2, 2: [] }], [], false],
    [[true, false], false, true],
  ])('States.ArrayContains(%j, %j) is %s', async (fst, snd, expected) => {
    expect(await call(with2('ArrayContains'), { fst, snd })).toBe(expected);
  });

  // recorded: .../test_array.snapshot.json "test_array_range"
  it.each([
    [0, 9, 3, [0, 3, 6, 9]],
    [0, 10, 3, [0, 3, 6, 9]],
    [1, 9, 9, [1]],
    [1, 9, 2, [1, 3, 5, 7, 9]],
  ])('States.ArrayRange(%i, %i, %i) gives %j', async (fst, snd, trd, expected) => {
    const expression = 'States.ArrayRange($.FunctionInput.fst, $.FunctionInput.snd, $.FunctionInput.trd)';
    expect(await call(expression, { fst, snd, trd })).toEqual(expected);
  });

  // recorded: .../test_array.snapshot.json "test_array_get_item", "test_array_length"
  it('reads an item and the length of an array', async () => {
    expect(await call(with2('ArrayGetItem'), { fst: [1, 2, 3, 4, 5, 6, 7, 8, 9], snd: 5 })).toBe(6);
    expect(await call('States.ArrayLength($.FunctionInput)', [1, 2, 3, 4, 5, 6, 7, 8, 9])).toBe(9);
  });

  // AWS developer guide, "Intrinsic functions": States.ArrayUnique removes duplicate values
  it('removes duplicates with States.ArrayUnique', async () => {
    expect(await call('States.ArrayUnique($.FunctionInput)', [1, 2, 3, 3, 3, 3, 3, 3, 4])).toEqual([
      1, 2, 3, 4,
    ]);
    expect(
      await call('States.ArrayUnique($.FunctionInput)', [null, null, 'a', 'a', { a: 1 }, { a: 1 }]),
    ).toEqual([null, 'a', { a: 1 }]);
  });

  // recorded: .../test_encode_decode.snapshot.json "test_base_64_encode", "test_base_64_decode"
  it.each([
    ['States.Base64Encode($.FunctionInput)', 'Data to encode', 'RGF0YSB0byBlbmNvZGU='],
    ['States.Base64Encode($.FunctionInput)', '', ''],
    ['States.Base64Decode($.FunctionInput)', 'RGF0YSB0byBlbmNvZGU=', 'Data to encode'],
  ])('%s over %j gives %j', async (expression, input, expected) => {
    expect(await call(expression, input)).toBe(expected);
  });

  // recorded: .../test_hash_calculations.snapshot.json "test_hash"
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
  ])('States.Hash with %s', async (algorithm, expected) => {
    expect(await call(with2('Hash'), { fst: 'input data', snd: algorithm })).toBe(expected);
  });

  // recorded: .../test_generic.snapshot.json "test_format_1", "test_format_2"
  it.each([
    ['', 'Formatting argument .'],
    ['HelloWorld', 'Formatting argument HelloWorld.'],
    [null, 'Formatting argument null.'],
    [1, 'Formatting argument 1.'],
    [1.1, 'Formatting argument 1.1.'],
  ])('States.Format with %j', async (input, expected) => {
    expect(await call("States.Format('Formatting argument {}.', $.FunctionInput)", input)).toBe(expected);
  });

  // recorded: .../test_generic.snapshot.json "test_format_2" (objects print as {k=v})
  it('formats an object argument as {key=value}', async () => {
    const expression =
      "States.Format('Formatting arguments fst={} and snd={}.', $.FunctionInput.fst, $.FunctionInput.snd)";
    expect(await call(expression, { fst: { Arg1: 1, Arg2: [] }, snd: 'x' })).toBe(
      'Formatting arguments fst={Arg1=1, Arg2=[]} and snd=x.',
    );
  });

  // recorded: .../test_generic.snapshot.json "test_escape_sequence"
  it('splits on an escaped newline in a literal', async () => {
    expect(await call("States.StringSplit('Hello\nWorld', '\n')", null)).toEqual(['Hello', 'World']);
  });

  // recorded: .../test_generic.snapshot.json "test_nested_calls_1", "test_nested_calls_2"
  it('nests intrinsic calls over the context object', async () => {
    const first = await call("States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)", null);
    const last = await call(
      "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))",
      null,
    );
    expect(typeof first).toBe('string');
    expect(typeof last).toBe('string');
  });

  // recorded: .../test_json_manipulation.snapshot.json "test_string_to_json", "test_json_to_string"
  it.each([
    ['null', null],
    ['-0', 0],
    ['1.1', 1.1],
    ['true', true],
    ['"HelloWorld"', 'HelloWorld'],
    ['[1, 2, "HelloWorld"]', [1, 2, 'HelloWorld']],
    ['{"Arg1": 1, "Arg2": []}', { Arg1: 1, Arg2: [] }],
  ])('States.StringToJson(%j)', async (input, expected) => {
    expect(await call('States.StringToJson($.FunctionInput)', input)).toEqual(expected);
  });

  // recorded: .../test_json_manipulation.snapshot.json "test_json_to_string"
  it.each([
    [null, 'null'],
    [1.1, '1.1'],
    ['HelloWorld', '"HelloWorld"'],
    [[1, 2, 'HelloWorld'], '[1,2,"HelloWorld"]'],
    [{ Arg1: 1, Arg2: [] }, '{"Arg1":1,"Arg2":[]}'],
  ])('States.JsonToString(%j)', async (input, expected) => {
    expect(await call('States.JsonToString($.FunctionInput)', input)).toBe(expected);
  });

  // recorded: .../test_json_manipulation.snapshot.json "test_json_merge" (shallow: the second object's keys win)
  it('merges two objects shallowly with States.JsonMerge', async () => {
    const expression = 'States.JsonMerge($.FunctionInput.fst, $.FunctionInput.snd, false)';
    const input = { fst: { a: { a1: 1, a2: 2 }, b: 2, d: 3 }, snd: { a: { a3: 1, a4: 2 }, c: 3, d: 4 } };
    expect(await call(expression, input)).toEqual({ a: { a3: 1, a4: 2 }, b: 2, c: 3, d: 4 });
  });

  // recorded: .../test_json_manipulation.snapshot.json "test_json_merge_escaped_argument"
  it('merges a literal parsed with StringToJson and a context path', async () => {
    const definition = single(
      {
        Type: 'Pass',
        ResultPath: '$.result_path',
        Parameters: {
          'merged.$':
            'States.JsonMerge(States.StringToJson(\'{"constant_in_literal": "false"}\'), $$.Execution.Input.input_field, false)',
        },
        OutputPath: '$.result_path.merged',
      },
      'StartState',
    );
    const run = await runAsl(definition, { input_field: { constant_input_field: 'constant_value' } });
    expect(run.output).toEqual({ constant_input_field: 'constant_value', constant_in_literal: 'false' });
  });

  // recorded: .../test_math_operations.snapshot.json "test_math_add" (arguments are rounded half up first)
  it.each([
    [-9, 3, -6],
    [1.49, 1.5, 3],
    [1.5, 1.51, 4],
    [-1.49, -1.5, -2],
    [1.49, -1.49, 0],
    [-0.5, 0, 0],
    [-1.5, 0, -1],
    [2.5, 0, 3],
    [-0.5, 0.5, 1],
  ])('States.MathAdd(%d, %d) gives %d', async (fst, snd, expected) => {
    expect(await call(with2('MathAdd'), { fst, snd })).toBe(expected);
  });

  // recorded: .../test_math_operations.snapshot.json "test_math_random", "test_math_random_seeded"
  it('draws States.MathRandom within [start, end)', async () => {
    const value = await call('States.MathRandom($.FunctionInput.fst, $.FunctionInput.snd)', {
      fst: 0,
      snd: 999,
    });
    expect(Number.isInteger(value)).toBe(true);
    expect(value as number).toBeGreaterThanOrEqual(0);
    expect(value as number).toBeLessThan(999);
    const seeded = 'States.MathRandom($.FunctionInput.fst, $.FunctionInput.snd, $.FunctionInput.trd)';
    const a = await call(seeded, { fst: 0, snd: 999, trd: 3 });
    expect(await call(seeded, { fst: 0, snd: 999, trd: 3 })).toBe(a);
  });

  // recorded: .../test_string_operations.snapshot.json "test_string_split" (each character of the splitter is a delimiter)
  it.each([
    [' ', ',', [' ']],
    [' , ', ',', [' ', ' ']],
    [', , ,', ',', [' ', ' ']],
    [',,,,', ',', []],
    ['1,2,3,4,5', ',', ['1', '2', '3', '4', '5']],
    ['This.is+a,test=string', '.+,=', ['This', 'is', 'a', 'test', 'string']],
  ])('States.StringSplit(%j, %j) gives %j', async (fst, snd, expected) => {
    expect(await call(with2('StringSplit'), { fst, snd })).toEqual(expected);
  });

  // recorded: .../test_unique_id_generation.snapshot.json "test_uuid"
  it('generates a v4 UUID with States.UUID()', async () => {
    expect(await call('States.UUID()', null)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
