/**
 * What a rule target receives: the whole event (default), a constant `Input`, the value at an `InputPath`, or
 * an `InputTransformer`'s template filled from the event.
 *
 * Sources, in order of authority:
 * - API reference, PutTargets / Target / InputTransformer (the Events service model shipped with botocore,
 *   2015-10-07): Input, InputPath and InputTransformer are mutually exclusive; Input and InputTemplate are at
 *   most 8192 characters; InputPathsMap has at most 100 entries, keys `[A-Za-z0-9_-]+` of 1–256 characters,
 *   paths of at most 256; a placeholder cannot be an object key of a JSON-object template.
 * - User guide, "Amazon EventBridge input transformation" (eb-transform-target-input): predefined variables,
 *   the EC2 example event and its template → output table, the JSONPath subset (dot notation, dashes,
 *   underscores, alphanumerics, array indices, wildcards, forward slashes), values from an input path are not
 *   escaped, and `aws.events.event` / `aws.events.event.json` only as the value of a JSON field.
 * - User guide tutorial (eb-input-transformer-tutorial): `<` and `>` cannot be escaped.
 * - Where the guide is silent, LocalStack's EventBridge tests recorded against real AWS
 *   (tests/aws/services/events/test_events_inputs.snapshot.json): a path that matches nothing yields empty text
 *   (`""` where a bare JSON value is needed), an object or array inside a string template loses its quotes, a
 *   JSON template that comes out invalid is not delivered, and the error messages of PutTargets.
 */
import { UnsupportedTemplateError } from '../errors';
import type { BusEvent, LocalRule, Target } from './bus';

/** A target's InputTransformer as PutTargets and AWS::Events::Rule take it. */
export interface InputTransformer {
  readonly InputPathsMap?: Readonly<Record<string, string>>;
  readonly InputTemplate: string;
}

/**
 * A transformed input that EventBridge cannot deliver: a JSON-object template whose filled-in text is not
 * valid JSON (for example a value with a quote put inside a quoted placeholder, which EventBridge does not
 * escape). AWS drops such a delivery; the local runtime reports it as the delivery's error.
 */
export class InputTransformationError extends Error {
  override readonly name = 'InputTransformationError';
}

const MAX_INPUT_LENGTH = 8192;
const MAX_TEMPLATE_LENGTH = 8192;
const MAX_PATHS = 100;
const MAX_PATH_LENGTH = 256;
const MAX_KEY_LENGTH = 256;
const KEY_PATTERN = /^[A-Za-z0-9_-]+$/;

const RULE_ARN = 'aws.events.rule-arn';
const RULE_NAME = 'aws.events.rule-name';
const INGESTION_TIME = 'aws.events.event.ingestion-time';
const EVENT = 'aws.events.event';
const EVENT_JSON = 'aws.events.event.json';
/** Variables EventBridge defines for every template; InputPathsMap cannot define them. */
export const PREDEFINED_VARIABLES: readonly string[] = [
  RULE_ARN,
  RULE_NAME,
  INGESTION_TIME,
  EVENT,
  EVENT_JSON,
];
/** Predefined variables whose value is JSON put in unescaped: only valid as the value of a JSON field. */
const JSON_ONLY_VARIABLES = new Set([EVENT, EVENT_JSON]);

// ---------------------------------------------------------------------------------------------------------
// JSONPath: the one evaluator for InputPath and InputPathsMap.

type PathStep =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' };

/** A parsed JSONPath; `definite` when it names at most one value (no wildcard). */
interface JsonPath {
  readonly text: string;
  readonly steps: readonly PathStep[];
  readonly definite: boolean;
}

/** What a path found in the event: a value, or nothing. */
type Lookup = { readonly found: true; readonly value: unknown } | { readonly found: false };

const PATH_STEPS: readonly [RegExp, (match: RegExpExecArray) => PathStep][] = [
  [/^\.\*/, () => ({ kind: 'wildcard' })],
  [/^\[\*\]/, () => ({ kind: 'wildcard' })],
  [/^\.([A-Za-z0-9_\-/]+)/, (m) => ({ kind: 'name', name: m[1] as string })],
  [/^\[(0|[1-9][0-9]*)\]/, (m) => ({ kind: 'index', index: Number(m[1]) })],
];

/**
 * Parses the JSONPath subset EventBridge documents: `$`, `.name` (letters, digits, `_`, `-`, `/`), `[n]`,
 * `.*` and `[*]`. Throws an Error whose message says what is wrong.
 */
