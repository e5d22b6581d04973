import { AwsError } from '../errors';
import {
  type LocalQueue,
  type LocalQueues,
  type MessageAttributes,
  md5OfMessageAttributes,
  type QueueMessage,
  type SentMessage,
  SqsError,
  sendMessageResult,
} from '../sqs';
import type { ApiActions, ErrorAnswer } from './protocol';
import { list, map, type RequestShapes, structure } from './shapes';
import { page } from './validate';

type Params = Record<string, unknown>;

/** The queue attributes GetQueueAttributes knows (API reference, QueueAttributeName), besides `All`. */
const QUEUE_ATTRIBUTE_NAMES = new Set([
  'Policy',
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'ApproximateNumberOfMessagesDelayed',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'FifoQueue',
  'ContentBasedDeduplication',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'RedriveAllowPolicy',
  'SqsManagedSseEnabled',
]);

const MESSAGE_SYSTEM_ATTRIBUTE_NAMES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'DeadLetterQueueSourceArn',
  'MessageGroupId',
  'MessageDeduplicationId',
  'SequenceNumber',
] as const;

/** SendMessageBatch, DeleteMessageBatch and ChangeMessageVisibilityBatch take 1 to 10 entries. */
const MAX_BATCH_ENTRIES = 10;

/** How often a receive with WaitTimeSeconds looks again for a visible message. */
const POLL_INTERVAL_MS = 50;

const MESSAGE_ATTRIBUTE_VALUE = structure({
  StringValue: 'String',
  BinaryValue: 'String',
  StringListValues: list('String'),
  BinaryListValues: list('String'),
  DataType: 'String',
});

/**
 * The JSON protocol's requests of the actions `sqsActions` serves (SQS API reference, each action's Request
 * Syntax). The query protocol carries every value as text, which the actions read themselves.
 */
export const SQS_REQUESTS: RequestShapes = {
  ListQueues: structure({ QueueNamePrefix: 'String', NextToken: 'String', MaxResults: 'Integer' }),
  GetQueueUrl: structure({ QueueName: 'String', QueueOwnerAWSAccountId: 'String' }),
  GetQueueAttributes: structure({ QueueUrl: 'String', AttributeNames: list('String') }),
  SendMessage: structure({
    QueueUrl: 'String',
    MessageBody: 'String',
    DelaySeconds: 'Integer',
    MessageAttributes: map(MESSAGE_ATTRIBUTE_VALUE),
    MessageSystemAttributes: map(MESSAGE_ATTRIBUTE_VALUE),
    MessageDeduplicationId: 'String',
    MessageGroupId: 'String',
  }),
  ReceiveMessage: structure({
    QueueUrl: 'String',
    AttributeNames: list('String'),
    MessageSystemAttributeNames: list('String'),
    MessageAttributeNames: list('String'),
    MaxNumberOfMessages: 'Integer',
    VisibilityTimeout: 'Integer',
    WaitTimeSeconds: 'Integer',
    ReceiveRequestAttemptId: 'String',
  }),
  DeleteMessage: structure({ QueueUrl: 'String', ReceiptHandle: 'String' }),
  PurgeQueue: structure({ QueueUrl: 'String' }),
  CreateQueue: structure({ QueueName: 'String', Attributes: map('String'), tags: map('String') }),
  DeleteQueue: structure({ QueueUrl: 'String' }),
  SetQueueAttributes: structure({ QueueUrl: 'String', Attributes: map('String') }),
  ChangeMessageVisibility: structure({
    QueueUrl: 'String',
    ReceiptHandle: 'String',
    VisibilityTimeout: 'Integer',
  }),
  ChangeMessageVisibilityBatch: structure({
    QueueUrl: 'String',
    Entries: list(structure({ Id: 'String', ReceiptHandle: 'String', VisibilityTimeout: 'Integer' })),
  }),
  SendMessageBatch: structure({
    QueueUrl: 'String',
    Entries: list(
      structure({
        Id: 'String',
        MessageBody: 'String',
        DelaySeconds: 'Integer',
        MessageAttributes: map(MESSAGE_ATTRIBUTE_VALUE),
        MessageSystemAttributes: map(MESSAGE_ATTRIBUTE_VALUE),
        MessageDeduplicationId: 'String',
        MessageGroupId: 'String',
      }),
    ),
  }),
  DeleteMessageBatch: structure({
    QueueUrl: 'String',
    Entries: list(structure({ Id: 'String', ReceiptHandle: 'String' })),
  }),
  StartMessageMoveTask: structure({
    SourceArn: 'String',
    DestinationArn: 'String',
    MaxNumberOfMessagesPerSecond: 'Integer',
  }),
  ListMessageMoveTasks: structure({ SourceArn: 'String', MaxResults: 'Integer' }),
  CancelMessageMoveTask: structure({ TaskHandle: 'String' }),
};

