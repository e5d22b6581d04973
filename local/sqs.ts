import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AwsError, UnsupportedTemplateError } from './errors';
import type { Resource } from './template';

export interface SqsErrorOptions {
  /**
   * The code SQS's query protocol names the error by (`<Code>` in the XML, and the first half of the JSON
   * protocol's `x-amzn-query-error` header), when it differs from the JSON name: `QueueDoesNotExist` is
   * `AWS.SimpleQueueService.NonExistentQueue`. Defaults to the JSON name.
   */
  readonly queryCode?: string;
  /** The query protocol's message, when SQS words it differently there. Defaults to the JSON message. */
  readonly queryMessage?: string;
  /** The HTTP status: 400 unless SQS's model says otherwise (ReceiptHandleIsInvalid is 404). */
  readonly status?: number;
  /** Whose fault it was: the second half of `x-amzn-query-error` and `<Type>` in the XML. */
  readonly fault?: 'Sender' | 'Receiver';
}

/**
 * An SQS error: its JSON name (`code`, sent as `__type` `com.amazonaws.sqs#<code>`) and the query protocol's
 * code, which SQS's JSON protocol also sends in the `x-amzn-query-error` header because SQS's model is
 * query-compatible: SDK v3 names the error it throws after that header.
 */
export class SqsError extends AwsError {
  readonly queryCode: string;
  readonly queryMessage: string;
  readonly status: number;
  readonly fault: 'Sender' | 'Receiver';

  constructor(code: string, message: string, options: SqsErrorOptions = {}) {
    super(code, message);
    this.queryCode = options.queryCode ?? code;
    this.queryMessage = options.queryMessage ?? message;
    this.status = options.status ?? 400;
    this.fault = options.fault ?? 'Sender';
  }

  /** The JSON error body's `__type`. */
  get jsonType(): string {
    return `com.amazonaws.sqs#${this.code}`;
  }

  /** The JSON error response's `x-amzn-query-error` header: `<query code>;<Sender|Receiver>`. */
  get queryErrorHeader(): string {
    return `${this.queryCode};${this.fault}`;
  }

  static queueDoesNotExist(): SqsError {
    return new SqsError('QueueDoesNotExist', 'The specified queue does not exist.', {
      queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
      queryMessage: 'The specified queue does not exist for this wsdl version.',
    });
  }

  static missingParameter(name: string): SqsError {
    return new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
  }

  static invalidParameterValue(message: string): SqsError {
    return new SqsError('InvalidParameterValue', message);
  }

  static receiptHandleIsInvalid(receiptHandle: string): SqsError {
    return new SqsError(
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
      { status: 404 },
    );
  }

  /** An action the local runtime does not serve, named as the query protocol names an unknown action. */
  static invalidAction(action: string): SqsError {
    return new SqsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
  }
}

/** A message attribute as SQS's API carries it. `BinaryValue` is base64, as both wire protocols send it. */
export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

export type MessageAttributes = Readonly<Record<string, MessageAttributeValue>>;

export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly messageAttributes: MessageAttributes;
  /** Absent when the message has no attributes, as SQS omits it. */
  readonly md5OfMessageAttributes?: string;
  /** Epoch ms. */
  readonly sentAt: number;
  receiveCount: number;
  /** Epoch ms of the first receive. */
  firstReceivedAt?: number;
  /** The handle of the latest receive: only it deletes the message. */
  receiptHandle?: string;
  /** Hidden from receivers until this time (epoch ms): delayed after a send, in flight after a receive. */
  visibleAt: number;
  /** The queue a redrive policy moved this message from (ReceiveMessage's `DeadLetterQueueSourceArn`). */
  deadLetterQueueSourceArn?: string;
}

/**
 * A queue's RedrivePolicy (SQS Developer Guide, "Using dead-letter queues"): a message received
 * `maxReceiveCount` times is moved to the dead-letter queue by the next receive that would return it, instead
 * of being returned again.
 */
export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  /** 1 to 1000. */
  readonly maxReceiveCount: number;
}

/** A queue's settings beyond its visibility timeout, with SQS's defaults. */
export interface QueueSettings {
  readonly delaySeconds: number;
  readonly maximumMessageSize: number;
  readonly messageRetentionPeriodSeconds: number;
  readonly receiveMessageWaitTimeSeconds: number;
}

const DEFAULT_SETTINGS: QueueSettings = {
  delaySeconds: 0,
  maximumMessageSize: 262_144,
  messageRetentionPeriodSeconds: 345_600,
  receiveMessageWaitTimeSeconds: 0,
};

