import { LocalQueue, LocalQueues } from '../../../local/sqs';
import { StatesError } from '../../../local/stepfunctions/engine/errors';
import type { TaskRequest } from '../../../local/stepfunctions/engine/interpreter';
import { sendMessageIntegration } from '../../../local/stepfunctions/integrations/sqs';

/**
 * `arn:aws:states:::sqs:sendMessage` takes SendMessage's request and answers SendMessage's response (Step
 * Functions Developer Guide, "Send messages to an Amazon SQS queue": the optimized integration's parameters
 * are the API's; SQS API reference, SendMessage: a FIFO queue needs MessageGroupId and answers a
 * SequenceNumber).
 */
describe('sqs:sendMessage', () => {
  const url = 'http://127.0.0.1:4010/000000000000/reviews.fifo';
  const queues = new LocalQueues();
  const fifo = new LocalQueue('reviews.fifo', url, 'arn:aws:sqs:us-east-1:000000000000:reviews.fifo', 30, {
    fifoQueue: true,
  });
  queues.add(fifo);
  const send = sendMessageIntegration(queues);
  const call = (parameters: Record<string, unknown>) =>
    send({ resource: 'arn:aws:states:::sqs:sendMessage', parameters } as unknown as TaskRequest);

  it('sends to a FIFO queue in the group and with the deduplication id it is given', async () => {
    // Act
    const first = (await call({
      QueueUrl: url,
      MessageBody: { userId: 'u-1' },
      MessageGroupId: 'u-1',
      MessageDeduplicationId: 'u-1-v1',
    })) as Record<string, string>;
    const again = (await call({
      QueueUrl: url,
      MessageBody: { userId: 'u-1' },
      MessageGroupId: 'u-1',
      MessageDeduplicationId: 'u-1-v1',
    })) as Record<string, string>;

    // Assess: the repeat is deduplicated (same id, one message).
    expect(first).toEqual({
      MessageId: expect.any(String),
      MD5OfMessageBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      SequenceNumber: expect.stringMatching(/^\d{20}$/),
    });
    expect(again.MessageId).toBe(first.MessageId);
    expect(fifo.messages.map((m) => [m.messageGroupId, m.body])).toEqual([['u-1', '{"userId":"u-1"}']]);
  });

  it('fails the task with SQS.MissingParameter when a FIFO queue gets no message group', async () => {
    // Act
    const error = await call({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd' }).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(StatesError);
    expect(error).toMatchObject({ error: 'SQS.MissingParameter' });
  });
});
