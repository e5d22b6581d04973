/**
 * The viewer's event catalogue (`GET /_local/catalogue`): every event the app defines, with what a
 * downstream team needs to subscribe to it, and every bus's rules, the template's and a team's own.
 *
 * Nothing here is a second list. The events are the schemas of the template's schema registry, which
 * stacks/catalogue.ts builds from the one definition in events/ (each schema titled `<source> /
 * <detail-type>` by events/catalog.ts's jsonSchemaOf, with the definition's declared producer and
 * consumers). Who emits an event is read from the state machines' ASL (their `events:putEvents` states);
 * who receives it is every rule, of the template or created at run time, whose pattern matches the event's
 * sample by the runtime's own matcher; its recent occurrences are the bus's own records.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { BusEvent, LocalEventBridge, LocalRule, Target } from '../eventbridge/bus';
import { matchesPattern } from '../eventbridge/pattern';
import type { LocalSchemaRegistry } from '../schemas';
import { forEachState } from '../stepfunctions/engine/asl';
import type { LocalStepFunctions } from '../stepfunctions/service';
import type { LocalEnv } from '../template';

/** The repository's root: the samples' paths are given from there, as the README's commands use them. */
const ROOT = join(__dirname, '..', '..');
/** The samples the project ships: PutEvents entries, one JSON array a file. */
export const SAMPLES_DIR = join(ROOT, 'events', 'samples');

/** How many of each event's latest occurrences the catalogue lists. */
export const RECENT_OCCURRENCES = 5;

/** The Step Functions integration that puts events, with or without a task token. */
const PUT_EVENTS = /^arn:aws[\w-]*:states:::events:putEvents(\.waitForTaskToken)?$/;

/** What the catalogue reads from the running app. */
export interface CatalogueSources {
  readonly env: Pick<LocalEnv, 'account' | 'region'>;
  readonly eventBridge: Pick<LocalEventBridge, 'buses' | 'rules' | 'records'>;
  readonly stepFunctions: Pick<LocalStepFunctions, 'stateMachines'>;
  readonly schemaRegistry: Pick<LocalSchemaRegistry, 'schemas'>;
}

/** A PutEvents entry of a sample file. */
export interface SampleEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly EventBusName?: string;
  readonly Resources?: readonly string[];
}

/** One shipped sample: the entry, and the file it is in (from the repository's root). */
export interface ShippedSample {
  readonly file: string;
  readonly entry: SampleEntry;
}

export interface CatalogueTarget {
  readonly id: string;
  readonly arn: string;
  /** The service the target is, by its ARN. */
  readonly kind: 'state machine' | 'queue' | 'function' | 'log group' | 'other';
  /** The queue EventBridge dead-letters to when it cannot deliver. */
  readonly deadLetterArn?: string;
  /** Whether the target receives something other than the whole event (Input, InputPath, InputTransformer). */
  readonly inputChanged: boolean;
}

export interface CatalogueRule {
  readonly name: string;
  readonly arn: string;
  readonly busName: string;
  readonly description?: string;
  /** A disabled rule matches nothing (EventBridge API reference, DisableRule). */
  readonly state: 'ENABLED' | 'DISABLED';
  readonly pattern: unknown;
  /** `local`: a team created it at run time (PutRule); `template`: the CDK app's. */
  readonly origin: 'template' | 'local';
  readonly targets: readonly CatalogueTarget[];
}

export interface CatalogueBus {
  readonly name: string;
  readonly arn: string;
  readonly rules: readonly CatalogueRule[];
}

/** A state machine that emits the event, and the states of it that put it. */
export interface CatalogueProducer {
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly origin: 'template' | 'local';
  readonly states: readonly string[];
  /** The buses those states put it on. */
  readonly buses: readonly string[];
}

export interface CatalogueSample {
  /** `file`: one of the samples the project ships; `schema`: made up from the schema, none ships. */
  readonly from: 'file' | 'schema';
  /** The sample file, from the repository's root, when `from` is `file`. */
  readonly file?: string;
  readonly busName: string;
  readonly detail: unknown;
}

export interface CatalogueOccurrence {
  readonly id: string;
  readonly busName: string;
  readonly receivedAt: Date;
  readonly userId?: string;
  readonly version?: number;
  /** The execution that put it (Step Functions adds it to the event's resources). */
  readonly executionArn?: string;
  /** Set on an event a replay re-delivered. */
  readonly replayName?: string;
}

