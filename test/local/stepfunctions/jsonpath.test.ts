import { States, StatesError } from '../../../local/stepfunctions/engine/errors';
import {
  applyPayloadTemplate,
  applyResultPath,
  evaluatePath,
  NOT_FOUND,
  type PathScope,
  selectPath,
} from '../../../local/stepfunctions/engine/jsonpath';

const store = {
  store: {
    book: [
      { category: 'reference', author: 'Nigel Rees', title: 'Sayings of the Century', price: 8.95 },
      { category: 'fiction', author: 'Evelyn Waugh', title: 'Sword of Honour', price: 12.99, isbn: 'a' },
      { category: 'fiction', author: 'Herman Melville', title: 'Moby Dick', price: 8.99, isbn: null },
    ],
    bicycle: { color: 'red', price: 19.95 },
  },
  'field with spaces': 1,
  nothing: null,
};

const scope = (input: unknown, extra: Partial<PathScope> = {}): PathScope => ({
  input,
  context: { Execution: { Id: 'arn:exec', Input: { greeting: 'hi' } }, State: { Name: 'Step' } },
  ...extra,
});

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

describe('evaluatePath', () => {
  // ASL spec, "Paths" and "Reference Paths": definite paths name one node and give its value.
  it.each([
    ['$', store],
    ['$.store.bicycle.color', 'red'],
    ["$['field with spaces']", 1],
    ['$["store"]["bicycle"].price', 19.95],
    ['$.store.book[0].author', 'Nigel Rees'],
    ['$.store.book[-1].author', 'Herman Melville'],
    ['$.nothing', null],
    ['$.store.book.length()', 3],
  ])('returns the value a definite path %s names', (path, expected) => {
    expect(evaluatePath(path, scope(store))).toEqual(expected);
  });

  // Jayway JsonPath (which AWS runs): wildcards, deep scans, slices, unions and filters give an array.
  it.each([
    ['$.store.book[*].author', ['Nigel Rees', 'Evelyn Waugh', 'Herman Melville']],
    ['$..price', [8.95, 12.99, 8.99, 19.95]],
    ['$.store.book[1:3].price', [12.99, 8.99]],
    ['$.store.book[:2].price', [8.95, 12.99]],
    ['$.store.book[-2:].price', [12.99, 8.99]],
    ['$.store.book[0,2].price', [8.95, 8.99]],
    ['$.store.book[?(@.price > 10)].title', ['Sword of Honour']],
    ["$.store.book[?(@.category == 'fiction')].price", [12.99, 8.99]],
    ['$.store.book[?(@.isbn)].price', [12.99, 8.99]],
    ['$.store.book[?(!@.isbn)].price', [8.95]],
    ["$.store.book[?(@.price < 9 && @.category != 'reference')].price", [8.99]],
    ['$.store.book[?(@.author =~ /.*Waugh/)].price', [12.99]],
    ["$.store.book[?(@.category in ['reference'])].price", [8.95]],
    ['$.store.book[?(@.price < $.store.bicycle.price)].price', [8.95, 12.99, 8.99]],
    ['$.store.bicycle.*', ['red', 19.95]],
    ['$.store.book[*].length()', 3],
  ])('returns an array for the indefinite path %s', (path, expected) => {
    expect(evaluatePath(path, scope(store))).toEqual(expected);
  });

  it('returns an empty array when an indefinite path matches nothing', () => {
    expect(evaluatePath('$.store.toys[*].name', scope(store))).toEqual([]);
    expect(evaluatePath('$..isbn13', scope(store))).toEqual([]);
  });

  it.each([
    '$.missing',
    '$.store.missing.deeper',
    '$.store.book[7]',
    '$.store.bicycle.color.shade',
    '$.nothing.field',
  ])('returns NOT_FOUND, not an exception, when the definite path %s finds nothing', (path) => {
    expect(evaluatePath(path, scope(store))).toBe(NOT_FOUND);
  });

  it('reads the context object with $$', () => {
    expect(evaluatePath('$$.Execution.Input.greeting', scope(store))).toBe('hi');
    expect(evaluatePath('$$', scope(store))).toEqual(scope(store).context);
  });

  // Developer guide, "Passing data between states with variables": $name and $name.field.
  it('reads workflow variables, and gives NOT_FOUND for an unassigned one', () => {
    // Prepare
    const variables = new Map<string, unknown>([['order', { items: [{ sku: 'x' }] }]]);
    // Act
    const sku = evaluatePath('$order.items[0].sku', scope(store, { variables }));
    const unassigned = evaluatePath('$other', scope(store, { variables }));
    // Assess
    expect(sku).toBe('x');
    expect(unassigned).toBe(NOT_FOUND);
  });

  it.each(['store', '$.a b', '$.a[', '$[1:2:3]', '$.a[?(@.x ==)]', '$.a.unknown()'])(
    'rejects the syntactically invalid path %s with States.Runtime',
    (path) => {
      expect(caught(() => evaluatePath(path, scope(store))).error).toBe(States.Runtime);
    },
  );

  it('evaluates a path compiled once against each new input', () => {
    // Speed is `npm run bench`'s to measure; here, that the compiled path does not keep an old input.
    for (let i = 0; i < 1_000; i++) expect(evaluatePath('$.a.b.c', scope({ a: { b: { c: i } } }))).toBe(i);
  });
});