export interface SendOptions {
  /** 0–900; the queue's DelaySeconds when absent. */
  readonly delaySeconds?: number;
  readonly messageAttributes?: MessageAttributes;
  readonly now?: number;
}

/**
 * One change to a queue's messages, as `onChange` reports it, so that a store can write only what changed:
 * messages sent or received (`put`: their new state; a receive changes the count, handle and visibility),
 * deleted or expired (`delete`), or every message gone (`purge`).
 */
export type QueueChange =
  | { readonly kind: 'put'; readonly messages: readonly QueueMessage[] }
  | { readonly kind: 'delete'; readonly messageIds: readonly string[] }
  | { readonly kind: 'purge' };

/** Counts of a queue's messages, as GetQueueAttributes' Approximate* attributes report them. */
export interface QueueCounts {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

const MAX_MESSAGE_ATTRIBUTES = 10;
const MAX_DELAY_SECONDS = 900;
/** The characters SQS accepts in a message (SQS API reference, SendMessage). */
const INVALID_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ALLOWED_CHARACTERS = '#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF';
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]+$/;
const ATTRIBUTE_TYPE = /^(String|Number|Binary)(\..+)?$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export class LocalQueue {
  readonly messages: QueueMessage[] = [];
  readonly settings: QueueSettings;
  /** Epoch ms; the runtime's start unless restored from a snapshot. */
  createdAt = Date.now();
  /**
   * Called after every change to the queue's messages, synchronously, before the call that made it returns.
   * `LocalQueues.add` wires it to `LocalQueues.onChange`.
   */
  onChange?: (change: QueueChange) => void;
  /** Where a message goes after `maxReceiveCount` receives; none when absent. */
  redrivePolicy?: RedrivePolicy;
  /** Finds a queue by ARN (the dead-letter queue): `LocalQueues.add` wires it. */
  findQueue?: (arn: string) => LocalQueue;

  constructor(
    readonly name: string,
    readonly url: string,
    readonly arn: string,
    /**
     * The queue's VisibilityTimeout: how long a received message stays hidden. Writable so that a test can
     * shorten it (a redelivery after 18 s is long to wait for); AWS changes it with SetQueueAttributes.
     */
    public visibilityTimeoutSeconds = 30,
    settings: Partial<QueueSettings> = {},
  ) {
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
  }

  send(body: string, options: SendOptions = {}): QueueMessage {
    const now = options.now ?? Date.now();
    const attributes = options.messageAttributes ?? {};
    if (body.length === 0) throw SqsError.missingParameter('MessageBody');
    const invalid = INVALID_CHARACTER.exec(body)?.[0];
    if (invalid !== undefined) {
      const code = (invalid.codePointAt(0) ?? 0).toString(16).toUpperCase();
      throw new SqsError(
        'InvalidMessageContents',
        `Invalid binary character '#x${code}' was found in the message body, the set of allowed characters is ${ALLOWED_CHARACTERS}`,
      );
    }
    validateAttributes(attributes);
    const size = Buffer.byteLength(body) + attributesSize(attributes);
    const max = this.settings.maximumMessageSize;
    if (size > max)
      throw SqsError.invalidParameterValue(
        `One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`,
      );
    const delay = options.delaySeconds ?? this.settings.delaySeconds;
    if (!Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_SECONDS)
      throw SqsError.invalidParameterValue(
        `Value ${delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= ${MAX_DELAY_SECONDS}.`,
      );
    const hasAttributes = Object.keys(attributes).length > 0;
    const message: QueueMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: createHash('md5').update(body).digest('hex'),
      messageAttributes: { ...attributes },
      ...(hasAttributes ? { md5OfMessageAttributes: md5OfMessageAttributes(attributes) } : {}),
      sentAt: now,
      receiveCount: 0,
      // 0, not `now`: an undelayed message is visible to a receive at any time, even one given an earlier `now`.
      visibleAt: delay > 0 ? now + delay * 1000 : 0,
    };
    this.messages.push(message);
    this.changed({ kind: 'put', messages: [message] });
    return message;
  }

  receive(
    max = 1,
    visibilityTimeoutSeconds = this.visibilityTimeoutSeconds,
    now = Date.now(),
  ): QueueMessage[] {
    this.expire(now);
    const visible: QueueMessage[] = [];
    const exhausted: QueueMessage[] = [];
    const dlq = this.deadLetterQueue();
    const maxReceiveCount = dlq ? (this.redrivePolicy?.maxReceiveCount as number) : Number.POSITIVE_INFINITY;
    for (const m of this.messages) {
      if (visible.length >= max) break;
      if (m.visibleAt > now) continue;
      // Received maxReceiveCount times already: this receive moves it to the dead-letter queue instead.
      if (m.receiveCount >= maxReceiveCount) exhausted.push(m);
      else visible.push(m);
    }
    if (dlq && exhausted.length > 0) this.moveToDeadLetterQueue(exhausted, dlq);
    for (const m of visible) {
      m.receiveCount += 1;
      m.firstReceivedAt ??= now;
      m.receiptHandle = this.receiptHandle(m, now);
      m.visibleAt = now + visibilityTimeoutSeconds * 1000;
    }
    if (visible.length > 0) this.changed({ kind: 'put', messages: visible });
    return visible;
  }

  /**
   * Moves messages to the redrive policy's dead-letter queue: same message id, body, attributes and sent time
   * (SQS keeps a standard queue's enqueue timestamp, so the DLQ's retention counts from the first send), visible
   * at once, with no receive yet in the dead-letter queue.
   */
  private moveToDeadLetterQueue(messages: readonly QueueMessage[], dlq: LocalQueue): void {
    const ids = new Set(messages.map((m) => m.messageId));
    this.messages.splice(0, this.messages.length, ...this.messages.filter((m) => !ids.has(m.messageId)));
    this.changed({ kind: 'delete', messageIds: [...ids] });
    dlq.takeDeadLetters(
      messages.map(({ receiptHandle: _handle, firstReceivedAt: _first, ...m }) => ({
        ...m,
        receiveCount: 0,
        visibleAt: 0,
        deadLetterQueueSourceArn: this.arn,
      })),
    );
  }

  /** The redrive policy's dead-letter queue, when there is a policy and the queue exists. */
  private deadLetterQueue(): LocalQueue | undefined {
    const arn = this.redrivePolicy?.deadLetterTargetArn;
    if (arn === undefined || !this.findQueue) return undefined;
    try {
      return this.findQueue(arn);
    } catch {
      return undefined;
    }
  }

  /** Takes messages another queue's redrive policy moved here. */
  private takeDeadLetters(messages: QueueMessage[]): void {
    this.messages.push(...messages);
    this.changed({ kind: 'put', messages });
  }

  /**
   * Deletes the message a receipt handle was issued for. As SQS documents: a handle that is not one of this
   * queue's is ReceiptHandleIsInvalid; a handle of a message already deleted, or one superseded by a later
   * receive, succeeds without deleting anything.
   */
  delete(receiptHandle: string): void {
    const messageId = this.messageIdOf(receiptHandle);
    if (messageId === undefined) throw SqsError.receiptHandleIsInvalid(receiptHandle);
    const index = this.messages.findIndex(
      (m) => m.messageId === messageId && m.receiptHandle === receiptHandle,
    );
    if (index < 0) return;
    this.messages.splice(index, 1);
    this.changed({ kind: 'delete', messageIds: [messageId] });
  }

  purge(): void {
    this.messages.length = 0;
    this.changed({ kind: 'purge' });
  }

  counts(now = Date.now()): QueueCounts {
    this.expire(now);
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of this.messages) {
      if (m.visibleAt <= now) visible += 1;
      else if (m.receiveCount > 0) inFlight += 1;
      else delayed += 1;
    }
    return { visible, inFlight, delayed };
  }

  /** Message bodies parsed as JSON, oldest first, without receiving them: for tests and the viewer. */
  peek(): unknown[] {
    return this.messages.map((m) => JSON.parse(m.body));
  }

  /** SQS drops a message once it is older than the queue's retention period. */
  private expire(now: number): void {
    const oldest = now - this.settings.messageRetentionPeriodSeconds * 1000;
    const kept = this.messages.filter((m) => m.sentAt > oldest);
    if (kept.length === this.messages.length) return;
    const expired = this.messages.filter((m) => m.sentAt <= oldest).map((m) => m.messageId);
    this.messages.splice(0, this.messages.length, ...kept);
    this.changed({ kind: 'delete', messageIds: expired });
  }

  /** Opaque to clients; it names the queue and the message, so a delete can tell stale from foreign. */
  private receiptHandle(message: QueueMessage, now: number): string {
    return Buffer.from(`${randomUUID()} ${this.arn} ${message.messageId} ${now}`).toString('base64');
  }

  private messageIdOf(receiptHandle: string): string | undefined {
    const parts = Buffer.from(receiptHandle, 'base64').toString('utf8').split(' ');
    return parts.length === 4 && parts[1] === this.arn ? parts[2] : undefined;
  }

  private changed(change: QueueChange): void {
    this.onChange?.(change);
  }
}

