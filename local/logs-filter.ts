import { AwsError } from './errors';

/*
 * CloudWatch Logs filter patterns (CloudWatch Logs User Guide, "Filter pattern syntax for metric filters,
 * subscription filters, filter log events and Live Tail"), as FilterLogEvents applies them to each event's
 * message:
 * - an empty pattern matches every event;
 * - terms: every term must appear in the message (case-sensitive); a term with anything but letters, digits
 *   and underscores must be quoted ("a phrase", "user-1001"); `-term` must not appear; of the `?term`s, at
 *   least one must appear;
 * - a JSON pattern `{ SELECTOR OPERATOR VALUE }` matches a message that is JSON: selectors `$.a.b[0]`,
 *   `=` and `!=` with a string (quoted or bare; `*` is a wildcard) or a number, `<` `>` `<=` `>=` with a
 *   number, `IS NULL`, `NOT EXISTS`, `IS TRUE`, `IS FALSE`, joined with `&&` and `||` and grouped with
 *   parentheses (`&&` binds tighter).
 * A pattern that is none of these is InvalidParameterException, with AWS's messages.
 */

/** Whether a message matches: what a parsed filter pattern is. */
export type LogFilter = (message: string) => boolean;

type JsonValue = unknown;
type Comparison =
  | {
      readonly kind: 'compare';
      readonly path: Selector;
      readonly op: Operator;
      readonly value: Literal;
      /** A string value's wildcard expression, compiled once. */
      readonly text?: RegExp;
    }
  | { readonly kind: 'is'; readonly path: Selector; readonly what: 'NULL' | 'TRUE' | 'FALSE' | 'NOT EXISTS' };
type Expression =
  | Comparison
  | { readonly kind: 'and' | 'or'; readonly left: Expression; readonly right: Expression };
type Selector = readonly (string | number)[];
type Operator = '=' | '!=' | '<' | '>' | '<=' | '>=';
type Literal =
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'string'; readonly value: string };

/** Parses a filter pattern, or throws InvalidParameterException. */
export function parseFilterPattern(pattern: string | undefined): LogFilter {
  const text = (pattern ?? '').trim();
  if (text === '') return () => true;
  if (text.startsWith('{')) {
    // Recorded from CloudWatch Logs (jorgebastida/awslogs#210): a JSON pattern missing its closing brace.
    if (!text.endsWith('}')) throw invalid("If a filter pattern starts with '{' it must end with '}'");
    const expression = new JsonPatternParser(text.slice(1, -1)).parse();
    return (message) => {
      const json = parseJson(message);
      return json !== NOT_JSON && evaluate(expression, json);
    };
  }
  if (text.startsWith('[')) throw invalid('Invalid filter pattern');
  return termFilter(text);
}

/** FilterLogEvents' error for a pattern it cannot read (e.g. aws/aws-toolkit-jetbrains#3219: "Invalid filter pattern"). */
function invalid(message: string): AwsError {
  return new AwsError('InvalidParameterException', message);
}

const NOT_JSON = Symbol('not JSON');

function parseJson(message: string): JsonValue | typeof NOT_JSON {
  const trimmed = message.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return NOT_JSON;
  try {
    return JSON.parse(message) as JsonValue;
  } catch {
    return NOT_JSON;
  }
}

/** Terms, quoted phrases, `-` exclusions and `?` alternatives. */
function termFilter(text: string): LogFilter {
  const required: string[] = [];
  const excluded: string[] = [];
  const alternatives: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i] as string)) {
      i++;
      continue;
    }
    let prefix = '';
    if (text[i] === '-' || text[i] === '?') {
      prefix = text[i] as string;
      i++;
    }
    let term: string;
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw invalid('Invalid filter pattern');
      term = text.slice(i + 1, end);
      i = end + 1;
    } else {
      const start = i;
      while (i < text.length && !/\s/.test(text[i] as string)) i++;
      term = text.slice(start, i);
      // Recorded from CloudWatch Logs (dougmoscrop/serverless-plugin-log-subscription#47).
      if (!/^[A-Za-z0-9_]+$/.test(term)) throw invalid(`Invalid character(s) in term '${term}'`);
    }
    (prefix === '-' ? excluded : prefix === '?' ? alternatives : required).push(term);
  }
  return (message) =>
    required.every((term) => message.includes(term)) &&
    !excluded.some((term) => message.includes(term)) &&
    (alternatives.length === 0 || alternatives.some((term) => message.includes(term)));
}

type Token =
  | { readonly kind: 'selector'; readonly path: Selector }
  | { readonly kind: 'op'; readonly op: Operator }
  | { readonly kind: 'and' | 'or' | '(' | ')' }
  | { readonly kind: 'word'; readonly word: string }
  | { readonly kind: 'literal'; readonly literal: Literal };

class JsonPatternParser {
  private readonly tokens: Token[];
  private at = 0;

  constructor(body: string) {
    this.tokens = tokenize(body);
  }

  parse(): Expression {
    if (this.tokens.length === 0) throw invalid('Invalid filter pattern');
    const expression = this.or();
    if (this.at !== this.tokens.length) throw invalid('Invalid filter pattern');
    return expression;
  }

