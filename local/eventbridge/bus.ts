import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from '../../events/contract';
import { AwsError, UnsupportedTemplateError } from '../errors';
import { MAX_DETAIL_DEPTH, nestsDeeperThan } from '../json-depth';
import type { Resource } from '../template';
import type { FaultRule } from './faults';
import { type EventPattern, matchesPattern, parsePattern } from './pattern';
import { checkTargetInput, targetInput } from './transform';

export interface PutEventsRequestEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: string | Date | number;
}

/** An entry of PutPartnerEvents: what a SaaS partner sends, `Source` naming its partner event source. */
export interface PutPartnerEventsRequestEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  Time?: string | Date | number;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface PutEventsResponse {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

/** An event on a bus, with whatever detail its producer put. */
export type BusEvent = EventBridgeEvent<Record<string, unknown>>;

export interface Target {
  readonly Id: string;
  readonly Arn: string;
  readonly Input?: string;
  readonly InputPath?: string;
  readonly InputTransformer?: unknown;
  readonly DeadLetterConfig?: { Arn?: string };
  readonly RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  /** The message group of a FIFO queue target (EventBridge User Guide, "Amazon SQS queue target"). */
  readonly SqsParameters?: { MessageGroupId?: string };
}

export interface LocalRule {
  readonly name: string;
  readonly arn: string;
  readonly busName: string;
  readonly description?: string;
  readonly pattern: EventPattern;
  readonly patternJson: string;
  readonly state: 'ENABLED' | 'DISABLED';
  readonly targets: readonly Target[];
  /** Created at run time through the API (PutRule), not by the template: a team's own, kept in the data directory. */
  readonly local?: boolean;
}

/** What happened to one accepted event: the rules it matched and each target delivery. */
export interface EventRecord {
  readonly event: BusEvent;
  readonly busName: string;
  readonly receivedAt: Date;
  readonly matchedRules: string[];
  readonly deliveries: {
    rule: string;
    target: string;
    attempts: number;
    error?: string;
    deadLettered?: boolean;
  }[];
}

/** Sends an event's (transformed) input to a target ARN; throws when the target rejects it. */
export type Deliver = (targetArn: string, input: string, options?: DeliveryOptions) => Promise<void>;

/** What a delivery to a queue carries beside the input. */
export interface DeliveryOptions {
  /** On a dead-lettered event: what went wrong. */
  readonly messageAttributes?: DeadLetterAttributes;
  /**
   * A FIFO queue target's message group (its SqsParameters). Without one, the queue refuses the message,
   * and so does one without content-based deduplication, as in AWS: EventBridge sends no deduplication id.
   */
  readonly messageGroupId?: string;
}

/**
 * The SQS message attributes EventBridge puts on a dead-lettered event (EventBridge User Guide, "Using
 * dead-letter queues to process undelivered events"), as String attributes.
 */
export type DeadLetterAttributes = Record<string, { DataType: 'String'; StringValue: string }>;

const MAX_ENTRIES = 10;
/** PutPartnerEvents takes up to 20 entries (API reference, PutPartnerEvents, `Entries`). */
const MAX_PARTNER_ENTRIES = 20;
const MAX_REQUEST_BYTES = 256 * 1024;

/** An event bus: a partner event bus has the partner event source it takes its events from. */
export interface LocalBus {
  readonly name: string;
  readonly arn: string;
  /** The partner event source (`aws.partner/...`) whose events this partner bus receives. */
  readonly eventSourceName?: string;
}

/**
 * EventBridge for the template's buses and rules: PutEvents with AWS's validation and per-entry errors,
 * rule matching with the project's pattern matcher, and delivery to targets with retries and a
 * dead-letter queue, asynchronously as EventBridge does.
 */
export class LocalEventBridge {
  readonly buses = new Map<string, LocalBus>();
  readonly rules: LocalRule[] = [];
  readonly records: EventRecord[] = [];
  readonly faults: FaultRule[] = [];
  private readonly pending = new Set<Promise<void>>();
  /**
   * Told when an event is accepted (synchronously, before PutEvents answers) and again when all its
   * deliveries have ended, `settled` then: the data directory journals it. An event that matched no target
   * is settled when accepted.
   */
  onRecordChange?: (record: EventRecord, settled: boolean) => void;
  /** Told of every event a bus accepts, before it is matched (archives keep those matching their pattern). */
  onEventAccepted?: (busName: string, event: BusEvent) => void;