describe('selectPath', () => {
  it('returns {} for null, the whole input for undefined or $, and the value otherwise', () => {
    expect(selectPath(null, scope(store), 'InputPath')).toEqual({});
    expect(selectPath(undefined, scope(store), 'InputPath')).toBe(store);
    expect(selectPath('$', scope(store), 'InputPath')).toBe(store);
    expect(selectPath('$.store.bicycle', scope(store), 'InputPath')).toBe(store.store.bicycle);
  });

  // LocalStack's AWS-recorded snapshot scenarios/test_base_scenarios.snapshot.json,
  // test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_INPUTPATH] / [ST.INVALID_JSONPATH_IN_OUTPUTPATH].
  it('fails with States.Runtime and Jayway\'s "No results" when the last field is missing', () => {
    const error = caught(() => selectPath('$.NoSuchInputPath', scope({ 'int-literal': 0 }), 'InputPath'));
    expect(error.error).toBe(States.Runtime);
    expect(error.cause).toBe("Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']");
  });

  // Same snapshots, test_catch_states_runtime: OutputPath "$.no.such.result.path" on {}.
  it('fails with "Missing property in path" when a field before the last is missing', () => {
    const error = caught(() => selectPath('$.no.such.result.path', scope({}), 'OutputPath'));
    expect(error.error).toBe(States.Runtime);
    expect(error.cause).toBe("Invalid path '$.no.such.result.path' : Missing property in path $['no']");
  });

  it('fails with the normalized path when an index is out of range', () => {
    expect(caught(() => selectPath('$.store.book[5]', scope(store), 'InputPath')).cause).toBe(
      "Invalid path '$.store.book[5]' : No results for path: $['store']['book'][5]",
    );
  });

  it('rejects an invalid path naming the field', () => {
    const error = caught(() => selectPath('$.a[', scope(store), 'ItemsPath'));
    expect(error.error).toBe(States.Runtime);
    expect(error.cause).toContain("'ItemsPath'");
  });
});

