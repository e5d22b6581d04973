/**
 * EventBridge event patterns for the local runtime's rules: `parsePattern` validates a pattern the way
 * PutRule / TestEventPattern do, `matchesPattern` decides whether an event matches it.
 *
 * The rules follow the EventBridge user guide ("Creating event patterns", "Content filtering", "Comparison
 * operators", "Matching on arrays", "Matching null values and empty strings"). Where the guide is silent we
 * follow aws/event-ruler, the open-source engine EventBridge runs, and LocalStack's test cases recorded against
 * real AWS (TestEventPattern). Error reasons reuse event-ruler's wording so messages read like AWS's.
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A closed or open end of a numeric range. */
export interface NumericBound {
  readonly value: number;
  readonly inclusive: boolean;
}

/** One entry of a field's value list: the field matches when any entry does. */
export type ValueMatcher =
  | { readonly op: 'equals'; readonly value: JsonPrimitive }
  | { readonly op: 'prefix'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly op: 'suffix'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly op: 'equals-ignore-case'; readonly value: string }
  | { readonly op: 'wildcard'; readonly value: string; readonly parts: readonly WildcardPart[] }
  | { readonly op: 'anything-but'; readonly excluded: readonly ValueMatcher[] }
  | { readonly op: 'numeric'; readonly lower?: NumericBound; readonly upper?: NumericBound }
  | { readonly op: 'exists'; readonly value: boolean }
  | { readonly op: 'cidr'; readonly value: string; readonly network: IpRange };

/** A wildcard pattern after unescaping: literal runs and the `*` between them. */
export type WildcardPart = { readonly literal: string } | { readonly star: true };

export interface IpRange {
  readonly bytes: readonly number[];
  readonly prefixLength: number;
}

export type FieldPattern =
  | { readonly name: string; readonly kind: 'object'; readonly pattern: ObjectPattern }
  | { readonly name: string; readonly kind: 'values'; readonly matchers: readonly ValueMatcher[] };

/** An object in the pattern: every field must match (AND), and one `$or` branch if there is an `$or`. */
export interface ObjectPattern {
  readonly fields: readonly FieldPattern[];
  readonly anyOf?: readonly ObjectPattern[];
}

/** A validated pattern: the JSON it came from and the compiled form `matchesPattern` walks. */
export interface EventPattern {
  readonly json: JsonObject;
  readonly root: ObjectPattern;
}

/**
 * Thrown for a pattern PutRule / TestEventPattern would refuse. `name` is the AWS error name, so the HTTP
 * layer can answer `{"__type": error.name, "message": error.message}` unchanged.
 */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternException';
  readonly code = 'InvalidEventPatternException';

  constructor(
    /** What is wrong, in event-ruler's words. */
    readonly reason: string,
    /** Where in the pattern, e.g. `detail.state[0].anything-but.prefix`; empty for the pattern as a whole. */
    readonly path: string,
  ) {
    super(`Event pattern is not valid. Reason: ${reason}${path === '' ? '' : ` (at ${path})`}`);
  }
}

/**
 * The documented numeric limits ("Numeric matching ... is limited to values between -5.0e9 and +5.0e9
 * inclusive, with 15 digits of precision, or six digits to the right of the decimal point").
 */
export const NUMERIC_LIMIT = 5e9;
export const NUMERIC_DECIMALS = 6;

const OR = '$or';

/** Field names event-ruler refuses inside `$or`, so a misplaced operator is not read as a field name. */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

// ---------------------------------------------------------------------------------------------------------
// Parsing and validation
// ---------------------------------------------------------------------------------------------------------

/** Validates a pattern (JSON text or an already parsed object) and compiles it for `matchesPattern`. */
export function parsePattern(json: string | object): EventPattern {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new InvalidEventPatternError(error instanceof Error ? error.message : String(error), '');
    }
  }
  if (!isPlainObject(value)) {
    throw new InvalidEventPatternError('Filter is not an object', '');
  }
  // An object handed in directly may hold what JSON cannot (undefined, NaN, a Date): refuse it here so
  // the compiled pattern only ever sees JSON.
  assertJson(value, '');
  const root = compileObject(value, '', false);
  // assertJson has just proved every value in it is JSON, which the type system cannot follow.
  return { json: value as JsonObject, root };
}

