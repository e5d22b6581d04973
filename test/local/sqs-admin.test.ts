import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiActions } from '../../local/api/protocol';
import { sqsActions } from '../../local/api/sqs';
import { handleSqsQuery } from '../../local/api/sqs-query';
import { LocalQueue, LocalQueues } from '../../local/sqs';
import { MessageStore } from '../../local/storage/messages';
import { rejectionOf } from '../support/errors';
import { eventually } from '../support/runtime';

const ENDPOINT = 'http://127.0.0.1:4010';
const ACCOUNT = '000000000000';
const urlOf = (name: string) => `${ENDPOINT}/${ACCOUNT}/${name}`;
const arnOf = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

type Result = Record<string, unknown>;

/** The runtime's queues with one template queue (`template-queue`), and SQS's API over them. */
function setUp(): { queues: LocalQueues; api: Required<ApiActions>; call: Call } {
  const queues = new LocalQueues();
  queues.add(new LocalQueue('template-queue', urlOf('template-queue'), arnOf('template-queue')));
  const api = sqsActions(queues) as Required<ApiActions>;
  const call: Call = async (action, params) => (await api[action]?.(params)) as Result;
  return { queues, api, call };
}

type Call = (action: string, params: Result) => Promise<Result>;

/** The error an action fails with. */
async function failure(call: Call, action: string, params: Result): Promise<Error & Record<string, unknown>> {
  return (await rejectionOf(() => call(action, params))) as Error & Record<string, unknown>;
}

/** Receives up to 10 messages with their receipt handles. */
async function receive(call: Call, QueueUrl: string): Promise<{ Body: string; ReceiptHandle: string }[]> {
  const result = await call('ReceiveMessage', { QueueUrl, MaxNumberOfMessages: 10 });
  return (result.Messages ?? []) as { Body: string; ReceiptHandle: string }[];
}

/*
 * The SQS control plane a team uses at run time, as the SQS API reference describes each action
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_Operations.html).
 */
