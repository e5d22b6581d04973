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

/** Where a cached result holds the call's attribute value of this key. */
class ValuePlaceholder {
  constructor(readonly key: string) {}
}

interface Template {
  readonly tree: unknown;
  readonly usedNames: readonly string[];
  readonly usedValues: readonly string[];
}

/** How many distinct parses each parser keeps: the app sends a handful; a client could send any number. */
const MAX_TEMPLATES = 1_000;
/** Operations whose checks read the values themselves, not only their types. */
const VALUE_DEPENDENT = /attribute_type|between/i;

const wrapped = new WeakSet<Parser>();

/** Wraps each parser's `parse` (dynalite's validations call it through the module object) with the cache. */
export function cacheExpressionParses(parsers: readonly Parser[]): void {
  for (const parser of parsers) {
    if (wrapped.has(parser)) continue;
    wrapped.add(parser);
    const parse = parser.parse.bind(parser);
    const templates = new Map<string, Template>();
    parser.parse = (expression, options) => {
      const context = options.context;
      if (VALUE_DEPENDENT.test(expression)) return parse(expression, options);
      const key = cacheKey(expression, context);
      const template = templates.get(key);
      if (template) {
        for (const name of template.usedNames) delete context.unusedAttrNames?.[name];
        for (const value of template.usedValues) delete context.unusedAttrVals?.[value];
        return instantiate(template.tree, context.attrVals ?? {});
      }
      const namesBefore = Object.keys(context.unusedAttrNames ?? {});
      const valuesBefore = Object.keys(context.unusedAttrVals ?? {});
      const tree = parse(expression, options); // throws on a bad expression, which is then not cached
      if (templates.size >= MAX_TEMPLATES) templates.clear();
      templates.set(key, {
        tree: toTemplate(tree, context.attrVals ?? {}),
        usedNames: namesBefore.filter((name) => !Object.hasOwn(context.unusedAttrNames ?? {}, name)),
        usedValues: valuesBefore.filter((value) => !Object.hasOwn(context.unusedAttrVals ?? {}, value)),
      });
      return tree;
    };
  }
}

function cacheKey(expression: string, context: ParseContext): string {
  const types = Object.entries(context.attrVals ?? {}).map(([key, value]) => [key, Object.keys(value)]);
  return JSON.stringify([expression, context.attrNames ?? null, types, context.isKeyCondition === true]);
}

/** A copy of a parse's result with each of the call's attribute values replaced by its placeholder. */
function toTemplate(node: unknown, values: Record<string, unknown>): unknown {
  if (typeof node !== 'object' || node === null) return node;
  for (const [key, value] of Object.entries(values)) if (node === value) return new ValuePlaceholder(key);
  return copy(node, (child) => toTemplate(child, values));
}

/** A fresh tree from a template, with this call's attribute values in place of the placeholders. */
function instantiate(node: unknown, values: Record<string, unknown>): unknown {
  if (node instanceof ValuePlaceholder) return values[node.key];
  if (typeof node !== 'object' || node === null) return node;
  return copy(node, (child) => instantiate(child, values));
}

/** A copy of an array or an object (of the same prototype: dynalite makes some with a null one). */
function copy(node: object, map: (child: unknown) => unknown): unknown {
  if (Array.isArray(node)) return node.map(map);
  const out = Object.create(Object.getPrototypeOf(node)) as Record<string, unknown>;
  for (const [key, value] of Object.entries(node)) out[key] = map(value);
  return out;
}