/**
 * SQS's API (`AmazonSQS.*`, JSON 1.0, and the query protocol through `handleSqsQuery`) over the template's
 * queues and those created at run time. The template's queues are read-only (DeleteQueue and
 * SetQueueAttributes on one are refused: the CDK app defines it). Errors are `SqsError`s; ReceiveMessage
 * answers with a promise when it waits for messages.
 */
export function sqsActions(queues: LocalQueues): ApiActions {
  const queueOf = (params: Params): LocalQueue => queues.find(requiredString(params, 'QueueUrl'));

  return {
    ListQueues: (params) => {
      const prefix = optionalString(params, 'QueueNamePrefix') ?? '';
      const max = optionalInt(
        params,
        'MaxResults',
        1,
        1000,
        'MaxResults must be an integer between 1 and 1000.',
      );
      const urls = queues
        .all()
        .filter((q) => q.name.startsWith(prefix))
        .map((q) => q.url);
      // Without MaxResults SQS lists up to 1000 queues and never pages.
      const { items, nextToken } = page(urls, {
        list: 'ListQueues',
        nextToken: optionalString(params, 'NextToken'),
        size: max,
        defaultSize: 1000,
        maxSize: 1000,
        invalidToken: 'InvalidParameterValue',
      });
      return {
        ...(items.length > 0 ? { QueueUrls: items } : {}),
        ...(max !== undefined && nextToken ? { NextToken: nextToken } : {}),
      };
    },

    GetQueueUrl: (params) => {
      const name = requiredString(params, 'QueueName');
      const owner = optionalString(params, 'QueueOwnerAWSAccountId');
      const queue = queues.all().find((q) => q.name === name);
      if (!queue || (owner !== undefined && accountOf(queue) !== owner)) throw SqsError.queueDoesNotExist();
      return { QueueUrl: queue.url };
    },

    GetQueueAttributes: (params) => {
      const queue = queueOf(params);
      const names = stringList(params, 'AttributeNames');
      for (const name of names)
        if (name !== 'All' && !QUEUE_ATTRIBUTE_NAMES.has(name))
          throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      const all = queueAttributes(queue);
      const wanted = names.includes('All') ? Object.keys(all) : names;
      const attributes = Object.fromEntries(
        wanted.filter((name) => all[name] !== undefined).map((name) => [name, all[name]]),
      );
      return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
    },

    SendMessage: (params) => {
      const queue = queueOf(params);
      return sendMessageResult(sendOne(queue, params));
    },

    SendMessageBatch: (params) => {
      const queue = queueOf(params);
      const entries = batchEntries(params, 'SendMessageBatchRequestEntry');
      // SQS refuses the whole batch when its messages together are over the queue's maximum size.
      const total = entries.reduce(
        (sum, e) => sum + (typeof e.MessageBody === 'string' ? Buffer.byteLength(e.MessageBody) : 0),
        0,
      );
      if (total > queue.settings.maximumMessageSize)
        throw new SqsError(
          'BatchRequestTooLong',
          `Batch requests cannot be longer than ${queue.settings.maximumMessageSize} bytes. You have sent ${total} bytes.`,
          { queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong' },
        );
      return perEntry(entries, (entry) => sendMessageResult(sendOne(queue, entry)));
    },

    DeleteMessageBatch: (params) => {
      const queue = queueOf(params);
      return perEntry(batchEntries(params, 'DeleteMessageBatchRequestEntry'), (entry) => {
        queue.delete(requiredString(entry, 'ReceiptHandle'));
        return {};
      });
    },

    ChangeMessageVisibility: (params) => {
      const queue = queueOf(params);
      queue.changeVisibility(requiredString(params, 'ReceiptHandle'), visibilityTimeoutOf(params));
      return {};
    },

    ChangeMessageVisibilityBatch: (params) => {
      const queue = queueOf(params);
      return perEntry(batchEntries(params, 'ChangeMessageVisibilityBatchRequestEntry'), (entry) => {
        queue.changeVisibility(requiredString(entry, 'ReceiptHandle'), visibilityTimeoutOf(entry));
        return {};
      });
    },

    CreateQueue: (params) => {
      const name = requiredString(params, 'QueueName');
      const { queue } = queues.create(name, stringMap(params, 'Attributes'), stringMap(params, 'tags'));
      return { QueueUrl: queue.url };
    },

    DeleteQueue: (params) => {
      queues.delete(queueOf(params));
      return {};
    },

    SetQueueAttributes: (params) => {
      const queue = queueOf(params);
      const attributes = stringMap(params, 'Attributes');
      if (Object.keys(attributes).length === 0) throw SqsError.missingParameter('Attribute.Name');
      queues.setAttributes(queue, attributes);
      return {};
    },

    StartMessageMoveTask: (params) => {
      const rate = optionalInt(
        params,
        'MaxNumberOfMessagesPerSecond',
        1,
        500,
        'Must be between 1 and 500, if provided.',
      );
      const taskHandle = queues.startMessageMoveTask(
        requiredString(params, 'SourceArn'),
        optionalString(params, 'DestinationArn'),
        rate,
      );
      return { TaskHandle: taskHandle };
    },

    ListMessageMoveTasks: (params) => {
      const max = optionalInt(params, 'MaxResults', 1, 10, 'Must be between 1 and 10, if provided.');
      const tasks = queues.listMessageMoveTasks(requiredString(params, 'SourceArn'), max ?? 1);
      return {
        Results: tasks.map((t) => ({
          // Only a running task's handle is given: it is what CancelMessageMoveTask takes.
          ...(t.status === 'RUNNING' ? { TaskHandle: t.taskHandle } : {}),
          Status: t.status,
          SourceArn: t.sourceArn,
          ...(t.destinationArn === undefined ? {} : { DestinationArn: t.destinationArn }),
          ...(t.maxNumberOfMessagesPerSecond === undefined
            ? {}
            : { MaxNumberOfMessagesPerSecond: t.maxNumberOfMessagesPerSecond }),
          ApproximateNumberOfMessagesMoved: t.approximateNumberOfMessagesMoved,
          ApproximateNumberOfMessagesToMove: t.approximateNumberOfMessagesToMove,
          ...(t.failureReason === undefined ? {} : { FailureReason: t.failureReason }),
          StartedTimestamp: t.startedTimestamp,
        })),
      };
    },

    CancelMessageMoveTask: (params) => ({
      ApproximateNumberOfMessagesMoved: queues.cancelMessageMoveTask(requiredString(params, 'TaskHandle')),
    }),

    ReceiveMessage: async (params) => {
      const queue = queueOf(params);
      const max =
        optionalInt(params, 'MaxNumberOfMessages', 1, 10, 'Must be between 1 and 10, if provided.') ?? 1;
      const visibility = optionalInt(
        params,
        'VisibilityTimeout',
        0,
        43_200,
        'Must be >= 0 and <= 43200, if provided.',
      );
      const wait =
        optionalInt(params, 'WaitTimeSeconds', 0, 20, 'Must be >= 0 and <= 20, if provided.') ??
        queue.settings.receiveMessageWaitTimeSeconds;
      const systemNames = [
        ...stringList(params, 'AttributeNames'),
        ...stringList(params, 'MessageSystemAttributeNames'),
      ];
      const attributeNames = stringList(params, 'MessageAttributeNames');

      const deadline = Date.now() + wait * 1000;
      let received = queue.receive(max, visibility);
      while (received.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(POLL_INTERVAL_MS, deadline - Date.now())),
        );
        received = queue.receive(max, visibility);
      }
      const messages = received.map((m) => messageOf(queue, m, systemNames, attributeNames));
      return messages.length > 0 ? { Messages: messages } : {};
    },

    DeleteMessage: (params) => {
      const queue = queueOf(params);
      queue.delete(requiredString(params, 'ReceiptHandle'));
      return {};
    },

    PurgeQueue: (params) => {
      queueOf(params).purge();
      return {};
    },
  };
}

