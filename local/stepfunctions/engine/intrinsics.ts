/**
 * The intrinsic functions of JSONPath states (`"field.$": "States.Format('{}', $.name)"`), as the AWS Step
 * Functions developer guide ("Intrinsic functions for JSONPath states") and the States Language spec describe
 * them, and as LocalStack's AWS-recorded snapshots (tests/aws/services/stepfunctions/v2/intrinsic_functions/)
 * show them behave:
 * - arguments are quoted strings with the escapes \' \{ \} \\ (any other backslash is States.Runtime, as the
 *   guide's "Reserved characters" note says), numbers, true/false/null, paths ($, $$, $variable) and nested
 *   calls, at most 10 calls in one field;
 * - States.Format prints a number, boolean or null as JSON, a string without quotes, and an object or array
 *   the way Java prints a Map or List (`{a=1, b=[]}`), as recorded (generic/test_format_2);
 * - States.MathAdd, States.MathRandom and the array functions' integer arguments round a fraction half up
 *   (recorded: MathAdd(1.5, 0) is 2, MathAdd(-1.5, 0) is -1);
 * - States.StringSplit splits on any one of the delimiter's characters and drops empty pieces (recorded);
 * - States.StringToJson of a blank string is null (recorded);
 * - States.JsonMerge is shallow only: a `true` third argument fails, as AWS refuses deep merges;
 * - States.ArrayRange gives at most 1000 items; Base64 and Hash take at most 10,000 characters (guide).
 *
 * Where it guesses: the cause texts of failures (AWS's are not recorded anywhere we could read) and which
 * failures are States.IntrinsicFailure (wrong argument types, counts and limits, here) rather than
 * States.Runtime (a path argument that finds nothing, an open backslash); States.MathRandom with a seed is
 * repeatable but does not reproduce AWS's sequence; States.ArrayUnique keeps first occurrences (the AWS
 * recording of it in the snapshots is of another function).
 */
import { createHash, randomUUID } from 'node:crypto';
import { States, StatesError } from './errors';
import { isObject, jsonEquals, type PathScope, requirePath, toJson } from './jsonpath';

type Argument =
  | { readonly kind: 'literal'; readonly value: unknown; readonly template?: readonly string[] }
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'call'; readonly call: Call };

interface Call {
  readonly name: string;
  readonly args: readonly Argument[];
}

const INTRINSIC = /^\s*States\.[A-Za-z0-9]+\s*\(/;

/** An intrinsic function call, such as `States.Format(...)`. */
export function isIntrinsic(expression: string): boolean {
  return INTRINSIC.test(expression);
}

/**
 * Evaluates an intrinsic function call against the scope. `field` (the `.$` key being filled) names the
 * field in the error when a path argument finds nothing.
 */
export function evaluateIntrinsic(expression: string, scope: PathScope, field?: string): unknown {
  return invoke(compile(expression), scope, field);
}

// ---------------------------------------------------------------------------------------------------------
// Parsing (each distinct expression once)

const MAX_CALLS = 10;
const MAX_CACHED = 10_000;
const cache = new Map<string, Call | StatesError>();

function compile(expression: string): Call {
  let compiled = cache.get(expression);
  if (compiled === undefined) {
    try {
      compiled = parse(expression);
    } catch (error) {
      if (!(error instanceof StatesError)) throw error;
      compiled = error;
    }
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(expression, compiled);
  }
  if (compiled instanceof StatesError) throw new StatesError(compiled.error, compiled.cause);
  return compiled;
}

class Parser {
  pos = 0;
  calls = 0;
  constructor(readonly text: string) {}

  peek(): string {
    return this.text.charAt(this.pos);
  }

  skipSpaces(): void {
    while (/\s/.test(this.peek())) this.pos++;
  }

  fail(reason: string): never {
    throw new StatesError(
      States.IntrinsicFailure,
      `The intrinsic function '${this.text}' is invalid: ${reason} at position ${this.pos}`,
    );
  }
}

function parse(expression: string): Call {
  const parser = new Parser(expression);
  parser.skipSpaces();
  const call = parseCall(parser);
  parser.skipSpaces();
  if (parser.pos < expression.length) parser.fail(`unexpected '${parser.peek()}'`);
  return call;
}

const FUNCTION_NAME = /^States\.[A-Za-z0-9]+/;

function parseCall(parser: Parser): Call {
  const name = FUNCTION_NAME.exec(parser.text.slice(parser.pos))?.[0];
  if (name === undefined) return parser.fail('expected States.<function>(');
  if (++parser.calls > MAX_CALLS) parser.fail(`more than ${MAX_CALLS} intrinsic functions in one field`);
  parser.pos += name.length;
  parser.skipSpaces();
  if (parser.peek() !== '(') parser.fail("expected '('");
  parser.pos++;
  const args: Argument[] = [];
  parser.skipSpaces();
  if (parser.peek() === ')') {
    parser.pos++;
    return { name, args };
  }
  for (;;) {
    parser.skipSpaces();
    args.push(parseArgument(parser));
    parser.skipSpaces();
    if (parser.peek() === ',') {
      parser.pos++;
    } else if (parser.peek() === ')') {
      parser.pos++;
      return { name, args };
    } else {
      parser.fail("expected ',' or ')'");
    }
  }
}

const LITERAL = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)(?=\s*[,)])/;

