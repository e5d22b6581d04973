import { UnsupportedTemplateError } from '../../local/errors';
import {
  type BatchOutcome,
  type Invoker,
  LocalEventSourceMappings,
  type SqsEventRecord,
} from '../../local/event-source-mappings';
import { LocalQueue, LocalQueues } from '../../local/sqs';
import type { Resource } from '../../local/template';
import { thrownBy } from '../support/errors';
import { eventually } from '../support/runtime';

const ENDPOINT = 'http://127.0.0.1:4010/000000000000';
const arnOf = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
const FUNCTION = 'adapter';

function mappingResource(properties: Record<string, unknown> = {}): Resource {
  return {
    logicalId: 'AdapterMapping',
    type: 'AWS::Lambda::EventSourceMapping',
    properties: { EventSourceArn: arnOf('jobs'), FunctionName: FUNCTION, ...properties },
    metadata: {},
    ref: '00000000-0000-0000-0000-000000000001',
    attributes: {},
  };
}

type Handler = (event: { Records: SqsEventRecord[] }) => Promise<unknown>;

/**
 * A queue `jobs` (with a DLQ after `maxReceiveCount` receives), a function, and a mapping between them. The
 * visibility timeout is 0 unless given: a failed record is received again at once.
 */
function setUp(
  handler: Handler,
  properties: Record<string, unknown> = {},
  maxReceiveCount = 2,
  visibilityTimeoutSeconds = 0,
) {
  const queues = new LocalQueues();
  const queue = new LocalQueue('jobs', `${ENDPOINT}/jobs`, arnOf('jobs'), visibilityTimeoutSeconds);
  const dlq = new LocalQueue('jobs-dlq', `${ENDPOINT}/jobs-dlq`, arnOf('jobs-dlq'));
  queues.add(queue);
  queues.add(dlq);
  queue.redrivePolicy = { deadLetterTargetArn: dlq.arn, maxReceiveCount };
  const events: { Records: SqsEventRecord[] }[] = [];
  const functions: Invoker = {
    has: (name) => name === FUNCTION,
    invoke: async (_name, payload) => {
      const event = payload as { Records: SqsEventRecord[] };
      events.push(event);
      return handler(event);
    },
  };
  const batches: BatchOutcome[] = [];
  const mappings = new LocalEventSourceMappings([mappingResource(properties)], queues, functions, {
    pollIntervalMs: 5,
    onBatch: (outcome) => batches.push(outcome),
  });
  return { queue, dlq, mappings, events, batches };
}