  constructor(
    resources: Iterable<Resource>,
    readonly env: { readonly account: string; readonly region: string },
    private readonly deliver: Deliver,
    /** Decides fractional faults; tests pass a seeded one. */
    private readonly random: () => number = Math.random,
  ) {
    const all = [...resources];
    this.buses.set('default', {
      name: 'default',
      arn: `arn:aws:events:${env.region}:${env.account}:event-bus/default`,
    });
    for (const r of all) {
      if (r.type !== 'AWS::Events::EventBus') continue;
      const source = r.properties.EventSourceName;
      if (source !== undefined && (typeof source !== 'string' || source !== r.ref))
        throw new UnsupportedTemplateError(
          `${r.logicalId}: a partner event bus must be named after its event source (Name ${JSON.stringify(r.ref)}, EventSourceName ${JSON.stringify(source)}).`,
        );
      this.buses.set(r.ref, {
        name: r.ref,
        arn: r.attributes.Arn as string,
        ...(typeof source === 'string' ? { eventSourceName: source } : {}),
      });
    }
    for (const r of all) {
      if (r.type !== 'AWS::Events::Rule') continue;
      const p = r.properties;
      if (p.EventPattern === undefined) {
        throw new UnsupportedTemplateError(
          `${r.logicalId}: a rule without an EventPattern (a schedule) is not emulated.`,
        );
      }
      const busName = busNameOf(String(p.EventBusName ?? 'default'));
      const patternJson = JSON.stringify(p.EventPattern);
      const targets = (p.Targets as Target[] | undefined) ?? [];
      for (const target of targets) checkTargetInput(target, `${r.logicalId} target ${target.Id}`);
      this.rules.push({
        name: r.ref,
        arn: r.attributes.Arn as string,
        busName,
        description: p.Description as string | undefined,
        pattern: parsePattern(patternJson),
        patternJson,
        state: p.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
        targets,
      });
    }
  }

  putEvents(entries: PutEventsRequestEntry[]): PutEventsResponse {
    checkEntries(entries, MAX_ENTRIES);
    // A timestamp the service cannot read fails the whole request, before any entry is accepted.
    const times = entries.map((entry) => eventTime(entry.Time));
    const results = entries.map((entry, i) => this.accept(entry, times[i] as string));
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  /**
   * PutPartnerEvents, as a SaaS partner calls it: each entry goes to the partner event bus whose event source
   * is the entry's `Source`, which becomes the event's `source`, and is matched by that bus's rules. The runtime
   * speaks for every partner whose event source has a bus in the template; an entry whose source has none is
   * refused with NotAuthorizedForSourceException, as AWS refuses a source the caller does not own. Fault rules
   * do not apply: they model the app bus refusing PutEvents, not the partner's side.
   */
  putPartnerEvents(entries: PutPartnerEventsRequestEntry[]): PutEventsResponse {
    checkEntries(entries, MAX_PARTNER_ENTRIES);
    const times = entries.map((entry) => eventTime(entry.Time));
    const results = entries.map((entry, i) => this.acceptPartner(entry, times[i] as string));
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  /**
   * Puts the event of an AWS service (an `aws.*` source, such as Step Functions' status changes) on a bus, as
   * the service itself does: not through PutEvents, which refuses those sources to callers, and untouched by
   * fault injection, which models the app's own PutEvents calls. Returns the event's id.
   */
  putServiceEvent(
    busName: string,
    event: { source: string; detailType: string; detail: Record<string, unknown>; resources: string[] },
    time?: Date,
  ): string {
    const entry = { Source: event.source, DetailType: event.detailType, Resources: event.resources };
    return this.admit(busName, entry, event.detail, eventTime(time));
  }

  /** The partner event bus of a partner event source, if the template has one. */
  partnerBus(eventSourceName: string): LocalBus | undefined {
    return [...this.buses.values()].find((b) => b.eventSourceName === eventSourceName);
  }

  private acceptPartner(entry: PutPartnerEventsRequestEntry, time: string): PutEventsResultEntry {
    const invalid = checkEntry(entry);
    if (invalid) return invalid;
    const bus = this.partnerBus(entry.Source as string);
    if (!bus) return notAuthorizedForSource();
    const detail = parseDetail(entry.Detail as string);
    if ('ErrorCode' in detail) return detail;
    return { EventId: this.admit(bus.name, entry, detail.detail, time) };
  }

  private accept(entry: PutEventsRequestEntry, time: string): PutEventsResultEntry {
    const invalid = checkEntry(entry);
    if (invalid) return invalid;
    // Entries a state machine puts reach here unchecked by the API's request model.
    if (entry.EventBusName !== undefined && typeof entry.EventBusName !== 'string')
      return invalidArgument('EventBusName', 'it must be a string.');
    // Only AWS services put events with their `aws.` sources, and only a partner, through PutPartnerEvents,
    // those of its `aws.partner/` event sources. Recorded from the AWS CLI against AWS:
    // {"ErrorCode": "NotAuthorizedForSourceException", "ErrorMessage": "Not authorized for the source."}
    // (aws-samples/serverless-patterns#3089; API reference, PutEventsResultEntry, for the code).
    if ((entry.Source as string).startsWith('aws.')) return notAuthorizedForSource();
    const parsed = parseDetail(entry.Detail as string);
    if ('ErrorCode' in parsed) return parsed;
    const busName = busNameOf(entry.EventBusName ?? 'default');
    if (!this.buses.has(busName)) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: `Event bus ${busName} does not exist.` };
    }
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (!f.source || f.source === entry.Source) &&
        (!f.detailType || f.detailType === entry.DetailType) &&
        (f.rate === undefined || this.random() < f.rate),
    );
    if (fault) {
      fault.remaining -= 1;
      return {
        ErrorCode: fault.errorCode,
        ErrorMessage: `Injected ${fault.errorCode} (local fault injection).`,
      };
    }
    return { EventId: this.admit(busName, entry, parsed.detail, time) };
  }