function parseArgument(parser: Parser): Argument {
  const char = parser.peek();
  if (char === "'") return parseString(parser);
  if (char === '$') return { kind: 'path', path: readPath(parser) };
  if (parser.text.startsWith('States.', parser.pos)) return { kind: 'call', call: parseCall(parser) };
  const literal = LITERAL.exec(parser.text.slice(parser.pos))?.[0];
  if (literal === undefined) return parser.fail('expected an argument');
  parser.pos += literal.length;
  return { kind: 'literal', value: JSON.parse(literal) };
}

/**
 * A quoted string. Besides its value it keeps, for States.Format, the text split at each unescaped `{}`.
 */
function parseString(parser: Parser): Argument {
  parser.pos++;
  let value = '';
  let piece = '';
  const template: string[] = [];
  for (;;) {
    if (parser.pos >= parser.text.length) parser.fail('unterminated string');
    const char = parser.peek();
    parser.pos++;
    if (char === "'") break;
    if (char === '\\') {
      const escaped = parser.peek();
      if (escaped !== "'" && escaped !== '{' && escaped !== '}' && escaped !== '\\') {
        throw new StatesError(
          States.Runtime,
          `The intrinsic function '${parser.text}' has an open escape '\\' at position ${parser.pos - 1}`,
        );
      }
      parser.pos++;
      value += escaped;
      piece += escaped;
    } else if (char === '{' && parser.peek() === '}') {
      parser.pos++;
      value += '{}';
      template.push(piece);
      piece = '';
    } else {
      value += char;
      piece += char;
    }
  }
  template.push(piece);
  return { kind: 'literal', value, template };
}

