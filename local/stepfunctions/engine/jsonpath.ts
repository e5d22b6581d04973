/**
 * JSONPath as Step Functions evaluates it (AWS runs Jayway JsonPath): paths on the state's data (`$...`), on
 * the context object (`$$...`) and on workflow variables (`$name...`); payload templates (Parameters,
 * ResultSelector, ItemSelector), ResultPath, and InputPath/OutputPath-style selection.
 *
 * Follows Jayway and AWS in:
 * - a definite path (only fields and single indexes) gives the value; an indefinite one (wildcard, deep scan,
 *   slice, union, filter) gives an array, empty when nothing matches, never "not found";
 * - a definite path that finds nothing is `NOT_FOUND` (a sentinel, no exception on the hot path), and the
 *   errors built from it carry Jayway's wording as AWS records it: `Invalid path '$.x' : No results for
 *   path: $['x']`, `Missing property in path $['no']` (LocalStack's AWS-recorded snapshots,
 *   scenarios/test_base_scenarios `test_invalid_jsonpath`, `test_catch_states_runtime`);
 * - a `.$` field whose path finds nothing fails with States.Runtime (not States.ParameterPathFailure, which
 *   the spec names but AWS does not raise): "The JSONPath '$.x' specified for the field 'a.$' could not be
 *   found in the input '{...}'" (same snapshots, and loan_broker's). The interpreter prefixes "An error
 *   occurred while executing the state ...".
 *
 * Where it differs or guesses (no AWS recording found):
 * - Jayway's messages for a field read on a non-object and an index on a non-array are reproduced without
 *   the Java class and provider names Jayway appends;
 * - ResultPath's States.ResultPathMatchFailure cause ("Unable to apply ReferencePath ... to input ...");
 * - filter comparisons never coerce between strings and numbers (Jayway compares "1" == 1 as equal);
 * - input JSON in causes is compact (`{"a":1}`), as AWS prints Parameters in its other causes.
 *
 * Values are shared, never copied, between input and output: nothing here mutates a value it was given
 * (ResultPath copies the objects along the path it writes), and the interpreter must not either.
 */

import { States, StatesError } from './errors';
import { evaluateIntrinsic, isIntrinsic } from './intrinsics';

/** "No value": what a definite path that matches nothing evaluates to. */
export const NOT_FOUND: unique symbol = Symbol('NOT_FOUND');

export interface PathScope {
  /** The state's current data (`$`). */
  input: unknown;
  /** The context object (`$$`). */
  context: unknown;
  /** Workflow variables (`$name`, `$name.field`...). */
  variables?: ReadonlyMap<string, unknown>;
}

type Operand = (current: unknown, root: unknown) => unknown;
type Predicate = (current: unknown, root: unknown) => boolean;

type Step =
  | { readonly kind: 'property'; readonly name: string }
  | { readonly kind: 'properties'; readonly names: readonly string[] }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'indexes'; readonly indexes: readonly number[] }
  | { readonly kind: 'slice'; readonly start: number | undefined; readonly end: number | undefined }
  | { readonly kind: 'wildcard' }
  /** Descendants-or-self of the current node, in document order; the next step applies to each. */
  | { readonly kind: 'scan' }
  | { readonly kind: 'filter'; readonly source: string; readonly predicate: Predicate };

