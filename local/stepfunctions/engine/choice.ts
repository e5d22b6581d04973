/**
 * JSONPath Choice rules (the States Language spec, "Choice Rules"; AWS developer guide, "Choice workflow
 * state"): And / Or / Not, the String*, Numeric*, Boolean* and Timestamp* comparisons with their `...Path`
 * forms, StringMatches, and the Is* type tests. JSONata's `Condition` is evaluated elsewhere.
 *
 * Follows AWS as recorded in LocalStack's snapshots (tests/aws/services/stepfunctions/v2/choice_operators/):
 * a comparison whose Variable has another type is false, not an error (NumericEquals on "1", BooleanEquals
 * on 0, TimestampEquals on a number); Is* tests compare the type test with the rule's boolean; IsPresent is
 * the only operator a missing Variable does not fail.
 *
 * A missing Variable (or the value of a `...Path`) is States.Runtime "Invalid path '$.x': The choice state's
 * condition path references an invalid value." — the wording AWS gives, as several emulators reproduce it;
 * no AWS recording of it was found. Timestamps follow the spec's profile of RFC 3339: an uppercase T and Z
 * (or a numeric offset) and up to nine fraction digits; anything else is not a timestamp (so IsTimestamp is
 * false and Timestamp* comparisons are false).
 */
import type { ChoiceRule } from './asl';
import { States, StatesError } from './errors';
import { evaluatePath, NOT_FOUND, type PathScope } from './jsonpath';

type Kind = 'string' | 'numeric' | 'boolean' | 'timestamp';
type Relation = 'Equals' | 'LessThan' | 'GreaterThan' | 'LessThanEquals' | 'GreaterThanEquals';

interface Comparison {
  readonly operator: string;
  readonly kind: Kind;
  readonly relation: Relation;
  readonly path: boolean;
}

const KINDS: Record<Kind, string> = {
  string: 'String',
  numeric: 'Numeric',
  boolean: 'Boolean',
  timestamp: 'Timestamp',
};
const RELATIONS: readonly Relation[] = [
  'Equals',
  'LessThan',
  'GreaterThan',
  'LessThanEquals',
  'GreaterThanEquals',
];

/** Every comparison operator: StringEquals ... TimestampGreaterThanEqualsPath (BooleanEquals has no order). */
const COMPARISONS: readonly Comparison[] = (Object.keys(KINDS) as Kind[]).flatMap((kind) =>
  RELATIONS.filter((relation) => kind !== 'boolean' || relation === 'Equals').flatMap((relation) =>
    [false, true].map((path) => ({
      operator: `${KINDS[kind]}${relation}${path ? 'Path' : ''}`,
      kind,
      relation,
      path,
    })),
  ),
);

const TYPE_TESTS: Record<string, (value: unknown) => boolean> = {
  IsNull: (value) => value === null,
  IsNumeric: (value) => typeof value === 'number',
  IsString: (value) => typeof value === 'string',
  IsBoolean: (value) => typeof value === 'boolean',
  IsTimestamp: (value) => typeof value === 'string' && parseTimestamp(value) !== undefined,
};

/** Whether a JSONPath Choice rule (or a nested And / Or / Not rule) matches. */
export function evaluateChoiceRule(rule: ChoiceRule, scope: PathScope): boolean {
  if (rule.And !== undefined) return rule.And.every((inner) => evaluateChoiceRule(inner, scope));
  if (rule.Or !== undefined) return rule.Or.some((inner) => evaluateChoiceRule(inner, scope));
  if (rule.Not !== undefined) return !evaluateChoiceRule(rule.Not, scope);

  const variable = rule.Variable;
  if (typeof variable !== 'string') {
    throw new StatesError(States.Runtime, 'A Choice rule needs a Variable, or And, Or or Not');
  }
  const value = evaluatePath(variable, scope);
  if (rule.IsPresent !== undefined) return (value !== NOT_FOUND) === rule.IsPresent;
  if (value === NOT_FOUND) throw invalidPath(variable);
  return testOf(rule)(value, scope);
}

/**
 * Each rule's operator, found once: looking through every operator name at each evaluation was most of a
 * Choice's cost.
 */
const tests = new WeakMap<ChoiceRule, (value: unknown, scope: PathScope) => boolean>();

