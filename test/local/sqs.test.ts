import { AwsError } from '../../local/errors';
import { LocalQueue, LocalQueues, md5OfMessageAttributes, SqsError } from '../../local/sqs';
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

  it('finds a queue by the path of its URL on another host', () => {
    // Prepare
    const viaLocalhost = 'http://localhost:4010/000000000000/jobs';

    // Act
    const found = queues.find(viaLocalhost);

    // Assess
    expect(found).toBe(jobs);
  });

  it('rejects a missing queue as QueueDoesNotExist, AWS.SimpleQueueService.NonExistentQueue in the query protocol', () => {
    // Prepare
    const missing = 'http://127.0.0.1:4010/000000000000/missing';

    // Act
    const error = thrownBy(() => queues.find(missing));

    // Assess
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({
      code: 'QueueDoesNotExist',
      message: 'The specified queue does not exist.',
      queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
      queryMessage: 'The specified queue does not exist for this wsdl version.',
      status: 400,
      jsonType: 'com.amazonaws.sqs#QueueDoesNotExist',
      queryErrorHeader: 'AWS.SimpleQueueService.NonExistentQueue;Sender',
    });
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

describe('md5OfMessageAttributes', () => {
  // Digests published with other SQS implementations' tests, each checked there against SQS or an AWS SDK.
  it.each([
    [
      'a Number and a String',
      {
        ordinal: { DataType: 'Number', StringValue: '1' },
        category: { DataType: 'String', StringValue: 'test' },
      },
      'd21ae90c49061e927f57df5f5d72be1f',
    ],
    [
      'one String',
      { SellerName: { DataType: 'String', StringValue: 'Example Store' } },
      'cd28f3b68aeee4b2eac9c66f2f694b58',
    ],
    [
      'one Number',
      { timestamp: { DataType: 'Number', StringValue: '1493147359900' } },
      '235c5c510d26fb653d073faed50ae77c',
    ],
  ])('digests %s as SQS does', (_label, attributes, expected) => {
    // Prepare
    const input = attributes;

    // Act
    const digest = md5OfMessageAttributes(input);

    // Assess
    expect(digest).toBe(expected);
  });

  it('digests a binary value by its bytes, not its base64', () => {
    // Prepare
    const binary = { blob: { DataType: 'Binary', BinaryValue: Buffer.from('hi').toString('base64') } };
    const asString = { blob: { DataType: 'Binary', StringValue: 'aGk=' } };

    // Act
    const digest = md5OfMessageAttributes(binary);

    // Assess
    expect(digest).toMatch(/^[0-9a-f]{32}$/);
    expect(digest).not.toBe(md5OfMessageAttributes(asString));
  });
});

describe('LocalQueue message attributes and delays', () => {
  it('keeps message attributes and their MD5', () => {
    // Prepare
    const q = queue();
    const messageAttributes = { category: { DataType: 'String', StringValue: 'test' } };

    // Act
    const sent = q.send('with attributes', { messageAttributes });

    // Assess
    expect(sent.messageAttributes).toEqual(messageAttributes);
    expect(sent.md5OfMessageAttributes).toBe(md5OfMessageAttributes(messageAttributes));
  });

  it('omits the attributes MD5 of a message without attributes', () => {
    // Prepare
    const q = queue();

    // Act
    const sent = q.send('plain');

    // Assess
    expect(sent.md5OfMessageAttributes).toBeUndefined();
  });

  it.each([
    [
      'more than 10 attributes',
      Object.fromEntries(
        Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'x' }]),
      ),
      'Number of message attributes [11] exceeds the allowed maximum [10].',
    ],
    ['a type that is not String, Number or Binary', { a: { DataType: 'Text', StringValue: 'x' } }, 'type'],
    ['an empty value', { a: { DataType: 'String', StringValue: '' } }, 'non-empty'],
    ['a Number that is not a number', { a: { DataType: 'Number', StringValue: 'ten' } }, 'number'],
    ['a name starting with AWS.', { 'AWS.trace': { DataType: 'String', StringValue: 'x' } }, "'AWS.'"],
    ['a name with a space', { 'a b': { DataType: 'String', StringValue: 'x' } }, 'a b'],
  ])('rejects %s as InvalidParameterValue', (_label, messageAttributes, messagePart) => {
    // Prepare
    const q = queue();

    // Act
    const error = thrownBy(() => q.send('x', { messageAttributes }));

    // Assess
    expect(error).toMatchObject({ code: 'InvalidParameterValue' });
    expect(error.message).toContain(messagePart);
    expect(q.messages).toEqual([]);
  });

  it('counts message attributes towards the maximum message size', () => {
    // Prepare
    const q = queue();
    const messageAttributes = { a: { DataType: 'String', StringValue: 'x' } };

    // Act
    const error = thrownBy(() => q.send('x'.repeat(262_144 - 7), { messageAttributes }));

    // Assess
    expect(error).toMatchObject({ code: 'InvalidParameterValue' });
  });

  it('rejects a body with a character SQS does not allow as InvalidMessageContents', () => {
    // Prepare
    const q = queue();

    // Act
    const error = thrownBy(() => q.send('bell \u0007'));

    // Assess
    expect(error).toMatchObject({ code: 'InvalidMessageContents' });
    expect(error.message).toContain("'#x7'");
  });

  it('hides a delayed message until its delay has passed', () => {
    // Prepare
    const q = queue();
    q.send('later', { delaySeconds: 5, now: 1_000 });

    // Act
    const during = q.receive(1, 30, 5_999);
    const counts = q.counts(5_999);
    const after = q.receive(1, 30, 6_000);

    // Assess
    expect(during).toEqual([]);
    expect(counts).toEqual({ visible: 0, inFlight: 0, delayed: 1 });
    expect(after.map((m) => m.body)).toEqual(['later']);
  });

  it("delays by the queue's DelaySeconds when the send does not give one", () => {
    // Prepare
    const q = new LocalQueue('slow', URL, ARN, 30, { delaySeconds: 2 });
    q.send('later', { now: 1_000 });

    // Act
    const during = q.receive(1, 30, 2_999);
    const after = q.receive(1, 30, 3_000);

    // Assess
    expect(during).toEqual([]);
    expect(after).toHaveLength(1);
  });

  it('rejects a DelaySeconds over 900 as InvalidParameterValue', () => {
    // Prepare
    const q = queue();

    // Act
    const error = thrownBy(() => q.send('x', { delaySeconds: 901 }));

    // Assess
    expect(error).toMatchObject({ code: 'InvalidParameterValue' });
  });

  it('records the first receive time once', () => {
    // Prepare
    const q = queue();
    q.send('twice');
    q.receive(1, 1, 1_000);

    // Act
    const [again] = q.receive(1, 1, 2_000);

    // Assess
    expect(again).toMatchObject({ receiveCount: 2, firstReceivedAt: 1_000 });
  });

  it('counts visible, in-flight and delayed messages', () => {
    // Prepare
    const q = queue();
    q.send('visible', { now: 1_000 });
    q.send('in flight', { now: 1_000 });
    q.send('delayed', { delaySeconds: 60, now: 1_000 });
    q.receive(1, 30, 1_000);

    // Act
    const counts = q.counts(1_000);

    // Assess
    expect(counts).toEqual({ visible: 1, inFlight: 1, delayed: 1 });
  });

  it('drops messages older than the retention period', () => {
    // Prepare
    const q = new LocalQueue('short', URL, ARN, 30, { messageRetentionPeriodSeconds: 60 });
    q.send('old', { now: 1_000 });
    q.send('new', { now: 30_000 });

    // Act
    const received = q.receive(10, 30, 61_000);

    // Assess
    expect(received.map((m) => m.body)).toEqual(['new']);
    expect(q.messages).toHaveLength(1);
  });
});