export interface CatalogueEvent {
  readonly source: string;
  readonly detailType: string;
  readonly description?: string;
  readonly schema: {
    readonly registryName: string;
    readonly name: string;
    readonly arn: string;
    readonly type: string;
    readonly version: string;
    readonly content: unknown;
  };
  /** The producer and consumers the definition in events/ declares (the schema's x-producer, x-consumers). */
  readonly declared: { readonly producer?: string; readonly consumers: readonly string[] };
  readonly producers: readonly CatalogueProducer[];
  readonly sample?: CatalogueSample;
  /** The ARNs of the rules whose pattern matches the sample (see `buses` for the rules themselves). */
  readonly consumers: readonly string[];
  /** How many of the events the runtime keeps are this one, and the latest of them, newest first. */
  readonly seen: number;
  readonly recent: readonly CatalogueOccurrence[];
}

export interface Catalogue {
  readonly buses: readonly CatalogueBus[];
  readonly events: readonly CatalogueEvent[];
}

/**
 * The catalogue as the app stands now: rules a team added or removed a moment ago, and the events the bus
 * accepted since, are in it.
 */
export function buildCatalogue(
  app: CatalogueSources,
  samples: readonly ShippedSample[] = shippedSamples(),
): Catalogue {
  const buses = [...app.eventBridge.buses.values()].map((bus) => ({
    name: bus.name,
    arn: bus.arn,
    rules: app.eventBridge.rules.filter((r) => r.busName === bus.name).map(catalogueRule),
  }));
  const { producers, literals } = producersOf(app.stepFunctions);
  const events: Omit<CatalogueEvent, 'seen' | 'recent'>[] = [];
  for (const registry of app.schemaRegistry.schemas.values()) {
    for (const schema of registry.values()) {
      const content = parseJson(schema.content);
      const { source, detailType } = identify(schema.name, content);
      const emitters = producers.get(key(source, detailType)) ?? [];
      const sample = sampleOf(
        source,
        detailType,
        content,
        samples,
        emitters,
        literals.get(key(source, detailType)),
      );
      events.push({
        source,
        detailType,
        ...(schema.description === undefined ? {} : { description: schema.description }),
        schema: {
          registryName: schema.registryName,
          name: schema.name,
          arn: schema.arn,
          type: schema.type,
          version: schema.version,
          content,
        },
        declared: declaredOf(content),
        producers: emitters,
        ...(sample ? { sample } : {}),
        consumers: sample ? consumersOf(app, source, detailType, sample) : [],
      });
    }
  }
  const occurrences = recentOccurrences(
    app.eventBridge.records,
    new Set(events.map((e) => key(e.source, e.detailType))),
  );
  return {
    buses,
    events: events.map((e) => {
      const found = occurrences.get(key(e.source, e.detailType));
      return { ...e, seen: found?.seen ?? 0, recent: found?.recent ?? [] };
    }),
  };
}

const key = (source: string, detailType: string) => `${source}\u0000${detailType}`;

function catalogueRule(rule: LocalRule): CatalogueRule {
  return {
    name: rule.name,
    arn: rule.arn,
    busName: rule.busName,
    ...(rule.description === undefined ? {} : { description: rule.description }),
    state: rule.state,
    pattern: rule.pattern.json,
    origin: rule.local ? 'local' : 'template',
    targets: rule.targets.map(catalogueTarget),
  };
}

function catalogueTarget(target: Target): CatalogueTarget {
  const service = target.Arn.split(':')[2];
  const kind =
    service === 'states'
      ? 'state machine'
      : service === 'sqs'
        ? 'queue'
        : service === 'lambda'
          ? 'function'
          : service === 'logs'
            ? 'log group'
            : 'other';
  return {
    id: target.Id,
    arn: target.Arn,
    kind,
    ...(target.DeadLetterConfig?.Arn ? { deadLetterArn: target.DeadLetterConfig.Arn } : {}),
    inputChanged:
      target.Input !== undefined || target.InputPath !== undefined || target.InputTransformer !== undefined,
  };
}

/**
 * An event's source and detail-type: the title events/catalog.ts gives its schema, `<source> /
 * <detail-type>`, when it agrees with the schema's name (`<source>@<DetailType>`, stacks/catalogue.ts);
 * otherwise what the name says.
 */
function identify(name: string, content: unknown): { source: string; detailType: string } {
  const at = name.lastIndexOf('@');
  const fromName = {
    source: at < 0 ? name : name.slice(0, at),
    detailType: at < 0 ? '' : name.slice(at + 1),
  };
  const title = isObject(content) && typeof content.title === 'string' ? content.title : '';
  const slash = title.indexOf(' / ');
  if (slash < 0) return fromName;
  const source = title.slice(0, slash);
  const detailType = title.slice(slash + 3);
  const agrees =
    source === fromName.source && detailType.replace(/[^A-Za-z0-9]/g, '') === fromName.detailType;
  return agrees ? { source, detailType } : fromName;
}