function parsePath(text: string): JsonPath {
  if (text.length > MAX_PATH_LENGTH) {
    throw new Error(`it is ${text.length} characters long; the limit is ${MAX_PATH_LENGTH}`);
  }
  if (!text.startsWith('$')) throw new Error('a JSONPath starts with "$", as in "$.detail.userId"');
  const steps: PathStep[] = [];
  let position = 1;
  while (position < text.length) {
    const rest = text.slice(position);
    let step: PathStep | undefined;
    for (const [pattern, make] of PATH_STEPS) {
      const match = pattern.exec(rest);
      if (!match) continue;
      step = make(match);
      position += match[0].length;
      break;
    }
    if (step === undefined) throw new Error(pathSyntaxReason(rest, position));
    steps.push(step);
  }
  return { text, steps, definite: steps.every((s) => s.kind !== 'wildcard') };
}

function pathSyntaxReason(rest: string, position: number): string {
  if (rest.startsWith('..')) return 'recursive descent ("..") is not supported';
  if (rest.startsWith("['") || rest.startsWith('["')) {
    return 'bracket notation for names is not supported; use dot notation, as in "$.detail.name"';
  }
  if (rest.startsWith('[')) return `"${rest}" is not an array index; use a non-negative integer, as in "[0]"`;
  if (rest.startsWith('.')) {
    return `"${rest}" is not a supported name: names are letters, digits, "_", "-" and "/" (or "*")`;
  }
  return `unexpected "${rest.charAt(0)}" at position ${position}`;
}

/** The value at `path` in `root`; a path with a wildcard finds the array of every value it matches. */
function evaluatePath(path: JsonPath, root: unknown): Lookup {
  let nodes: unknown[] = [root];
  for (const step of path.steps) {
    const next: unknown[] = [];
    for (const node of nodes) {
      if (node === null || typeof node !== 'object') continue;
      if (step.kind === 'wildcard') next.push(...(Array.isArray(node) ? node : Object.values(node)));
      else if (step.kind === 'index') {
        if (Array.isArray(node) && step.index < node.length) next.push(node[step.index]);
      } else if (!Array.isArray(node) && Object.hasOwn(node, step.name)) {
        next.push((node as Record<string, unknown>)[step.name]);
      }
    }
    nodes = next;
  }
  if (!path.definite) return { found: true, value: nodes };
  return nodes.length === 1 ? { found: true, value: nodes[0] } : { found: false };
}

// ---------------------------------------------------------------------------------------------------------
// InputTemplate

type TemplatePart =
  | { readonly text: string }
  /** A `<name>` placeholder; `quoted` when it sits inside a JSON string literal of the template. */
  | { readonly name: string; readonly quoted: boolean };

/** A validated InputTransformer, ready to fill in. */
interface CompiledTransformer {
  readonly paths: ReadonlyMap<string, JsonPath>;
  readonly parts: readonly TemplatePart[];
  /** The template is a JSON object ("surrounded by curly braces"), so its output must be valid JSON. */
  readonly json: boolean;
}

const PLACEHOLDER = /^<([^<>]*)>/;

/**
 * Splits a template into text and placeholders. Every `<…>` is a placeholder (`<` and `>` cannot be escaped);
 * a placeholder is `quoted` when it sits inside a `"…"` string literal, honouring `\"` escapes.
 */
function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template.charAt(i);
    const placeholder = char === '<' ? PLACEHOLDER.exec(template.slice(i)) : null;
    if (placeholder) {
      if (text) parts.push({ text });
      text = '';
      parts.push({ name: placeholder[1] as string, quoted: inString });
      i += placeholder[0].length - 1;
      continue;
    }
    text += char;
    if (inString && char === '\\' && i + 1 < template.length) {
      i += 1;
      text += template.charAt(i);
    } else if (char === '"') inString = !inString;
  }
  if (text) parts.push({ text });
  return parts;
}

function isJsonTemplate(template: string): boolean {
  return template.trimStart().startsWith('{');
}

/** Stands in for a placeholder when checking a JSON template's shape; a private-use character. */
const MARK = '\uE000';

