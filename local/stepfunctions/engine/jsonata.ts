/**
 * JSONata as Step Functions runs it (developer guide, "Transforming data with JSONata in Step Functions"):
 * the reference implementation with `$states` and the workflow variables bound, no context item, `$eval`
 * removed, and the six functions Step Functions adds ($partition, $range, $hash, $random with a seed,
 * $uuid, $parse). Every failure is a States.QueryEvaluationError whose cause names the expression and the
 * field, worded as AWS words it; the interpreter puts "An error occurred while executing the state …" in
 * front.
 */
import { createHash, randomUUID } from 'node:crypto';
import jsonata from 'jsonata';
import { States, StatesError } from './errors';

/** What `$states` holds for the expression being evaluated (AWS: "Transforming data with JSONata in Step Functions"): input, context, and where AWS allows them result and errorOutput. */
export interface StatesBinding {
  input: unknown;
  context: unknown;
  result?: unknown;
  errorOutput?: unknown;
}

export interface JsonataScope {
  states: StatesBinding;
  variables: ReadonlyMap<string, unknown>;
}

/**
 * A JSONata evaluation failure: `location` is the field AWS names in the EvaluationFailed history event
 * (`Output/result`, `Arguments`, `Items`, …), the same path the cause quotes.
 */
export class QueryEvaluationError extends StatesError {
  constructor(
    cause: string,
    readonly location: string,
  ) {
    super(States.QueryEvaluationError, cause);
  }
}

/** The JSON type names AWS uses in "Expected 'array', but was 'object'". */
export type JsonType = 'array' | 'boolean' | 'null' | 'number' | 'object' | 'string';

const OPEN = '{%';
const CLOSE = '%}';

/** Whether a string is a "{% %}" expression. */
export function isExpression(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= OPEN.length + CLOSE.length &&
    value.startsWith(OPEN) &&
    value.endsWith(CLOSE)
  );
}

/** The JSONata text inside "{% … %}", without the whitespace around it. */
export function expressionText(expression: string): string {
  return expression.slice(OPEN.length, -CLOSE.length).trim();
}

/**
 * A JSONata template: any string of the exact form "{% expr %}" is evaluated; objects and arrays are walked
 * recursively (keys are never evaluated); every other value is returned as is. `where` names the field for
 * error messages; nested fields extend it with `/key` and `[index]`, as AWS does (`Output/values[0]`).
 */
export async function evaluateTemplate(
  template: unknown,
  scope: JsonataScope,
  where: string,
): Promise<unknown> {
  if (isExpression(template)) return evaluateField(template, scope, where);
  if (Array.isArray(template)) {
    const out: unknown[] = [];
    for (let i = 0; i < template.length; i++)
      out.push(await evaluateTemplate(template[i], scope, `${where}[${i}]`));
    return out;
  }
  if (isPlainObject(template)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) {
      out[key] = await evaluateTemplate(value, scope, `${where}/${key}`);
    }
    return out;
  }
  return template;
}

/**
 * A field whose value must be of one JSON type, such as Map's `Items` (an array) or Wait's `Seconds` (a
 * number): a template evaluated, then checked, failing as AWS does with "returned an unexpected result
 * type. Expected 'array', but was 'string' for value: \"string\"".
 */
export async function evaluateTyped(
  template: unknown,
  scope: JsonataScope,
  where: string,
  expected: JsonType,
): Promise<unknown> {
  const value = await evaluateTemplate(template, scope, where);
  const actual = jsonType(value);
  if (actual !== expected) {
    const shown = isExpression(template) ? expressionText(template) : JSON.stringify(template);
    throw new QueryEvaluationError(unexpectedType(shown, where, expected, value), where);
  }
  return value;
}

/**
 * Choice rule Condition: must evaluate to a boolean, else States.QueryEvaluationError as AWS words it.
 * `where` is the field for the message; the interpreter passes `Choices[i]/Condition`.
 */
export async function evaluateCondition(
  condition: string | boolean,
  scope: JsonataScope,
  where = 'Condition',
): Promise<boolean> {
  if (typeof condition === 'boolean') return condition;
  const value = isExpression(condition) ? await evaluateField(condition, scope, where) : condition;
  if (typeof value === 'boolean') return value;
  const shown = isExpression(condition) ? expressionText(condition) : condition;
  throw new QueryEvaluationError(unexpectedType(shown, where, 'boolean', value), where);
}