function compileObject(obj: Record<string, unknown>, path: string, insideOr: boolean): ObjectPattern {
  const keys = Object.keys(obj);
  if (keys.length === 0) {
    throw new InvalidEventPatternError('Empty objects are not allowed', path);
  }
  const fields: FieldPattern[] = [];
  let anyOf: ObjectPattern[] | undefined;
  for (const key of keys) {
    const value = obj[key];
    const here = joinPath(path, key);
    if (key === OR) {
      anyOf = compileOr(value, here);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      throw new InvalidEventPatternError(
        `${key} is Ruler reserved fieldName which cannot be used inside ${OR}.`,
        here,
      );
    }
    if (Array.isArray(value)) {
      fields.push({ name: key, kind: 'values', matchers: compileValues(value, here) });
    } else if (isPlainObject(value)) {
      fields.push({ name: key, kind: 'object', pattern: compileObject(value, here, insideOr) });
    } else {
      throw new InvalidEventPatternError(`"${key}" must be an object or an array`, here);
    }
  }
  return anyOf === undefined ? { fields } : { fields, anyOf };
}

function compileOr(value: unknown, path: string): ObjectPattern[] {
  if (!Array.isArray(value)) {
    throw new InvalidEventPatternError(`It must be an Array followed with ${OR}.`, path);
  }
  const items: readonly unknown[] = value;
  const branches = items.map((branch, index) => {
    if (!isPlainObject(branch)) {
      throw new InvalidEventPatternError(
        `Only JSON object is allowed in array of ${OR} relationship.`,
        `${path}[${index}]`,
      );
    }
    return compileObject(branch, `${path}[${index}]`, true);
  });
  // event-ruler needs two branches: a one-branch $or is not an "or" of anything.
  if (branches.length < 2) {
    throw new InvalidEventPatternError(`There must have at least 2 Objects in ${OR} relationship.`, path);
  }
  return branches;
}

function compileValues(values: readonly unknown[], path: string): ValueMatcher[] {
  if (values.length === 0) {
    throw new InvalidEventPatternError('Empty arrays are not allowed', path);
  }
  return values.map((value, index): ValueMatcher => {
    const here = `${path}[${index}]`;
    if (isPlainObject(value)) {
      return compileOperator(value, here);
    }
    if (
      value === null ||
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'boolean'
    ) {
      return { op: 'equals', value };
    }
    throw new InvalidEventPatternError('Match value must be String, number, true, false, or null', here);
  });
}

function compileOperator(obj: Record<string, unknown>, path: string): ValueMatcher {
  const [name, ...rest] = Object.keys(obj);
  if (name === undefined) {
    throw new InvalidEventPatternError('Match expression name not found', path);
  }
  if (rest.length > 0) {
    throw new InvalidEventPatternError('Only one key allowed in match expression', path);
  }
  const value = obj[name];
  const here = joinPath(path, name);
  switch (name) {
    case 'prefix':
    case 'suffix':
      return compileAffix(name, value, here);
    case 'equals-ignore-case':
      return { op: 'equals-ignore-case', value: requireString(value, 'equals-ignore-case', here) };
    case 'wildcard': {
      const pattern = requireString(value, 'wildcard', here);
      return { op: 'wildcard', value: pattern, parts: parseWildcard(pattern, here) };
    }
    case 'anything-but':
      return compileAnythingBut(value, here);
    case 'numeric':
      return compileNumeric(value, here);
    case 'exists':
      if (typeof value !== 'boolean') {
        throw new InvalidEventPatternError('exists match pattern must be either true or false.', here);
      }
      return { op: 'exists', value };
    case 'cidr': {
      // event-ruler's message for a non-string cidr really does say "prefix" (AWS answers the same).
      const cidr = requireString(value, 'prefix', here);
      return { op: 'cidr', value: cidr, network: parseCidr(cidr, here) };
    }
    default:
      // Operator names are case-sensitive: {"EXISTS": true} is refused, not read as exists.
      throw new InvalidEventPatternError(`Unrecognized match type ${name}`, path);
  }
}