/**
 * How the HTTP layer answers an `AmazonSQS.*` action's error: the status the error carries, `__type`
 * `com.amazonaws.sqs#<code>` with `message`, and `x-amzn-query-error: <query code>;<Sender|Receiver>`, which
 * SDK v3 and botocore read first because SQS's JSON protocol is query-compatible.
 */
export function sqsJsonError(error: AwsError): ErrorAnswer {
  const sqs = error instanceof SqsError ? error : new SqsError(error.code, error.message);
  return {
    status: sqs.status,
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-query-error': sqs.queryErrorHeader },
    body: JSON.stringify({ __type: sqs.jsonType, message: sqs.message }),
  };
}

/** Every attribute GetQueueAttributes `All` answers with, as strings, as SQS sends them. */
function queueAttributes(queue: LocalQueue): Record<string, string> {
  const counts = queue.counts();
  return {
    QueueArn: queue.arn,
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor((queue.lastModifiedAt ?? queue.createdAt) / 1000)),
    ...queue.configuredAttributes(),
  };
}

/** One SendMessage, or one entry of a SendMessageBatch: its parameters checked, then sent. */
function sendOne(queue: LocalQueue, params: Params): SentMessage {
  const body = params.MessageBody;
  if (body === undefined || body === null) throw SqsError.missingParameter('MessageBody');
  if (typeof body !== 'string')
    throw SqsError.invalidParameterValue(
      'Value for parameter MessageBody is invalid. Reason: Must be a string.',
    );
  const delaySeconds = optionalInt(params, 'DelaySeconds', 0, 900, 'DelaySeconds must be >= 0 and <= 900.');
  const messageGroupId = optionalString(params, 'MessageGroupId');
  const messageDeduplicationId = optionalString(params, 'MessageDeduplicationId');
  return queue.send(body, {
    delaySeconds,
    messageAttributes: messageAttributesOf(params.MessageAttributes),
    ...(messageGroupId === undefined ? {} : { messageGroupId }),
    ...(messageDeduplicationId === undefined ? {} : { messageDeduplicationId }),
  });
}