function compileTransformer(raw: unknown, where: string): CompiledTransformer {
  const fail = (message: string) => new UnsupportedTemplateError(`${where}: InputTransformer ${message}`);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw fail(
      `must be an object with InputTemplate and optional InputPathsMap, not ${JSON.stringify(raw)}.`,
    );
  }
  const { InputTemplate: template, InputPathsMap: pathsMap } = raw as Record<string, unknown>;
  if (typeof template !== 'string' || template.length < 1 || template.length > MAX_TEMPLATE_LENGTH) {
    throw fail(
      `InputTemplate must be a string of 1 to ${MAX_TEMPLATE_LENGTH} characters, not ${describe(template)}.`,
    );
  }

  const paths = new Map<string, JsonPath>();
  if (pathsMap !== undefined) {
    if (pathsMap === null || typeof pathsMap !== 'object' || Array.isArray(pathsMap)) {
      throw fail(
        `InputPathsMap must be an object of variable names to JSONPaths, not ${describe(pathsMap)}.`,
      );
    }
    const entries = Object.entries(pathsMap);
    if (entries.length > MAX_PATHS) {
      throw fail(
        `InputPathsMap has ${entries.length} entries; the limit is ${MAX_PATHS}. Remove some variables.`,
      );
    }
    for (const [key, path] of entries) {
      if (PREDEFINED_VARIABLES.includes(key)) {
        throw fail(`InputPathsMap defines "${key}", a reserved predefined variable. Use another name.`);
      }
      if (key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) {
        throw fail(
          `InputPathsMap key "${key}" is not valid: keys are 1 to ${MAX_KEY_LENGTH} letters, digits, "_" or "-".`,
        );
      }
      if (typeof path !== 'string') throw fail(`InputPathsMap["${key}"] must be a JSONPath string.`);
      try {
        paths.set(key, parsePath(path));
      } catch (error) {
        throw fail(`InputPathsMap["${key}"] "${path}" is not a supported JSONPath: ${reason(error)}.`);
      }
    }
  }

  const parts = parseTemplate(template);
  const json = isJsonTemplate(template);
  for (const part of parts) {
    if (!('name' in part)) continue;
    if (!paths.has(part.name) && !PREDEFINED_VARIABLES.includes(part.name)) {
      throw fail(
        `InputTemplate contains invalid placeholder ${part.name}: define it in InputPathsMap or use a predefined variable (${PREDEFINED_VARIABLES.join(', ')}).`,
      );
    }
    if (JSON_ONLY_VARIABLES.has(part.name) && (!json || part.quoted)) {
      throw fail(
        `InputTemplate uses <${part.name}> inside a string; it can only be the value of a field of a JSON object template, as in {"event": <${part.name}>}.`,
      );
    }
  }
  if (json) {
    const probe = parts.map((p) => ('text' in p ? p.text : p.quoted ? MARK : JSON.stringify(MARK))).join('');
    let shape: unknown;
    try {
      shape = JSON.parse(probe);
    } catch (error) {
      throw fail(`InputTemplate starts with "{" but is not a valid JSON object template: ${reason(error)}.`);
    }
    if (hasMarkedKey(shape)) {
      throw fail('InputTemplate uses a placeholder as an object key; placeholders can only be in values.');
    }
  }
  return { paths, parts, json };
}

function hasMarkedKey(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(hasMarkedKey);
  return Object.entries(value).some(([key, child]) => key.includes(MARK) || hasMarkedKey(child));
}

/** `<aws.events.event>`: the event without `detail`, as AWS sends it (`detailType`, ingestion `time`). */
function eventWithoutDetail(event: BusEvent, ingestionTime: string): Record<string, unknown> {
  return {
    id: event.id,
    account: event.account,
    detailType: event['detail-type'],
    time: ingestionTime,
    source: event.source,
    region: event.region,
    resources: event.resources,
    version: event.version,
  };
}

function lookupVariable(
  name: string,
  compiled: CompiledTransformer,
  event: BusEvent,
  rule: LocalRule,
  ingestionTime: string,
): Lookup {
  const path = compiled.paths.get(name);
  if (path) return evaluatePath(path, event);
  switch (name) {
    case RULE_ARN:
      return { found: true, value: rule.arn };
    case RULE_NAME:
      return { found: true, value: rule.name };
    case INGESTION_TIME:
      return { found: true, value: ingestionTime };
    case EVENT:
      return { found: true, value: eventWithoutDetail(event, ingestionTime) };
    case EVENT_JSON:
      return { found: true, value: event };
    default:
      return { found: false };
  }
}

/**
 * The text a variable puts in place of its placeholder.
 * - As a bare value of a JSON template: the value as JSON (a string gets quotes); nothing found gives `""`.
 * - Anywhere else: a string as it is, unescaped; a number, boolean or null as its JSON text; an object or array
 *   as JSON, without its quotes in a string template; nothing found gives empty text.
 */