interface CompiledPath {
  readonly text: string;
  readonly root: 'input' | 'context' | 'variable' | 'current';
  /** The variable's name when `root` is 'variable'. */
  readonly variable: string;
  readonly steps: readonly Step[];
  /** True when the path names at most one node: it evaluates to a value or NOT_FOUND, not to an array. */
  readonly definite: boolean;
  /** Ends in `.length()`: the path evaluates to the length of what the steps select. */
  readonly length: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation

/** Evaluate a path: `$...` (JSONPath on input), `$$...` (context object), or `$var...` (variable). Returns
 * NOT_FOUND when nothing matches. Throws StatesError(States.Runtime) only for a syntactically invalid path. */
export function evaluatePath(path: string, scope: PathScope): unknown | typeof NOT_FOUND {
  const compiled = compile(path);
  const root = rootOf(compiled, scope);
  return root === NOT_FOUND ? NOT_FOUND : evaluateCompiled(compiled, root);
}

/**
 * The value of a path that must exist (a `.$` field, an intrinsic's argument): States.Runtime naming the
 * path, the field when given, and the input it was applied to, when it finds nothing.
 */
export function requirePath(path: string, scope: PathScope, field?: string): unknown {
  const compiled = compile(path);
  const root = rootOf(compiled, scope);
  const where = field === undefined ? '' : ` specified for the field '${field}'`;
  if (root === NOT_FOUND) {
    throw new StatesError(States.Runtime, `The variable '$${compiled.variable}'${where} is not defined`);
  }
  const value = evaluateCompiled(compiled, root);
  if (value !== NOT_FOUND) return value;
  throw new StatesError(
    States.Runtime,
    `The JSONPath '${path}'${where} could not be found in the input '${toJson(root)}'`,
  );
}

/** InputPath/OutputPath/ItemsPath style selection: null gives {}, undefined/'$' gives all, otherwise the
 * path's value; NOT_FOUND → States.Runtime with Jayway's reason, as AWS words it. */
export function selectPath(path: string | null | undefined, scope: PathScope, field: string): unknown {
  if (path === null) return {};
  if (path === undefined || path === '$') return scope.input;
  let compiled: CompiledPath;
  try {
    compiled = compile(path);
  } catch (error) {
    const reason = error instanceof StatesError ? error.cause : String(error);
    throw new StatesError(
      States.Runtime,
      `The value for the field '${field}' must be a valid JSONPath: ${reason}`,
    );
  }
  const root = rootOf(compiled, scope);
  const value = root === NOT_FOUND ? NOT_FOUND : evaluateCompiled(compiled, root);
  if (value !== NOT_FOUND) return value;
  const reason =
    root === NOT_FOUND ? `The variable '$${compiled.variable}' is not defined` : describeMiss(compiled);
  throw new StatesError(States.Runtime, `Invalid path '${path}' : ${reason}`);
}

function rootOf(compiled: CompiledPath, scope: PathScope): unknown {
  switch (compiled.root) {
    case 'context':
      return scope.context;
    case 'variable': {
      const variables = scope.variables;
      if (variables === undefined || !variables.has(compiled.variable)) return NOT_FOUND;
      return variables.get(compiled.variable);
    }
    default:
      return scope.input;
  }
}

function evaluateCompiled(compiled: CompiledPath, root: unknown): unknown {
  if (compiled.definite) {
    const value = resolveDefinite(compiled.steps, root);
    return compiled.length && value !== NOT_FOUND ? lengthOf(value) : value;
  }
  const out: unknown[] = [];
  walk(compiled.steps, 0, root, root, out);
  return compiled.length ? out.length : out;
}

/** Jayway's length(): the size of an array or object, null for anything else. */
function lengthOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.length;
  if (isObject(value)) return Object.keys(value).length;
  return null;
}

type MissKind = 'noResult' | 'missingProperty' | 'notObject' | 'nullNotArray' | 'notArray';

// Why the last definite evaluation found nothing. Written only on a miss and read right after it (to word an
// error), so the hot path allocates nothing.
let missKind: MissKind = 'noResult';
let missStep = 0;
let missNode: unknown;

function miss(kind: MissKind, step: number, node: unknown): typeof NOT_FOUND {
  missKind = kind;
  missStep = step;
  missNode = node;
  return NOT_FOUND;
}

/** A definite path: a loop over fields and indexes, no arrays built. */
function resolveDefinite(steps: readonly Step[], root: unknown): unknown {
  let node = root;
  const last = steps.length - 1;
  for (let i = 0; i <= last; i++) {
    const step = steps[i] as Step;
    if (step.kind === 'property') {
      if (!isObject(node)) return miss('notObject', i, node);
      if (!Object.hasOwn(node, step.name)) return miss(i === last ? 'noResult' : 'missingProperty', i, node);
      node = node[step.name];
    } else if (step.kind === 'index') {
      if (!Array.isArray(node)) return miss(node === null ? 'nullNotArray' : 'notArray', i, node);
      const index = step.index < 0 ? node.length + step.index : step.index;
      if (index < 0 || index >= node.length) return miss('noResult', i, node);
      node = node[index];
    } else if (step.kind === 'properties') {
      // Jayway's "merge" case: `$['a','b']` as the last step gives an object of the fields present.
      if (!isObject(node)) return miss('notObject', i, node);
      const merged: Record<string, unknown> = {};
      for (const name of step.names) if (Object.hasOwn(node, name)) setOwn(merged, name, node[name]);
      return merged;
    }
  }
  return node;
}

