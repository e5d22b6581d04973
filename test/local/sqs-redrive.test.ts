import { UnsupportedTemplateError } from '../../local/errors';
import { LocalQueue, LocalQueues, type QueueChange } from '../../local/sqs';
import type { Resource } from '../../local/template';
import { thrownBy } from '../support/errors';

const ENDPOINT = 'http://127.0.0.1:4010/000000000000';
const arnOf = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

function queueResource(name: string, properties: Record<string, unknown> = {}): Resource {
  return {
    logicalId: `${name}Queue`,
    type: 'AWS::SQS::Queue',
    properties: { QueueName: name, ...properties },
    metadata: {},
    ref: `${ENDPOINT}/${name}`,
    attributes: { Arn: arnOf(name), QueueName: name, QueueUrl: `${ENDPOINT}/${name}` },
  };
}

/** A source queue whose redrive policy sends a message to `dlq` after `maxReceiveCount` receives. */
function queuesWithRedrive(maxReceiveCount: number | string = 3, asText = false) {
  const queues = new LocalQueues();
  const source = new LocalQueue('jobs', `${ENDPOINT}/jobs`, arnOf('jobs'), 30);
  const dlq = new LocalQueue('jobs-dlq', `${ENDPOINT}/jobs-dlq`, arnOf('jobs-dlq'), 30);
  queues.add(source);
  queues.add(dlq);
  const policy = { deadLetterTargetArn: arnOf('jobs-dlq'), maxReceiveCount };
  queues.applyRedrivePolicies([
    queueResource('jobs', { RedrivePolicy: asText ? JSON.stringify(policy) : policy }),
    queueResource('jobs-dlq'),
  ]);
  return { queues, source, dlq };
}

describe('SQS redrive policy', () => {
  it('returns a message maxReceiveCount times, then moves it to the dead-letter queue on the next receive', () => {
    // Prepare
    const { source, dlq } = queuesWithRedrive(3);
    const sent = source.send('poison', { now: 1_000 });

    // Act: receive it each time it becomes visible again (30 s visibility timeout).
    const counts: number[] = [];
    for (let i = 0; i < 3; i++)
      counts.push(...source.receive(10, 30, 2_000 + i * 31_000).map((m) => m.receiveCount));
    const fourth = source.receive(10, 30, 2_000 + 3 * 31_000);

    // Assess
    expect(counts).toEqual([1, 2, 3]);
    expect(fourth).toEqual([]);
    expect(source.messages).toEqual([]);
    expect(dlq.messages).toEqual([
      expect.objectContaining({
        messageId: sent.messageId,
        body: 'poison',
        md5OfBody: sent.md5OfBody,
        sentAt: 1_000,
        receiveCount: 0,
        deadLetterQueueSourceArn: arnOf('jobs'),
      }),
    ]);
    expect(dlq.messages[0]).not.toHaveProperty('receiptHandle');
  });

  it('does not move a message that is still in flight, however often it was received', () => {
    // Prepare
    const { source, dlq } = queuesWithRedrive(1);
    source.send('slow', { now: 0 });
    source.receive(1, 30, 1_000);

    // Act: the first receive's visibility timeout has not passed.
    const received = source.receive(1, 30, 20_000);

    // Assess
    expect(received).toEqual([]);
    expect(source.messages).toHaveLength(1);
    expect(dlq.messages).toEqual([]);
  });

  it('moves the exhausted messages and still returns the others in the same receive', () => {
    // Prepare
    const { source, dlq } = queuesWithRedrive(1);
    source.send('exhausted', { now: 0 });
    source.receive(1, 0, 1_000);
    source.send('fresh', { now: 2_000 });

    // Act
    const received = source.receive(10, 30, 3_000);

    // Assess
    expect(received.map((m) => m.body)).toEqual(['fresh']);
    expect(dlq.messages.map((m) => m.body)).toEqual(['exhausted']);
  });

  it('reads a RedrivePolicy given as JSON text with a string maxReceiveCount, as CloudFormation allows', () => {
    // Prepare
    const { source } = queuesWithRedrive('5', true);

    // Assess
    expect(source.redrivePolicy).toEqual({ deadLetterTargetArn: arnOf('jobs-dlq'), maxReceiveCount: 5 });
  });

  it('tells the store of the move: a delete from the source, a put into the dead-letter queue', () => {
    // Prepare
    const { queues, source } = queuesWithRedrive(1);
    const changes: [string, QueueChange['kind']][] = [];
    source.send('poison', { now: 0 });
    source.receive(1, 0, 1_000);
    queues.onChange = (queue, change) => changes.push([queue.name, change.kind]);

    // Act
    source.receive(1, 30, 2_000);

    // Assess
    expect(changes).toEqual([
      ['jobs', 'delete'],
      ['jobs-dlq', 'put'],
    ]);
  });

  it.each([
    [
      'a dead-letter queue that is not in the template',
      { deadLetterTargetArn: arnOf('elsewhere'), maxReceiveCount: 3 },
    ],
    ['a maxReceiveCount of 0', { deadLetterTargetArn: arnOf('jobs-dlq'), maxReceiveCount: 0 }],
    ['a maxReceiveCount over 1000', { deadLetterTargetArn: arnOf('jobs-dlq'), maxReceiveCount: 1001 }],
  ])('rejects a template whose redrive policy has %s, naming the queue', (_what, policy) => {
    // Prepare
    const queues = new LocalQueues();
    queues.add(new LocalQueue('jobs', `${ENDPOINT}/jobs`, arnOf('jobs')));
    queues.add(new LocalQueue('jobs-dlq', `${ENDPOINT}/jobs-dlq`, arnOf('jobs-dlq')));

    // Act
    const error = thrownBy(() =>
      queues.applyRedrivePolicies([
        queueResource('jobs', { RedrivePolicy: policy }),
        queueResource('jobs-dlq'),
      ]),
    );

    // Assess
    expect(error).toBeInstanceOf(UnsupportedTemplateError);
    expect(error.message).toContain('jobsQueue');
  });
});
