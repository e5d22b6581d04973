import { AwsError } from '../../local/errors';
import { LocalQueue, LocalQueues } from '../../local/sqs';
import { thrownBy } from '../support/errors';

const URL = 'http://127.0.0.1:4010/000000000000/jobs';
const ARN = 'arn:aws:sqs:us-east-1:000000000000:jobs';

function queue(visibilityTimeoutSeconds = 30): LocalQueue {
  return new LocalQueue('jobs', URL, ARN, visibilityTimeoutSeconds);
}

describe('LocalQueue', () => {
  it('receives a sent message with its id, body and MD5', () => {
    // Prepare
    const q = queue();
    const sent = q.send('hello');

    // Act
    const [received, ...rest] = q.receive(10, 30, 1_000);

    // Assess
    expect(rest).toEqual([]);
    expect(received).toMatchObject({
      messageId: sent.messageId,
      body: 'hello',
      md5OfBody: '5d41402abc4b2a76b9719d911017c592',
      receiveCount: 1,
      receiptHandle: expect.any(String),
    });
  });

  it('receives at most the requested number of messages, oldest first', () => {
    // Prepare
    const q = queue();
    for (const body of ['a', 'b', 'c']) q.send(body);

    // Act
    const first = q.receive(2, 30, 1_000);
    const second = q.receive(2, 30, 1_000);

    // Assess
    expect(first.map((m) => m.body)).toEqual(['a', 'b']);
    expect(second.map((m) => m.body)).toEqual(['c']);
  });

  it('hides a received message until its visibility timeout expires', () => {
    // Prepare
    const q = queue();
    q.send('once');
    const [first] = q.receive(1, 30, 1_000);

    // Act
    const during = q.receive(1, 30, 1_000 + 29_999);
    const [after] = q.receive(1, 30, 1_000 + 30_000);

    // Assess
    expect(during).toEqual([]);
    expect(after?.messageId).toBe(first?.messageId);
    expect(after?.receiveCount).toBe(2);
  });

  it("uses the queue's visibility timeout when the receive does not give one", () => {
    // Prepare
    const q = queue(5);
    q.send('short');
    q.receive(1, undefined, 1_000);

    // Act
    const during = q.receive(1, undefined, 5_999);
    const after = q.receive(1, undefined, 6_000);

    // Assess
    expect(during).toEqual([]);
    expect(after.map((m) => m.body)).toEqual(['short']);
  });

  it('gives each receive of a message a new receipt handle', () => {
    // Prepare
    const q = queue();
    q.send('again');
    const [first] = q.receive(1, 0, 1_000);
    const firstHandle = first?.receiptHandle;

    // Act
    const [second] = q.receive(1, 0, 1_000);

    // Assess
    expect(second?.receiptHandle).toEqual(expect.any(String));
    expect(second?.receiptHandle).not.toBe(firstHandle);
  });

  it('deletes a message by a valid receipt handle', () => {
    // Prepare
    const q = queue();
    q.send('keep');
    q.send('drop');
    const [, drop] = q.receive(2, 30, 1_000);

    // Act
    q.delete(drop?.receiptHandle ?? '');

    // Assess
    expect(q.messages.map((m) => m.body)).toEqual(['keep']);
    expect(q.receive(10, 30, 31_000).map((m) => m.body)).toEqual(['keep']);
  });

  it('rejects a delete with an invalid receipt handle as ReceiptHandleIsInvalid', () => {
    // Prepare
    const q = queue();
    q.send('stay');
    q.receive(1, 30, 1_000);

    // Act
    const error = thrownBy(() => q.delete('not-a-handle'));

    // Assess
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({ code: 'ReceiptHandleIsInvalid' });
    expect(q.messages).toHaveLength(1);
  });

  it('purges every message, visible or not', () => {
    // Prepare
    const q = queue();
    for (const body of ['a', 'b', 'c']) q.send(body);
    q.receive(1, 30, 1_000);

    // Act
    q.purge();

    // Assess
    expect(q.messages).toEqual([]);
    expect(q.receive(10, 30, 100_000)).toEqual([]);
  });

  it('accepts a body of exactly 256 KiB', () => {
    // Prepare
    const q = queue();

    // Act
    const sent = q.send('x'.repeat(262_144));

    // Assess
    expect(sent.body).toHaveLength(262_144);
  });

  it.each([
    ['256 KiB and one byte', 'x'.repeat(262_145)],
    ['over 256 KiB in bytes but not in characters', 'é'.repeat(131_073)],
  ])('rejects a body of %s as InvalidParameterValue', (_label, body) => {
    // Prepare
    const q = queue();

    // Act
    const error = thrownBy(() => q.send(body));

    // Assess
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({ code: 'InvalidParameterValue' });
    expect(q.messages).toEqual([]);
  });

  it('rejects an empty body as MissingParameter', () => {
    // Prepare
    const q = queue();

    // Act
    const error = thrownBy(() => q.send(''));

    // Assess
    expect(error).toMatchObject({ code: 'MissingParameter' });
  });

  it('peeks at message bodies as JSON without receiving them', () => {
    // Prepare
    const q = queue();
    q.send(JSON.stringify({ n: 1 }));
    q.send(JSON.stringify({ n: 2 }));

    // Act
    const bodies = q.peek();

    // Assess
    expect(bodies).toEqual([{ n: 1 }, { n: 2 }]);
    expect(q.messages.map((m) => m.receiveCount)).toEqual([0, 0]);
  });
});

describe('LocalQueues.find', () => {
  const queues = new LocalQueues();
  const jobs = queue();
  const other = new LocalQueue(
    'other',
    'http://127.0.0.1:4010/000000000000/other',
    'arn:aws:sqs:us-east-1:000000000000:other',
  );
  queues.add(jobs);
  queues.add(other);

  it.each([
    ['URL', URL],
    ['ARN', ARN],
    ['name', 'jobs'],
  ])('finds a queue by its %s', (_label, key) => {
    // Prepare
    const expected = jobs;

    // Act
    const found = queues.find(key);

    // Assess
    expect(found).toBe(expected);
  });

  it('rejects a missing queue as AWS.SimpleQueueService.NonExistentQueue', () => {
    // Prepare
    const missing = 'http://127.0.0.1:4010/000000000000/missing';

    // Act
    const error = thrownBy(() => queues.find(missing));

    // Assess
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({ code: 'AWS.SimpleQueueService.NonExistentQueue' });
    expect((error as AwsError).message).toContain(missing);
  });

  it('lists every queue it holds', () => {
    // Prepare
    const expected = [jobs, other];

    // Act
    const all = queues.all();

    // Assess
    expect(all).toEqual(expected);
  });
});