/** An indefinite path: every match, in document order, appended to `out`. */
function walk(steps: readonly Step[], i: number, node: unknown, root: unknown, out: unknown[]): void {
  if (i === steps.length) {
    out.push(node);
    return;
  }
  const step = steps[i] as Step;
  const next = i + 1;
  switch (step.kind) {
    case 'property':
      if (isObject(node) && Object.hasOwn(node, step.name)) walk(steps, next, node[step.name], root, out);
      return;
    case 'properties':
      if (!isObject(node)) return;
      if (next === steps.length && step.names.length > 1) {
        const merged: Record<string, unknown> = {};
        for (const name of step.names) if (Object.hasOwn(node, name)) setOwn(merged, name, node[name]);
        out.push(merged);
        return;
      }
      for (const name of step.names) if (Object.hasOwn(node, name)) walk(steps, next, node[name], root, out);
      return;
    case 'index':
    case 'indexes': {
      if (!Array.isArray(node)) return;
      const indexes = step.kind === 'index' ? [step.index] : step.indexes;
      for (const raw of indexes) {
        const index = raw < 0 ? node.length + raw : raw;
        if (index >= 0 && index < node.length) walk(steps, next, node[index], root, out);
      }
      return;
    }
    case 'slice': {
      if (!Array.isArray(node)) return;
      const [from, to] = sliceBounds(step.start, step.end, node.length);
      for (let k = from; k < to; k++) walk(steps, next, node[k], root, out);
      return;
    }
    case 'wildcard':
      if (Array.isArray(node)) for (const item of node) walk(steps, next, item, root, out);
      else if (isObject(node)) for (const key of Object.keys(node)) walk(steps, next, node[key], root, out);
      return;
    case 'scan':
      walk(steps, next, node, root, out);
      if (Array.isArray(node)) for (const item of node) walk(steps, i, item, root, out);
      else if (isObject(node)) for (const key of Object.keys(node)) walk(steps, i, node[key], root, out);
      return;
    case 'filter':
      if (Array.isArray(node)) {
        for (const item of node) if (step.predicate(item, root)) walk(steps, next, item, root, out);
      } else if (isObject(node) && step.predicate(node, root)) {
        walk(steps, next, node, root, out);
      }
      return;
  }
}

/** Jayway's slices: `[1:3]`, `[:2]` (first two), `[-2:]` (last two), `[1:]`. */
function sliceBounds(start: number | undefined, end: number | undefined, length: number): [number, number] {
  const clamp = (n: number) => Math.max(0, Math.min(length, n < 0 ? length + n : n));
  return [start === undefined ? 0 : clamp(start), end === undefined ? length : clamp(end)];
}

/** Jayway's reason for the last miss of `compiled`, as AWS quotes it after "Invalid path '...' : ". */
function describeMiss(compiled: CompiledPath): string {
  const steps = compiled.steps;
  const step = steps[missStep];
  switch (missKind) {
    case 'missingProperty':
      return `Missing property in path ${normalize(steps, missStep + 1)}`;
    case 'notObject':
      return `Expected to find an object with property ${step ? fragment(step) : ''} in path ${normalize(steps, missStep)} but found '${jsonType(missNode)}'.`;
    case 'nullNotArray':
      return `The path ${normalize(steps, missStep)} is null`;
    case 'notArray':
      return `Filter: ${step ? fragment(step) : ''} can only be applied to arrays. Current context is: ${toJson(missNode)}`;
    default:
      return `No results for path: ${normalize(steps, steps.length)}`;
  }
}

/** Jayway's normalized form of the first `count` steps: `$['a']['b'][0]`. */
function normalize(steps: readonly Step[], count: number): string {
  let text = '$';
  for (let i = 0; i < count; i++) text += fragment(steps[i] as Step);
  return text;
}