describe('LocalQueue.delete receipt handles', () => {
  it('succeeds without deleting when the handle was superseded by a later receive', () => {
    // Prepare
    const q = queue();
    q.send('again');
    const firstHandle = q.receive(1, 0, 1_000)[0]?.receiptHandle ?? '';
    q.receive(1, 0, 1_000);

    // Act
    q.delete(firstHandle);

    // Assess
    expect(q.messages).toHaveLength(1);
  });

  it('succeeds when the message was already deleted', () => {
    // Prepare
    const q = queue();
    q.send('once');
    const handle = q.receive(1, 30, 1_000)[0]?.receiptHandle ?? '';
    q.delete(handle);

    // Act
    const act = () => q.delete(handle);

    // Assess
    expect(act).not.toThrow();
  });

  it("rejects another queue's receipt handle as ReceiptHandleIsInvalid with HTTP status 404", () => {
    // Prepare
    const q = queue();
    const other = new LocalQueue('other', `${URL}-other`, `${ARN}-other`);
    other.send('theirs');
    const handle = other.receive(1, 30, 1_000)[0]?.receiptHandle ?? '';

    // Act
    const error = thrownBy(() => q.delete(handle));

    // Assess
    expect(error).toBeInstanceOf(SqsError);
    expect(error).toMatchObject({
      code: 'ReceiptHandleIsInvalid',
      status: 404,
      message: `The input receipt handle "${handle}" is not a valid receipt handle.`,
    });
  });
});