/** The template's queues, found by URL, ARN or name. */
export class LocalQueues {
  private readonly queues: LocalQueue[] = [];
  /**
   * Called after any change to any queue's messages, before the call that made it returns: the data
   * directory writes the change on it.
   */
  onChange?: (queue: LocalQueue, change: QueueChange) => void;

  add(queue: LocalQueue): void {
    queue.onChange = (change) => this.onChange?.(queue, change);
    queue.findQueue = (arn) => this.find(arn);
    this.queues.push(queue);
  }

  /**
   * Gives each template queue with a `RedrivePolicy` its policy. A policy whose dead-letter queue is not one of
   * the template's, or whose maxReceiveCount is not 1 to 1000, is a startup error naming the queue.
   */
  applyRedrivePolicies(resources: Iterable<Resource>): void {
    for (const r of resources) {
      if (r.type !== 'AWS::SQS::Queue' || r.properties.RedrivePolicy === undefined) continue;
      const queue = this.find(r.attributes.Arn as string);
      queue.redrivePolicy = redrivePolicyOf(r.logicalId, r.properties.RedrivePolicy, (arn) =>
        this.queues.some((q) => q.arn === arn),
      );
    }
  }

  all(): readonly LocalQueue[] {
    return this.queues;
  }

  /**
   * The queue with this URL, ARN or name. A URL also matches by its path (`/<account>/<name>`), as SQS
   * does: clients reach the runtime as `localhost` as well as `127.0.0.1`.
   */
  find(urlArnOrName: string): LocalQueue {
    const queue =
      this.queues.find((q) => q.url === urlArnOrName || q.arn === urlArnOrName || q.name === urlArnOrName) ??
      this.findByPath(urlArnOrName);
    if (!queue) throw SqsError.queueDoesNotExist();
    return queue;
  }