/**
 * Parses a JSONata expression as Step Functions does when a definition is created: the parser's error
 * (code and message) if it does not parse, else its syntax tree.
 */
export function parseExpression(
  text: string,
): { ok: true; ast: jsonata.ExprNode } | { ok: false; code: string; message: string } {
  try {
    return { ok: true, ast: compile(text).ast() };
  } catch (thrown) {
    const { code, message } = jsonataError(thrown);
    return { ok: false, code: code ?? '', message };
  }
}

// --- evaluation --------------------------------------------------------------------------------------

/** Compiled expressions by their text: a definition's expressions are compiled once however often they run. */
const compiled = new Map<string, jsonata.Expression>();
const CACHE_LIMIT = 10_000;

/**
 * Bounds an expression that never ends (AWS stops it too, issue floci-io/floci#2667; its exact limits and
 * wording are not published, so these are ours).
 */
const LIMITS: jsonata.JsonataOptions = { timeout: 10_000, stack: 1_000 };

function compile(text: string): jsonata.Expression {
  let expression = compiled.get(text);
  if (!expression) {
    expression = jsonata(text, LIMITS);
    for (const fn of STEP_FUNCTIONS) expression.registerFunction(fn.name, fn.implementation, fn.signature);
    if (compiled.size >= CACHE_LIMIT) compiled.clear();
    compiled.set(text, expression);
  }
  return expression;
}

async function evaluateField(template: string, scope: JsonataScope, where: string): Promise<unknown> {
  const text = expressionText(template);
  let raw: unknown;
  try {
    const bindings: Record<string, unknown> = Object.fromEntries(scope.variables);
    bindings.states = statesValue(scope.states);
    // "$eval is not available — use $parse instead": bound to nothing, a call to it fails as AWS's does
    // (T1006: Attempted to invoke a non-function).
    bindings.eval = undefined;
    raw = await compile(text).evaluate(undefined, bindings);
  } catch (thrown) {
    if (thrown instanceof StatesError) throw thrown;
    throw new QueryEvaluationError(threw(text, where, thrown), where);
  }
  if (raw === undefined) {
    throw new QueryEvaluationError(
      `The JSONata expression '${text}' specified for the field '${where}' returned nothing (undefined).`,
      where,
    );
  }
  const json = toJson(raw);
  if (json === UNSUPPORTED) {
    throw new QueryEvaluationError(
      `The JSONata expression '${text}' specified for the field '${where}' returned an unsupported result type.`,
      where,
    );
  }
  return json;
}

function statesValue(states: StatesBinding): Record<string, unknown> {
  const value: Record<string, unknown> = { input: states.input, context: states.context };
  if (states.result !== undefined) value.result = states.result;
  if (states.errorOutput !== undefined) value.errorOutput = states.errorOutput;
  return value;
}

/** AWS's ending: ". T1006: Attempted to invoke a non-function" for JSONata's coded errors, ": …" otherwise. */
function threw(text: string, where: string, thrown: unknown): string {
  const { code, message } = jsonataError(thrown);
  const head = `The JSONata expression '${text}' specified for the field '${where}' threw an error during evaluation`;
  return code ? `${head}. ${code}: ${message}` : `${head}: ${message}`;
}

function jsonataError(thrown: unknown): { code: string | undefined; message: string } {
  if (thrown && typeof thrown === 'object') {
    const { code, message } = thrown as { code?: unknown; message?: unknown };
    return {
      code: typeof code === 'string' ? code : undefined,
      message: typeof message === 'string' ? message : String(thrown),
    };
  }
  return { code: undefined, message: String(thrown) };
}

function unexpectedType(shown: string, where: string, expected: JsonType, value: unknown): string {
  return (
    `The JSONata expression '${shown}' specified for the field '${where}' returned an unexpected result type. ` +
    `Expected '${expected}', but was '${jsonType(value)}' for value: ${JSON.stringify(value)}`
  );
}

function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  if (type === 'boolean' || type === 'number' || type === 'string') return type;
  return 'object';
}

const UNSUPPORTED = Symbol('unsupported');