describe('LocalQueues persistence', () => {
  const build = () => {
    const queues = new LocalQueues();
    queues.add(queue());
    queues.add(new LocalQueue('other', `${URL}-other`, `${ARN}-other`));
    return queues;
  };

  it('restores every queue from a JSON round trip of its snapshot', () => {
    // Prepare
    const before = build();
    const jobs = before.find('jobs');
    jobs.send('in flight');
    jobs.send('waiting', { messageAttributes: { a: { DataType: 'String', StringValue: 'x' } } });
    const inFlightHandle = jobs.receive(1, 300, 1_000)[0]?.receiptHandle ?? '';
    before.find('other').send('elsewhere');
    const saved = JSON.parse(JSON.stringify(before.snapshot()));

    // Act
    const after = build();
    after.restore(saved);

    // Assess
    expect(after.find('jobs').messages).toEqual(jobs.messages);
    expect(after.find('jobs').createdAt).toBe(jobs.createdAt);
    expect(after.find('other').messages.map((m) => m.body)).toEqual(['elsewhere']);
    after.find('jobs').delete(inFlightHandle);
    expect(after.find('jobs').messages.map((m) => m.body)).toEqual(['waiting']);
  });

  it('ignores a queue the template no longer has', () => {
    // Prepare
    const queues = build();
    const snapshot = { version: 1, queues: { 'arn:aws:sqs:us-east-1:000000000000:gone': { messages: [] } } };

    // Act
    const act = () => queues.restore(snapshot);

    // Assess
    expect(act).not.toThrow();
    expect(queues.find('jobs').messages).toEqual([]);
  });

  it('rejects a snapshot that is not one', () => {
    // Prepare
    const queues = build();

    // Act
    const error = thrownBy(() => queues.restore({ queues: { [ARN]: { messages: [{ body: 1 }] } } }));

    // Assess
    expect(error.message).toMatch(/^The SQS snapshot cannot be restored/);
  });

  it('calls onChange after each change to any queue, and not for an empty receive', () => {
    // Prepare
    const queues = build();
    const changes: string[] = [];
    queues.onChange = () => changes.push('changed');
    const jobs = queues.find('jobs');

    // Act
    jobs.receive(1, 30, 1_000);
    jobs.send('a');
    const handle = jobs.receive(1, 30, 1_000)[0]?.receiptHandle ?? '';
    jobs.delete(handle);
    queues.find('other').purge();

    // Assess
    expect(changes).toHaveLength(4);
  });
});