function declaredOf(content: unknown): CatalogueEvent['declared'] {
  if (!isObject(content)) return { consumers: [] };
  const producer = content['x-producer'];
  const consumers = content['x-consumers'];
  return {
    ...(typeof producer === 'string' ? { producer } : {}),
    consumers: Array.isArray(consumers) ? consumers.filter((c): c is string => typeof c === 'string') : [],
  };
}

/**
 * Who emits what, read from every state machine's definition: each putEvents state's entries with a literal
 * Source and DetailType (Parameters in JSONPath, Arguments in JSONata). An entry built at run time names
 * no event here, so its state is not listed as a producer. `literals` are the Detail fields the first such
 * entry sets to a constant (`"workflow": "kyc"`), which a sample made up from the schema takes.
 */
function producersOf(stepFunctions: CatalogueSources['stepFunctions']): {
  producers: Map<string, CatalogueProducer[]>;
  literals: Map<string, Record<string, unknown>>;
} {
  const found = new Map<string, CatalogueProducer[]>();
  const literals = new Map<string, Record<string, unknown>>();
  for (const machine of stepFunctions.stateMachines.values()) {
    const byEvent = new Map<string, { states: string[]; buses: Set<string> }>();
    forEachState(machine.definition, (name, state) => {
      if (state.Type !== 'Task' || !PUT_EVENTS.test(state.Resource)) return;
      const payload = state.Parameters ?? state.Arguments;
      const entries = isObject(payload) && Array.isArray(payload.Entries) ? payload.Entries : [];
      for (const entry of entries) {
        if (!isObject(entry) || typeof entry.Source !== 'string' || typeof entry.DetailType !== 'string')
          continue;
        const k = key(entry.Source, entry.DetailType);
        if (!literals.has(k) && isObject(entry.Detail)) literals.set(k, constantFields(entry.Detail));
        const seen = byEvent.get(k) ?? { states: [], buses: new Set<string>() };
        if (!seen.states.includes(name)) seen.states.push(name);
        seen.buses.add(typeof entry.EventBusName === 'string' ? busNameOf(entry.EventBusName) : 'default');
        byEvent.set(k, seen);
      }
    });
    for (const [k, { states, buses }] of byEvent) {
      const list = found.get(k) ?? [];
      list.push({
        stateMachineArn: machine.arn,
        stateMachineName: machine.name,
        origin: machine.origin,
        states,
        buses: [...buses],
      });
      found.set(k, list);
    }
  }
  return { producers: found, literals };
}

/** The fields of a JSONPath Parameters object that are constants: not `name.$`, not objects. */
function constantFields(detail: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(detail).filter(
      ([name, value]) => !name.endsWith('.$') && !isObject(value) && !Array.isArray(value),
    ),
  );
}

/** A bus name from a name or an event bus ARN (`arn:...:event-bus/<name>`). */
function busNameOf(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.indexOf('/') + 1) : nameOrArn;
}

/**
 * The event's sample: the first the project ships for it (files in name order), else one made up from its
 * schema (with the constants its producer's putEvents state sets), on the bus its producers put it on.
 */
function sampleOf(
  source: string,
  detailType: string,
  schema: unknown,
  samples: readonly ShippedSample[],
  producers: readonly CatalogueProducer[],
  literals: Record<string, unknown> = {},
): CatalogueSample | undefined {
  const shipped = samples.find((s) => s.entry.Source === source && s.entry.DetailType === detailType);
  const producerBus = producers[0]?.buses[0];
  if (shipped) {
    return {
      from: 'file',
      file: shipped.file,
      busName: busNameOf(shipped.entry.EventBusName ?? producerBus ?? 'default'),
      detail: parseJson(shipped.entry.Detail),
    };
  }
  if (!isObject(schema)) return undefined;
  const example = exampleOf(schema);
  const detail = isObject(example) ? { ...example, ...literals } : example;
  return { from: 'schema', busName: producerBus ?? 'default', detail };
}

/**
 * The rules the sample would be delivered to: those of its bus whose pattern the runtime's matcher says
 * it matches, enabled or not (a disabled rule is listed, and shown as disabled: it matches nothing while
 * it is).
 */
function consumersOf(
  app: CatalogueSources,
  source: string,
  detailType: string,
  sample: CatalogueSample,
): string[] {
  const event: BusEvent = {
    version: '0',
    id: '00000000-0000-0000-0000-000000000000',
    'detail-type': detailType,
    source,
    account: app.env.account,
    time: '1970-01-01T00:00:00Z',
    region: app.env.region,
    resources: [],
    detail: isObject(sample.detail) ? sample.detail : {},
  };
  return app.eventBridge.rules
    .filter((r) => r.busName === sample.busName && matchesPattern(r.pattern, event))
    .map((r) => r.arn);
}