describe('SQS control plane', () => {
  describe('CreateQueue', () => {
    it('creates a standard queue with the attributes given and lists it', async () => {
      // Prepare
      const { call } = setUp();

      // Act
      const created = await call('CreateQueue', {
        QueueName: 'team-queue',
        Attributes: { VisibilityTimeout: '45', MessageRetentionPeriod: '3600', DelaySeconds: '0' },
      });
      const attributes = await call('GetQueueAttributes', {
        QueueUrl: created.QueueUrl,
        AttributeNames: ['All'],
      });
      const listed = await call('ListQueues', { QueueNamePrefix: 'team-' });

      // Assess
      expect(created.QueueUrl).toBe(urlOf('team-queue'));
      expect(attributes.Attributes).toMatchObject({
        QueueArn: arnOf('team-queue'),
        VisibilityTimeout: '45',
        MessageRetentionPeriod: '3600',
        DelaySeconds: '0',
      });
      expect((attributes.Attributes as Result).FifoQueue).toBeUndefined();
      expect(listed.QueueUrls).toEqual([urlOf('team-queue')]);
    });

    it('creates a FIFO queue, whose name must end with .fifo', async () => {
      // Prepare: "A FIFO queue name must end with the .fifo suffix." (API reference, CreateQueue)
      const { call } = setUp();

      // Act
      const created = await call('CreateQueue', {
        QueueName: 'team.fifo',
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
      });
      const attributes = await call('GetQueueAttributes', {
        QueueUrl: created.QueueUrl,
        AttributeNames: ['All'],
      });
      const badName = await failure(call, 'CreateQueue', {
        QueueName: 'team',
        Attributes: { FifoQueue: 'true' },
      });

      // Assess
      expect(attributes.Attributes).toMatchObject({
        FifoQueue: 'true',
        ContentBasedDeduplication: 'true',
        DeduplicationScope: 'queue',
        FifoThroughputLimit: 'perQueue',
      });
      expect(badName).toMatchObject({ code: 'InvalidParameterValue' });
      expect(badName.message).toContain('must end with .fifo suffix');
    });

    it('answers the existing queue for the same attributes, and QueueNameExists for others', async () => {
      // Prepare: "If you provide the name of an existing queue along with the exact names and values of all
      // the queue's attributes, CreateQueue returns the queue URL for the existing queue. If the queue name,
      // attribute names, or attribute values don't match an existing queue, CreateQueue returns an error."
      // (API reference, CreateQueue)
      const { call } = setUp();
      const first = await call('CreateQueue', {
        QueueName: 'team-queue',
        Attributes: { VisibilityTimeout: '45' },
      });

      // Act
      const again = await call('CreateQueue', {
        QueueName: 'team-queue',
        Attributes: { VisibilityTimeout: '45' },
      });
      const different = await failure(call, 'CreateQueue', {
        QueueName: 'team-queue',
        Attributes: { VisibilityTimeout: '60' },
      });

      // Assess
      expect(again.QueueUrl).toBe(first.QueueUrl);
      expect(different).toMatchObject({ code: 'QueueNameExists', queryCode: 'QueueAlreadyExists' });
      expect(different.message).toContain('VisibilityTimeout');
    });

    it.each([
      ['a name with a dot', { QueueName: 'team.queue' }, 'InvalidParameterValue'],
      ['a name of 81 characters', { QueueName: 'q'.repeat(81) }, 'InvalidParameterValue'],
      ['an unknown attribute', { QueueName: 'q', Attributes: { Colour: 'blue' } }, 'InvalidAttributeName'],
      [
        'a visibility timeout over 12 hours',
        { QueueName: 'q', Attributes: { VisibilityTimeout: '43201' } },
        'InvalidAttributeValue',
      ],
      [
        'a retention under a minute',
        { QueueName: 'q', Attributes: { MessageRetentionPeriod: '59' } },
        'InvalidAttributeValue',
      ],
      [
        'ContentBasedDeduplication on a standard queue',
        { QueueName: 'q', Attributes: { ContentBasedDeduplication: 'true' } },
        'InvalidAttributeName',
      ],
    ])('rejects %s', async (_case, params, code) => {
      // Prepare
      const { call, queues } = setUp();

      // Act
      const error = await failure(call, 'CreateQueue', params);

      // Assess
      expect(error.code).toBe(code);
      expect(queues.all()).toHaveLength(1);
    });

    it('rejects a RedrivePolicy whose dead-letter queue is missing, of the other type, or refuses it', async () => {
      // Prepare: "The dead-letter queue of a FIFO queue must also be a FIFO queue." (API reference,
      // CreateQueue); a RedriveAllowPolicy of denyAll lets no queue use it (Developer Guide, "Using dead-letter
      // queues").
      const { call } = setUp();
      await call('CreateQueue', { QueueName: 'dlq.fifo', Attributes: { FifoQueue: 'true' } });
      await call('CreateQueue', {
        QueueName: 'closed-dlq',
        Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }) },
      });
      const policy = (name: string) =>
        JSON.stringify({ deadLetterTargetArn: arnOf(name), maxReceiveCount: 3 });

      // Act
      const missing = await failure(call, 'CreateQueue', {
        QueueName: 'a',
        Attributes: { RedrivePolicy: policy('none') },
      });
      const otherType = await failure(call, 'CreateQueue', {
        QueueName: 'b',
        Attributes: { RedrivePolicy: policy('dlq.fifo') },
      });
      const refused = await failure(call, 'CreateQueue', {
        QueueName: 'c',
        Attributes: { RedrivePolicy: policy('closed-dlq') },
      });

      // Assess
      expect(missing.message).toContain('Dead letter target does not exist.');
      expect(otherType.message).toContain('Dead-letter queue must be same type of queue as the source.');
      expect(refused.message).toContain('RedriveAllowPolicy');
      for (const error of [missing, otherType, refused]) expect(error.code).toBe('InvalidParameterValue');
    });
  });

  describe('SetQueueAttributes and DeleteQueue', () => {
    it('changes a created queue: its visibility timeout and redrive policy', async () => {
      // Prepare
      const { call, queues } = setUp();
      await call('CreateQueue', { QueueName: 'dlq' });
      const { QueueUrl } = await call('CreateQueue', { QueueName: 'work' });
      const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: arnOf('dlq'), maxReceiveCount: 2 });

      // Act
      await call('SetQueueAttributes', { QueueUrl, Attributes: { VisibilityTimeout: '5', RedrivePolicy } });
      const attributes = await call('GetQueueAttributes', {
        QueueUrl,
        AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'],
      });

      // Assess
      expect(attributes.Attributes).toEqual({ VisibilityTimeout: '5', RedrivePolicy });
      expect(queues.find(QueueUrl as string).redrivePolicy).toEqual({
        deadLetterTargetArn: arnOf('dlq'),
        maxReceiveCount: 2,
      });
    });

    it('rejects changing or deleting a template queue, saying to change the CDK app', async () => {
      // Prepare
      const { call, queues } = setUp();
      const QueueUrl = urlOf('template-queue');

      // Act
      const set = await failure(call, 'SetQueueAttributes', {
        QueueUrl,
        Attributes: { VisibilityTimeout: '5' },
      });
      const deleted = await failure(call, 'DeleteQueue', { QueueUrl });

      // Assess
      for (const error of [set, deleted]) {
        expect(error).toMatchObject({
          code: 'UnsupportedOperation',
          queryCode: 'AWS.SimpleQueueService.UnsupportedOperation',
        });
        expect(error.message).toContain('Change the queue in the CDK app');
      }
      expect(queues.find(QueueUrl).visibilityTimeoutSeconds).toBe(30);
    });

    it('deletes a created queue with its messages, and refuses its name for 60 seconds', async () => {
      // Prepare: "You must wait 60 seconds after deleting a queue before you can create another queue with the
      // same name." (API reference, DeleteQueue)
      const { call } = setUp();
      const { QueueUrl } = await call('CreateQueue', { QueueName: 'short-lived' });
      await call('SendMessage', { QueueUrl, MessageBody: 'gone with it' });

      // Act
      await call('DeleteQueue', { QueueUrl });
      const send = await failure(call, 'SendMessage', { QueueUrl, MessageBody: 'x' });
      const again = await failure(call, 'CreateQueue', { QueueName: 'short-lived' });

      // Assess
      expect(send.code).toBe('QueueDoesNotExist');
      expect(again).toMatchObject({
        code: 'QueueDeletedRecently',
        queryCode: 'AWS.SimpleQueueService.QueueDeletedRecently',
      });
    });
  });

  describe('batches', () => {
    it('sends a batch, reporting each entry that fails without failing the others', async () => {
      // Prepare: SendMessageBatch "The result of sending each message is reported individually in the
      // response." (API reference, SendMessageBatch)
      const { call } = setUp();
      const { QueueUrl } = await call('CreateQueue', {
        QueueName: 'orders.fifo',
        Attributes: { FifoQueue: 'true' },
      });

      // Act
      const result = await call('SendMessageBatch', {
        QueueUrl,
        Entries: [
          { Id: 'one', MessageBody: 'a1', MessageGroupId: 'a', MessageDeduplicationId: 'd1' },
          { Id: 'two', MessageBody: 'no group', MessageDeduplicationId: 'd2' },
          { Id: 'three', MessageBody: 'a2', MessageGroupId: 'a', MessageDeduplicationId: 'd3' },
        ],
      });

      // Assess
      expect(result.Successful).toEqual([
        expect.objectContaining({
          Id: 'one',
          MessageId: expect.any(String),
          SequenceNumber: expect.stringMatching(/^\d{20}$/),
        }),
        expect.objectContaining({ Id: 'three', MessageId: expect.any(String) }),
      ]);
      expect(result.Failed).toEqual([
        {
          Id: 'two',
          SenderFault: true,
          Code: 'MissingParameter',
          Message: 'The request must contain the parameter MessageGroupId.',
        },
      ]);
      expect((await receive(call, QueueUrl as string)).map((m) => m.Body)).toEqual(['a1', 'a2']);
    });

    it.each([
      ['no entries', [], 'EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest'],
      [
        '11 entries',
        Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' })),
        'TooManyEntriesInBatchRequest',
        'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      ],
      [
        'an Id twice',
        [
          { Id: 'same', MessageBody: 'x' },
          { Id: 'same', MessageBody: 'y' },
        ],
        'BatchEntryIdsNotDistinct',
        'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
      ],
      [
        'an Id with a space',
        [{ Id: 'not ok', MessageBody: 'x' }],
        'InvalidBatchEntryId',
        'AWS.SimpleQueueService.InvalidBatchEntryId',
      ],
    ])('rejects a batch with %s, sending nothing', async (_case, Entries, code, queryCode) => {
      // Prepare: the batch errors of the API reference's SendMessageBatch and DeleteMessageBatch.
      const { call } = setUp();
      const { QueueUrl } = await call('CreateQueue', { QueueName: 'batch' });

      // Act
      const send = await failure(call, 'SendMessageBatch', { QueueUrl, Entries });
      const del = await failure(call, 'DeleteMessageBatch', {
        QueueUrl,
        Entries: (Entries as Result[]).map((e) => ({ Id: e.Id, ReceiptHandle: 'x' })),
      });

      // Assess
      expect(send).toMatchObject({ code, queryCode });
      expect(del).toMatchObject({ code, queryCode });
      expect(await receive(call, QueueUrl as string)).toEqual([]);
    });

    it('deletes a batch, reporting an invalid receipt handle for its entry only', async () => {
      // Prepare
      const { call } = setUp();
      const { QueueUrl } = await call('CreateQueue', { QueueName: 'batch' });
      await call('SendMessageBatch', {
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'a' },
          { Id: 'b', MessageBody: 'b' },
        ],
      });
      const [a, b] = await receive(call, QueueUrl as string);

      // Act
      const result = await call('DeleteMessageBatch', {
        QueueUrl,
        Entries: [
          { Id: 'a', ReceiptHandle: a?.ReceiptHandle },
          { Id: 'bogus', ReceiptHandle: 'not-a-handle' },
          { Id: 'b', ReceiptHandle: b?.ReceiptHandle },
        ],
      });

      // Assess
      expect(result.Successful).toEqual([{ Id: 'a' }, { Id: 'b' }]);
      expect(result.Failed).toEqual([
        expect.objectContaining({ Id: 'bogus', SenderFault: true, Code: 'ReceiptHandleIsInvalid' }),
      ]);
    });
  });

  describe('ChangeMessageVisibility', () => {
    it('makes a received message visible again at once with a timeout of 0', async () => {
      // Prepare: "you can call ChangeMessageVisibility with a VisibilityTimeout of 0 seconds to make the
      // message visible again" (Developer Guide, "Amazon SQS visibility timeout")
      const { call } = setUp();
      const { QueueUrl } = await call('CreateQueue', { QueueName: 'work' });
      await call('SendMessage', { QueueUrl, MessageBody: 'retry me' });
      const [first] = await receive(call, QueueUrl as string);

      // Act
      await call('ChangeMessageVisibility', {
        QueueUrl,
        ReceiptHandle: first?.ReceiptHandle,
        VisibilityTimeout: 0,
      });
      const again = await receive(call, QueueUrl as string);

      // Assess
      expect(again.map((m) => m.Body)).toEqual(['retry me']);
    });

    it('rejects a message no longer in flight as MessageNotInflight, and reports it per entry in a batch', async () => {
      // Prepare
      const { call } = setUp();
      const { QueueUrl } = await call('CreateQueue', { QueueName: 'work' });
      await call('SendMessage', { QueueUrl, MessageBody: 'x' });
      const [m] = await receive(call, QueueUrl as string);
      await call('ChangeMessageVisibility', {
        QueueUrl,
        ReceiptHandle: m?.ReceiptHandle,
        VisibilityTimeout: 0,
      });

      // Act
      const error = await failure(call, 'ChangeMessageVisibility', {
        QueueUrl,
        ReceiptHandle: m?.ReceiptHandle,
        VisibilityTimeout: 10,
      });
      const batch = await call('ChangeMessageVisibilityBatch', {
        QueueUrl,
        Entries: [{ Id: 'm', ReceiptHandle: m?.ReceiptHandle, VisibilityTimeout: 10 }],
      });

      // Assess
      expect(error).toMatchObject({
        code: 'MessageNotInflight',
        queryCode: 'AWS.SimpleQueueService.MessageNotInflight',
      });
      expect(batch.Failed).toEqual([expect.objectContaining({ Id: 'm', Code: 'MessageNotInflight' })]);
    });
  });

  describe('message move tasks', () => {
    /** A source queue `work` whose messages go to `work-dlq` after one receive, with `count` there already. */
    async function deadLettered(call: Call, count: number) {
      const dlq = await call('CreateQueue', { QueueName: 'work-dlq' });
      const work = await call('CreateQueue', {
        QueueName: 'work',
        Attributes: {
          VisibilityTimeout: '0',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf('work-dlq'), maxReceiveCount: 1 }),
        },
      });
      for (let i = 0; i < count; i++)
        await call('SendMessage', { QueueUrl: work.QueueUrl, MessageBody: `m${i}` });
      // The first receive counts one; the next, past maxReceiveCount, moves them all to the DLQ.
      await receive(call, work.QueueUrl as string);
      await receive(call, work.QueueUrl as string);
      return { workUrl: work.QueueUrl as string, dlqUrl: dlq.QueueUrl as string };
    }

    it('redrives a dead-letter queue back to the source queue and reports the task COMPLETED', async () => {
      // Prepare: without a DestinationArn "the messages will be redriven back to their respective original
      // source queues" (API reference, StartMessageMoveTask).
      const { call, queues } = setUp();
      const { workUrl, dlqUrl } = await deadLettered(call, 3);
      expect(queues.find(dlqUrl).messages).toHaveLength(3);

      // Act
      const { TaskHandle } = await call('StartMessageMoveTask', { SourceArn: arnOf('work-dlq') });
      const done = await eventually(async () => {
        const { Results } = (await call('ListMessageMoveTasks', { SourceArn: arnOf('work-dlq') })) as {
          Results: Result[];
        };
        return Results[0]?.Status === 'COMPLETED' ? Results[0] : undefined;
      });

      // Assess
      expect(TaskHandle).toEqual(expect.any(String));
      expect(done).toMatchObject({
        Status: 'COMPLETED',
        SourceArn: arnOf('work-dlq'),
        ApproximateNumberOfMessagesMoved: 3,
        ApproximateNumberOfMessagesToMove: 3,
        StartedTimestamp: expect.any(Number),
      });
      // "TaskHandle … is only populated for tasks that are in RUNNING status." (ListMessageMoveTasksResultEntry)
      expect(done.TaskHandle).toBeUndefined();
      expect(queues.find(dlqUrl).messages).toEqual([]);
      expect((await receive(call, workUrl)).map((m) => m.Body).sort()).toEqual(['m0', 'm1', 'm2']);
    });

    it('moves to a given destination, at a given rate, and can be cancelled', async () => {
      // Prepare: "A message movement can only be cancelled when the current status is RUNNING. Cancelling a
      // message movement task does not revert the messages that have already been moved." (API reference,
      // CancelMessageMoveTask)
      const { call, queues } = setUp();
      await deadLettered(call, 3);
      const { QueueUrl: parkedUrl } = await call('CreateQueue', { QueueName: 'parked' });

      // Act: one message a second: the first step moves one, then the task is cancelled before it has moved all
      // three (however slow the machine, the second and third steps are a second apart each).
      const { TaskHandle } = await call('StartMessageMoveTask', {
        SourceArn: arnOf('work-dlq'),
        DestinationArn: arnOf('parked'),
        MaxNumberOfMessagesPerSecond: 1,
      });
      await eventually(async () =>
        queues.find(parkedUrl as string).messages.length >= 1 ? true : undefined,
      );
      const cancelled = await call('CancelMessageMoveTask', { TaskHandle });
      const { Results } = (await call('ListMessageMoveTasks', {
        SourceArn: arnOf('work-dlq'),
        MaxResults: 10,
      })) as {
        Results: Result[];
      };
      const again = await failure(call, 'CancelMessageMoveTask', { TaskHandle });

      // Assess
      const moved = cancelled.ApproximateNumberOfMessagesMoved as number;
      expect(moved).toBeGreaterThanOrEqual(1);
      expect(queues.find(parkedUrl as string).messages).toHaveLength(moved);
      expect(Results).toEqual([
        expect.objectContaining({
          Status: 'CANCELLED',
          DestinationArn: arnOf('parked'),
          MaxNumberOfMessagesPerSecond: 1,
        }),
      ]);
      expect(queues.find(arnOf('work-dlq')).messages).toHaveLength(3 - moved);
      expect(again.code).toBe('InvalidParameterValue');
    });

    it('rejects a source that is no queue, or no dead-letter queue, and an unknown task handle', async () => {
      // Prepare: StartMessageMoveTask "is currently limited to supporting message redrive from queues that are
      // configured as dead-letter queues (DLQs) of other Amazon SQS queues only." (API reference)
      const { call } = setUp();
      await call('CreateQueue', { QueueName: 'plain' });

      // Act
      const missing = await failure(call, 'StartMessageMoveTask', { SourceArn: arnOf('none') });
      const notDlq = await failure(call, 'StartMessageMoveTask', { SourceArn: arnOf('plain') });
      const unknown = await failure(call, 'CancelMessageMoveTask', { TaskHandle: 'bm90LWEtdGFzaw==' });

      // Assess
      expect(missing.code).toBe('ResourceNotFoundException');
      expect(notDlq).toMatchObject({ code: 'InvalidParameterValue' });
      expect(notDlq.message).toContain('Dead Letter Queue');
      expect(unknown.code).toBe('ResourceNotFoundException');
    });
  });

  describe('the query protocol', () => {
    it('reads CreateQueue attributes and batch entries as the AWS CLI 2.9 sends them', async () => {
      // Prepare: the query protocol's flattened maps and lists (`Attribute.1.Name`, `SendMessageBatchRequestEntry.1.Id`).
      const { api } = setUp();
      const form = (fields: Record<string, string>) =>
        new URLSearchParams({ Version: '2012-11-05', ...fields });

      // Act
      const created = await handleSqsQuery(
        form({
          Action: 'CreateQueue',
          QueueName: 'cli.fifo',
          'Attribute.1.Name': 'FifoQueue',
          'Attribute.1.Value': 'true',
          'Attribute.2.Name': 'ContentBasedDeduplication',
          'Attribute.2.Value': 'true',
          'Tag.1.Key': 'team',
          'Tag.1.Value': 'billing',
        }),
        api,
      );
      const sent = await handleSqsQuery(
        form({
          Action: 'SendMessageBatch',
          QueueUrl: urlOf('cli.fifo'),
          'SendMessageBatchRequestEntry.1.Id': 'first',
          'SendMessageBatchRequestEntry.1.MessageBody': 'one',
          'SendMessageBatchRequestEntry.1.MessageGroupId': 'g',
          'SendMessageBatchRequestEntry.1.MessageAttribute.1.Name': 'kind',
          'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType': 'String',
          'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue': 'test',
          'SendMessageBatchRequestEntry.2.Id': 'second',
          'SendMessageBatchRequestEntry.2.MessageBody': 'two',
        }),
        api,
      );

      // Assess
      expect(created.body).toContain(
        `<CreateQueueResult><QueueUrl>${urlOf('cli.fifo')}</QueueUrl></CreateQueueResult>`,
      );
      expect(sent.status).toBe(200);
      expect(sent.body).toMatch(
        /<SendMessageBatchResultEntry><Id>first<\/Id><MessageId>[0-9a-f-]{36}<\/MessageId><MD5OfMessageBody>[0-9a-f]{32}<\/MD5OfMessageBody><MD5OfMessageAttributes>[0-9a-f]{32}<\/MD5OfMessageAttributes><SequenceNumber>\d{20}<\/SequenceNumber><\/SendMessageBatchResultEntry>/,
      );
      expect(sent.body).toContain(
        '<BatchResultErrorEntry><Id>second</Id><SenderFault>true</SenderFault><Code>MissingParameter</Code><Message>The request must contain the parameter MessageGroupId.</Message></BatchResultErrorEntry>',
      );
    });

    it('answers DeleteQueue and SetQueueAttributes with no result element', async () => {
      // Prepare
      const { api, queues } = setUp();
      queues.create('gone');

      // Act
      const set = await handleSqsQuery(
        new URLSearchParams({
          Action: 'SetQueueAttributes',
          QueueUrl: urlOf('gone'),
          'Attribute.1.Name': 'VisibilityTimeout',
          'Attribute.1.Value': '7',
        }),
        api,
      );
      const deleted = await handleSqsQuery(
        new URLSearchParams({ Action: 'DeleteQueue', QueueUrl: urlOf('gone') }),
        api,
      );

      // Assess
      expect(set.body).toMatch(
        /^<\?xml version="1.0"\?><SetQueueAttributesResponse [^>]+><ResponseMetadata>/,
      );
      expect(deleted.body).toMatch(/^<\?xml version="1.0"\?><DeleteQueueResponse [^>]+><ResponseMetadata>/);
      expect(queues.all().map((q) => q.name)).toEqual(['template-queue']);
    });
  });

  describe('persistence', () => {
    let dataDir: string;
    beforeEach(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'local-sqs-admin-'));
    });
    afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

    /** The queues, restored from and journaled into `dataDir` as the data directory does it. */
    function opened(): { queues: LocalQueues; store: MessageStore } {
      const store = new MessageStore(dataDir);
      const queues = new LocalQueues();
      queues.add(new LocalQueue('template-queue', urlOf('template-queue'), arnOf('template-queue')));
      queues.restore(store.queues(queues.all()));
      queues.onChange = (queue, change) => store.applyQueueChange(queue.arn, change);
      return { queues, store };
    }

    it('keeps created queues, their attributes, redrive policies and messages across a restart; not deleted ones', () => {
      // Prepare
      const before = opened();
      before.queues.create('team-dlq');
      const { queue } = before.queues.create('team', {
        VisibilityTimeout: '45',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf('team-dlq'), maxReceiveCount: 4 }),
      });
      queue.send('kept');
      before.queues.setAttributes(queue, { DelaySeconds: '0', MessageRetentionPeriod: '7200' });
      const { queue: doomed } = before.queues.create('doomed');
      before.queues.delete(doomed);
      before.store.close();

      // Act
      const after = opened();
      after.store.close();

      // Assess
      expect(after.queues.all().map((q) => [q.name, q.origin])).toEqual([
        ['template-queue', 'template'],
        ['team-dlq', 'local'],
        ['team', 'local'],
      ]);
      const team = after.queues.find(arnOf('team'));
      expect(team.visibilityTimeoutSeconds).toBe(45);
      expect(team.settings.messageRetentionPeriodSeconds).toBe(7200);
      expect(team.redrivePolicy).toEqual({ deadLetterTargetArn: arnOf('team-dlq'), maxReceiveCount: 4 });
      expect(team.messages.map((m) => m.body)).toEqual(['kept']);
    });
  });
});