describe('SQS event source mappings', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('invokes the function with the SQS event and deletes the records it processed', async () => {
    // Prepare
    const { queue, mappings, events } = setUp(async () => ({ batchItemFailures: [] }), {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const sent = queue.send('{"hello":"world"}', {
      messageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' } },
    });

    // Act
    stop = () => mappings.stop();
    mappings.start();
    await eventually(async () => (queue.messages.length === 0 ? true : undefined), 30_000);

    // Assess
    expect(events).toEqual([
      {
        Records: [
          {
            messageId: sent.messageId,
            receiptHandle: expect.any(String),
            body: '{"hello":"world"}',
            attributes: {
              ApproximateReceiveCount: '1',
              SentTimestamp: String(sent.sentAt),
              SenderId: '000000000000',
              ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
            },
            messageAttributes: {
              kind: {
                stringValue: 'greeting',
                stringListValues: [],
                binaryListValues: [],
                dataType: 'String',
              },
            },
            md5OfBody: sent.md5OfBody,
            md5OfMessageAttributes: sent.md5OfMessageAttributes,
            eventSource: 'aws:sqs',
            eventSourceARN: arnOf('jobs'),
            awsRegion: 'us-east-1',
          },
        ],
      },
    ]);
  });

  it('gives the function at most BatchSize records at a time', async () => {
    // Prepare
    const { queue, mappings, events } = setUp(async () => undefined, { BatchSize: 2 });
    for (const body of ['a', 'b', 'c', 'd', 'e']) queue.send(body);

    // Act
    stop = () => mappings.stop();
    mappings.start();
    await eventually(async () => (queue.messages.length === 0 ? true : undefined), 30_000);

    // Assess
    expect(events.map((e) => e.Records.map((r) => r.body))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('waits up to the batching window to fill a batch', async () => {
    // Prepare: a window of 1 s; the second message arrives while the first waits.
    const { queue, mappings, events } = setUp(
      async () => undefined,
      { BatchSize: 10, MaximumBatchingWindowInSeconds: 1 },
      2,
      30,
    );
    stop = () => mappings.stop();
    mappings.start();

    // Act
    queue.send('first');
    await new Promise((resolve) => setTimeout(resolve, 100));
    queue.send('second');
    await eventually(async () => (queue.messages.length === 0 ? true : undefined), 30_000);

    // Assess
    expect(events.map((e) => e.Records.map((r) => r.body))).toEqual([['first', 'second']]);
  });

  it('keeps only the records the function reports in batchItemFailures, until the dead-letter queue', async () => {
    // Prepare: `bad` always fails; maxReceiveCount 2.
    const { queue, dlq, mappings, events } = setUp(
      async ({ Records }) => ({
        batchItemFailures: Records.filter((r) => r.body === 'bad').map((r) => ({
          itemIdentifier: r.messageId,
        })),
      }),
      { FunctionResponseTypes: ['ReportBatchItemFailures'] },
      2,
    );
    queue.send('good');
    const bad = queue.send('bad');

    // Act
    stop = () => mappings.stop();
    mappings.start();
    await eventually(async () => (dlq.messages.length === 1 ? true : undefined), 30_000);

    // Assess
    expect(queue.messages).toEqual([]);
    expect(dlq.messages.map((m) => m.messageId)).toEqual([bad.messageId]);
    const badCounts = events.flatMap((e) =>
      e.Records.filter((r) => r.body === 'bad').map((r) => r.attributes.ApproximateReceiveCount),
    );
    expect(badCounts).toEqual(['1', '2']);
    expect(events.flatMap((e) => e.Records.filter((r) => r.body === 'good'))).toHaveLength(1);
  });

  it('fails the whole batch when the function throws', async () => {
    // Prepare
    const { queue, dlq, mappings, batches } = setUp(
      async () => {
        throw new Error('boom');
      },
      { FunctionResponseTypes: ['ReportBatchItemFailures'] },
      1,
    );
    queue.send('a');
    queue.send('b');

    // Act
    stop = () => mappings.stop();
    mappings.start();
    await eventually(async () => (dlq.messages.length === 2 ? true : undefined), 30_000);

    // Assess
    expect(batches[0]).toMatchObject({
      failed: expect.arrayContaining(batches[0]?.messageIds ?? []),
      error: 'boom',
    });
  });

  it.each([
    ['an itemIdentifier that is not in the batch', { batchItemFailures: [{ itemIdentifier: 'nope' }] }],
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a response that is not an object', 'ok'],
  ])('fails the whole batch on %s', async (_what, response) => {
    // Prepare
    const { queue, mappings, batches } = setUp(async () => response, {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const sent = queue.send('a');

    // Act
    stop = () => mappings.stop();
    mappings.start();
    await eventually(async () => (batches.length > 0 ? true : undefined), 30_000);

    // Assess
    expect(batches[0]).toMatchObject({ failed: [sent.messageId], error: expect.any(String) });
  });

  it('ignores the response without ReportBatchItemFailures: every record of a batch that returned is done', async () => {
    // Prepare
    const { queue, mappings } = setUp(async ({ Records }) => ({
      batchItemFailures: Records.map((r) => ({ itemIdentifier: r.messageId })),
    }));
    queue.send('a');

    // Act
    stop = () => mappings.stop();
    mappings.start();
    await eventually(async () => (queue.messages.length === 0 ? true : undefined), 30_000);

    // Assess
    expect(queue.messages).toEqual([]);
  });

  it('stops polling when stopped', async () => {
    // Prepare
    const { queue, mappings, events } = setUp(async () => undefined);
    mappings.start();

    // Act
    await mappings.stop();
    queue.send('after');
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Assess
    expect(events).toEqual([]);
    expect(queue.messages).toHaveLength(1);
  });

  it.each([
    [
      'a source that is not a template queue',
      { EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s' },
    ],
    ['a function that is not in the template', { FunctionName: 'other' }],
    ['a property it does not emulate', { FilterCriteria: { Filters: [] } }],
    ['a batch over 10 without a batching window', { BatchSize: 100 }],
  ])('rejects a mapping with %s, naming it', (_what, properties) => {
    // Act
    const error = thrownBy(() => setUp(async () => undefined, properties));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedTemplateError);
    expect(error.message).toContain('AdapterMapping');
  });
});