describe('applyPayloadTemplate', () => {
  // ASL spec, "Payload Template": `.$` fields take paths, other values are copied.
  it('fills .$ fields from the input, the context and variables, and copies the rest', () => {
    // Prepare
    const template = {
      literal: { nested: [1, 'two'] },
      'color.$': '$.store.bicycle.color',
      'execution.$': '$$.Execution.Id',
      'count.$': '$counter',
      deep: { 'cheap.$': '$.store.book[?(@.price < 9)].title' },
      list: [{ 'first.$': '$.store.book[0].price' }],
    };
    const variables = new Map<string, unknown>([['counter', 3]]);
    // Act
    const payload = applyPayloadTemplate(template, scope(store, { variables }));
    // Assess
    expect(payload).toEqual({
      literal: { nested: [1, 'two'] },
      color: 'red',
      execution: 'arn:exec',
      count: 3,
      deep: { cheap: ['Sayings of the Century', 'Moby Dick'] },
      list: [{ first: 8.95 }],
    });
    expect((payload as { literal: unknown }).literal).not.toBe(template.literal);
  });

  it('evaluates intrinsic functions in .$ fields', () => {
    const payload = applyPayloadTemplate(
      { 'text.$': "States.Format('{} bike', $.store.bicycle.color)" },
      scope(store),
    );
    expect(payload).toEqual({ text: 'red bike' });
  });

  // LocalStack's AWS-recorded snapshot scenarios/test_base_scenarios.snapshot.json,
  // test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH]: States.Runtime, not ParameterPathFailure.
  it('fails with States.Runtime naming the path, the field and the input when a path finds nothing', () => {
    const error = caught(() =>
      applyPayloadTemplate({ 'value.$': '$.no_such_jsonpath' }, scope({ 'int-literal': 0 })),
    );
    expect(error.error).toBe(States.Runtime);
    expect(error.cause).toBe(
      "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"int-literal\":0}'",
    );
  });

  // Same snapshots, [INVALID_JSONPATH_IN_STRING_EXPR_CONTEXTPATH].
  it('fails the same way for a context path that finds nothing', () => {
    const error = caught(() =>
      applyPayloadTemplate({ 'value.$': '$$.Execution.Input.no_such_jsonpath' }, scope({})),
    );
    expect(error.error).toBe(States.Runtime);
    expect(error.cause).toMatch(
      /^The JSONPath '\$\$\.Execution\.Input\.no_such_jsonpath' specified for the field 'value\.\$' could not be found in the input '\{/,
    );
  });

  it('keeps a field named __proto__ as data', () => {
    const payload = applyPayloadTemplate(JSON.parse('{"__proto__": {"polluted": true}}'), scope({}));
    expect(Object.hasOwn(payload as object, '__proto__')).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe('applyResultPath', () => {
  const input = { comment: 'This is a test', details: { who: 'Step Functions' } };

  // Developer guide, "Specifying state output using ResultPath": null keeps the input, $ replaces it.
  it('keeps the input for null and returns the result for undefined or $', () => {
    expect(applyResultPath(input, 'Hello', null)).toBe(input);
    expect(applyResultPath(input, 'Hello', undefined)).toBe('Hello');
    expect(applyResultPath(input, 'Hello', '$')).toBe('Hello');
  });

  it('sets the result at the path, creating missing objects, without mutating the input', () => {
    // Prepare
    const before = structuredClone(input);
    // Act
    const output = applyResultPath(input, 'Hello', '$.taskresult.greeting');
    const replaced = applyResultPath(input, 'someone', "$.details['who']");
    // Assess
    expect(output).toEqual({ ...input, taskresult: { greeting: 'Hello' } });
    expect(replaced).toEqual({ comment: 'This is a test', details: { who: 'someone' } });
    expect(input).toEqual(before);
    expect((output as typeof input).details).toBe(input.details);
  });

  it('sets an existing array item', () => {
    expect(applyResultPath({ list: [1, 2] }, 'x', '$.list[1]')).toEqual({ list: [1, 'x'] });
  });

  // ASL spec, "Errors": States.ResultPathMatchFailure when ResultPath cannot be applied to the input.
  it.each([
    ['a string input', 'text', '$.result'],
    ['a field inside a string', { a: 'text' }, '$.a.b'],
    ['an index past the end', { list: [] }, '$.list[0]'],
  ])('fails with States.ResultPathMatchFailure when setting into %s', (_, value, path) => {
    expect(caught(() => applyResultPath(value, 1, path)).error).toBe(States.ResultPathMatchFailure);
  });

  it('rejects a ResultPath that is not a reference path', () => {
    expect(caught(() => applyResultPath({}, 1, '$.items[*]')).error).toBe(States.Runtime);
  });
});