function testOf(rule: ChoiceRule): (value: unknown, scope: PathScope) => boolean {
  let test = tests.get(rule);
  if (!test) {
    test = operatorTest(rule);
    tests.set(rule, test);
  }
  return test;
}

/** The first operator the rule has, in the order the type tests, the comparisons, then StringMatches. */
function operatorTest(rule: ChoiceRule): (value: unknown, scope: PathScope) => boolean {
  for (const [operator, test] of Object.entries(TYPE_TESTS)) {
    const expected: unknown = rule[operator];
    if (expected !== undefined) return (value) => test(value) === expected;
  }
  for (const comparison of COMPARISONS) {
    const operand: unknown = rule[comparison.operator];
    if (operand === undefined) continue;
    return comparison.path
      ? (value, scope) => compare(comparison, value, valueAtPath(operand, scope))
      : (value) => compare(comparison, value, operand);
  }
  const pattern = rule.StringMatches;
  if (pattern !== undefined)
    return (value) =>
      typeof value === 'string' && typeof pattern === 'string' && wildcard(pattern).test(value);
  return () => {
    throw new StatesError(States.Runtime, `The Choice rule on '${rule.Variable}' has no comparison operator`);
  };
}

function valueAtPath(path: unknown, scope: PathScope): unknown {
  if (typeof path !== 'string') throw new StatesError(States.Runtime, `Invalid path '${String(path)}'`);
  const value = evaluatePath(path, scope);
  if (value === NOT_FOUND) throw invalidPath(path);
  return value;
}

function invalidPath(path: string): StatesError {
  return new StatesError(
    States.Runtime,
    `Invalid path '${path}': The choice state's condition path references an invalid value.`,
  );
}

/** Compares the Variable's value with the operand; values of the wrong type never match. */
function compare({ kind, relation }: Comparison, value: unknown, operand: unknown): boolean {
  let order: number;
  switch (kind) {
    case 'boolean':
      return typeof value === 'boolean' && value === operand;
    case 'numeric':
      if (typeof value !== 'number' || typeof operand !== 'number') return false;
      order = value - operand;
      break;
    case 'string':
      if (typeof value !== 'string' || typeof operand !== 'string') return false;
      order = value < operand ? -1 : value > operand ? 1 : 0;
      break;
    case 'timestamp': {
      const a = typeof value === 'string' ? parseTimestamp(value) : undefined;
      const b = typeof operand === 'string' ? parseTimestamp(operand) : undefined;
      if (a === undefined || b === undefined) return false;
      order = a.seconds - b.seconds || a.nanos - b.nanos;
      break;
    }
  }
  switch (relation) {
    case 'Equals':
      return order === 0;
    case 'LessThan':
      return order < 0;
    case 'GreaterThan':
      return order > 0;
    case 'LessThanEquals':
      return order <= 0;
    case 'GreaterThanEquals':
      return order >= 0;
  }
}

interface Instant {
  readonly seconds: number;
  readonly nanos: number;
}

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** An RFC 3339 timestamp as seconds since the epoch and nanoseconds, or undefined. */
function parseTimestamp(text: string): Instant | undefined {
  const match = TIMESTAMP.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  let offset = 0;
  if (match[8] !== undefined) {
    const offsetHours = Number(match[9]);
    const offsetMinutes = Number(match[10]);
    if (offsetHours > 18 || offsetMinutes > 59) return undefined;
    offset = (match[8] === '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
  }
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, 0);
  return { seconds: utc.getTime() / 1000 - offset, nanos: Number((match[7] ?? '').padEnd(9, '0')) };
}

const patterns = new Map<string, RegExp>();

/** StringMatches: `*` is any run of characters; `\*` a literal star, `\\` a literal backslash. */
function wildcard(pattern: string): RegExp {
  let regex = patterns.get(pattern);
  if (regex === undefined) {
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
      const char = pattern.charAt(i);
      const next = pattern.charAt(i + 1);
      if (char === '\\' && (next === '*' || next === '\\')) {
        source += escapeRegex(next);
        i++;
      } else {
        source += char === '*' ? '[\\s\\S]*' : escapeRegex(char);
      }
    }
    regex = new RegExp(`^${source}$`);
    if (patterns.size >= 1000) patterns.clear();
    patterns.set(pattern, regex);
  }
  return regex;
}

function escapeRegex(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