/** A path argument: up to the `,` or `)` that ends it, outside brackets, parentheses and quotes. */
function readPath(parser: Parser): string {
  const start = parser.pos;
  let depth = 0;
  let quote = '';
  for (; parser.pos < parser.text.length; parser.pos++) {
    const char = parser.peek();
    if (quote) {
      if (char === '\\') parser.pos++;
      else if (char === quote) quote = '';
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '[' || char === '(') {
      depth++;
    } else if (char === ']' || char === ')') {
      if (depth === 0) break;
      depth--;
    } else if (char === ',' && depth === 0) {
      break;
    }
  }
  return parser.text.slice(start, parser.pos).trimEnd();
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation

type Implementation = (args: readonly unknown[], call: Call) => unknown;

interface FunctionSpec {
  readonly min: number;
  readonly max: number;
  readonly run: Implementation;
}

function invoke(call: Call, scope: PathScope, field: string | undefined): unknown {
  const spec = FUNCTIONS[call.name];
  if (spec === undefined) throw failure(call, `'${call.name}' is not an intrinsic function`);
  const count = call.args.length;
  if (count < spec.min || count > spec.max) {
    const expected =
      spec.min === spec.max
        ? `${spec.min}`
        : spec.max === Number.POSITIVE_INFINITY
          ? `at least ${spec.min}`
          : `${spec.min} to ${spec.max}`;
    throw failure(call, `expected ${expected} argument(s) but got ${count}`);
  }
  const values = call.args.map((arg) => argumentValue(arg, scope, field));
  return spec.run(values, call);
}

function argumentValue(arg: Argument, scope: PathScope, field: string | undefined): unknown {
  switch (arg.kind) {
    case 'literal':
      return arg.value;
    case 'path':
      return requirePath(arg.path, scope, field);
    case 'call':
      return invoke(arg.call, scope, field);
  }
}

function failure(call: Call, reason: string): StatesError {
  return new StatesError(States.IntrinsicFailure, `Invalid arguments in ${call.name}: ${reason}`);
}

const MAX_STRING = 10_000;
const MAX_RANGE = 1000;

const HASHES: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

const FUNCTIONS: Record<string, FunctionSpec | undefined> = {
  'States.Format': { min: 1, max: Number.POSITIVE_INFINITY, run: format },
  'States.StringToJson': {
    min: 1,
    max: 1,
    run: ([text], call) => {
      const value = stringArg(call, text, 'the argument');
      if (value.trim() === '') return null;
      try {
        // Java's JSON has no negative zero: "-0" parses as 0 (recorded).
        return JSON.parse(value, (_key, parsed: unknown) => (Object.is(parsed, -0) ? 0 : parsed));
      } catch {
        throw failure(call, `the argument is not valid JSON: ${value}`);
      }
    },
  },
  'States.JsonToString': { min: 1, max: 1, run: ([value]) => toJson(value) },
  'States.Array': { min: 0, max: Number.POSITIVE_INFINITY, run: (args) => [...args] },
  'States.ArrayPartition': {
    min: 2,
    max: 2,
    run: ([array, size], call) => {
      const items = arrayArg(call, array, 'the first argument');
      const chunk = integerArg(call, size, 'the chunk size');
      if (chunk <= 0) throw failure(call, `the chunk size must be a positive integer, not ${chunk}`);
      const chunks: unknown[][] = [];
      for (let i = 0; i < items.length; i += chunk) chunks.push(items.slice(i, i + chunk));
      return chunks;
    },
  },
  'States.ArrayContains': {
    min: 2,
    max: 2,
    run: ([array, value], call) =>
      arrayArg(call, array, 'the first argument').some((item) => jsonEquals(item, value)),
  },
  'States.ArrayRange': {
    min: 3,
    max: 3,
    run: ([first, last, step], call) => {
      const from = integerArg(call, first, 'the first argument');
      const to = integerArg(call, last, 'the second argument');
      const by = integerArg(call, step, 'the step');
      if (by === 0) throw failure(call, 'the step must not be 0');
      const count = Math.max(0, Math.floor((to - from) / by) + 1);
      if (count > MAX_RANGE) {
        throw failure(call, `the range would have ${count} items, more than the ${MAX_RANGE} allowed`);
      }
      return Array.from({ length: count }, (_, i) => from + i * by);
    },
  },
  'States.ArrayGetItem': {
    min: 2,
    max: 2,
    run: ([array, index], call) => {
      const items = arrayArg(call, array, 'the first argument');
      const at = integerArg(call, index, 'the index');
      if (at < 0 || at >= items.length) {
        throw failure(call, `the index ${at} is out of bounds for an array of ${items.length} items`);
      }
      return items[at];
    },
  },
  'States.ArrayLength': {
    min: 1,
    max: 1,
    run: ([array], call) => arrayArg(call, array, 'the argument').length,
  },
  'States.ArrayUnique': {
    min: 1,
    max: 1,
    run: ([array], call) => {
      const unique: unknown[] = [];
      for (const item of arrayArg(call, array, 'the argument')) {
        if (!unique.some((seen) => jsonEquals(seen, item))) unique.push(item);
      }
      return unique;
    },
  },
  'States.Base64Encode': {
    min: 1,
    max: 1,
    run: ([text], call) => Buffer.from(limitedString(call, text), 'utf8').toString('base64'),
  },
  'States.Base64Decode': {
    min: 1,
    max: 1,
    run: ([text], call) => {
      const encoded = limitedString(call, text);
      if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(encoded)) throw failure(call, 'the argument is not Base64');
      return Buffer.from(encoded, 'base64').toString('utf8');
    },
  },
  'States.Hash': {
    min: 2,
    max: 2,
    run: ([data, algorithm], call) => {
      const text = limitedString(call, data);
      const name = typeof algorithm === 'string' ? HASHES[algorithm] : undefined;
      if (name === undefined) {
        throw failure(
          call,
          `the algorithm must be one of ${Object.keys(HASHES).join(', ')}, not ${toJson(algorithm)}`,
        );
      }
      return createHash(name).update(text, 'utf8').digest('hex');
    },
  },
  'States.JsonMerge': {
    min: 3,
    max: 3,
    run: ([first, second, deep], call) => {
      if (!isObject(first) || !isObject(second))
        throw failure(call, 'the first two arguments must be objects');
      if (typeof deep !== 'boolean') throw failure(call, 'the third argument must be a boolean');
      if (deep) throw failure(call, 'only the shallow merge (false) is supported');
      return { ...first, ...second };
    },
  },
  'States.MathRandom': {
    min: 2,
    max: 3,
    run: ([start, end, seed], call) => {
      const low = integerArg(call, start, 'the start');
      const high = integerArg(call, end, 'the end');
      if (high < low) throw failure(call, `the end ${high} is less than the start ${low}`);
      const random = seed === undefined ? Math.random() : seeded(integerArg(call, seed, 'the seed'));
      return low + Math.floor(random * (high - low + 1));
    },
  },
  'States.MathAdd': {
    min: 2,
    max: 2,
    run: ([a, b], call) =>
      integerArg(call, a, 'the first argument') + integerArg(call, b, 'the second argument') + 0,
  },
  'States.StringSplit': {
    min: 2,
    max: 2,
    run: ([text, delimiters], call) =>
      split(stringArg(call, text, 'the first argument'), stringArg(call, delimiters, 'the delimiter')),
  },
  'States.UUID': { min: 0, max: 0, run: () => randomUUID() },
};