/** `{"prefix": "x"}`, `{"prefix": {"equals-ignore-case": "x"}}`, and the same for suffix. */
function compileAffix(op: 'prefix' | 'suffix', value: unknown, path: string): ValueMatcher {
  if (isPlainObject(value)) {
    const [inner, ...rest] = Object.keys(value);
    if (inner !== 'equals-ignore-case') {
      throw new InvalidEventPatternError(`Unsupported ${op} pattern: ${inner ?? '(none)'}`, path);
    }
    if (rest.length > 0) {
      throw new InvalidEventPatternError('Only one key allowed in match expression', path);
    }
    const text = requireString(value[inner], 'equals-ignore-case', joinPath(path, inner));
    return { op, value: text, ignoreCase: true };
  }
  // An empty prefix/suffix is allowed here (AWS matches every string with it); only anything-but refuses it.
  return { op, value: requireString(value, op, path), ignoreCase: false };
}

function compileAnythingBut(value: unknown, path: string): ValueMatcher {
  if (isPlainObject(value)) {
    const [inner, ...rest] = Object.keys(value);
    if (inner === undefined) {
      throw new InvalidEventPatternError('Anything-But expression name not found', path);
    }
    if (rest.length > 0) {
      throw new InvalidEventPatternError('Only one key allowed in match expression', path);
    }
    if (inner !== 'prefix' && inner !== 'suffix' && inner !== 'equals-ignore-case' && inner !== 'wildcard') {
      throw new InvalidEventPatternError(`Unsupported anything-but pattern: ${inner}`, path);
    }
    const operand = value[inner];
    const here = joinPath(path, inner);
    if (typeof operand !== 'string' && !Array.isArray(operand)) {
      throw new InvalidEventPatternError(
        typeof operand === 'number'
          ? stringOnlyReason(inner)
          : 'Value of anything-but must be an array or single string/number value.',
        here,
      );
    }
    const texts: readonly unknown[] = typeof operand === 'string' ? [operand] : operand;
    return {
      op: 'anything-but',
      excluded: texts.map((text, index) => {
        const at = typeof operand === 'string' ? here : `${here}[${index}]`;
        if (typeof text !== 'string') {
          throw new InvalidEventPatternError(stringOnlyReason(inner), at);
        }
        return compileExcluded(inner, text, at);
      }),
    };
  }
  if (typeof value === 'string' || typeof value === 'number') {
    return { op: 'anything-but', excluded: [{ op: 'equals', value }] };
  }
  if (Array.isArray(value)) {
    // "lists that contain only strings, or only numbers" (content filtering, anything-but).
    const items: readonly unknown[] = value;
    let strings = 0;
    let numbers = 0;
    const excluded = items.map((item, index): ValueMatcher => {
      if (typeof item === 'string') {
        strings++;
      } else if (typeof item === 'number') {
        numbers++;
      } else {
        throw new InvalidEventPatternError(
          'Inside anything but list, start|null|boolean is not supported.',
          `${path}[${index}]`,
        );
      }
      return { op: 'equals', value: item };
    });
    if (strings > 0 === numbers > 0) {
      throw new InvalidEventPatternError(
        'Inside anything but list, either all values are number or string, mixed type is not supported',
        path,
      );
    }
    return { op: 'anything-but', excluded };
  }
  throw new InvalidEventPatternError(
    'Value of anything-but must be an array or single string/number value.',
    path,
  );
}

function stringOnlyReason(inner: 'prefix' | 'suffix' | 'equals-ignore-case' | 'wildcard'): string {
  switch (inner) {
    case 'equals-ignore-case':
      return 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.';
    case 'wildcard':
      return 'wildcard match pattern must be a string';
    default:
      return 'prefix/suffix match pattern must be a string';
  }
}