  /** Every queue's messages as plain JSON (the form `restore` reads). */
  snapshot(): unknown {
    const queues: Record<string, z.input<typeof StoredQueue>> = {};
    for (const q of this.queues)
      queues[q.arn] = { createdAt: q.createdAt, messages: q.messages.map((m) => ({ ...m })) };
    return { version: 1, queues } satisfies z.input<typeof Snapshot>;
  }

  /**
   * Puts back the messages of a `snapshot()`, queue by queue (matched by ARN). A queue the template no longer
   * has is ignored; a queue the snapshot does not have keeps its messages. A snapshot that is not one throws.
   */
  restore(snapshot: unknown): void {
    const parsed = Snapshot.safeParse(snapshot);
    if (!parsed.success)
      throw new Error(`The SQS snapshot cannot be restored: ${z.prettifyError(parsed.error)}`);
    for (const q of this.queues) {
      const stored = parsed.data.queues[q.arn];
      if (!stored) continue;
      if (stored.createdAt !== undefined) q.createdAt = stored.createdAt;
      q.messages.splice(0, q.messages.length, ...stored.messages);
    }
  }

  private findByPath(url: string): LocalQueue | undefined {
    const path = pathOf(url);
    return path === undefined ? undefined : this.queues.find((q) => pathOf(q.url) === path);
  }
}

/** A template's RedrivePolicy (an object, or its JSON text), checked as SQS checks it. */
function redrivePolicyOf(logicalId: string, raw: unknown, isQueue: (arn: string) => boolean): RedrivePolicy {
  let policy: unknown = raw;
  if (typeof raw === 'string') {
    try {
      policy = JSON.parse(raw);
    } catch {
      policy = undefined;
    }
  }
  const { deadLetterTargetArn, maxReceiveCount } = (policy ?? {}) as Record<string, unknown>;
  const count = Number(maxReceiveCount);
  if (typeof deadLetterTargetArn !== 'string' || !isQueue(deadLetterTargetArn))
    throw new UnsupportedTemplateError(
      `${logicalId}: the RedrivePolicy's deadLetterTargetArn ${JSON.stringify(deadLetterTargetArn)} is not a queue of the template.`,
    );
  if (!Number.isInteger(count) || count < 1 || count > 1000)
    throw new UnsupportedTemplateError(
      `${logicalId}: the RedrivePolicy's maxReceiveCount ${JSON.stringify(maxReceiveCount)} is not an integer from 1 to 1000.`,
    );
  return { deadLetterTargetArn, maxReceiveCount: count };
}

