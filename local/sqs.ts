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
  /** A FIFO queue's message group (a standard queue keeps it too: SQS's fair queues). */
  readonly messageGroupId?: string;
  /** A FIFO queue's deduplication id: the sender's, or the SHA-256 of the body with content-based deduplication. */
  readonly messageDeduplicationId?: string;
  /** A FIFO queue's sequence number: 20 digits, increasing with every message the queue takes. */
  sequenceNumber?: string;
}

/**
 * A FIFO queue's memory of a deduplication id (SQS Developer Guide, "Exactly-once processing in Amazon SQS"):
 * a send with the same id within the 5-minute deduplication interval succeeds with the first message's id and
 * sequence number and enqueues nothing, even after that message was received and deleted.
 */
export interface DeduplicationRecord {
  /** The deduplication id, prefixed with the message group when the queue deduplicates per group. */
  readonly key: string;
  readonly messageId: string;
  readonly sequenceNumber: string;
  /** Epoch ms: the end of the deduplication interval. */
  readonly expiresAt: number;
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
  /** `FifoQueue`: fixed when the queue is created (SQS Developer Guide, "Amazon SQS FIFO queues"). */
  readonly fifoQueue: boolean;
  /** `ContentBasedDeduplication`: a FIFO send without a deduplication id uses the SHA-256 of its body. */
  readonly contentBasedDeduplication: boolean;
  /** `DeduplicationScope`: whether a deduplication id is unique in the queue or in its message group. */
  readonly deduplicationScope: 'queue' | 'messageGroup';
  /** `FifoThroughputLimit`: kept and reported; the local runtime does not throttle. */
  readonly fifoThroughputLimit: 'perQueue' | 'perMessageGroupId';
}

const DEFAULT_SETTINGS: QueueSettings = {
  delaySeconds: 0,
  maximumMessageSize: 262_144,
  messageRetentionPeriodSeconds: 345_600,
  receiveMessageWaitTimeSeconds: 0,
  fifoQueue: false,
  contentBasedDeduplication: false,
  deduplicationScope: 'queue',
  fifoThroughputLimit: 'perQueue',
};

/** How long a FIFO queue remembers a deduplication id (SQS Developer Guide, "Exactly-once processing"). */
export const DEDUPLICATION_INTERVAL_MS = 5 * 60 * 1000;

export interface SendOptions {
  /** 0–900; the queue's DelaySeconds when absent. A FIFO queue refuses it per message. */
  readonly delaySeconds?: number;
  readonly messageAttributes?: MessageAttributes;
  /** Required by a FIFO queue; kept as an attribute by a standard one. */
  readonly messageGroupId?: string;
  /** A FIFO queue's deduplication id; refused by a standard queue. */
  readonly messageDeduplicationId?: string;
  readonly now?: number;
}

/**
 * What a send answers: the message, and whether it was a duplicate a FIFO queue did not enqueue again (its id
 * and sequence number are then the first message's).
 */
export interface SentMessage extends QueueMessage {
  readonly duplicate: boolean;
}

/** SendMessage's answer for a message sent (and each SendMessageBatch entry's, and sqs:sendMessage's result). */
export function sendMessageResult(sent: SentMessage): Record<string, string> {
  return {
    MessageId: sent.messageId,
    MD5OfMessageBody: sent.md5OfBody,
    ...(sent.md5OfMessageAttributes === undefined
      ? {}
      : { MD5OfMessageAttributes: sent.md5OfMessageAttributes }),
    ...(sent.sequenceNumber === undefined ? {} : { SequenceNumber: sent.sequenceNumber }),
  };
}

/**
 * One change to a queue's messages, as `onChange` reports it, so that a store can write only what changed:
 * messages sent or received (`put`: their new state; a receive changes the count, handle and visibility),
 * deleted or expired (`delete`), or every message gone (`purge`).
 */
export type QueueChange =
  | { readonly kind: 'put'; readonly messages: readonly QueueMessage[] }
  | { readonly kind: 'delete'; readonly messageIds: readonly string[] }
  | { readonly kind: 'purge' }
  /** A FIFO queue remembered a deduplication id. */
  | { readonly kind: 'deduplicate'; readonly record: DeduplicationRecord }
  /** A queue was created at run time, or its attributes changed: its whole definition. */
  | { readonly kind: 'define'; readonly definition: QueueDefinition }
  /** A queue created at run time was deleted, with its messages and deduplication ids. */
  | { readonly kind: 'drop' };

