import { UnsupportedTemplateError } from './errors';
import type { LocalQueue, LocalQueues, QueueMessage } from './sqs';
import type { Resource } from './template';

/** What a mapping invokes: the template's functions (`LocalLambdas`), or a stand-in in tests. */
export interface Invoker {
  has(nameOrArn: string): boolean;
  invoke(nameOrArn: string, payload: unknown): Promise<unknown>;
}

/** One `AWS::Lambda::EventSourceMapping` from an SQS queue, as the runtime polls it. */
export interface SqsEventSourceMapping {
  readonly logicalId: string;
  /** The mapping's UUID (its `Ref`). */
  readonly uuid: string;
  readonly queue: LocalQueue;
  /** The function's name or ARN, as the template gives it. */
  readonly functionName: string;
  /** 1 to 10,000 records per invocation (default 10). */
  readonly batchSize: number;
  /** How long to gather records before invoking with fewer than `batchSize` (default 0: at once). */
  readonly maximumBatchingWindowSeconds: number;
  /** `FunctionResponseTypes: [ReportBatchItemFailures]`: the function reports the records that failed. */
  readonly reportBatchItemFailures: boolean;
  readonly enabled: boolean;
}

/** An SQS record as Lambda's event source mapping delivers it (Lambda Developer Guide, "Using Lambda with Amazon SQS"). */
export interface SqsEventRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: Record<string, string>;
  readonly messageAttributes: Record<
    string,
    {
      stringValue?: string;
      binaryValue?: string;
      stringListValues: string[];
      binaryListValues: string[];
      dataType: string;
    }
  >;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string;
  readonly eventSource: 'aws:sqs';
  readonly eventSourceARN: string;
  readonly awsRegion: string;
}

/** What became of one invocation's batch. */
export interface BatchOutcome {
  readonly mapping: string;
  readonly messageIds: readonly string[];
  /** The records left in the queue, to be received again after the visibility timeout. */
  readonly failed: readonly string[];
  /** Why the whole batch failed (the function threw, or answered what Lambda reads as a failure). */
  readonly error?: string;
}

export interface EventSourceMappingsOptions {
  /** How long an idle poller waits before it looks at its queue again (default 50 ms). */
  readonly pollIntervalMs?: number;
  /** Told after each invocation: tests watch batches with it. */
  readonly onBatch?: (outcome: BatchOutcome) => void;
}

/** The properties the runtime emulates (or accepts without effect, see `IGNORED`). */
const EMULATED_PROPERTIES = new Set([
  'EventSourceArn',
  'FunctionName',
  'BatchSize',
  'MaximumBatchingWindowInSeconds',
  'FunctionResponseTypes',
  'Enabled',
]);
/** Accepted without effect: the runtime runs one batch at a time per mapping, and keeps no metrics or tags. */
const IGNORED = new Set(['ScalingConfig', 'MetricsConfig', 'Tags']);
/** SQS returns at most 10 messages a receive. */
const MAX_RECEIVE = 10;
const POLL_INTERVAL_MS = 50;

/**
 * Lambda's event source mappings from the template's SQS queues, run the way Lambda runs them: poll the
 * queue (a FIFO queue hands out a message group's messages in order, none while an earlier one of the group
 * is in flight, so one batch per group is in flight at a time), gather up to BatchSize records (waiting up to MaximumBatchingWindowInSeconds for more), invoke the
 * function with the SQS event, then delete the records that succeeded. When the function throws, every
 * record stays; with ReportBatchItemFailures, the records it lists in `batchItemFailures` stay. A record
 * that stays becomes visible again after the queue's visibility timeout and, once received the redrive
 * policy's maxReceiveCount times, goes to the dead-letter queue. A mapping from anything but a template queue,
 * or with a property the runtime does not emulate, is a startup error naming it.
 */
export class LocalEventSourceMappings {
  readonly mappings: readonly SqsEventSourceMapping[];
  private running = false;
  private loops: Promise<void>[] = [];
  /** The pollers' pending waits: `stop` ends them at once. */
  private readonly sleepers = new Set<() => void>();
  private readonly pollIntervalMs: number;

  constructor(
    resources: Iterable<Resource>,
    queues: LocalQueues,
    private readonly functions: Invoker,
    private readonly options: EventSourceMappingsOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? POLL_INTERVAL_MS;
    this.mappings = [...resources]
      .filter((r) => r.type === 'AWS::Lambda::EventSourceMapping')
      .map((r) => mappingOf(r, queues, functions));
  }