function compileExcluded(
  inner: 'prefix' | 'suffix' | 'equals-ignore-case' | 'wildcard',
  text: string,
  path: string,
): ValueMatcher {
  switch (inner) {
    case 'prefix':
    case 'suffix':
      // AWS refuses these (recorded by LocalStack against TestEventPattern): an empty anything-but affix
      // would exclude every string.
      if (text === '') {
        throw new InvalidEventPatternError('Null prefix/suffix not allowed', path);
      }
      return { op: inner, value: text, ignoreCase: false };
    case 'equals-ignore-case':
      return { op: 'equals-ignore-case', value: text };
    case 'wildcard':
      return { op: 'wildcard', value: text, parts: parseWildcard(text, path) };
  }
}

/**
 * `["=", x]`, `["<", x]`, `["<=", x]`, `[">", x]`, `[">=", x]`, and a range `[">" | ">=", low, "<" | "<=", high]`
 * (the lower bound always comes first, as in every documented example and in event-ruler's grammar).
 */
function compileNumeric(value: unknown, path: string): ValueMatcher {
  if (!Array.isArray(value)) {
    throw new InvalidEventPatternError('Value of numeric must be an array.', path);
  }
  const terms: readonly unknown[] = value;
  const operator = terms[0];
  if (typeof operator !== 'string') {
    throw new InvalidEventPatternError(
      `Invalid member in numeric match: ${operator === undefined ? 'empty array' : JSON.stringify(operator)}`,
      path,
    );
  }
  switch (operator) {
    case '=': {
      const operand = numericOperand(operator, terms[1], `${path}[1]`);
      expectEnd(terms, 2, 'Too many elements in numeric expression', path);
      const bound = { value: operand, inclusive: true };
      return { op: 'numeric', lower: bound, upper: bound };
    }
    case '<':
    case '<=': {
      const operand = numericOperand(operator, terms[1], `${path}[1]`);
      expectEnd(terms, 2, 'Too many elements in numeric expression', path);
      return { op: 'numeric', upper: { value: operand, inclusive: operator === '<=' } };
    }
    case '>':
    case '>=': {
      const lower = { value: numericOperand(operator, terms[1], `${path}[1]`), inclusive: operator === '>=' };
      if (terms.length === 2) {
        return { op: 'numeric', lower };
      }
      const topOperator = terms[2];
      if (topOperator !== '<' && topOperator !== '<=') {
        throw new InvalidEventPatternError(
          typeof topOperator === 'string'
            ? `Bad numeric range operator: ${topOperator}`
            : `Bad value in numeric range: ${JSON.stringify(topOperator)}`,
          `${path}[2]`,
        );
      }
      const upper = {
        value: numericOperand(topOperator, terms[3], `${path}[3]`),
        inclusive: topOperator === '<=',
      };
      expectEnd(terms, 4, 'Too many terms in numeric range expression', path);
      if (!(lower.value < upper.value)) {
        throw new InvalidEventPatternError('Bottom must be less than top', path);
      }
      return { op: 'numeric', lower, upper };
    }
    default:
      throw new InvalidEventPatternError(`Unrecognized numeric range operator: ${operator}`, `${path}[0]`);
  }
}

function numericOperand(operator: string, operand: unknown, path: string): number {
  if (typeof operand !== 'number') {
    throw new InvalidEventPatternError(`Value of ${operator} must be numeric`, path);
  }
  if (!withinNumericLimits(operand)) {
    throw new InvalidEventPatternError(
      Math.abs(operand) <= NUMERIC_LIMIT
        ? `Only values upto ${NUMERIC_DECIMALS} decimals are supported`
        : `Value must be between ${-NUMERIC_LIMIT} and ${NUMERIC_LIMIT}, inclusive`,
      path,
    );
  }
  return operand;
}

function expectEnd(terms: readonly unknown[], length: number, reason: string, path: string): void {
  if (terms.length > length) {
    throw new InvalidEventPatternError(reason, path);
  }
}

function requireString(value: unknown, what: string, path: string): string {
  if (typeof value !== 'string') {
    throw new InvalidEventPatternError(`${what} match pattern must be a string`, path);
  }
  return value;
}