  private or(): Expression {
    let left = this.and();
    while (this.peek()?.kind === 'or') {
      this.at++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Expression {
    let left = this.primary();
    while (this.peek()?.kind === 'and') {
      this.at++;
      left = { kind: 'and', left, right: this.primary() };
    }
    return left;
  }

  private primary(): Expression {
    const token = this.next();
    if (token.kind === '(') {
      const inner = this.or();
      if (this.next().kind !== ')') throw invalid('Invalid filter pattern');
      return inner;
    }
    if (token.kind !== 'selector') throw invalid('Invalid filter pattern');
    const after = this.next();
    if (after.kind === 'op') {
      const value = this.next();
      const literal: Literal | undefined =
        value.kind === 'literal'
          ? value.literal
          : value.kind === 'word'
            ? { type: 'string', value: value.word }
            : undefined;
      if (!literal) throw invalid('Invalid filter pattern');
      if (after.op !== '=' && after.op !== '!=' && literal.type !== 'number')
        throw invalid('Invalid filter pattern');
      return {
        kind: 'compare',
        path: token.path,
        op: after.op,
        value: literal,
        ...(literal.type === 'string' ? { text: wildcard(literal.value) } : {}),
      };
    }
    if (after.kind === 'word' && after.word === 'IS') {
      const what = this.next();
      if (what.kind === 'word' && (what.word === 'NULL' || what.word === 'TRUE' || what.word === 'FALSE'))
        return { kind: 'is', path: token.path, what: what.word };
      throw invalid('Invalid filter pattern');
    }
    if (after.kind === 'word' && after.word === 'NOT') {
      const what = this.next();
      if (what.kind === 'word' && what.word === 'EXISTS')
        return { kind: 'is', path: token.path, what: 'NOT EXISTS' };
    }
    throw invalid('Invalid filter pattern');
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private next(): Token {
    const token = this.tokens[this.at++];
    if (!token) throw invalid('Invalid filter pattern');
    return token;
  }
}

function tokenize(body: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (body.startsWith('&&', i)) {
      tokens.push({ kind: 'and' });
      i += 2;
    } else if (body.startsWith('||', i)) {
      tokens.push({ kind: 'or' });
      i += 2;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c });
      i++;
    } else if (/[!<>=]/.test(c)) {
      const op = /^(!=|<=|>=|=|<|>)/.exec(body.slice(i))?.[1] as Operator | undefined;
      if (!op) throw invalid('Invalid filter pattern');
      tokens.push({ kind: 'op', op });
      i += op.length;
    } else if (c === '"') {
      let value = '';
      i++;
      for (; i < body.length && body[i] !== '"'; i++) {
        if (body[i] === '\\' && i + 1 < body.length) i++;
        value += body[i];
      }
      if (i >= body.length) throw invalid('Invalid filter pattern');
      i++;
      tokens.push({ kind: 'literal', literal: { type: 'string', value } });
    } else if (c === '$') {
      const start = i;
      while (i < body.length && !/[\s()!<>=&|]/.test(body[i] as string)) i++;
      tokens.push({ kind: 'selector', path: parseSelector(body.slice(start, i)) });
    } else {
      const start = i;
      while (
        i < body.length &&
        !/[\s()!<>=]/.test(body[i] as string) &&
        !body.startsWith('&&', i) &&
        !body.startsWith('||', i)
      )
        i++;
      const word = body.slice(start, i);
      const number = Number(word);
      tokens.push(
        /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(word) && Number.isFinite(number)
          ? { kind: 'literal', literal: { type: 'number', value: number } }
          : { kind: 'word', word },
      );
    }
  }
  return tokens;
}

/** `$.a.b[0].c` as its steps; `$` alone selects the whole message. */
function parseSelector(text: string): Selector {
  const steps: (string | number)[] = [];
  let rest = text.slice(1);
  while (rest !== '') {
    const field = /^\.([A-Za-z0-9_\-@:]+)/.exec(rest);
    const index = /^\[(\d+)\]/.exec(rest);
    if (field) {
      steps.push(field[1] as string);
      rest = rest.slice(field[0].length);
    } else if (index) {
      steps.push(Number(index[1]));
      rest = rest.slice(index[0].length);
    } else {
      throw invalid('Invalid filter pattern');
    }
  }
  return steps;
}

const ABSENT = Symbol('absent');

function select(json: JsonValue, path: Selector): JsonValue | typeof ABSENT {
  let value: JsonValue = json;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(value) || step >= value.length) return ABSENT;
      value = value[step];
    } else {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, step))
        return ABSENT;
      value = (value as Record<string, unknown>)[step];
    }
  }
  return value;
}

function evaluate(expression: Expression, json: JsonValue): boolean {
  switch (expression.kind) {
    case 'and':
      return evaluate(expression.left, json) && evaluate(expression.right, json);
    case 'or':
      return evaluate(expression.left, json) || evaluate(expression.right, json);
    case 'is': {
      const value = select(json, expression.path);
      if (expression.what === 'NOT EXISTS') return value === ABSENT;
      if (expression.what === 'NULL') return value === null;
      return value === (expression.what === 'TRUE');
    }
    case 'compare':
      return compare(select(json, expression.path), expression);
  }
}

function compare(
  value: JsonValue | typeof ABSENT,
  { op, value: literal, text }: Extract<Comparison, { kind: 'compare' }>,
): boolean {
  if (value === ABSENT) return false;
  if (literal.type === 'number') {
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : Number.NaN;
    if (Number.isNaN(n)) return false;
    switch (op) {
      case '=':
        return n === literal.value;
      case '!=':
        return n !== literal.value;
      case '<':
        return n < literal.value;
      case '>':
        return n > literal.value;
      case '<=':
        return n <= literal.value;
      case '>=':
        return n >= literal.value;
    }
  }
  // A string compares with a field's text: a string, or the JSON text of a number or boolean.
  if (value === null || typeof value === 'object') return false;
  const matched = (text ?? wildcard(String(literal.value))).test(String(value));
  return op === '=' ? matched : !matched;
}

/** A string value with `*` wildcards as an anchored expression. */
function wildcard(value: string): RegExp {
  const escaped = value
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`, 's');
}
