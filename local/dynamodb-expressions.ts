/**
 * dynalite parses every expression of every call (UpdateExpression, ConditionExpression, …) with a PEG
 * parser, and that parse was most of its CPU: the workflows send the same few expressions on every claim
 * and fence, only with other values. This wraps its three parsers with a cache of what a parse returns.
 *
 * A parse's result depends on the expression, the attribute names, the values' types (the parsers check
 * operand types) and, for `attribute_type` and `BETWEEN` only, the values themselves (a type name, an
 * ordered range): those two are never cached. A cached result is a template whose attribute values are
 * placeholders, filled with the call's own values on each use; the names and values the expression uses
 * are marked used as the parser would, so dynalite's "unused in expressions" check still holds.
 */

interface ParseContext {
  readonly attrNames?: Record<string, string>;
  readonly attrVals?: Record<string, Record<string, unknown>>;
  readonly unusedAttrNames?: Record<string, boolean>;
  readonly unusedAttrVals?: Record<string, boolean>;
  readonly isKeyCondition?: boolean;
}

interface Parser {
  parse(expression: string, options: { context: ParseContext }): unknown;
}

/** Builds a fresh parse result from a call's attribute values. */
type Build = (values: Record<string, unknown>) => unknown;

/** A parse cached for one set of attribute names and value types. */
interface Template {
  readonly attrNames: Record<string, string> | undefined;
  /** Each attribute value's key and its type (the one key of its AttributeValue), in the context's order. */
  readonly valueTypes: readonly string[];
  readonly isKeyCondition: boolean;
  readonly build: Build;
  readonly usedNames: readonly string[];
  readonly usedValues: readonly string[];
}

/** What is cached for an expression: whether its parse depends on values, and its parses so far. */
interface ExpressionEntry {
  readonly valueDependent: boolean;
  readonly templates: Template[];
}

/** How many distinct expressions each parser keeps: the app sends a handful; a client could send any number. */
const MAX_EXPRESSIONS = 1_000;
/** How many parses of one expression (other names or value types) are kept. */
const MAX_TEMPLATES_PER_EXPRESSION = 16;
/** Operations whose checks read the values themselves, not only their types. */
const VALUE_DEPENDENT = /attribute_type|between/i;

const wrapped = new WeakSet<Parser>();

/** Wraps each parser's `parse` (dynalite's validations call it through the module object) with the cache. */
export function cacheExpressionParses(parsers: readonly Parser[]): void {
  for (const parser of parsers) {
    if (wrapped.has(parser)) continue;
    wrapped.add(parser);
    const parse = parser.parse.bind(parser);
    const expressions = new Map<string, ExpressionEntry>();
    parser.parse = (expression, options) => {
      const context = options.context;
      let entry = expressions.get(expression);
      if (!entry) {
        if (expressions.size >= MAX_EXPRESSIONS) expressions.clear();
        entry = { valueDependent: VALUE_DEPENDENT.test(expression), templates: [] };
        expressions.set(expression, entry);
      }
      if (entry.valueDependent) return parse(expression, options);
      const values = context.attrVals ?? {};
      const template = entry.templates.find((t) => fits(t, context, values));
      if (template) {
        for (const name of template.usedNames) delete context.unusedAttrNames?.[name];
        for (const value of template.usedValues) delete context.unusedAttrVals?.[value];
        return template.build(values);
      }
      const namesBefore = Object.keys(context.unusedAttrNames ?? {});
      const valuesBefore = Object.keys(context.unusedAttrVals ?? {});
      const tree = parse(expression, options); // throws on a bad expression, which is then not cached
      if (entry.templates.length >= MAX_TEMPLATES_PER_EXPRESSION) entry.templates.length = 0;
      entry.templates.push({
        attrNames: context.attrNames && { ...context.attrNames },
        valueTypes: Object.entries(values).flatMap(([key, value]) => [key, Object.keys(value).join()]),
        isKeyCondition: context.isKeyCondition === true,
        build: compile(tree, values),
        usedNames: namesBefore.filter((name) => !Object.hasOwn(context.unusedAttrNames ?? {}, name)),
        usedValues: valuesBefore.filter((value) => !Object.hasOwn(context.unusedAttrVals ?? {}, value)),
      });
      return tree;
    };
  }
}

/**
 * Whether a cached parse answers this call: the same attribute names and the same value keys with the same
 * types, in the same order. Compared in place, as this runs on every DynamoDB call.
 */
function fits(
  template: Template,
  context: ParseContext,
  values: Record<string, Record<string, unknown>>,
): boolean {
  if (template.isKeyCondition !== (context.isKeyCondition === true)) return false;
  if (!sameNames(template.attrNames, context.attrNames)) return false;
  const types = template.valueTypes;
  let i = 0;
  for (const key in values) {
    if (types[i] !== key) return false;
    const value = values[key] as Record<string, unknown>;
    let type = '';
    for (const t in value) type = type === '' ? t : `${type},${t}`;
    if (types[i + 1] !== type) return false;
    i += 2;
  }
  return i === types.length;
}

function sameNames(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  let count = 0;
  for (const key in b) {
    if (a[key] !== b[key] || !Object.hasOwn(a, key)) return false;
    count++;
  }
  return count === Object.keys(a).length;
}

/**
 * A function that builds a fresh copy of a parse's result each time (dynalite changes what it is given),
 * with a call's attribute values in place of those the parse was made with (found in it by identity).
 * Objects keep their prototype: dynalite makes some with a null one.
 */
function compile(node: unknown, parsedWith: Record<string, unknown>): Build {
  if (typeof node !== 'object' || node === null) return () => node;
  for (const [key, value] of Object.entries(parsedWith)) if (node === value) return (values) => values[key];
  if (Array.isArray(node)) {
    const items = node.map((item) => compile(item, parsedWith));
    return (values) => items.map((item) => item(values));
  }
  const proto = Object.getPrototypeOf(node) as object | null;
  const keys = Object.keys(node);
  const children = keys.map((key) => compile((node as Record<string, unknown>)[key], parsedWith));
  return (values) => {
    const out = (proto === Object.prototype ? {} : Object.create(proto)) as Record<string, unknown>;
    for (let i = 0; i < keys.length; i++) out[keys[i] as string] = (children[i] as Build)(values);
    return out;
  };
}