  /** Makes the event of an accepted entry and routes it on its bus; returns its id. */
  private admit(
    busName: string,
    entry: PutEventsRequestEntry | PutPartnerEventsRequestEntry,
    detail: Record<string, unknown>,
    time: string,
  ): string {
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType as string,
      source: entry.Source as string,
      account: this.env.account,
      time,
      region: this.env.region,
      resources: entry.Resources ?? [],
      detail,
    };
    this.route(busName, event);
    return event.id;
  }

  /** Matches the event against the bus's rules and delivers it to their targets in the background. */
  private route(busName: string, event: BusEvent): void {
    const record: EventRecord = { event, busName, receivedAt: new Date(), matchedRules: [], deliveries: [] };
    this.records.push(record);
    this.onEventAccepted?.(busName, event);
    const matched = this.rules.filter(
      (rule) => rule.busName === busName && rule.state === 'ENABLED' && matchesPattern(rule.pattern, event),
    );
    record.matchedRules.push(...matched.map((rule) => rule.name));
    this.deliverAll(record, matched);
  }

  /**
   * Delivers an archived event again (a replay): to the enabled rules of the bus among `rules` whose pattern
   * matches it, as a new record. It is not told to `onEventAccepted`: a replayed event is not archived again.
   */
  replay(busName: string, event: BusEvent, rules: readonly LocalRule[]): EventRecord {
    const record: EventRecord = { event, busName, receivedAt: new Date(), matchedRules: [], deliveries: [] };
    this.records.push(record);
    const matched = rules.filter(
      (rule) => rule.busName === busName && rule.state === 'ENABLED' && matchesPattern(rule.pattern, event),
    );
    record.matchedRules.push(...matched.map((rule) => rule.name));
    this.deliverAll(record, matched);
    return record;
  }

  /** Delivers a record's event to the targets of `rules`, telling `onRecordChange` now and when all ended. */
  private deliverAll(record: EventRecord, rules: readonly LocalRule[]): void {
    let inFlight = rules.reduce((sum, rule) => sum + rule.targets.length, 0);
    this.onRecordChange?.(record, inFlight === 0);
    // Told again once, when the last delivery has ended, rather than after each.
    for (const rule of rules) {
      for (const target of rule.targets) {
        const delivery = this.deliverWithRetries(rule, target, record.event, record).finally(() => {
          this.pending.delete(delivery);
          if (--inFlight === 0) this.onRecordChange?.(record, true);
        });
        this.pending.add(delivery);
      }
    }
  }

  /** Puts back the event records of an earlier run of the runtime. */
  restore(records: Iterable<EventRecord>): void {
    this.records.push(...records);
  }

  /**
   * Delivers again events of an earlier run whose deliveries had not all ended when it stopped (or was
   * killed), to the targets of the rules they matched that still exist: at least once, as EventBridge
   * delivers, so a target may receive such an event twice.
   */
  redeliver(records: Iterable<EventRecord>): void {
    for (const record of records) {
      record.deliveries.length = 0;
      const rules = this.rules.filter(
        (rule) => rule.busName === record.busName && record.matchedRules.includes(rule.name),
      );
      this.deliverAll(record, rules);
    }
  }

  private async deliverWithRetries(
    rule: LocalRule,
    target: Target,
    event: BusEvent,
    record: EventRecord,
  ): Promise<void> {
    // Let PutEvents return first: EventBridge delivers asynchronously.
    await new Promise((resolve) => setImmediate(resolve));
    const delivery: EventRecord['deliveries'][number] = { rule: rule.name, target: target.Arn, attempts: 0 };
    record.deliveries.push(delivery);
    const attempts = 1 + (target.RetryPolicy?.MaximumRetryAttempts ?? 185);
    let input: string;
    try {
      input = targetInput(target, event, rule, record.receivedAt);
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
      return this.deadLetter(rule, target, event, delivery, error);
    }
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      delivery.attempts = attempt;
      try {
        const messageGroupId = target.SqsParameters?.MessageGroupId;
        await this.deliver(target.Arn, input, messageGroupId === undefined ? undefined : { messageGroupId });
        delete delivery.error;
        return;
      } catch (error) {
        lastError = error;
        delivery.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        // Only throttling-like failures are worth retrying locally; anything else fails the same way again.
        if (!retryable(error)) break;
      }
    }
    await this.deadLetter(rule, target, event, delivery, lastError);
  }

  private async deadLetter(
    rule: LocalRule,
    target: Target,
    event: BusEvent,
    delivery: EventRecord['deliveries'][number],
    error: unknown,
  ) {
    const dlq = target.DeadLetterConfig?.Arn;
    if (!dlq) return;
    // The DLQ message is the event itself; what went wrong travels in message attributes, as in AWS.
    const attributes: Record<string, string> = {
      RULE_ARN: rule.arn,
      TARGET_ARN: target.Arn,
      ERROR_CODE: deadLetterErrorCode(error),
      ERROR_MESSAGE: delivery.error ?? 'unknown error',
      RETRY_ATTEMPTS: String(Math.max(0, delivery.attempts - 1)),
      ...(retryable(error) ? { EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts' } : {}),
    };
    try {
      await this.deliver(dlq, JSON.stringify(event), {
        messageAttributes: Object.fromEntries(
          Object.entries(attributes).map(([name, value]) => [
            name,
            { DataType: 'String', StringValue: value },
          ]),
        ),
      });
      delivery.deadLettered = true;
    } catch (error) {
      // AWS drops the event here too; say so loudly rather than silently.
      delivery.error = `${delivery.error}; dead-letter queue refused it: ${error instanceof Error ? error.message : error}`;
      console.error(
        `local runtime: event ${event.id} could not be delivered nor dead-lettered: ${delivery.error}`,
      );
    }
  }

  /** Resolves when every delivery started so far has finished. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Whether a delivery is still in flight. */
  get busy(): boolean {
    return this.pending.size > 0;
  }
}

/** The whole request's checks: 1 to `max` entries (objects), at most 256 KiB in all. */
function checkEntries(entries: readonly PutEventsRequestEntry[], max: number): void {
  if (
    !Array.isArray(entries) ||
    entries.length < 1 ||
    entries.length > max ||
    entries.some((e) => e === null || typeof e !== 'object')
  ) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${max} and greater than or equal to 1`,
    );
  }
  const size = entries.reduce((sum, e) => sum + entrySize(e), 0);
  if (size > MAX_REQUEST_BYTES) {
    throw new AwsError(
      'ValidationException',
      `Total size of the entries in the request is over the limit (${size} > ${MAX_REQUEST_BYTES} bytes).`,
    );
  }
}

/** An entry's own checks, common to PutEvents and PutPartnerEvents: the error, or undefined. */
function checkEntry(entry: PutPartnerEventsRequestEntry): PutEventsResultEntry | undefined {
  for (const field of ['Source', 'DetailType', 'Detail'] as const) {
    if (typeof entry[field] !== 'string' || entry[field] === '')
      return invalidArgument(field, `${field} is a required argument.`);
  }
  if (entry.Resources !== undefined && !isStringList(entry.Resources))
    return invalidArgument('Resources', 'it must be a list of strings.');
  return undefined;
}

/** A Detail parsed as the JSON object it must be, or the entry's MalformedDetail. */
function parseDetail(
  text: string,
): { detail: Record<string, unknown> } | { ErrorCode: string; ErrorMessage: string } {
  // AWS processes a Detail "up to 1100 levels deep" and documents no error past it: this runtime refuses
  // it as the JSON it will not take, rather than overflow the stack matching, storing or serving it.
  if (nestsDeeperThan(text, MAX_DETAIL_DEPTH)) {
    return {
      ErrorCode: 'MalformedDetail',
      ErrorMessage: `Detail is malformed: it is nested deeper than ${MAX_DETAIL_DEPTH} levels.`,
    };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(text);
  } catch {
    detail = undefined;
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  return { detail: detail as Record<string, unknown> };
}

function notAuthorizedForSource(): PutEventsResultEntry {
  return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
}

/**
 * A bus name from a name or an ARN (`arn:aws:events:<region>:<account>:event-bus/<name>`). A partner bus's
 * name has slashes of its own (`aws.partner/auth0.com/<tenant>/<stream>`): it is everything after `event-bus/`.
 */
export function busNameOf(nameOrArn: string): string {
  if (!nameOrArn.startsWith('arn:')) return nameOrArn;
  const at = nameOrArn.indexOf(':event-bus/');
  return at < 0
    ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1)
    : nameOrArn.slice(at + ':event-bus/'.length);
}

function entrySize(e: PutEventsRequestEntry): number {
  // EventBridge's documented entry-size calculation: time, source, detail-type, detail and resources. A field
  // of the wrong type counts nothing here: the entry is refused for it.
  const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  return (
    (e.Time !== undefined ? 14 : 0) +
    bytes(e.Source) +
    bytes(e.DetailType) +
    bytes(e.Detail) +
    (Array.isArray(e.Resources) ? e.Resources.reduce((sum, r) => sum + bytes(r), 0) : 0)
  );
}

function invalidArgument(field: string, reason: string): PutEventsResultEntry {
  return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${field} is not valid. Reason: ${reason}` };
}