function visibilityTimeoutOf(params: Params): number {
  const timeout = optionalInt(
    params,
    'VisibilityTimeout',
    0,
    43_200,
    'Must be between 0 and 43200, if provided.',
  );
  if (timeout === undefined) throw SqsError.missingParameter('VisibilityTimeout');
  return timeout;
}

/**
 * A batch request's entries, checked as SQS checks them (API reference, SendMessageBatch and
 * DeleteMessageBatch): 1 to 10 (EmptyBatchRequest, TooManyEntriesInBatchRequest), each with an Id of 1 to 80
 * alphanumerics, hyphens and underscores (InvalidBatchEntryId), no Id twice (BatchEntryIdsNotDistinct).
 */
function batchEntries(params: Params, entryName: string): Params[] {
  const raw = params.Entries;
  if (raw !== undefined && raw !== null && !Array.isArray(raw))
    throw SqsError.invalidParameterValue('Value for parameter Entries is invalid. Reason: Must be a list.');
  const entries = (raw ?? []) as unknown[];
  if (entries.length === 0)
    throw new SqsError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`, {
      queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest',
    });
  if (entries.length > MAX_BATCH_ENTRIES)
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
      { queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest' },
    );
  const seen = new Set<string>();
  return entries.map((entry) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw SqsError.invalidParameterValue(
        `Value for parameter ${entryName} is invalid. Reason: Must be a structure.`,
      );
    const id = (entry as Params).Id;
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(id))
      throw new SqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
        { queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId' },
      );
    if (seen.has(id))
      throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`, {
        queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
      });
    seen.add(id);
    return entry as Params;
  });
}

/**
 * Runs a batch entry by entry: an entry that fails is reported in `Failed` with its error (SenderFault, Code,
 * Message) and the others go on, as SQS answers a batch.
 */
function perEntry(
  entries: readonly Params[],
  run: (entry: Params) => Record<string, unknown>,
): { Successful: Record<string, unknown>[]; Failed: Record<string, unknown>[] } {
  const Successful: Record<string, unknown>[] = [];
  const Failed: Record<string, unknown>[] = [];
  for (const entry of entries) {
    const Id = entry.Id as string;
    try {
      Successful.push({ Id, ...run(entry) });
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      const sqs = error instanceof SqsError ? error : undefined;
      Failed.push({
        Id,
        SenderFault: (sqs?.fault ?? 'Sender') === 'Sender',
        Code: error.code,
        Message: error.message,
      });
    }
  }
  return { Successful, Failed };
}