/**
 * JSONata's result as plain JSON: sequences become arrays, and a function anywhere in it (a lambda, a
 * built-in) makes the whole result unsupported, as AWS answers for `$fn := function($x){$x}`.
 */
function toJson(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value;
  if (typeof value === 'function') return UNSUPPORTED;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      if (item === undefined) continue;
      const json = toJson(item);
      if (json === UNSUPPORTED) return UNSUPPORTED;
      out.push(json);
    }
    return out;
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (record._jsonata_lambda || record._jsonata_function) return UNSUPPORTED;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(record)) {
      if (item === undefined) continue;
      const json = toJson(item);
      if (json === UNSUPPORTED) return UNSUPPORTED;
      out[key] = json;
    }
    return out;
  }
  return UNSUPPORTED;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// --- the functions Step Functions adds ("JSONata functions provided by Step Functions") ----------------

interface StepFunction {
  name: string;
  signature: string;
  implementation: Parameters<jsonata.Expression['registerFunction']>[1];
}

/** An error from one of the functions below: no JSONata code, so AWS's ": message" ending applies. */
class FunctionError extends Error {}

const HASH_ALGORITHMS: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

const STEP_FUNCTIONS: StepFunction[] = [
  {
    // $partition(array, chunkSize): the array in chunks, the last one possibly shorter.
    name: 'partition',
    signature: '<an:a>',
    implementation: (array: unknown[], size: number) => {
      if (!Number.isInteger(size) || size <= 0) {
        throw new FunctionError(
          `The chunk size argument of $partition must be a positive integer, but was ${size}`,
        );
      }
      const chunks: unknown[][] = [];
      for (let i = 0; i < array.length; i += size) chunks.push(array.slice(i, i + size));
      return chunks;
    },
  },
  {
    // $range(start, end, step): from start to end inclusive when a step lands on it ($range(0, 6, 2) is
    // [0, 2, 4, 6]); a negative step counts down.
    name: 'range',
    signature: '<nnn:a>',
    implementation: (start: number, end: number, step: number) => {
      if (step === 0 || !Number.isFinite(step)) {
        throw new FunctionError(`The step argument of $range must be a non-zero number, but was ${step}`);
      }
      const values: number[] = [];
      for (let v = start; step > 0 ? v <= end : v >= end; v += step) values.push(v);
      return values;
    },
  },
  {
    // $hash(value, algorithm): the hex digest; MD5, SHA-1, SHA-256, SHA-384 or SHA-512.
    name: 'hash',
    signature: '<ss:s>',
    implementation: (value: string, algorithm: string) => {
      const node = HASH_ALGORITHMS[algorithm];
      if (!node) {
        throw new FunctionError(
          `The hash algorithm '${algorithm}' is not supported. Supported algorithms: ${Object.keys(HASH_ALGORITHMS).join(', ')}`,
        );
      }
      return createHash(node).update(value, 'utf8').digest('hex');
    },
  },
  {
    // $random([seed]): in [0, 1); a seed gives java.util.Random's first nextDouble (seed 42 gives
    // 0.7275636800328681 on AWS, issue floci-io/floci#2662).
    name: 'random',
    signature: '<n?:n>',
    implementation: (seed?: number) => (seed === undefined ? Math.random() : seededRandom(seed)),
  },
  {
    name: 'uuid',
    signature: '<:s>',
    implementation: () => randomUUID(),
  },
  {
    // $parse(json): a JSON string as its value, where JSONata's $eval would have been used.
    name: 'parse',
    signature: '<s:j>',
    implementation: (text: string) => {
      try {
        return JSON.parse(text) as unknown;
      } catch (thrown) {
        throw new FunctionError(`The argument of $parse is not valid JSON: ${(thrown as Error).message}`);
      }
    },
  },
];

/** java.util.Random(seed).nextDouble(), the generator AWS's seeded $random matches bit for bit. */
function seededRandom(seed: number): number {
  const multiplier = 0x5deece66dn;
  const mask = (1n << 48n) - 1n;
  let state = (BigInt.asIntN(64, BigInt(Math.trunc(seed))) ^ multiplier) & mask;
  const next = (bits: number): number => {
    state = (state * multiplier + 0xbn) & mask;
    return Number(state >> BigInt(48 - bits));
  };
  return (next(26) * 2 ** 27 + next(27)) / 2 ** 53;
}