/**
 * `*` matches any run of characters (including none); `\*` is a literal star and `\\` a literal backslash.
 * "Consecutive wildcard characters" and any other backslash escape are refused, as EventBridge does.
 */
function parseWildcard(pattern: string, path: string): WildcardPart[] {
  const parts: WildcardPart[] = [];
  let literal = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '*') {
      if (pattern[i + 1] === '*') {
        throw new InvalidEventPatternError(
          `Consecutive wildcard characters at pos ${awsPosition(pattern, i)}`,
          path,
        );
      }
      if (literal !== '') {
        parts.push({ literal });
        literal = '';
      }
      parts.push({ star: true });
    } else if (char === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') {
        throw new InvalidEventPatternError(
          `Invalid escape character at pos ${awsPosition(pattern, i)}`,
          path,
        );
      }
      literal += next;
      i++;
    } else {
      literal += char;
    }
  }
  if (literal !== '') {
    parts.push({ literal });
  }
  return parts;
}

/**
 * The position AWS reports: a UTF-8 byte offset into the value with its opening quote (event-ruler parses
 * `"value"`), so messages line up with what TestEventPattern says.
 */
function awsPosition(pattern: string, index: number): number {
  return new TextEncoder().encode(pattern.slice(0, index)).length + 1;
}

function parseCidr(cidr: string, path: string): IpRange {
  const slashed = cidr.split('/');
  const [address, mask] = slashed;
  if (slashed.length !== 2 || address === undefined || mask === undefined) {
    throw new InvalidEventPatternError("Malformed CIDR, one '/' required", path);
  }
  if (!/^[+-]?\d+$/.test(mask)) {
    throw new InvalidEventPatternError('Malformed CIDR, mask bits must be an integer', path);
  }
  const prefixLength = Number(mask);
  if (prefixLength < 0) {
    throw new InvalidEventPatternError('Malformed CIDR, mask bits must not be negative', path);
  }
  if (!looksLikeIp(address)) {
    throw new InvalidEventPatternError(`Nonstandard IP address: ${address}`, path);
  }
  const bytes = parseIp(address);
  if (bytes === undefined) {
    throw new InvalidEventPatternError(`Invalid IP address: ${address}`, path);
  }
  // event-ruler's bounds: a /32 (IPv4) or /128 (IPv6) "range" is refused; an exact address is written as a
  // plain string value instead, which matches by address.
  if (bytes.length === 4 && prefixLength > 31) {
    throw new InvalidEventPatternError('IPv4 mask bits must be < 32', path);
  }
  if (bytes.length === 16 && prefixLength > 127) {
    throw new InvalidEventPatternError('IPv6 mask bits must be < 128', path);
  }
  return { bytes, prefixLength };
}

// ---------------------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------------------

/** Marks a field the event does not have, as opposed to one whose value is JSON null. */
const MISSING: unique symbol = Symbol('missing');
/** An event value at some path, or MISSING. */
type Node = unknown;

/**
 * Whether the event (the whole EventBridge envelope: version, id, detail-type, source, account, time, region,
 * resources, detail) matches the pattern. Fields the pattern does not name are ignored.
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern.root, event);
}

/**
 * An object pattern against the event value at the same path. When that value is an array, one element
 * must satisfy the whole object pattern: event-ruler's "array-consistent" matching, which never combines
 * fields from different elements of the same array (`{"firstName": ["Anna"], "lastName": ["Jones"]}` does not
 * match Anna Smith and Peter Jones).
 */
function matchObject(pattern: ObjectPattern, node: Node): boolean {
  if (Array.isArray(node)) {
    const elements = flatten(node);
    // An empty array holds no fields at all: judge the pattern as if nothing were there, so exists:false
    // still holds for it.
    return elements.length === 0
      ? matchObject(pattern, MISSING)
      : elements.some((e) => matchObject(pattern, e));
  }
  for (const field of pattern.fields) {
    const child = childOf(node, field.name);
    const ok =
      field.kind === 'object' ? matchObject(field.pattern, child) : matchValues(field.matchers, child);
    if (!ok) {
      return false;
    }
  }
  return pattern.anyOf === undefined || pattern.anyOf.some((branch) => matchObject(branch, node));
}