/** A queue created at run time, as the data directory keeps it. */
export interface QueueDefinition {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly createdAt: number;
  readonly lastModifiedAt: number;
  /** Its attributes as CreateQueue and SetQueueAttributes name them, as strings. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
}

/** Counts of a queue's messages, as GetQueueAttributes' Approximate* attributes report them. */
export interface QueueCounts {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

const MAX_MESSAGE_ATTRIBUTES = 10;
const MAX_DELAY_SECONDS = 900;
const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
/** MessageGroupId and MessageDeduplicationId: 1 to 128 alphanumeric or punctuation characters. */
const FIFO_TOKEN = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;
/** The characters SQS accepts in a message (SQS API reference, SendMessage). */
const INVALID_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ALLOWED_CHARACTERS = '#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF';
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]+$/;
const ATTRIBUTE_TYPE = /^(String|Number|Binary)(\..+)?$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export class LocalQueue {
  readonly messages: QueueMessage[] = [];
  /** Replaced whole by SetQueueAttributes on a queue created at run time. */
  settings: QueueSettings;
  /** Epoch ms; the runtime's start unless restored from a snapshot. */
  createdAt = Date.now();
  /** Epoch ms of the last SetQueueAttributes; the creation time until then. */
  lastModifiedAt?: number;
  /**
   * Where the queue comes from: the template (read-only: the CDK app defines it) or CreateQueue at run time
   * (persisted in the data directory, changed by SetQueueAttributes, removed by DeleteQueue).
   */
  origin: 'template' | 'local' = 'template';
  /** Attributes SQS keeps and reports but the local runtime does not act on (Policy, KMS settings). */
  passiveAttributes: Record<string, string> = {};
  /** `RedriveAllowPolicy` as set, JSON text: which source queues may use this one as their dead-letter queue. */
  redriveAllowPolicy?: string;
  tags: Record<string, string> = {};
  /** A FIFO queue's deduplication ids within the interval, by key (see `DeduplicationRecord`). */
  readonly deduplication = new Map<string, DeduplicationRecord>();
  /** The last sequence number given, as a number: the next is larger, also across restarts. */
  private lastSequence = 0n;
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

  /** FIFO queues' semantics apply (`FifoQueue: true`). */
  get fifo(): boolean {
    return this.settings.fifoQueue;
  }

  send(body: string, options: SendOptions = {}): SentMessage {
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
    const fifo = this.fifoFieldsOf(body, options);
    const hasAttributes = Object.keys(attributes).length > 0;
    const md5OfAttributes = hasAttributes ? md5OfMessageAttributes(attributes) : undefined;
    if (fifo) this.forgetDeduplication(now);
    const original = fifo ? this.deduplication.get(fifo.deduplicationKey) : undefined;
    const groupId = fifo?.messageGroupId ?? options.messageGroupId;
    const message: QueueMessage = {
      messageId: original?.messageId ?? randomUUID(),
      body,
      md5OfBody: createHash('md5').update(body).digest('hex'),
      messageAttributes: { ...attributes },
      ...(md5OfAttributes === undefined ? {} : { md5OfMessageAttributes: md5OfAttributes }),
      sentAt: now,
      receiveCount: 0,
      // 0, not `now`: an undelayed message is visible to a receive at any time, even one given an earlier `now`.
      visibleAt: delay > 0 ? now + delay * 1000 : 0,
      ...(groupId === undefined ? {} : { messageGroupId: groupId }),
      ...(fifo
        ? {
            messageDeduplicationId: fifo.messageDeduplicationId,
            sequenceNumber: original?.sequenceNumber ?? this.nextSequenceNumber(now),
          }
        : {}),
    };
    // Object.assign, not `{ ...message, duplicate }`: a shape Node 20's scavenger keeps promoting (see
    // stepfunctions/engine/stop.ts).
    if (original) return Object.assign({}, message, { duplicate: true });
    if (fifo) {
      const record: DeduplicationRecord = {
        key: fifo.deduplicationKey,
        messageId: message.messageId,
        sequenceNumber: message.sequenceNumber as string,
        expiresAt: now + DEDUPLICATION_INTERVAL_MS,
      };
      this.deduplication.set(record.key, record);
      this.changed({ kind: 'deduplicate', record });
    }
    this.messages.push(message);
    this.changed({ kind: 'put', messages: [message] });
    return Object.assign({}, message, { duplicate: false });
  }

  /**
   * The FIFO fields of a send, checked as SQS checks them (API reference, SendMessage): on a FIFO queue a
   * MessageGroupId is required, a deduplication id is the sender's or (with ContentBasedDeduplication) the
   * SHA-256 of the body, and DelaySeconds per message is refused; on a standard queue a deduplication id is
   * refused. Undefined for a standard queue.
   */
  private fifoFieldsOf(
    body: string,
    options: SendOptions,
  ): { messageGroupId: string; messageDeduplicationId: string; deduplicationKey: string } | undefined {
    const { messageGroupId, messageDeduplicationId } = options;
    if (messageGroupId !== undefined) checkFifoToken('MessageGroupId', messageGroupId);
    if (messageDeduplicationId !== undefined)
      checkFifoToken('MessageDeduplicationId', messageDeduplicationId);
    if (!this.fifo) {
      if (messageDeduplicationId !== undefined)
        throw notForThisQueueType('MessageDeduplicationId', messageDeduplicationId);
      return undefined;
    }
    if (options.delaySeconds !== undefined)
      throw notForThisQueueType('DelaySeconds', String(options.delaySeconds));
    if (messageGroupId === undefined) throw SqsError.missingParameter('MessageGroupId');
    let deduplicationId = messageDeduplicationId;
    if (deduplicationId === undefined) {
      if (!this.settings.contentBasedDeduplication)
        throw SqsError.invalidParameterValue(
          'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        );
      deduplicationId = createHash('sha256').update(body).digest('hex');
    }
    const deduplicationKey =
      this.settings.deduplicationScope === 'messageGroup'
        ? `${messageGroupId}\n${deduplicationId}`
        : deduplicationId;
    return { messageGroupId, messageDeduplicationId: deduplicationId, deduplicationKey };
  }

  /** Drops deduplication ids whose interval has ended. */
  private forgetDeduplication(now: number): void {
    for (const [key, record] of this.deduplication)
      if (record.expiresAt <= now) this.deduplication.delete(key);
  }

  /**
   * A sequence number larger than any this queue gave, also before a restart: at least the time in
   * nanoseconds-like units (ms × 10⁶), so a restart with lost counters still counts upward.
   */
  private nextSequenceNumber(now: number): string {
    const floor = BigInt(Math.floor(now)) * 1_000_000n;
    this.lastSequence = this.lastSequence >= floor ? this.lastSequence + 1n : floor;
    return this.lastSequence.toString().padStart(20, '0');
  }

  /** Takes back what the data directory kept: deduplication ids within their interval, and the sequence. */
  restoreFifoState(records: readonly DeduplicationRecord[], now = Date.now()): void {
    for (const record of records) if (record.expiresAt > now) this.deduplication.set(record.key, record);
    for (const sequence of [
      ...records.map((r) => r.sequenceNumber),
      ...this.messages.map((m) => m.sequenceNumber),
    ]) {
      if (sequence === undefined || !/^\d+$/.test(sequence)) continue;
      const n = BigInt(sequence);
      if (n > this.lastSequence) this.lastSequence = n;
    }
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
    // A FIFO queue returns a group's messages in order, and none of a group while an earlier one of it is in
    // flight or delayed (SQS Developer Guide, "FIFO queue delivery logic").
    const blockedGroups = new Set<string>();
    for (const m of this.messages) {
      if (visible.length >= max) break;
      const group = this.fifo ? m.messageGroupId : undefined;
      if (group !== undefined && blockedGroups.has(group)) continue;
      if (m.visibleAt > now) {
        if (group !== undefined) blockedGroups.add(group);
        continue;
      }
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

  /**
   * Changes how long the message a receipt handle was issued for stays hidden, counted from now (SQS API
   * reference, ChangeMessageVisibility): 0 makes it visible at once. A handle that is not this queue's is
   * ReceiptHandleIsInvalid; a message no longer in flight under this handle is MessageNotInflight, or
   * InvalidParameterValue when it is gone (deleted, or received again with a newer handle).
   */
  changeVisibility(receiptHandle: string, visibilityTimeoutSeconds: number, now = Date.now()): void {
    const messageId = this.messageIdOf(receiptHandle);
    if (messageId === undefined) throw SqsError.receiptHandleIsInvalid(receiptHandle);
    if (
      !Number.isInteger(visibilityTimeoutSeconds) ||
      visibilityTimeoutSeconds < 0 ||
      visibilityTimeoutSeconds > MAX_VISIBILITY_TIMEOUT_SECONDS
    )
      throw SqsError.invalidParameterValue(
        `Value ${visibilityTimeoutSeconds} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and ${MAX_VISIBILITY_TIMEOUT_SECONDS}, if provided.`,
      );
    const message = this.messages.find((m) => m.messageId === messageId && m.receiptHandle === receiptHandle);
    if (!message)
      throw SqsError.invalidParameterValue(
        `Value ${receiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      );
    if (message.visibleAt <= now)
      throw new SqsError('MessageNotInflight', "The message referred to isn't in flight.", {
        queryCode: 'AWS.SimpleQueueService.MessageNotInflight',
      });
    message.visibleAt = now + visibilityTimeoutSeconds * 1000;
    this.changed({ kind: 'put', messages: [message] });
  }

  purge(): void {
    this.messages.length = 0;
    this.changed({ kind: 'purge' });
  }

  /**
   * Takes messages a message move task moved here: their id, body and attributes, as if just sent (no receive
   * yet, visible at once). A FIFO queue gives each a sequence number of its own, after its other messages.
   */
  takeMoved(messages: readonly QueueMessage[], now = Date.now()): void {
    const moved = messages.map(
      ({
        receiptHandle: _h,
        firstReceivedAt: _f,
        deadLetterQueueSourceArn: _s,
        sequenceNumber: _n,
        ...m
      }) => ({
        ...m,
        receiveCount: 0,
        visibleAt: 0,
        ...(this.fifo ? { sequenceNumber: this.nextSequenceNumber(now) } : {}),
      }),
    );
    this.messages.push(...moved);
    this.changed({ kind: 'put', messages: moved });
  }

  /** Removes messages by id (a message move task took them elsewhere). */
  remove(messageIds: readonly string[]): void {
    const ids = new Set(messageIds);
    this.messages.splice(0, this.messages.length, ...this.messages.filter((m) => !ids.has(m.messageId)));
    this.changed({ kind: 'delete', messageIds: [...ids] });
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

  /**
   * The attributes CreateQueue and SetQueueAttributes set, as SQS reports them (strings): what GetQueueAttributes
   * answers beside the counts, and what an idempotent CreateQueue compares.
   */
  configuredAttributes(): Record<string, string> {
    const s = this.settings;
    return {
      VisibilityTimeout: String(this.visibilityTimeoutSeconds),
      MaximumMessageSize: String(s.maximumMessageSize),
      MessageRetentionPeriod: String(s.messageRetentionPeriodSeconds),
      DelaySeconds: String(s.delaySeconds),
      ReceiveMessageWaitTimeSeconds: String(s.receiveMessageWaitTimeSeconds),
      ...(this.redrivePolicy ? { RedrivePolicy: JSON.stringify(this.redrivePolicy) } : {}),
      ...(this.redriveAllowPolicy === undefined ? {} : { RedriveAllowPolicy: this.redriveAllowPolicy }),
      ...(s.fifoQueue
        ? {
            FifoQueue: 'true',
            ContentBasedDeduplication: String(s.contentBasedDeduplication),
            DeduplicationScope: s.deduplicationScope,
            FifoThroughputLimit: s.fifoThroughputLimit,
          }
        : {}),
      ...this.passiveAttributes,
    };
  }

  /** The queue as the data directory keeps a queue created at run time. */
  definition(): QueueDefinition {
    return {
      name: this.name,
      url: this.url,
      arn: this.arn,
      createdAt: this.createdAt,
      lastModifiedAt: this.lastModifiedAt ?? this.createdAt,
      attributes: this.configuredAttributes(),
      tags: { ...this.tags },
    };
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
  /** Names of queues deleted within the last minute: SQS refuses to create them again until then. */
  private readonly deletedAt = new Map<string, number>();
  /** Every message move task started since the runtime started, oldest first. */
  private readonly moveTasks: MessageMoveTask[] = [];

  constructor(private readonly env: QueuesEnv = DEFAULT_QUEUES_ENV) {}

  add(queue: LocalQueue): void {
    queue.onChange = (change) => this.onChange?.(queue, change);
    queue.findQueue = (arn) => this.find(arn);
    this.queues.push(queue);
  }

  /** The queue with this ARN, template's or created at run time; undefined when there is none. */
  findByArn(arn: string): LocalQueue | undefined {
    return this.queues.find((q) => q.arn === arn);
  }

  /**
   * CreateQueue (SQS API reference): a new queue with these attributes, standard or (`FifoQueue: true`, a
   * name ending `.fifo`) FIFO. A queue of that name with the same values for the attributes given is
   * answered as is (`created: false`); one with other values is QueueNameExists. A name deleted less than
   * 60 seconds ago is QueueDeletedRecently.
   */
  create(
    name: string,
    attributes: Readonly<Record<string, string>> = {},
    tags: Readonly<Record<string, string>> = {},
    now = Date.now(),
  ): { queue: LocalQueue; created: boolean } {
    const fifo = isTrue(attributes.FifoQueue);
    checkQueueName(name, fifo);
    const existing = this.queues.find((q) => q.name === name);
    if (existing) {
      const current = existing.configuredAttributes();
      const differing = Object.keys(attributes).filter(
        (key) => normalizeAttribute(key, attributes[key] as string) !== normalizeAttribute(key, current[key]),
      );
      if (differing.length > 0)
        throw new SqsError(
          'QueueNameExists',
          `A queue already exists with the same name and a different value for attribute(s) ${differing.join(', ')}`,
          { queryCode: 'QueueAlreadyExists' },
        );
      return { queue: existing, created: false };
    }
    const deletedAt = this.deletedAt.get(name);
    if (deletedAt !== undefined && now - deletedAt < QUEUE_DELETED_RECENTLY_MS)
      throw new SqsError(
        'QueueDeletedRecently',
        'You must wait 60 seconds after deleting a queue before you can create another with the same name.',
        { queryCode: 'AWS.SimpleQueueService.QueueDeletedRecently' },
      );
    const queue = new LocalQueue(
      name,
      `${this.env.endpoint}/${this.env.account}/${name}`,
      `arn:aws:sqs:${this.env.region}:${this.env.account}:${name}`,
    );
    queue.origin = 'local';
    queue.createdAt = now;
    queue.lastModifiedAt = now;
    queue.tags = { ...tags };
    this.configure(queue, { ...attributes, FifoQueue: fifo ? 'true' : 'false' }, true);
    this.add(queue);
    queue.onChange?.({ kind: 'define', definition: queue.definition() });
    return { queue, created: true };
  }

  /**
   * SetQueueAttributes on a queue created at run time. The template's queues are the CDK app's: changing one
   * is refused with a message that says so (UnsupportedOperation, the closest of SQS's errors).
   */
  setAttributes(queue: LocalQueue, attributes: Readonly<Record<string, string>>, now = Date.now()): void {
    requireLocal(queue, 'SetQueueAttributes');
    this.configure(queue, attributes, false);
    queue.lastModifiedAt = now;
    queue.onChange?.({ kind: 'define', definition: queue.definition() });
  }

  /**
   * DeleteQueue on a queue created at run time: it goes with its messages; its name can be created again
   * after 60 seconds. A template queue is refused, as for SetQueueAttributes.
   */
  delete(queue: LocalQueue, now = Date.now()): void {
    requireLocal(queue, 'DeleteQueue');
    const index = this.queues.indexOf(queue);
    if (index < 0) throw SqsError.queueDoesNotExist();
    for (const task of this.moveTasks)
      if (task.status === 'RUNNING' && (task.sourceArn === queue.arn || task.destinationArn === queue.arn))
        this.finishTask(task, 'FAILED', `The queue ${queue.arn} was deleted.`);
    this.queues.splice(index, 1);
    this.deletedAt.set(queue.name, now);
    queue.onChange?.({ kind: 'drop' });
    queue.onChange = undefined;
  }

  /**
   * Applies CreateQueue's or SetQueueAttributes' attributes, checked first so that a bad one changes
   * nothing: unknown names are InvalidAttributeName, values out of range InvalidAttributeValue, a bad
   * RedrivePolicy InvalidParameterValue with SQS's reason.
   */
  private configure(
    queue: LocalQueue,
    attributes: Readonly<Record<string, string>>,
    creating: boolean,
  ): void {
    const fifo = creating ? isTrue(attributes.FifoQueue) : queue.fifo;
    let settings: QueueSettings = { ...queue.settings, fifoQueue: fifo };
    let visibility = queue.visibilityTimeoutSeconds;
    let redrivePolicy: RedrivePolicy | undefined | null;
    let redriveAllowPolicy: string | undefined | null;
    const passive = { ...queue.passiveAttributes };
    for (const [name, value] of Object.entries(attributes)) {
      const integer = (min: number, max: number) => {
        const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
        if (!Number.isInteger(n) || n < min || n > max) throw invalidAttributeValue(name);
        return n;
      };
      const fifoOnly = () => {
        if (!fifo) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      };
      switch (name) {
        case 'DelaySeconds':
          settings = { ...settings, delaySeconds: integer(0, MAX_DELAY_SECONDS) };
          break;
        case 'MaximumMessageSize':
          settings = { ...settings, maximumMessageSize: integer(1024, 1_048_576) };
          break;
        case 'MessageRetentionPeriod':
          settings = { ...settings, messageRetentionPeriodSeconds: integer(60, 1_209_600) };
          break;
        case 'ReceiveMessageWaitTimeSeconds':
          settings = { ...settings, receiveMessageWaitTimeSeconds: integer(0, 20) };
          break;
        case 'VisibilityTimeout':
          visibility = integer(0, MAX_VISIBILITY_TIMEOUT_SECONDS);
          break;
        case 'FifoQueue':
          // Fixed at creation: SQS refuses to change it.
          if (!creating) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
          if (!isBoolean(value)) throw invalidAttributeValue(name);
          break;
        case 'ContentBasedDeduplication':
          fifoOnly();
          if (!isBoolean(value)) throw invalidAttributeValue(name);
          settings = { ...settings, contentBasedDeduplication: isTrue(value) };
          break;
        case 'DeduplicationScope':
          fifoOnly();
          if (value !== 'queue' && value !== 'messageGroup') throw invalidAttributeValue(name);
          settings = { ...settings, deduplicationScope: value };
          break;
        case 'FifoThroughputLimit':
          fifoOnly();
          if (value !== 'perQueue' && value !== 'perMessageGroupId') throw invalidAttributeValue(name);
          settings = { ...settings, fifoThroughputLimit: value };
          break;
        case 'RedrivePolicy':
          redrivePolicy = value === '' ? null : this.checkRedrivePolicy(queue, value, fifo);
          break;
        case 'RedriveAllowPolicy':
          redriveAllowPolicy = value === '' ? null : checkRedriveAllowPolicy(value);
          break;
        case 'KmsDataKeyReusePeriodSeconds':
          passive[name] = String(integer(60, 86_400));
          break;
        case 'SqsManagedSseEnabled':
          if (!isBoolean(value)) throw invalidAttributeValue(name);
          passive[name] = value.toLowerCase();
          break;
        case 'Policy':
        case 'KmsMasterKeyId':
          passive[name] = value;
          break;
        default:
          throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      }
    }
    if (
      settings.fifoThroughputLimit === 'perMessageGroupId' &&
      settings.deduplicationScope !== 'messageGroup'
    )
      throw invalidAttributeValue('FifoThroughputLimit');
    queue.settings = settings;
    queue.visibilityTimeoutSeconds = visibility;
    queue.passiveAttributes = passive;
    if (redrivePolicy === null) queue.redrivePolicy = undefined;
    else if (redrivePolicy) queue.redrivePolicy = redrivePolicy;
    if (redriveAllowPolicy === null) queue.redriveAllowPolicy = undefined;
    else if (redriveAllowPolicy) queue.redriveAllowPolicy = redriveAllowPolicy;
  }

  /**
   * A RedrivePolicy as SQS checks it (Developer Guide, "Using dead-letter queues"): JSON with a
   * deadLetterTargetArn that is an existing queue of the same type, allowed by its RedriveAllowPolicy, and a
   * maxReceiveCount from 1 to 1000.
   */
  private checkRedrivePolicy(queue: LocalQueue, text: string, fifo: boolean): RedrivePolicy {
    const invalid = (reason: string) =>
      SqsError.invalidParameterValue(
        `Value ${text} for parameter RedrivePolicy is invalid. Reason: ${reason}`,
      );
    let policy: unknown;
    try {
      policy = JSON.parse(text);
    } catch {
      throw invalid('Redrive policy is not a valid JSON map.');
    }
    if (typeof policy !== 'object' || policy === null || Array.isArray(policy))
      throw invalid('Redrive policy is not a valid JSON map.');
    const { deadLetterTargetArn, maxReceiveCount } = policy as Record<string, unknown>;
    if (typeof deadLetterTargetArn !== 'string')
      throw invalid('Redrive policy requires deadLetterTargetArn.');
    const count = Number(maxReceiveCount);
    if (!Number.isInteger(count) || count < 1 || count > 1000)
      throw invalid(
        `Invalid value for maxReceiveCount: ${String(maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`,
      );
    const dlq = this.findByArn(deadLetterTargetArn);
    if (!dlq) throw invalid('Dead letter target does not exist.');
    if (dlq.fifo !== fifo) throw invalid('Dead-letter queue must be same type of queue as the source.');
    if (dlq === queue) throw invalid('The source queue cannot be its own dead-letter queue.');
    if (!redriveAllowed(dlq, queue.arn))
      throw invalid(
        `The RedriveAllowPolicy of ${dlq.arn} does not allow ${queue.arn} to use it as its dead-letter queue.`,
      );
    return { deadLetterTargetArn, maxReceiveCount: count };
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
    const definitions = this.queues.filter((q) => q.origin === 'local').map((q) => q.definition());
    const deduplication = Object.fromEntries(
      this.queues.filter((q) => q.fifo).map((q) => [q.arn, [...q.deduplication.values()]]),
    );
    return { version: 1, queues, definitions, deduplication } satisfies z.input<typeof Snapshot>;
  }

  /**
   * Puts back the messages of a `snapshot()`, queue by queue (matched by ARN). A queue the template no longer
   * has is ignored; a queue the snapshot does not have keeps its messages. A snapshot that is not one throws.
   */
  restore(snapshot: unknown): void {
    const parsed = Snapshot.safeParse(snapshot);
    if (!parsed.success)
      throw new Error(`The SQS snapshot cannot be restored: ${z.prettifyError(parsed.error)}`);
    this.define(parsed.data.definitions ?? []);
    for (const q of this.queues) {
      const stored = parsed.data.queues[q.arn];
      if (stored) {
        if (stored.createdAt !== undefined) q.createdAt = stored.createdAt;
        q.messages.splice(0, q.messages.length, ...stored.messages);
      }
      if (q.fifo) q.restoreFifoState(parsed.data.deduplication?.[q.arn] ?? []);
    }
  }

  /**
   * Re-creates the queues a team created at run time, as the data directory kept them: first all of them,
   * then their redrive policies, which may name one another. A definition whose name the template now has
   * is dropped: the template's queue wins.
   */
  private define(definitions: readonly QueueDefinition[]): void {
    const defined: [LocalQueue, QueueDefinition][] = [];
    for (const d of definitions) {
      if (this.queues.some((q) => q.arn === d.arn || q.name === d.name)) continue;
      const queue = new LocalQueue(d.name, d.url, d.arn);
      queue.origin = 'local';
      queue.createdAt = d.createdAt;
      queue.lastModifiedAt = d.lastModifiedAt;
      queue.tags = { ...d.tags };
      const { RedrivePolicy: _redrive, ...rest } = d.attributes;
      this.configure(queue, rest, true);
      this.add(queue);
      defined.push([queue, d]);
    }
    for (const [queue, d] of defined) {
      const redrive = d.attributes.RedrivePolicy;
      if (redrive === undefined) continue;
      try {
        this.configure(queue, { RedrivePolicy: redrive }, false);
      } catch (error) {
        // Its dead-letter queue is gone (deleted, or a template queue no longer there): the queue stays.
        console.error(
          `local runtime: queue ${queue.name}: its RedrivePolicy is dropped: ${error instanceof Error ? error.message : error}`,
        );
      }
    }
  }

  /**
   * StartMessageMoveTask (SQS API reference; Developer Guide, "Configuring a dead-letter queue redrive"): moves
   * the messages of a dead-letter queue to `destinationArn`, or each back to the queue it came from, in the
   * background, up to `maxNumberOfMessagesPerSecond` a second (as fast as it can without). The source must be
   * some queue's dead-letter queue and have no task running. Answers the task handle.
   */
  startMessageMoveTask(
    sourceArn: string,
    destinationArn?: string,
    maxNumberOfMessagesPerSecond?: number,
    now = Date.now(),
  ): string {
    const source = this.findByArn(sourceArn);
    if (!source)
      throw new SqsError(
        'ResourceNotFoundException',
        "The resource that you specified for the SourceArn parameter doesn't exist.",
      );
    if (!this.queues.some((q) => q.redrivePolicy?.deadLetterTargetArn === sourceArn))
      throw SqsError.invalidParameterValue('Source queue must be configured as a Dead Letter Queue.');
    if (destinationArn !== undefined) {
      if (destinationArn === sourceArn)
        throw SqsError.invalidParameterValue('The destination queue cannot be the source queue.');
      if (!this.findByArn(destinationArn))
        throw new SqsError(
          'ResourceNotFoundException',
          "The resource that you specified for the DestinationArn parameter doesn't exist.",
        );
    }
    if (
      maxNumberOfMessagesPerSecond !== undefined &&
      (!Number.isInteger(maxNumberOfMessagesPerSecond) ||
        maxNumberOfMessagesPerSecond < 1 ||
        maxNumberOfMessagesPerSecond > 500)
    )
      throw SqsError.invalidParameterValue(
        `Value ${maxNumberOfMessagesPerSecond} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.`,
      );
    if (this.moveTasks.some((t) => t.sourceArn === sourceArn && t.status === 'RUNNING'))
      throw SqsError.invalidParameterValue(
        'There is already a task running. Only one active task is allowed for a source queue arn at a given time.',
      );
    const toMove = source.messages.map((m) => m.messageId);
    const task: MessageMoveTask = {
      taskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn })).toString('base64'),
      sourceArn,
      ...(destinationArn === undefined ? {} : { destinationArn }),
      ...(maxNumberOfMessagesPerSecond === undefined ? {} : { maxNumberOfMessagesPerSecond }),
      status: 'RUNNING',
      approximateNumberOfMessagesMoved: 0,
      approximateNumberOfMessagesToMove: toMove.length,
      startedTimestamp: now,
      pending: new Set(toMove),
    };
    this.moveTasks.push(task);
    this.scheduleMove(task, 0);
    return task.taskHandle;
  }

  /** ListMessageMoveTasks: the source's most recent tasks, newest first, `maxResults` (1 to 10, default 1). */
  listMessageMoveTasks(sourceArn: string, maxResults = 1): MessageMoveTask[] {
    if (!this.findByArn(sourceArn))
      throw new SqsError(
        'ResourceNotFoundException',
        "The resource that you specified for the SourceArn parameter doesn't exist.",
      );
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 10)
      throw SqsError.invalidParameterValue(
        `Value ${maxResults} for parameter MaxResults is invalid. Reason: Must be between 1 and 10.`,
      );
    return this.moveTasks
      .filter((t) => t.sourceArn === sourceArn)
      .reverse()
      .slice(0, maxResults);
  }

  /** CancelMessageMoveTask: stops a RUNNING task; what it moved stays moved. Answers the count moved. */
  cancelMessageMoveTask(taskHandle: string): number {
    const task = this.moveTasks.find((t) => t.taskHandle === taskHandle);
    if (!task) throw new SqsError('ResourceNotFoundException', 'Task does not exist.');
    if (task.status !== 'RUNNING')
      throw SqsError.invalidParameterValue(
        `Only a RUNNING task can be cancelled; this one is ${task.status}.`,
      );
    this.finishTask(task, 'CANCELLED');
    return task.approximateNumberOfMessagesMoved;
  }

  /** Runs a task's next step after `delayMs`: the timer does not keep the process alive. */
  private scheduleMove(task: MessageMoveTask, delayMs: number): void {
    task.timer = setTimeout(() => this.moveStep(task), delayMs);
    task.timer.unref();
  }

  /**
   * Moves what one step may (a second's worth at the task's rate, else up to MOVE_STEP messages) of the
   * messages the source held when the task started and still holds, visible. A message in flight is left for
   * a later step; once none of them is left visible, the task is COMPLETED.
   */
  private moveStep(task: MessageMoveTask): void {
    if (task.status !== 'RUNNING') return;
    const source = this.findByArn(task.sourceArn);
    if (!source) {
      this.finishTask(task, 'FAILED', `The queue ${task.sourceArn} was deleted.`);
      return;
    }
    const now = Date.now();
    const limit = task.maxNumberOfMessagesPerSecond ?? MOVE_STEP;
    const batch: QueueMessage[] = [];
    for (const m of source.messages) {
      if (batch.length >= limit) break;
      if (task.pending.has(m.messageId) && m.visibleAt <= now) batch.push(m);
    }
    for (const id of task.pending)
      if (!source.messages.some((m) => m.messageId === id)) task.pending.delete(id);
    const byDestination = new Map<LocalQueue, QueueMessage[]>();
    for (const m of batch) {
      const arn = task.destinationArn ?? m.deadLetterQueueSourceArn;
      const destination = arn === undefined ? undefined : this.findByArn(arn);
      if (!destination) {
        this.finishTask(
          task,
          'FAILED',
          arn === undefined
            ? `Message ${m.messageId} was not moved here by a redrive policy, so it has no source queue to go back to: give a DestinationArn.`
            : `The destination queue ${arn} does not exist.`,
        );
        return;
      }
      byDestination.set(destination, [...(byDestination.get(destination) ?? []), m]);
    }
    for (const [destination, messages] of byDestination) {
      source.remove(messages.map((m) => m.messageId));
      destination.takeMoved(messages, now);
      for (const m of messages) task.pending.delete(m.messageId);
      task.approximateNumberOfMessagesMoved += messages.length;
    }
    const waiting = source.messages.some((m) => task.pending.has(m.messageId));
    if (!waiting) {
      this.finishTask(task, 'COMPLETED');
      return;
    }
    const inFlightOnly = batch.length === 0;
    this.scheduleMove(task, task.maxNumberOfMessagesPerSecond !== undefined || inFlightOnly ? 1000 : 0);
  }

  private finishTask(task: MessageMoveTask, status: MessageMoveTask['status'], failureReason?: string): void {
    task.status = status;
    if (failureReason !== undefined) task.failureReason = failureReason;
    if (task.timer) clearTimeout(task.timer);
    task.timer = undefined;
    task.pending.clear();
  }

  /** Stops every running message move task's timer (the runtime is stopping); their status stays RUNNING. */
  stopMoveTasks(): void {
    for (const task of this.moveTasks) {
      if (task.timer) clearTimeout(task.timer);
      task.timer = undefined;
    }
  }

  private findByPath(url: string): LocalQueue | undefined {
    const path = pathOf(url);
    return path === undefined ? undefined : this.queues.find((q) => pathOf(q.url) === path);
  }
}

function checkFifoToken(name: string, value: string): void {
  if (!FIFO_TOKEN.test(value))
    throw SqsError.invalidParameterValue(
      `Value ${value} for parameter ${name} is invalid. Reason: ${name} can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
    );
}

/** SQS's answer to a parameter the queue's type does not take (a per-message delay on a FIFO queue, …). */
function notForThisQueueType(name: string, value: string): SqsError {
  return SqsError.invalidParameterValue(
    `Value ${value} for parameter ${name} is invalid. Reason: The request include parameter that is not valid for this queue type.`,
  );
}

/** Where queues created at run time live: the runtime's endpoint, account and region. */
export interface QueuesEnv {
  readonly endpoint: string;
  readonly account: string;
  readonly region: string;
}

const DEFAULT_QUEUES_ENV: QueuesEnv = {
  endpoint: 'http://127.0.0.1:4010',
  account: '000000000000',
  region: 'us-east-1',
};

/** SQS refuses to create a queue of a name deleted less than this long ago (API reference, CreateQueue). */
const QUEUE_DELETED_RECENTLY_MS = 60_000;
/** How many messages a message move task without a rate moves in one step. */
const MOVE_STEP = 100;

/**
 * A message move task (SQS API reference, ListMessageMoveTasksResultEntry), kept in memory: a restart forgets
 * the tasks (what they moved stays moved).
 */
export interface MessageMoveTask {
  readonly taskHandle: string;
  readonly sourceArn: string;
  readonly destinationArn?: string;
  readonly maxNumberOfMessagesPerSecond?: number;
  status: 'RUNNING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';
  approximateNumberOfMessagesMoved: number;
  readonly approximateNumberOfMessagesToMove: number;
  failureReason?: string;
  /** Epoch ms. */
  readonly startedTimestamp: number;
  /** Ids of the messages still to move. */
  readonly pending: Set<string>;
  timer?: NodeJS.Timeout;
}

/** A queue name as CreateQueue takes it (API reference): 1 to 80 of A-Z a-z 0-9 - _, plus `.fifo` for FIFO. */
function checkQueueName(name: string, fifo: boolean): void {
  const base = fifo && name.endsWith('.fifo') ? name.slice(0, -'.fifo'.length) : name;
  if (name.length > 80 || !/^[A-Za-z0-9_-]+$/.test(base))
    throw SqsError.invalidParameterValue(
      fifo
        ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.'
        : 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  if (fifo && !name.endsWith('.fifo'))
    throw SqsError.invalidParameterValue(
      'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
    );
}

function isTrue(value: string | undefined): boolean {
  return value?.toLowerCase() === 'true';
}

function isBoolean(value: string): boolean {
  return /^(true|false)$/i.test(value);
}

function invalidAttributeValue(name: string): SqsError {
  return new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
}

/** An attribute's value in the form two equal settings share: numbers, booleans and JSON policies normalized. */
function normalizeAttribute(name: string, value: string | undefined): string {
  if (value === undefined) return name === 'FifoQueue' || name === 'ContentBasedDeduplication' ? 'false' : '';
  if (/^\s*\d+\s*$/.test(value)) return String(Number(value));
  if (isBoolean(value)) return value.toLowerCase();
  if (name === 'RedrivePolicy' || name === 'RedriveAllowPolicy' || name === 'Policy') {
    try {
      const parsed = JSON.parse(value) as Record<string, unknown>;
      if (name === 'RedrivePolicy' && parsed && typeof parsed === 'object')
        return JSON.stringify({
          deadLetterTargetArn: parsed.deadLetterTargetArn,
          maxReceiveCount: Number(parsed.maxReceiveCount),
        });
      return JSON.stringify(parsed);
    } catch {
      return value;
    }
  }
  return value;
}

/** Refuses to change a template queue: the CDK app defines it. */
function requireLocal(queue: LocalQueue, action: string): void {
  if (queue.origin === 'local') return;
  throw new SqsError(
    'UnsupportedOperation',
    `${action} is not allowed on ${queue.name}: it is defined by the CDK app's template, which the local runtime serves read-only. Change the queue in the CDK app (stacks/) and restart the runtime; queues created with CreateQueue can be changed and deleted.`,
    { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation' },
  );
}

/**
 * A RedriveAllowPolicy (Developer Guide, "Using dead-letter queues"): `redrivePermission` allowAll, denyAll or
 * byQueue, the latter with 1 to 10 `sourceQueueArns`. Answers the text as given.
 */
function checkRedriveAllowPolicy(text: string): string {
  const invalid = (reason: string) =>
    SqsError.invalidParameterValue(
      `Value ${text} for parameter RedriveAllowPolicy is invalid. Reason: ${reason}`,
    );
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    throw invalid('Redrive allow policy is not a valid JSON map.');
  }
  const { redrivePermission, sourceQueueArns } = (policy ?? {}) as Record<string, unknown>;
  if (redrivePermission !== 'allowAll' && redrivePermission !== 'denyAll' && redrivePermission !== 'byQueue')
    throw invalid('redrivePermission must be one of allowAll, denyAll, byQueue.');
  if (redrivePermission === 'byQueue') {
    if (
      !Array.isArray(sourceQueueArns) ||
      sourceQueueArns.length < 1 ||
      sourceQueueArns.length > 10 ||
      !sourceQueueArns.every((a) => typeof a === 'string')
    )
      throw invalid('sourceQueueArns must list 1 to 10 queue ARNs when redrivePermission is byQueue.');
  } else if (sourceQueueArns !== undefined)
    throw invalid('sourceQueueArns is only allowed when redrivePermission is byQueue.');
  return text;
}

/** Whether a dead-letter queue's RedriveAllowPolicy lets `sourceArn` use it (allowAll when it has none). */
function redriveAllowed(dlq: LocalQueue, sourceArn: string): boolean {
  if (dlq.redriveAllowPolicy === undefined) return true;
  const { redrivePermission, sourceQueueArns } = JSON.parse(dlq.redriveAllowPolicy) as {
    redrivePermission: string;
    sourceQueueArns?: string[];
  };
  if (redrivePermission === 'denyAll') return false;
  if (redrivePermission === 'byQueue') return sourceQueueArns?.includes(sourceArn) ?? false;
  return true;
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
  messageGroupId: z.string().optional(),
  messageDeduplicationId: z.string().optional(),
  sequenceNumber: z.string().optional(),
});
const StoredQueue = z.object({ createdAt: z.number().optional(), messages: z.array(StoredMessage) });
const StoredDefinition = z.object({
  name: z.string(),
  url: z.string(),
  arn: z.string(),
  createdAt: z.number(),
  lastModifiedAt: z.number(),
  attributes: z.record(z.string(), z.string()),
  tags: z.record(z.string(), z.string()).default({}),
});
const StoredDeduplication = z.object({
  key: z.string(),
  messageId: z.string(),
  sequenceNumber: z.string(),
  expiresAt: z.number(),
});
const Snapshot = z.object({
  version: z.literal(1),
  queues: z.record(z.string(), StoredQueue),
  /** Queues created at run time, re-created before their messages are put back. */
  definitions: z.array(StoredDefinition).optional(),
  /** FIFO queues' deduplication ids, by queue ARN. */
  deduplication: z.record(z.string(), z.array(StoredDeduplication)).optional(),
});