  /** Starts polling every enabled mapping's queue. */
  start(): this {
    if (this.running) return this;
    this.running = true;
    this.loops = this.mappings.filter((m) => m.enabled).map((m) => this.poll(m));
    return this;
  }

  /**
   * Stops polling. A batch being invoked gets up to `graceMs` to end (its successes are then deleted); records
   * received and not deleted become visible again after the visibility timeout, at the next start if need be.
   */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const wake of this.sleepers) wake();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.loops),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    this.loops = [];
  }

  private async poll(mapping: SqsEventSourceMapping): Promise<void> {
    while (this.running) {
      try {
        const records = await this.gather(mapping);
        if (records.length > 0) await this.invoke(mapping, records);
      } catch (error) {
        // A poller never dies: say what went wrong, then poll again.
        console.error(
          `local runtime: event source mapping ${mapping.logicalId}: ${error instanceof Error ? error.message : error}`,
        );
        await this.sleep(this.pollIntervalMs);
      }
    }
  }

  /**
   * Receives up to BatchSize records: at once when the batching window is 0, else until the batch is full or
   * the window (counted from the first record) has passed. Nothing while stopping.
   */
  private async gather(mapping: SqsEventSourceMapping): Promise<SqsEventRecord[]> {
    const records: SqsEventRecord[] = [];
    let deadline: number | undefined;
    while (this.running) {
      const wanted = Math.min(MAX_RECEIVE, mapping.batchSize - records.length);
      const received = mapping.queue.receive(wanted);
      // Captured now: a later receive of the same message gives it another handle and count. A message
      // received again within the window (a visibility timeout shorter than it) is in the batch once.
      for (const m of received) {
        const at = records.findIndex((r) => r.messageId === m.messageId);
        if (at >= 0) records.splice(at, 1);
        records.push(recordOf(mapping.queue, m));
      }
      if (records.length >= mapping.batchSize) return records;
      if (received.length === MAX_RECEIVE) continue;
      if (records.length > 0) {
        if (mapping.maximumBatchingWindowSeconds === 0) return records;
        deadline ??= Date.now() + mapping.maximumBatchingWindowSeconds * 1000;
        if (Date.now() >= deadline) return records;
      }
      const wait =
        deadline === undefined ? this.pollIntervalMs : Math.min(this.pollIntervalMs, deadline - Date.now());
      await this.sleep(Math.max(0, wait));
    }
    return [];
  }

  private async invoke(mapping: SqsEventSourceMapping, records: readonly SqsEventRecord[]): Promise<void> {
    let failed: ReadonlySet<string>;
    let error: string | undefined;
    try {
      const response = await this.functions.invoke(mapping.functionName, { Records: records });
      const failures = mapping.reportBatchItemFailures
        ? batchItemFailures(response, records)
        : new Set<string>();
      if (typeof failures === 'string') {
        error = failures;
        failed = new Set(records.map((r) => r.messageId));
      } else failed = mapping.queue.fifo ? withRestOfGroups(failures, records) : failures;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      failed = new Set(records.map((r) => r.messageId));
    }
    for (const record of records) {
      // A handle superseded by a later receive deletes nothing, as SQS does.
      if (!failed.has(record.messageId)) mapping.queue.delete(record.receiptHandle);
    }
    this.options.onBatch?.({
      mapping: mapping.logicalId,
      messageIds: records.map((r) => r.messageId),
      failed: [...failed],
      ...(error === undefined ? {} : { error }),
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      this.sleepers.add(wake);
    });
  }
}

/**
 * A FIFO batch's failed records and, after each, the rest of its message group in the batch: Lambda returns
 * those to the queue too, so that the group is processed again in order from the failed record (Lambda
 * Developer Guide, "Using Lambda with Amazon SQS": with a FIFO queue, stop at the first failure and return the
 * failed and unprocessed messages).
 */
function withRestOfGroups(failed: ReadonlySet<string>, records: readonly SqsEventRecord[]): Set<string> {
  const kept = new Set(failed);
  const failedGroups = new Set<string>();
  for (const record of records) {
    const group = record.attributes.MessageGroupId;
    if (group === undefined) continue;
    if (failedGroups.has(group)) kept.add(record.messageId);
    else if (failed.has(record.messageId)) failedGroups.add(group);
  }
  return kept;
}

/**
 * The records a partial batch response reports as failed, or why Lambda reads the whole batch as failed
 * (Lambda Developer Guide, "Handling errors for an SQS event source": a null or empty response or
 * `batchItemFailures` is complete success; a response that is not one, or an `itemIdentifier` that is empty,
 * null or not a message id of the batch, is complete failure).
 */