function fragment(step: Step): string {
  switch (step.kind) {
    case 'property':
      return `['${step.name}']`;
    case 'properties':
      return `[${step.names.map((name) => `'${name}'`).join(',')}]`;
    case 'index':
      return `[${step.index}]`;
    case 'indexes':
      return `[${step.indexes.join(',')}]`;
    case 'slice':
      return `[${step.start ?? ''}:${step.end ?? ''}]`;
    case 'wildcard':
      return '[*]';
    case 'scan':
      return '..';
    case 'filter':
      return `[?(${step.source})]`;
  }
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

// ---------------------------------------------------------------------------------------------------------
// Payload templates and ResultPath

/** Payload template (Parameters, ResultSelector, ItemSelector): keys ending in `.$` take a path, a context
 * path, a variable or an intrinsic function call; other values are copied, recursively (arrays too). */
export function applyPayloadTemplate(template: unknown, scope: PathScope): unknown {
  if (!Array.isArray(template) && !isObject(template)) return template;
  let build = templates.get(template);
  if (!build) {
    build = compileTemplate(template);
    templates.set(template, build);
  }
  return build(scope);
}

/** A template turned into a function that builds its output, once per template: the states run it often. */
type Build = (scope: PathScope) => unknown;
const templates = new WeakMap<object, Build>();

function compileTemplate(template: unknown): Build {
  if (Array.isArray(template)) {
    const items = template.map(compileTemplate);
    return (scope) => items.map((item) => item(scope));
  }
  if (!isObject(template)) return () => template;
  const fields = Object.keys(template).map((key) => {
    const value = template[key];
    return key.endsWith('.$')
      ? { name: key.slice(0, -2), build: (scope: PathScope) => evaluateField(key, value, scope) }
      : { name: key, build: compileTemplate(value) };
  });
  return (scope) => {
    // A new object each time, static parts too: no output shares anything with the definition.
    const out: Record<string, unknown> = {};
    for (const field of fields) setOwn(out, field.name, field.build(scope));
    return out;
  };
}

function evaluateField(field: string, expression: unknown, scope: PathScope): unknown {
  if (typeof expression !== 'string') {
    throw new StatesError(
      States.Runtime,
      `The value for the field '${field}' must be a STRING that contains a JSONPath or an intrinsic function`,
    );
  }
  return isIntrinsic(expression)
    ? evaluateIntrinsic(expression, scope, field)
    : requirePath(expression, scope, field);
}

/** ResultPath: null discards the result (keeps input), undefined/'$' replaces, '$.a.b' sets, creating the
 * missing objects on the way and copying those it changes (`input` is never mutated). */
export function applyResultPath(
  input: unknown,
  result: unknown,
  resultPath: string | null | undefined,
): unknown {
  if (resultPath === null) return input;
  if (resultPath === undefined || resultPath === '$') return result;
  const compiled = compile(resultPath);
  const reference =
    compiled.root === 'input' &&
    !compiled.length &&
    compiled.steps.every((step) => step.kind === 'property' || step.kind === 'index');
  if (!reference) {
    throw new StatesError(
      States.Runtime,
      `The value for the field 'ResultPath' must be a valid ReferencePath: '${resultPath}'`,
    );
  }
  const written = writeAt(input, compiled.steps, 0, result);
  if (written !== NOT_FOUND) return written;
  throw new StatesError(
    States.ResultPathMatchFailure,
    `Unable to apply ReferencePath ${resultPath} to input ${toJson(input)}`,
  );
}

/** `node` with `value` written at `steps[i..]`, copying what it changes; NOT_FOUND where that cannot be done. */
function writeAt(node: unknown, steps: readonly Step[], i: number, value: unknown): unknown {
  if (i === steps.length) return value;
  const step = steps[i] as Step;
  if (step.kind === 'property') {
    if (!isObject(node)) return NOT_FOUND;
    const child = Object.hasOwn(node, step.name) ? node[step.name] : {};
    const written = writeAt(child, steps, i + 1, value);
    if (written === NOT_FOUND) return NOT_FOUND;
    // Copied key by key: on Node 20, an object made by spreading and then given a new key is one the
    // scavenger keeps promoting (see engine/stop.ts).
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(node)) setOwn(copy, key, node[key]);
    setOwn(copy, step.name, written);
    return copy;
  }
  if (step.kind === 'index' && Array.isArray(node)) {
    const index = step.index < 0 ? node.length + step.index : step.index;
    if (index < 0 || index >= node.length) return NOT_FOUND;
    const written = writeAt(node[index], steps, i + 1, value);
    if (written === NOT_FOUND) return NOT_FOUND;
    const copy = node.slice();
    copy[index] = written;
    return copy;
  }
  return NOT_FOUND;
}