function pathOf(url: string): string | undefined {
  if (!/^https?:\/\//.test(url)) return undefined;
  try {
    return new URL(url).pathname.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

/**
 * MD5OfMessageAttributes as SQS documents it (Developer Guide, "Calculating the MD5 message digest for
 * message attributes"): for each attribute in name order, the name, the data type and the value, each as a
 * 4-byte big-endian length and its bytes, with a transport byte (1 string, 2 binary) before the value.
 */
export function md5OfMessageAttributes(attributes: MessageAttributes): string {
  const hash = createHash('md5');
  const field = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  };
  for (const name of Object.keys(attributes).sort(byCodeUnit)) {
    const attribute = attributes[name] as MessageAttributeValue;
    field(Buffer.from(name, 'utf8'));
    field(Buffer.from(attribute.DataType, 'utf8'));
    if (attribute.DataType.startsWith('Binary')) {
      hash.update(Buffer.of(2));
      field(Buffer.from(attribute.BinaryValue ?? '', 'base64'));
    } else {
      hash.update(Buffer.of(1));
      field(Buffer.from(attribute.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

/** Names sort as SQS's SDKs sort them: by UTF-16 code unit, not by locale. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function attributesSize(attributes: MessageAttributes): number {
  let size = 0;
  for (const [name, a] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(a.DataType);
    size += a.BinaryValue === undefined ? 0 : Buffer.from(a.BinaryValue, 'base64').length;
    size += a.StringValue === undefined ? 0 : Buffer.byteLength(a.StringValue);
  }
  return size;
}

function validateAttributes(attributes: MessageAttributes): void {
  const names = Object.keys(attributes);
  if (names.length > MAX_MESSAGE_ATTRIBUTES)
    throw SqsError.invalidParameterValue(
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  for (const name of names) {
    const {
      DataType: type,
      StringValue: text,
      BinaryValue: binary,
    } = attributes[name] as MessageAttributeValue;
    if (name.length === 0 || Buffer.byteLength(name) > 256 || !ATTRIBUTE_NAME.test(name))
      throw SqsError.invalidParameterValue(
        `Message (user) attribute name '${name}' is invalid. Names can only contain alphanumeric characters, hyphens, underscores and periods, up to 256 characters.`,
      );
    if (/^(aws|amazon)\./i.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..'))
      throw SqsError.invalidParameterValue(
        `Message (user) attribute name '${name}' is invalid. Names cannot start with 'AWS.' or 'Amazon.', start or end with a period, or contain consecutive periods.`,
      );
    if (!type)
      throw SqsError.invalidParameterValue(
        `The message attribute '${name}' must contain non-empty message attribute type.`,
      );
    if (!ATTRIBUTE_TYPE.test(type) || Buffer.byteLength(type) > 256)
      throw SqsError.invalidParameterValue(
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    const isBinary = type.startsWith('Binary');
    const value = isBinary ? binary : text;
    if (value === undefined || value.length === 0)
      throw SqsError.invalidParameterValue(
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type.split('.')[0]}'.`,
      );
    if (!isBinary && INVALID_CHARACTER.test(value))
      throw SqsError.invalidParameterValue(
        `Message (user) attribute '${name}' value contains invalid characters. The set of allowed characters is ${ALLOWED_CHARACTERS}`,
      );
    if (type.startsWith('Number') && !NUMBER.test(value))
      throw SqsError.invalidParameterValue(
        `Can't cast the value of message (user) attribute '${name}' to a number.`,
      );
  }
}

const StoredMessage = z.object({
  messageId: z.string(),
  body: z.string(),
  md5OfBody: z.string(),
  messageAttributes: z
    .record(
      z.string(),
      z.object({
        DataType: z.string(),
        StringValue: z.string().optional(),
        BinaryValue: z.string().optional(),
      }),
    )
    .default({}),
  md5OfMessageAttributes: z.string().optional(),
  sentAt: z.number(),
  receiveCount: z.int().nonnegative(),
  firstReceivedAt: z.number().optional(),
  receiptHandle: z.string().optional(),
  visibleAt: z.number(),
  deadLetterQueueSourceArn: z.string().optional(),
});
const StoredQueue = z.object({ createdAt: z.number().optional(), messages: z.array(StoredMessage) });
const Snapshot = z.object({ version: z.literal(1), queues: z.record(z.string(), StoredQueue) });