function childOf(node: Node, name: string): Node {
  if (isPlainObject(node) && Object.hasOwn(node, name)) {
    return node[name];
  }
  return MISSING;
}

/**
 * A field's value list against the event value. Matchers only see leaves (strings, numbers, booleans, null):
 * "Comparison operators only work on leaf nodes". An event array contributes each of its leaf elements, so
 * the field matches if any element matches any entry ("Matching on arrays").
 */
function matchValues(matchers: readonly ValueMatcher[], node: Node): boolean {
  const leaves = leavesOf(node);
  return matchers.some((matcher) =>
    matcher.op === 'exists'
      ? // exists is about leaves, not keys: an object or an empty array is "not there".
        matcher.value === leaves.length > 0
      : // Every other operator needs a value: a missing field matches nothing, anything-but included.
        leaves.some((leaf) => matchLeaf(matcher, leaf)),
  );
}

function leavesOf(node: Node): JsonPrimitive[] {
  if (node === MISSING || isPlainObject(node)) {
    return [];
  }
  if (Array.isArray(node)) {
    return flatten(node).flatMap((element) => leavesOf(element));
  }
  return isPrimitive(node) ? [node] : [];
}

function matchLeaf(matcher: ValueMatcher, value: JsonPrimitive): boolean {
  switch (matcher.op) {
    case 'equals':
      return equalsLeaf(matcher.value, value);
    case 'prefix':
      return (
        typeof value === 'string' &&
        (matcher.ignoreCase
          ? foldCase(value).startsWith(foldCase(matcher.value))
          : value.startsWith(matcher.value))
      );
    case 'suffix':
      return (
        typeof value === 'string' &&
        (matcher.ignoreCase
          ? foldCase(value).endsWith(foldCase(matcher.value))
          : value.endsWith(matcher.value))
      );
    case 'equals-ignore-case':
      return typeof value === 'string' && foldCase(value) === foldCase(matcher.value);
    case 'wildcard':
      return typeof value === 'string' && matchWildcard(matcher.parts, value);
    case 'anything-but':
      // A value of another type is never among the excluded ones: anything-but "x" matches 5, true and null
      // (AWS does; LocalStack recorded it), and anything-but 5 matches "5".
      // Plain values are compared as written: event-ruler's address-aware equality (see equalsLeaf) applies to
      // exact matches only, not to the values anything-but excludes.
      return !matcher.excluded.some((excluded) =>
        excluded.op === 'equals' ? excluded.value === value : matchLeaf(excluded, value),
      );
    case 'numeric':
      return typeof value === 'number' && withinNumericLimits(value) && inRange(matcher, value);
    case 'cidr': {
      const bytes = typeof value === 'string' && looksLikeIp(value) ? parseIp(value) : undefined;
      return bytes !== undefined && inNetwork(matcher.network, bytes);
    }
    case 'exists':
      return true;
  }
}

function equalsLeaf(expected: JsonPrimitive, value: JsonPrimitive): boolean {
  if (expected === value) {
    return true;
  }
  // event-ruler turns a pattern string that is an IP address into an address match, so "2001:db8::1" also
  // matches the event's "2001:0db8:0:0:0:0:0:1".
  if (
    typeof expected === 'string' &&
    typeof value === 'string' &&
    looksLikeIp(expected) &&
    looksLikeIp(value)
  ) {
    const a = parseIp(expected);
    const b = parseIp(value);
    return a !== undefined && b !== undefined && a.length === b.length && a.every((byte, i) => byte === b[i]);
  }
  return false;
}

function inRange(
  matcher: { readonly lower?: NumericBound; readonly upper?: NumericBound },
  value: number,
): boolean {
  const { lower, upper } = matcher;
  if (lower !== undefined && (lower.inclusive ? value < lower.value : value <= lower.value)) {
    return false;
  }
  return !(upper !== undefined && (upper.inclusive ? value > upper.value : value >= upper.value));
}

