import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ListMessageMoveTasksCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { LocalRuntime } from '../../local/runtime';
import { BUS } from '../support/local';
import { aws, clients, eventually, startRuntime } from '../support/runtime';

const ACCOUNT = '000000000000';
const arnOf = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

interface Received {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  Attributes?: Record<string, string>;
}

/*
 * A downstream team's queues, made at run time with the AWS CLI 2.9 (SQS's query protocol) and, for the
 * message move task the CLI 2.9 does not know yet, SDK v3 (SQS's JSON protocol). Each behaviour is the SQS API
 * reference's (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/): CreateQueue,
 * SendMessageBatch, ReceiveMessage (FIFO: "For each MessageGroupId, the messages are sorted by time sent"),
 * the RedrivePolicy's maxReceiveCount (Developer Guide, "Using dead-letter queues") and StartMessageMoveTask.
 */
describe('a team creates and runs its own SQS queues in the local runtime', () => {
  let dataDir: string;
  let runtime: LocalRuntime | undefined;
  let sqs: SQSClient | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'local-sqs-admin-e2e-'));
  });
  afterAll(async () => {
    sqs?.destroy();
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<LocalRuntime> {
    runtime = await startRuntime({ dataDir });
    sqs = clients(runtime.url).sqs;
    return runtime;
  }

  async function stop(): Promise<void> {
    sqs?.destroy();
    sqs = undefined;
    await runtime?.stop();
    runtime = undefined;
  }

  /** Runs `aws sqs …`, failing the test with its stderr when it exits non-zero; `{}` for empty output. */
  async function cli(...args: string[]): Promise<Record<string, unknown>> {
    const result = await aws((runtime as LocalRuntime).url, 'sqs', ...args);
    if (result.code !== 0) throw new Error(`aws sqs ${args[0]} failed (${result.code}): ${result.stderr}`);
    return result.json ?? {};
  }

  async function receiveOne(url: string): Promise<Received | undefined> {
    const { Messages } = (await cli('receive-message', '--queue-url', url, '--attribute-names', 'All')) as {
      Messages?: Received[];
    };
    return Messages?.[0];
  }

  it('creates queues, sends in batches, receives in group order, redrives a DLQ, and keeps it all across a restart', async () => {
    // Prepare: a standard queue with a DLQ after one receive, and a FIFO queue with content-based deduplication.
    await start();
    const { QueueUrl: dlqUrl } = (await cli('create-queue', '--queue-name', 'team-dlq')) as {
      QueueUrl: string;
    };
    const { QueueUrl: workUrl } = (await cli(
      'create-queue',
      '--queue-name',
      'team-work',
      '--attributes',
      JSON.stringify({
        VisibilityTimeout: '0',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf('team-dlq'), maxReceiveCount: 1 }),
      }),
    )) as { QueueUrl: string };
    const { QueueUrl: fifoUrl } = (await cli(
      'create-queue',
      '--queue-name',
      'team-events.fifo',
      '--attributes',
      JSON.stringify({ FifoQueue: 'true', ContentBasedDeduplication: 'true' }),
    )) as { QueueUrl: string };

    // Act 1: a batch to the FIFO queue, two groups interleaved; then receive one at a time.
    const batch = (await cli(
      'send-message-batch',
      '--queue-url',
      fifoUrl,
      '--entries',
      JSON.stringify(
        ['a1', 'b1', 'a2', 'b2'].map((body) => ({ Id: body, MessageBody: body, MessageGroupId: body[0] })),
      ),
    )) as { Successful: { Id: string; MessageId: string; SequenceNumber: string }[]; Failed?: unknown[] };
    const first = await receiveOne(fifoUrl);
    const second = await receiveOne(fifoUrl);
    const whileBothInFlight = await receiveOne(fifoUrl);
    await cli('delete-message', '--queue-url', fifoUrl, '--receipt-handle', first?.ReceiptHandle as string);
    const third = await receiveOne(fifoUrl);

    // Assess 1
    expect(batch.Successful.map((e) => e.Id)).toEqual(['a1', 'b1', 'a2', 'b2']);
    for (const e of batch.Successful) expect(e.SequenceNumber).toMatch(/^\d{20}$/);
    expect(batch.Failed ?? []).toEqual([]);
    expect([first?.Body, second?.Body, whileBothInFlight, third?.Body]).toEqual([
      'a1',
      'b1',
      undefined,
      'a2',
    ]);
    expect(third?.Attributes).toMatchObject({
      MessageGroupId: 'a',
      SequenceNumber: batch.Successful[2]?.SequenceNumber,
    });

    // Act 2: a batch to the standard queue; one message fails twice and lands in the DLQ.
    const standard = (await cli(
      'send-message-batch',
      '--queue-url',
      workUrl,
      '--entries',
      JSON.stringify([
        { Id: 'poison', MessageBody: 'poison' },
        { Id: 'fine', MessageBody: 'fine' },
      ]),
    )) as { Successful: { Id: string; MessageId: string }[] };
    const { Messages: received } = (await cli(
      'receive-message',
      '--queue-url',
      workUrl,
      '--max-number-of-messages',
      '10',
    )) as { Messages: Received[] };
    const fine = received.find((m) => m.Body === 'fine') as Received;
    await cli(
      'delete-message-batch',
      '--queue-url',
      workUrl,
      '--entries',
      JSON.stringify([{ Id: 'fine', ReceiptHandle: fine.ReceiptHandle }]),
    );
    // Received once (maxReceiveCount) and not deleted: the next receive moves it to the DLQ instead.
    const afterRedrive = await receiveOne(workUrl);
    const dlqCounts = (await cli(
      'get-queue-attributes',
      '--queue-url',
      dlqUrl,
      '--attribute-names',
      'ApproximateNumberOfMessages',
    )) as { Attributes: Record<string, string> };

    // Assess 2
    expect(standard.Successful.map((e) => e.Id).sort()).toEqual(['fine', 'poison']);
    expect(afterRedrive).toBeUndefined();
    expect(dlqCounts.Attributes.ApproximateNumberOfMessages).toBe('1');

    // Act 3: redrive the DLQ back to its source, as the console does (StartMessageMoveTask, JSON protocol).
    const client = sqs as SQSClient;
    const { TaskHandle } = await client.send(
      new StartMessageMoveTaskCommand({ SourceArn: arnOf('team-dlq') }),
    );
    const task = await eventually(async () => {
      const { Results } = await client.send(
        new ListMessageMoveTasksCommand({ SourceArn: arnOf('team-dlq') }),
      );
      return Results?.[0]?.Status === 'COMPLETED' ? Results[0] : undefined;
    });
    const redriven = await receiveOne(workUrl);

    // Assess 3
    expect(TaskHandle).toEqual(expect.any(String));
    expect(task).toMatchObject({ ApproximateNumberOfMessagesMoved: 1, SourceArn: arnOf('team-dlq') });
    expect(redriven?.Body).toBe('poison');
    expect(redriven?.MessageId).toBe(standard.Successful.find((e) => e.Id === 'poison')?.MessageId);

    // Act 4: the template's queues stay the CDK app's.
    const refused = await aws(
      (runtime as LocalRuntime).url,
      'sqs',
      'set-queue-attributes',
      '--queue-url',
      `${(runtime as LocalRuntime).url}/${ACCOUNT}/${BUS}-rejected-events`,
      '--attributes',
      JSON.stringify({ VisibilityTimeout: '5' }),
    );

    // Assess 4
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('(AWS.SimpleQueueService.UnsupportedOperation)');
    expect(refused.stderr).toContain('Change the queue in the CDK app');

    // Act 5: restart on the same data directory.
    await stop();
    await start();
    const { QueueUrls } = (await cli('list-queues', '--queue-name-prefix', 'team-')) as {
      QueueUrls: string[];
    };
    const workAttributes = (await cli(
      'get-queue-attributes',
      '--queue-url',
      workUrl,
      '--attribute-names',
      'RedrivePolicy',
      'VisibilityTimeout',
    )) as { Attributes: Record<string, string> };
    // Within the 5-minute interval, the same body is a duplicate of a1 even after a restart.
    const duplicate = (await cli(
      'send-message',
      '--queue-url',
      fifoUrl,
      '--message-body',
      'a1',
      '--message-group-id',
      'a',
    )) as { MessageId: string };
    const fifoCounts = (await cli(
      'get-queue-attributes',
      '--queue-url',
      fifoUrl,
      '--attribute-names',
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
    )) as { Attributes: Record<string, string> };

    // Assess 5
    expect([...QueueUrls].sort()).toEqual([dlqUrl, fifoUrl, workUrl].sort());
    expect(workAttributes.Attributes).toEqual({
      VisibilityTimeout: '0',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf('team-dlq'), maxReceiveCount: 1 }),
    });
    expect(duplicate.MessageId).toBe(batch.Successful[0]?.MessageId);
    // b1, a2 and b2 are kept (visible or in flight, depending on how long the restart took); the duplicate
    // of a1 added nothing.
    const { ApproximateNumberOfMessages: visible, ApproximateNumberOfMessagesNotVisible: inFlight } =
      fifoCounts.Attributes;
    expect(Number(visible) + Number(inFlight)).toBe(3);
  });
});