/** A map of strings (CreateQueue's Attributes and tags); absent is empty. */
function stringMap(params: Params, name: string): Record<string, string> {
  const value = params[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw SqsError.invalidParameterValue(`Value for parameter ${name} is invalid. Reason: Must be a map.`);
  const map: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      throw SqsError.invalidParameterValue(
        `Value for parameter ${name}.${key} is invalid. Reason: Must be a string.`,
      );
    map[key] = v;
  }
  return map;
}

/** A received message as ReceiveMessage answers with it: only the attributes asked for. */
function messageOf(
  queue: LocalQueue,
  m: QueueMessage,
  systemNames: readonly string[],
  attributeNames: readonly string[],
): Record<string, unknown> {
  const system: Record<(typeof MESSAGE_SYSTEM_ATTRIBUTE_NAMES)[number], string | undefined> = {
    SenderId: accountOf(queue),
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
    // Only on a message a redrive policy moved here.
    DeadLetterQueueSourceArn: m.deadLetterQueueSourceArn,
    // A FIFO queue's (SQS API reference, ReceiveMessage: MessageSystemAttributeNames).
    MessageGroupId: m.messageGroupId,
    MessageDeduplicationId: m.messageDeduplicationId,
    SequenceNumber: m.sequenceNumber,
  };
  const wantsAll = systemNames.includes('All');
  const attributes = Object.fromEntries(
    MESSAGE_SYSTEM_ATTRIBUTE_NAMES.filter(
      (name) => (wantsAll || systemNames.includes(name)) && system[name] !== undefined,
    ).map((name) => [name, system[name]]),
  );
  const messageAttributes = Object.fromEntries(
    Object.entries(m.messageAttributes).filter(([name]) => isRequested(name, attributeNames)),
  );
  const hasMessageAttributes = Object.keys(messageAttributes).length > 0;
  return {
    MessageId: m.messageId,
    ReceiptHandle: m.receiptHandle,
    MD5OfBody: m.md5OfBody,
    Body: m.body,
    ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
    // The digest of the attributes returned, so that a client can check what it was given.
    ...(hasMessageAttributes
      ? {
          MD5OfMessageAttributes: md5OfMessageAttributes(messageAttributes),
          MessageAttributes: messageAttributes,
        }
      : {}),
  };
}

/** `All` and `.*` ask for every attribute; `prefix.*` for those whose names start with `prefix.`. */
function isRequested(name: string, requested: readonly string[]): boolean {
  return requested.some(
    (r) => r === 'All' || r === '.*' || r === name || (r.endsWith('.*') && name.startsWith(r.slice(0, -1))),
  );
}

function accountOf(queue: LocalQueue): string {
  return queue.arn.split(':')[4] ?? '';
}

/** The message attributes of a SendMessage, checked for shape; the queue checks their content. */
function messageAttributesOf(value: unknown): MessageAttributes {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw SqsError.invalidParameterValue(
      'Value for parameter MessageAttributes is invalid. Reason: Must be a map.',
    );
  const attributes: Record<string, MessageAttributes[string]> = {};
  for (const [name, raw] of Object.entries(value)) {
    const a = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const text = (key: string) => {
      const v = a[key];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'string')
        throw SqsError.invalidParameterValue(
          `Value for parameter MessageAttributes.${name}.${key} is invalid. Reason: Must be a string.`,
        );
      return v;
    };
    const DataType = text('DataType') ?? '';
    const StringValue = text('StringValue');
    const BinaryValue = text('BinaryValue');
    attributes[name] = {
      DataType,
      ...(StringValue === undefined ? {} : { StringValue }),
      ...(BinaryValue === undefined ? {} : { BinaryValue }),
    };
  }
  return attributes;
}

function requiredString(params: Params, name: string): string {
  const value = optionalString(params, name);
  if (value === undefined || value.length === 0) throw SqsError.missingParameter(name);
  return value;
}

function optionalString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw SqsError.invalidParameterValue(
      `Value ${String(value)} for parameter ${name} is invalid. Reason: Must be a string.`,
    );
  return value;
}

/** An integer parameter in [min, max]; the query protocol sends it as a string. */
function optionalInt(
  params: Params,
  name: string,
  min: number,
  max: number,
  reason: string,
): number | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
    throw SqsError.invalidParameterValue(
      `Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`,
    );
  return n;
}

function stringList(params: Params, name: string): string[] {
  const value = params[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw SqsError.invalidParameterValue(
      `Value for parameter ${name} is invalid. Reason: Must be a list of strings.`,
    );
  return value;
}