/** Numbers inside the documented numeric domain: finite, |x| <= 5e9, at most six decimal places. */
function withinNumericLimits(value: number): boolean {
  return (
    Number.isFinite(value) &&
    Math.abs(value) <= NUMERIC_LIMIT &&
    Number(value.toFixed(NUMERIC_DECIMALS)) === value
  );
}

/** Case-insensitive comparison, as event-ruler does it: both sides lower-cased. */
function foldCase(text: string): string {
  return text.toLowerCase();
}

/**
 * `*`-only glob matching without backtracking: the first literal must start the value, the last must end
 * it, and each literal between stars is taken at its leftmost place (which is always safe when the only
 * wildcard is `*`). Linear in the value, so a pattern with many stars cannot stall the bus.
 */
function matchWildcard(parts: readonly WildcardPart[], value: string): boolean {
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (first === undefined || last === undefined) {
    return value === '';
  }
  if (parts.length === 1 && 'literal' in first) {
    return value === first.literal;
  }
  let start = 0;
  let end = value.length;
  let from = 0;
  let to = parts.length;
  if ('literal' in first) {
    if (!value.startsWith(first.literal)) {
      return false;
    }
    start = first.literal.length;
    from = 1;
  }
  if ('literal' in last) {
    if (value.length - last.literal.length < start || !value.endsWith(last.literal)) {
      return false;
    }
    end = value.length - last.literal.length;
    to = parts.length - 1;
  }
  for (const part of parts.slice(from, to)) {
    if ('literal' in part) {
      const at = value.indexOf(part.literal, start);
      if (at < 0 || at + part.literal.length > end) {
        return false;
      }
      start = at + part.literal.length;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// IP addresses
// ---------------------------------------------------------------------------------------------------------

const IPV4_SHAPE = /^\d+\.\d+\.\d+\.\d+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

/** event-ruler only treats dotted quads and colon-hex strings as addresses (no host names, no zone ids). */
function looksLikeIp(text: string): boolean {
  return IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);
}

/** The address's bytes (4 or 16), or undefined when it is not a valid address. */
function parseIp(text: string): number[] | undefined {
  if (IPV4_SHAPE.test(text)) {
    const bytes = text.split('.').map(Number);
    return bytes.every((byte) => byte <= 255) ? bytes : undefined;
  }
  return parseIpv6(text);
}

function parseIpv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) {
    return undefined;
  }
  const groupsOf = (half: string | undefined): string[] =>
    half === undefined || half === '' ? [] : half.split(':');
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  const given = head.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) {
    return undefined;
  }
  const groups = [...head, ...Array<string>(8 - given).fill('0'), ...tail];
  const bytes: number[] = [];
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) {
      return undefined;
    }
    const word = Number.parseInt(group, 16);
    bytes.push(word >> 8, word & 0xff);
  }
  return bytes;
}

function inNetwork(network: IpRange, bytes: readonly number[]): boolean {
  if (bytes.length !== network.bytes.length) {
    return false;
  }
  let bits = network.prefixLength;
  for (let i = 0; i < bytes.length && bits > 0; i++) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((network.bytes[i] ?? 0) & mask)) {
      return false;
    }
    bits -= 8;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// JSON helpers
// ---------------------------------------------------------------------------------------------------------

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isPrimitive(value: unknown): value is JsonPrimitive {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/** Nested event arrays are "crushed out": [[a, b], [c]] holds the same values as [a, b, c]. */
function flatten(values: readonly unknown[]): unknown[] {
  return values.flatMap((value) => (Array.isArray(value) ? flatten(value) : [value]));
}

function assertJson(value: unknown, path: string): void {
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => {
      assertJson(item, `${path}[${index}]`);
    });
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      assertJson(item, joinPath(path, key));
    }
  } else if (!isPrimitive(value)) {
    throw new InvalidEventPatternError(`Value is not JSON: ${String(value)}`, path);
  }
}

function joinPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