/** Per catalogued event: how many the bus records hold, and the latest RECENT_OCCURRENCES, newest first. */
function recentOccurrences(
  records: CatalogueSources['eventBridge']['records'],
  catalogued: ReadonlySet<string>,
): Map<string, { seen: number; recent: CatalogueOccurrence[] }> {
  const found = new Map<string, { seen: number; recent: CatalogueOccurrence[] }>();
  for (let i = records.length - 1; i >= 0; i--) {
    const record = records[i];
    if (!record) continue;
    const { event } = record;
    const k = key(event.source, event['detail-type']);
    if (!catalogued.has(k)) continue;
    const entry = found.get(k) ?? { seen: 0, recent: [] };
    entry.seen++;
    if (entry.recent.length < RECENT_OCCURRENCES) {
      const { userId, version } = event.detail;
      const executionArn = event.resources.find((r) => r.includes(':execution:'));
      const replayName = (event as { 'replay-name'?: unknown })['replay-name'];
      entry.recent.push({
        id: event.id,
        busName: record.busName,
        receivedAt: record.receivedAt,
        ...(typeof userId === 'string' ? { userId } : {}),
        ...(typeof version === 'number' ? { version } : {}),
        ...(executionArn ? { executionArn } : {}),
        ...(typeof replayName === 'string' ? { replayName } : {}),
      });
    }
    found.set(k, entry);
  }
  return found;
}

/**
 * A value the JSON Schema accepts, for an event no sample ships for: the first of an enum, a date for a
 * date, the least number the bounds allow, one item of an array, every property of an object. It covers
 * what events/ generates (Draft 4 from zod); the unit test checks each made-up detail against its zod schema.
 */
export function exampleOf(schema: Record<string, unknown>): unknown {
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const choice of ['anyOf', 'oneOf'] as const) {
    const first = (schema[choice] as unknown[] | undefined)?.find(isObject);
    if (first) return exampleOf(first);
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const type = types.find((t) => t !== 'null') ?? types[0];
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  switch (type) {
    case 'object': {
      const properties = isObject(schema.properties) ? schema.properties : {};
      return Object.fromEntries(
        Object.entries(properties).map(([name, p]) => [name, isObject(p) ? exampleOf(p) : null]),
      );
    }
    case 'array':
      return isObject(schema.items) ? [exampleOf(schema.items)] : [];
    case 'string':
      return exampleString(schema);
    case 'integer': {
      const least =
        min === undefined ? 1 : schema.exclusiveMinimum === true ? Math.floor(min) + 1 : Math.ceil(min);
      return max === undefined ? least : Math.min(least, Math.floor(max));
    }
    case 'number': {
      const least = min === undefined ? 0 : schema.exclusiveMinimum === true ? min + 1 : min;
      return max === undefined ? least : Math.min(least, max);
    }
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return {};
  }
}

/** Strings by format, as JSON Schema names them; any other string is `example`, fitted to its lengths. */
const FORMATS: Readonly<Record<string, string>> = {
  date: '2026-01-01',
  'date-time': '2026-01-01T00:00:00.000Z',
  time: '00:00:00',
  email: 'someone@example.com',
  uri: 'https://example.com/',
  uuid: '00000000-0000-4000-8000-000000000000',
};

function exampleString(schema: Record<string, unknown>): string {
  const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
  if (format) return format;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Number.POSITIVE_INFINITY;
  return 'example'.padEnd(min, 'x').slice(0, max);
}

/**
 * Reads the samples the project ships, every JSON file under `dir` that holds PutEvents entries; none when
 * the checkout has no such folder (every event then gets a sample made up from its schema).
 */
export function readSamples(dir: string = SAMPLES_DIR): ShippedSample[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort();
  const samples: ShippedSample[] = [];
  for (const file of files) {
    const parsed = parseJson(readFileSync(join(dir, file), 'utf8'));
    if (!Array.isArray(parsed)) continue;
    for (const entry of parsed) {
      if (
        isObject(entry) &&
        typeof entry.Source === 'string' &&
        typeof entry.DetailType === 'string' &&
        typeof entry.Detail === 'string'
      )
        samples.push({ file: relative(ROOT, join(dir, file)), entry: entry as unknown as SampleEntry });
    }
  }
  return samples;
}

/** The shipped samples, read once: they are part of the checkout, not of what the runtime changes. */
let shipped: ShippedSample[] | undefined;
function shippedSamples(): ShippedSample[] {
  shipped ??= readSamples();
  return shipped;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