function substitution(lookup: Lookup, json: boolean, quoted: boolean): string {
  const bare = json && !quoted;
  if (!lookup.found) return bare ? '""' : '';
  const { value } = lookup;
  if (bare) return JSON.stringify(value);
  if (typeof value === 'string') return value;
  const text = JSON.stringify(value);
  return value !== null && typeof value === 'object' && !json ? text.replaceAll('"', '') : text;
}

function transformedInput(
  compiled: CompiledTransformer,
  event: BusEvent,
  rule: LocalRule,
  ingestedAt: Date,
): string {
  const ingestionTime = ingestedAt.toISOString();
  const output = compiled.parts
    .map((part) =>
      'text' in part
        ? part.text
        : substitution(
            lookupVariable(part.name, compiled, event, rule, ingestionTime),
            compiled.json,
            part.quoted,
          ),
    )
    .join('');
  if (compiled.json) {
    try {
      JSON.parse(output);
    } catch (error) {
      throw new InputTransformationError(
        `The InputTransformer's JSON template produced invalid JSON (${reason(error)}), which EventBridge does not deliver. A quoted placeholder must hold a string without quotes or newlines; put a placeholder for an object or array outside quotes. Output: ${output}`,
      );
    }
  }
  return output;
}

// ---------------------------------------------------------------------------------------------------------
// Targets

const compiledTransformers = new WeakMap<Target, CompiledTransformer>();
const compiledInputPaths = new WeakMap<Target, JsonPath>();

/**
 * Checks at startup that a target's input settings are what PutTargets accepts and the local runtime can
 * emulate; throws an UnsupportedTemplateError naming `where` otherwise.
 */
export function checkTargetInput(target: Target, where: string): void {
  const set = (['Input', 'InputPath', 'InputTransformer'] as const).filter((k) => target[k] !== undefined);
  if (set.length > 1) {
    throw new UnsupportedTemplateError(
      `${where}: only one of Input, InputPath, or InputTransformer must be provided for target ${target.Id}, but it sets ${set.join(' and ')}. Keep one.`,
    );
  }
  if (target.Input !== undefined) checkInput(target.Input, where);
  if (target.InputPath !== undefined)
    compiledInputPaths.set(target, compileInputPath(target.InputPath, where));
  if (target.InputTransformer !== undefined) {
    compiledTransformers.set(target, compileTransformer(target.InputTransformer, where));
  }
}

function checkInput(input: unknown, where: string): void {
  if (typeof input !== 'string' || input.length > MAX_INPUT_LENGTH) {
    throw new UnsupportedTemplateError(
      `${where}: Input must be JSON text of at most ${MAX_INPUT_LENGTH} characters, not ${describe(input)}.`,
    );
  }
  try {
    JSON.parse(input);
  } catch (error) {
    throw new UnsupportedTemplateError(
      `${where}: Input must be valid JSON text (${reason(error)}): ${input}. Quote a plain string, as in "\\"text\\"".`,
    );
  }
}

function compileInputPath(path: unknown, where: string): JsonPath {
  if (typeof path !== 'string') {
    throw new UnsupportedTemplateError(
      `${where}: InputPath must be a JSONPath string, not ${describe(path)}.`,
    );
  }
  try {
    return parsePath(path);
  } catch (error) {
    throw new UnsupportedTemplateError(
      `${where}: InputPath "${path}" is not a supported JSONPath: ${reason(error)}.`,
    );
  }
}

/**
 * The input a target receives for `event` matched by `rule`: the whole event as JSON, the constant `Input`,
 * the JSON of the value at `InputPath` (`null` when the path matches nothing), or the filled-in
 * `InputTemplate`. `ingestedAt` is when EventBridge received the event (`<aws.events.event.ingestion-time>`).
 * Throws InputTransformationError when a JSON template comes out invalid.
 */
export function targetInput(
  target: Target,
  event: BusEvent,
  rule: LocalRule,
  ingestedAt = new Date(),
): string {
  const where = `${rule.name} target ${target.Id}`;
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) {
    const path = compiledInputPaths.get(target) ?? compileInputPath(target.InputPath, where);
    const lookup = evaluatePath(path, event);
    return JSON.stringify(lookup.found ? lookup.value : null);
  }
  if (target.InputTransformer !== undefined) {
    const compiled = compiledTransformers.get(target) ?? compileTransformer(target.InputTransformer, where);
    return transformedInput(compiled, event, rule, ingestedAt);
  }
  return JSON.stringify(event);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