function batchItemFailures(response: unknown, records: readonly SqsEventRecord[]): Set<string> | string {
  if (response === undefined || response === null) return new Set();
  if (typeof response !== 'object' || Array.isArray(response))
    return `The function's response is not a partial batch response: ${JSON.stringify(response)}`;
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return 'batchItemFailures is not a list.';
  const ids = new Set(records.map((r) => r.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id))
      return `batchItemFailures names ${JSON.stringify(id ?? null)}, not a message of the batch.`;
    failed.add(id);
  }
  return failed;
}

function recordOf(queue: LocalQueue, m: QueueMessage): SqsEventRecord {
  const [, , , region = '', account = ''] = queue.arn.split(':');
  return {
    messageId: m.messageId,
    receiptHandle: m.receiptHandle as string,
    body: m.body,
    attributes: {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentAt),
      SenderId: account,
      ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
      ...(m.deadLetterQueueSourceArn ? { DeadLetterQueueSourceArn: m.deadLetterQueueSourceArn } : {}),
      // A FIFO queue's records carry their group, deduplication id and sequence number.
      ...(m.sequenceNumber === undefined ? {} : { SequenceNumber: m.sequenceNumber }),
      ...(m.messageGroupId === undefined ? {} : { MessageGroupId: m.messageGroupId }),
      ...(m.messageDeduplicationId === undefined ? {} : { MessageDeduplicationId: m.messageDeduplicationId }),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(m.messageAttributes).map(([name, a]) => [
        name,
        {
          ...(a.StringValue === undefined ? {} : { stringValue: a.StringValue }),
          ...(a.BinaryValue === undefined ? {} : { binaryValue: a.BinaryValue }),
          stringListValues: [],
          binaryListValues: [],
          dataType: a.DataType,
        },
      ]),
    ),
    md5OfBody: m.md5OfBody,
    ...(m.md5OfMessageAttributes === undefined ? {} : { md5OfMessageAttributes: m.md5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: region,
  };
}

/** A template's mapping, checked: an SQS queue of the template, a function of the template, emulated properties. */
function mappingOf(r: Resource, queues: LocalQueues, functions: Invoker): SqsEventSourceMapping {
  const p = r.properties;
  const fail = (reason: string) =>
    new UnsupportedTemplateError(`${r.logicalId} (AWS::Lambda::EventSourceMapping): ${reason}`);
  const unknown = Object.keys(p).filter((k) => !EMULATED_PROPERTIES.has(k) && !IGNORED.has(k));
  if (unknown.length > 0) throw fail(`the local runtime does not emulate ${unknown.join(', ')}.`);
  const source = p.EventSourceArn;
  const queue =
    typeof source === 'string' && source.startsWith('arn:aws:sqs:')
      ? queues.all().find((q) => q.arn === source)
      : undefined;
  if (!queue)
    throw fail(
      `its event source ${JSON.stringify(source)} is not an SQS queue of the template; only those are emulated.`,
    );
  const functionName = p.FunctionName;
  if (typeof functionName !== 'string' || !functions.has(functionName))
    throw fail(`its function ${JSON.stringify(functionName)} is not a function of the template.`);
  const batchSize = p.BatchSize === undefined ? 10 : Number(p.BatchSize);
  const window =
    p.MaximumBatchingWindowInSeconds === undefined ? 0 : Number(p.MaximumBatchingWindowInSeconds);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
    throw fail(`BatchSize ${JSON.stringify(p.BatchSize)} is not an integer from 1 to 10000.`);
  if (!Number.isInteger(window) || window < 0 || window > 300)
    throw fail(
      `MaximumBatchingWindowInSeconds ${JSON.stringify(p.MaximumBatchingWindowInSeconds)} is not an integer from 0 to 300.`,
    );
  // Lambda's rule: a batch of more than 10 records needs a batching window.
  if (batchSize > 10 && window < 1)
    throw fail(`a BatchSize of ${batchSize} needs MaximumBatchingWindowInSeconds of at least 1.`);
  const responseTypes = (p.FunctionResponseTypes as unknown[] | undefined) ?? [];
  if (!Array.isArray(responseTypes) || responseTypes.some((t) => t !== 'ReportBatchItemFailures'))
    throw fail(`FunctionResponseTypes ${JSON.stringify(p.FunctionResponseTypes)} is not emulated.`);
  return {
    logicalId: r.logicalId,
    uuid: r.ref,
    queue,
    functionName,
    batchSize,
    maximumBatchingWindowSeconds: window,
    reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
    enabled: p.Enabled !== false && p.Enabled !== 'false',
  };
}