function isStringList(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function eventTime(time: PutEventsRequestEntry['Time']): string {
  const date = time === undefined ? new Date() : new Date(typeof time === 'number' ? time * 1000 : time);
  if (Number.isNaN(date.getTime()))
    throw new AwsError(
      'ValidationException',
      `Value '${String(time)}' at 'entries.time' is not a valid timestamp.`,
    );
  // EventBridge event times have second precision.
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Whether a failed delivery is worth retrying locally: throttling and internal errors; others repeat. */
function retryable(error: unknown): boolean {
  return error instanceof AwsError && /Throttl|Internal/.test(error.code);
}

/**
 * The dead-letter ERROR_CODE for a delivery error, in the codes the EventBridge User Guide lists
 * (NO_PERMISSIONS, NO_RESOURCE, THROTTLING, ...). A request the target refused as invalid has no code in
 * that list: the runtime reports SDK_CLIENT_ERROR, with the target's own error name in ERROR_MESSAGE.
 */
function deadLetterErrorCode(error: unknown): string {
  const code = error instanceof AwsError ? error.code : error instanceof Error ? error.name : '';
  if (/Throttl/.test(code)) return 'THROTTLING';
  if (/NotFound|DoesNotExist|NonExistent/.test(code)) return 'NO_RESOURCE';
  if (/AccessDenied|Unauthorized|Forbidden/.test(code)) return 'NO_PERMISSIONS';
  return 'SDK_CLIENT_ERROR';
}