// ---------------------------------------------------------------------------------------------------------
// Compilation: each distinct path string once

const MAX_CACHED = 10_000;
const cache = new Map<string, CompiledPath | string>();

function compile(text: string): CompiledPath {
  let compiled = cache.get(text);
  if (compiled === undefined) {
    try {
      compiled = parsePath(text);
    } catch (error) {
      if (!(error instanceof PathSyntaxError)) throw error;
      compiled = `Invalid path '${text}' : ${error.message}`;
    }
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(text, compiled);
  }
  if (typeof compiled === 'string') throw new StatesError(States.Runtime, compiled);
  return compiled;
}

class PathSyntaxError extends Error {}

/** A position in a path's text. */
class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  get char(): string {
    return this.text.charAt(this.pos);
  }

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpaces(): void {
    while (this.char === ' ' || this.char === '\t' || this.char === '\n' || this.char === '\r') this.pos++;
  }

  eat(token: string): boolean {
    if (!this.text.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  /** A `,` after optional spaces. */
  eatSeparator(): boolean {
    this.skipSpaces();
    return this.eat(',');
  }

  expect(token: string): void {
    if (!this.eat(token)) this.fail(`expected '${token}'`);
  }

  fail(reason: string): never {
    throw new PathSyntaxError(`${reason} at position ${this.pos}`);
  }
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

function parsePath(text: string): CompiledPath {
  const cursor: Cursor = new Cursor(text);
  if (!cursor.eat('$')) cursor.fail("a path must start with '$'");
  let root: CompiledPath['root'] = 'input';
  let variable = '';
  if (cursor.eat('$')) {
    root = 'context';
  } else if (!cursor.done && cursor.char !== '.' && cursor.char !== '[') {
    const name = VARIABLE_NAME.exec(text.slice(cursor.pos))?.[0];
    if (name === undefined) cursor.fail('invalid variable name');
    root = 'variable';
    variable = name;
    cursor.pos += name.length;
  }
  const compiled = parseSteps(cursor, root, variable);
  if (!cursor.done) cursor.fail(`unexpected '${cursor.char}'`);
  return compiled;
}

/** The steps from the cursor on, up to the first character that cannot continue a path. */
function parseSteps(cursor: Cursor, root: CompiledPath['root'], variable: string): CompiledPath {
  const start = cursor.pos;
  const steps: Step[] = [];
  let length = false;
  while (!cursor.done && !length) {
    if (cursor.eat('..')) {
      steps.push({ kind: 'scan' });
      if (cursor.char === '[') steps.push(parseBracket(cursor));
      else if (cursor.eat('*')) steps.push({ kind: 'wildcard' });
      else steps.push({ kind: 'property', name: readName(cursor) });
    } else if (cursor.eat('.')) {
      if (cursor.eat('*')) {
        steps.push({ kind: 'wildcard' });
        continue;
      }
      const name = readName(cursor);
      if (cursor.eat('(')) {
        cursor.skipSpaces();
        cursor.expect(')');
        if (name !== 'length' && name !== 'size') cursor.fail(`unsupported function ${name}()`);
        length = true;
      } else {
        steps.push({ kind: 'property', name });
      }
    } else if (cursor.char === '[') {
      steps.push(parseBracket(cursor));
    } else {
      break;
    }
  }
  const definite = steps.every(
    (step, i) =>
      step.kind === 'property' ||
      step.kind === 'index' ||
      (step.kind === 'properties' && (step.names.length === 1 || i === steps.length - 1)),
  );
  const text = cursor.text.slice(start, cursor.pos);
  return { text, root, variable, steps: normalizeSteps(steps), definite, length };
}

/** A single-name `['a']` is a plain field. */
function normalizeSteps(steps: Step[]): Step[] {
  return steps.map((step) =>
    step.kind === 'properties' && step.names.length === 1
      ? { kind: 'property', name: step.names[0] as string }
      : step,
  );
}

const NAME_END = new Set(['.', '[', '(', ')', ' ', '\t', '\n', '\r', '=', '!', '<', '>', '&', '|', ',', ']']);

function readName(cursor: Cursor): string {
  const start = cursor.pos;
  while (!cursor.done && !NAME_END.has(cursor.char)) cursor.pos++;
  if (cursor.pos === start) cursor.fail('expected a field name');
  return cursor.text.slice(start, cursor.pos);
}

const INTEGER = /^-?\d+$/;

function parseBracket(cursor: Cursor): Step {
  cursor.expect('[');
  cursor.skipSpaces();
  let step: Step;
  if (cursor.char === "'" || cursor.char === '"') {
    const names: string[] = [];
    do {
      cursor.skipSpaces();
      names.push(readQuoted(cursor));
      cursor.skipSpaces();
    } while (cursor.eat(','));
    step = { kind: 'properties', names };
  } else if (cursor.eat('*')) {
    step = { kind: 'wildcard' };
  } else if (cursor.eat('?')) {
    cursor.skipSpaces();
    cursor.expect('(');
    const from = cursor.pos;
    const predicate = parseOr(cursor);
    cursor.skipSpaces();
    const source = cursor.text.slice(from, cursor.pos).trim();
    cursor.expect(')');
    step = { kind: 'filter', source, predicate };
  } else {
    const close = cursor.text.indexOf(']', cursor.pos);
    if (close < 0) cursor.fail("expected ']'");
    const body = cursor.text.slice(cursor.pos, close).replace(/\s+/g, '');
    cursor.pos = close;
    step = parseIndexes(cursor, body);
  }
  cursor.skipSpaces();
  cursor.expect(']');
  return step;
}

function parseIndexes(cursor: Cursor, body: string): Step {
  if (body.includes(':')) {
    const parts = body.split(':');
    const [start = '', end = ''] = parts;
    if (parts.length !== 2 || (start !== '' && !INTEGER.test(start)) || (end !== '' && !INTEGER.test(end))) {
      cursor.fail(`invalid slice [${body}]`);
    }
    return {
      kind: 'slice',
      start: start === '' ? undefined : Number(start),
      end: end === '' ? undefined : Number(end),
    };
  }
  const parts = body.split(',');
  if (!parts.every((part) => INTEGER.test(part))) cursor.fail(`invalid array index [${body}]`);
  const indexes = parts.map(Number);
  return indexes.length === 1 ? { kind: 'index', index: indexes[0] as number } : { kind: 'indexes', indexes };
}

/** A '...' or "..." string; a backslash takes the next character as it is. */
function readQuoted(cursor: Cursor): string {
  const quote = cursor.char;
  if (quote !== "'" && quote !== '"') cursor.fail('expected a quoted name');
  cursor.pos++;
  let value = '';
  while (!cursor.done && cursor.char !== quote) {
    if (cursor.char === '\\') cursor.pos++;
    value += cursor.char;
    cursor.pos++;
  }
  cursor.expect(quote);
  return value;
}

// Filter expressions: `[?(@.price < 10 && @.category == 'fiction')]`, `[?(@.isbn)]`, `[?(!@.x)]`, `=~ /re/i`,
// `in` / `nin` with an array; `@` is the candidate, `$` the root of the evaluation.

function parseOr(cursor: Cursor): Predicate {
  let left = parseAnd(cursor);
  for (;;) {
    cursor.skipSpaces();
    if (!cursor.eat('||')) return left;
    const a = left;
    const b = parseAnd(cursor);
    left = (current, root) => a(current, root) || b(current, root);
  }
}

function parseAnd(cursor: Cursor): Predicate {
  let left = parseUnary(cursor);
  for (;;) {
    cursor.skipSpaces();
    if (!cursor.eat('&&')) return left;
    const a = left;
    const b = parseUnary(cursor);
    left = (current, root) => a(current, root) && b(current, root);
  }
}

function parseUnary(cursor: Cursor): Predicate {
  cursor.skipSpaces();
  if (cursor.char === '!' && cursor.text.charAt(cursor.pos + 1) !== '=') {
    cursor.pos++;
    const inner = parseUnary(cursor);
    return (current, root) => !inner(current, root);
  }
  if (cursor.eat('(')) {
    const inner = parseOr(cursor);
    cursor.skipSpaces();
    cursor.expect(')');
    return inner;
  }
  return parseComparison(cursor);
}

const OPERATORS = ['==', '!=', '<=', '>=', '=~', '<', '>', 'nin', 'in'] as const;
type Operator = (typeof OPERATORS)[number];

function parseComparison(cursor: Cursor): Predicate {
  const left = parseOperand(cursor);
  cursor.skipSpaces();
  const operator = OPERATORS.find((candidate) => cursor.text.startsWith(candidate, cursor.pos));
  if (operator === undefined) {
    // A lone path tests existence (a null value exists); a lone literal is its own truth.
    return (current, root) => {
      const value = left(current, root);
      return value !== NOT_FOUND && value !== false;
    };
  }
  cursor.pos += operator.length;
  cursor.skipSpaces();
  if (operator === '=~') {
    const regex = readRegex(cursor);
    return (current, root) => {
      const value = left(current, root);
      return typeof value === 'string' && regex.test(value);
    };
  }
  const right = parseOperand(cursor);
  return (current, root) => compare(operator, left(current, root), right(current, root));
}

function compare(operator: Exclude<Operator, '=~'>, left: unknown, right: unknown): boolean {
  if (left === NOT_FOUND || right === NOT_FOUND) return operator === '!=' || operator === 'nin';
  switch (operator) {
    case '==':
      return jsonEquals(left, right);
    case '!=':
      return !jsonEquals(left, right);
    case 'in':
      return Array.isArray(right) && right.some((item) => jsonEquals(left, item));
    case 'nin':
      return !Array.isArray(right) || !right.some((item) => jsonEquals(left, item));
    default: {
      const comparable =
        (typeof left === 'number' && typeof right === 'number') ||
        (typeof left === 'string' && typeof right === 'string');
      if (!comparable) return false;
      const a = left as number | string;
      const b = right as number | string;
      if (operator === '<') return a < b;
      if (operator === '<=') return a <= b;
      if (operator === '>') return a > b;
      return a >= b;
    }
  }
}

const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/;

function parseOperand(cursor: Cursor): Operand {
  cursor.skipSpaces();
  const char = cursor.char;
  if (char === '@' || char === '$') {
    cursor.pos++;
    const path = parseSteps(cursor, char === '@' ? 'current' : 'input', '');
    return char === '@'
      ? (current) => evaluateCompiled(path, current)
      : (_current, root) => evaluateCompiled(path, root);
  }
  if (char === "'" || char === '"') {
    const value = readQuoted(cursor);
    return () => value;
  }
  if (char === '[') {
    cursor.pos++;
    const items: Operand[] = [];
    cursor.skipSpaces();
    if (!cursor.eat(']')) {
      do items.push(parseOperand(cursor));
      while (cursor.eatSeparator());
      cursor.skipSpaces();
      cursor.expect(']');
    }
    return (current, root) => items.map((item) => item(current, root));
  }
  for (const [word, value] of [
    ['true', true],
    ['false', false],
    ['null', null],
  ] as const) {
    if (cursor.eat(word)) return () => value;
  }
  const number = NUMBER.exec(cursor.text.slice(cursor.pos))?.[0];
  if (number === undefined) cursor.fail('expected a value in the filter');
  cursor.pos += number.length;
  const value = Number(number);
  return () => value;
}

function readRegex(cursor: Cursor): RegExp {
  cursor.expect('/');
  let source = '';
  while (!cursor.done && cursor.char !== '/') {
    if (cursor.char === '\\') {
      source += cursor.char;
      cursor.pos++;
    }
    source += cursor.char;
    cursor.pos++;
  }
  cursor.expect('/');
  const flags = /^[imsu]*/.exec(cursor.text.slice(cursor.pos))?.[0] ?? '';
  cursor.pos += flags.length;
  try {
    return new RegExp(source, flags);
  } catch {
    return cursor.fail(`invalid regular expression /${source}/`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// JSON helpers

/** A JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own property, even one named `__proto__`. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Structural equality of JSON values (object key order does not matter). */
export function jsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEquals(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && jsonEquals(a[key], b[key]))
    );
  }
  return false;
}

/** Compact JSON, as AWS quotes values in causes. */
export function toJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}