function format(args: readonly unknown[], call: Call): string {
  const [template, ...values] = args;
  const first = call.args[0];
  const pieces =
    first?.kind === 'literal' && first.template !== undefined
      ? first.template
      : stringArg(call, template, 'the first argument').split('{}');
  if (pieces.length - 1 !== values.length) {
    throw failure(
      call,
      `the format string has ${pieces.length - 1} placeholder(s) but ${values.length} value(s) were given`,
    );
  }
  let text = pieces[0] ?? '';
  values.forEach((value, i) => {
    text += javaString(value) + (pieces[i + 1] ?? '');
  });
  return text;
}

/** A value as Java's toString prints it: strings bare, objects as `{a=1, b=[x, y]}`. */
function javaString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return javaNumber(value);
  if (Array.isArray(value)) return `[${value.map(javaString).join(', ')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .map((key) => `${key}=${javaString(value[key])}`)
      .join(', ')}}`;
  }
  return String(value);
}

/** Integers as they are; fractions as Java's Double.toString (scientific below 10^-3 and from 10^7). */
function javaNumber(value: number): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) return String(value);
  const [mantissa = '', exponent = '0'] = value.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** Java's StringTokenizer: any delimiter character separates, empty pieces are dropped. */
function split(text: string, delimiters: string): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const char of text) {
    if (delimiters.includes(char)) {
      if (piece) pieces.push(piece);
      piece = '';
    } else {
      piece += char;
    }
  }
  if (piece) pieces.push(piece);
  return pieces;
}

/** A repeatable number in [0, 1) for a seed (mulberry32). */
function seeded(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function stringArg(call: Call, value: unknown, what: string): string {
  if (typeof value !== 'string') throw failure(call, `${what} must be a string, not ${toJson(value)}`);
  return value;
}

function limitedString(call: Call, value: unknown): string {
  const text = stringArg(call, value, 'the argument');
  if (text.length > MAX_STRING) {
    throw failure(call, `the argument has ${text.length} characters, more than the ${MAX_STRING} allowed`);
  }
  return text;
}

function arrayArg(call: Call, value: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(value)) throw failure(call, `${what} must be an array, not ${toJson(value)}`);
  return value;
}

/** An integer argument; a fraction rounds half up, as AWS's MathAdd does (Java's Math.round). */
function integerArg(call: Call, value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw failure(call, `${what} must be an integer, not ${toJson(value)}`);
  }
  return Math.round(value) + 0;
}
