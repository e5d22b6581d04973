import { createHash } from 'node:crypto';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { LocalRuntime } from '../../local/runtime';
import { rejectionOf } from '../support/errors';
import { BUS } from '../support/local';
import { aws, clients, startRuntime } from '../support/runtime';

const ACCOUNT = '000000000000';
/** The template's queues, all with a 30 s visibility timeout, 1 MiB messages and 14 days' retention. */
const QUEUES = [`${BUS}-trigger-dlq`, `${BUS}-rejected-events`, `${BUS}-undelivered-events`] as const;
const [, REJECTED, UNDELIVERED] = QUEUES;

/** Attributes whose MD5OfMessageAttributes another SQS implementation's tests publish. */
const ATTRIBUTES = {
  ordinal: { DataType: 'Number', StringValue: '1' },
  category: { DataType: 'String', StringValue: 'test' },
};
const ATTRIBUTES_MD5 = 'd21ae90c49061e927f57df5f5d72be1f';

/** How the AWS CLI reports an error, `aws()` running it with a single attempt. */
function cliError(code: string, operation: string, message: string): string {
  return `An error occurred (${code}) when calling the ${operation} operation (reached max retries: 0): ${message}`;
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/**
 * A message sent with ATTRIBUTES as ReceiveMessage answers its first receive, every attribute asked for:
 * the same from the SDK and from the CLI.
 */
function firstReceiveOf(messageId: unknown, body: string) {
  return {
    MessageId: messageId,
    ReceiptHandle: expect.any(String),
    MD5OfBody: md5(body),
    Body: body,
    Attributes: {
      SenderId: ACCOUNT,
      SentTimestamp: expect.stringMatching(/^\d{13}$/),
      ApproximateReceiveCount: '1',
      ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
    },
    MD5OfMessageAttributes: ATTRIBUTES_MD5,
    MessageAttributes: ATTRIBUTES,
  };
}

/** The error a call fails with, with the fields the SDK adds (`$metadata`, `Error`). */
async function rejection(act: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  return (await rejectionOf(act)) as Error & Record<string, unknown>;
}

/** The template's queues in the runtime through both of SQS's wire protocols, as clients speak them. */
describe('SQS in the local runtime', () => {
  let runtime: LocalRuntime;
  let sqs: SQSClient;
  let rejectedUrl: string;
  let undeliveredUrl: string;
  let dlqUrl: string;
  const urlOf = (name: string) => `${runtime.url}/${ACCOUNT}/${name}`;

  beforeAll(async () => {
    runtime = await startRuntime();
    sqs = clients(runtime.url).sqs;
    [dlqUrl, rejectedUrl, undeliveredUrl] = QUEUES.map(urlOf) as [string, string, string];
  });
  afterAll(async () => {
    sqs.destroy();
    await runtime.stop();
  });
  beforeEach(async () => {
    for (const QueueUrl of QUEUES.map(urlOf)) await sqs.send(new PurgeQueueCommand({ QueueUrl }));
  });

  /** A queue's message bodies, oldest first, read from the runtime's viewer endpoint without receiving them. */
  async function bodies(name: string): Promise<string[]> {
    const response = await fetch(`${runtime.url}/_local/queues`);
    const { queues } = (await response.json()) as {
      queues: { name: string; messages: { body: string }[] }[];
    };
    return queues.find((q) => q.name === name)?.messages.map((m) => m.body) ?? [];
  }

  /** Every queue's URL, as the runtime's own endpoint lists them: the template's, whatever the stack holds. */
  async function templateQueueUrls(): Promise<string[]> {
    const response = await fetch(`${runtime.url}/_local/queues`);
    const { queues } = (await response.json()) as { queues: { url: string }[] };
    return queues.map((q) => q.url);
  }

  /** Runs `aws sqs …` and fails the test with its stderr when it exits non-zero; `{}` for empty output. */
  async function cli(...args: string[]): Promise<Record<string, unknown>> {
    const result = await aws(runtime.url, 'sqs', ...args);
    if (result.code !== 0) throw new Error(`aws sqs ${args[0]} failed (${result.code}): ${result.stderr}`);
    return result.json ?? {};
  }

  describe('the JSON protocol through @aws-sdk/client-sqs', () => {
    it('lists queues by name prefix, a page at a time', async () => {
      // Prepare
      const prefix = `${BUS}-`;

      const expected = (await templateQueueUrls()).filter((url) => url.includes(`/${prefix}`));

      // Act
      const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
      const pages: { QueueUrls?: string[]; NextToken?: string }[] = [];
      let NextToken: string | undefined;
      do {
        const page = await sqs.send(
          new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, NextToken }),
        );
        pages.push(page);
        NextToken = page.NextToken;
      } while (NextToken !== undefined);
      const none = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'nothing-' }));

      // Assess
      expect([...(all.QueueUrls ?? [])].sort()).toEqual(expected.sort());
      expect(all.QueueUrls).toEqual(expect.arrayContaining([dlqUrl, rejectedUrl, undeliveredUrl]));
      for (const page of pages.slice(0, -1)) expect(page.QueueUrls).toHaveLength(2);
      expect(pages.flatMap((page) => page.QueueUrls ?? [])).toEqual(all.QueueUrls);
      expect(none.QueueUrls).toBeUndefined();
    });

    it('gets a queue URL by name', async () => {
      // Prepare
      const QueueName = UNDELIVERED;

      // Act
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName }));

      // Assess
      expect(QueueUrl).toBe(undeliveredUrl);
    });

    it('gets every queue attribute as a string, with the settings the template gives the queue', async () => {
      // Prepare
      await sqs.send(new SendMessageCommand({ QueueUrl: undeliveredUrl, MessageBody: 'one' }));

      // Act
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: undeliveredUrl, AttributeNames: ['All'] }),
      );

      // Assess
      expect(Attributes).toEqual({
        QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${UNDELIVERED}`,
        ApproximateNumberOfMessages: '1',
        ApproximateNumberOfMessagesNotVisible: '0',
        ApproximateNumberOfMessagesDelayed: '0',
        CreatedTimestamp: expect.stringMatching(/^\d{10}$/),
        LastModifiedTimestamp: expect.stringMatching(/^\d{10}$/),
        VisibilityTimeout: '30',
        MaximumMessageSize: '1048576',
        MessageRetentionPeriod: '1209600',
        DelaySeconds: '0',
        ReceiveMessageWaitTimeSeconds: '0',
      });
    });

    it('gets only the attributes asked for', async () => {
      // Prepare
      const AttributeNames = ['QueueArn' as const, 'VisibilityTimeout' as const];

      // Act
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: rejectedUrl, AttributeNames }),
      );

      // Assess
      expect(Attributes).toEqual({
        QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${REJECTED}`,
        VisibilityTimeout: '30',
      });
    });

    it('receives a sent message with its attributes; the SDK checks the body MD5 both ways', async () => {
      // Prepare
      const MessageBody = JSON.stringify({ userId: 'u-1', note: '<&>"\'' });

      // Act
      const sent = await sqs.send(
        new SendMessageCommand({ QueueUrl: rejectedUrl, MessageBody, MessageAttributes: ATTRIBUTES }),
      );
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: rejectedUrl,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );

      // Assess
      expect(sent).toMatchObject({
        MD5OfMessageBody: md5(MessageBody),
        MD5OfMessageAttributes: ATTRIBUTES_MD5,
      });
      expect(Messages).toEqual([firstReceiveOf(sent.MessageId, MessageBody)]);
    });

    it('returns only the message attributes asked for', async () => {
      // Prepare
      await sqs.send(
        new SendMessageCommand({ QueueUrl: rejectedUrl, MessageBody: 'x', MessageAttributes: ATTRIBUTES }),
      );

      // Act
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: rejectedUrl,
          MessageAttributeNames: ['category'],
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );

      // Assess
      expect(Messages?.[0]?.MessageAttributes).toEqual({ category: ATTRIBUTES.category });
      expect(Messages?.[0]?.Attributes).toEqual({ ApproximateReceiveCount: '1' });
    });

    it('round-trips a binary message attribute', async () => {
      // Prepare
      const MessageAttributes = { blob: { DataType: 'Binary', BinaryValue: Uint8Array.of(0, 1, 254, 255) } };

      // Act
      const sent = await sqs.send(
        new SendMessageCommand({ QueueUrl: rejectedUrl, MessageBody: 'bin', MessageAttributes }),
      );
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: rejectedUrl, MessageAttributeNames: ['All'] }),
      );

      // Assess
      expect(Messages?.[0]?.MessageAttributes).toEqual(MessageAttributes);
      expect(Messages?.[0]?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    });

    it('hides a received message until its visibility timeout, then a long poll receives it again', async () => {
      // Prepare
      await sqs.send(new SendMessageCommand({ QueueUrl: rejectedUrl, MessageBody: 'retry me' }));
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: rejectedUrl, VisibilityTimeout: 1 }));

      // Act
      const hidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl: rejectedUrl }));
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: rejectedUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      const again = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: rejectedUrl, WaitTimeSeconds: 5, AttributeNames: ['All'] }),
      );

      // Assess
      expect(hidden.Messages).toBeUndefined();
      expect(Attributes).toEqual({
        ApproximateNumberOfMessages: '0',
        ApproximateNumberOfMessagesNotVisible: '1',
      });
      expect(again.Messages?.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([
        ['retry me', '2'],
      ]);
    });

    it('returns nothing after a long poll of an empty queue', async () => {
      // Prepare
      const started = Date.now();

      // Act
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: rejectedUrl, WaitTimeSeconds: 1 }),
      );

      // Assess
      expect(Messages).toBeUndefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    });

    it('deletes a received message', async () => {
      // Prepare
      await sqs.send(new SendMessageCommand({ QueueUrl: rejectedUrl, MessageBody: 'done' }));
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: rejectedUrl }));

      // Act
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: rejectedUrl, ReceiptHandle: Messages?.[0]?.ReceiptHandle }),
      );

      // Assess
      expect(await bodies(REJECTED)).toEqual([]);
    });

    it('rejects a bad receipt handle as ReceiptHandleIsInvalid with HTTP status 404', async () => {
      // Prepare
      await sqs.send(new SendMessageCommand({ QueueUrl: rejectedUrl, MessageBody: 'stay' }));

      // Act
      const error = await rejection(() =>
        sqs.send(new DeleteMessageCommand({ QueueUrl: rejectedUrl, ReceiptHandle: 'not-a-handle' })),
      );

      // Assess
      expect(error.name).toBe('ReceiptHandleIsInvalid');
      expect(error.message).toBe('The input receipt handle "not-a-handle" is not a valid receipt handle.');
      expect(error.$metadata).toMatchObject({ httpStatusCode: 404 });
      expect(await bodies(REJECTED)).toEqual(['stay']);
    });

    it('purges a queue', async () => {
      // Prepare
      for (const MessageBody of ['a', 'b'])
        await sqs.send(new SendMessageCommand({ QueueUrl: rejectedUrl, MessageBody }));

      // Act
      await sqs.send(new PurgeQueueCommand({ QueueUrl: rejectedUrl }));

      // Assess
      expect(await bodies(REJECTED)).toEqual([]);
    });

    it('rejects an unknown queue as QueueDoesNotExist', async () => {
      // Prepare
      const QueueUrl = urlOf('missing');

      // Act
      const byUrl = await rejection(() => sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })));
      const byName = await rejection(() => sqs.send(new GetQueueUrlCommand({ QueueName: 'missing' })));

      // Assess
      for (const error of [byUrl, byName]) {
        expect(error).toBeInstanceOf(QueueDoesNotExist);
        expect(error.name).toBe('QueueDoesNotExist');
        expect(error.message).toBe('The specified queue does not exist.');
        expect(error.Error).toMatchObject({
          Code: 'AWS.SimpleQueueService.NonExistentQueue',
          Type: 'Sender',
        });
      }
    });

    it('rejects an action the runtime does not serve as InvalidAction', async () => {
      // Prepare
      const command = new ListQueueTagsCommand({ QueueUrl: undeliveredUrl });

      // Act
      const error = await rejection(() => sqs.send(command));

      // Assess
      expect(error.name).toBe('InvalidAction');
      expect(error.message).toBe('The action ListQueueTags is not valid for this endpoint.');
    });

    it.each([
      [
        'MaxNumberOfMessages 11',
        { MaxNumberOfMessages: 11 },
        'Value 11 for parameter MaxNumberOfMessages is invalid.',
      ],
      ['WaitTimeSeconds 21', { WaitTimeSeconds: 21 }, 'Value 21 for parameter WaitTimeSeconds is invalid.'],
      [
        'VisibilityTimeout -1',
        { VisibilityTimeout: -1 },
        'Value -1 for parameter VisibilityTimeout is invalid.',
      ],
    ])('rejects a receive with %s as InvalidParameterValue', async (_label, params, message) => {
      // Prepare
      const command = new ReceiveMessageCommand({ QueueUrl: rejectedUrl, ...params });

      // Act
      const error = await rejection(() => sqs.send(command));

      // Assess
      expect(error.name).toBe('InvalidParameterValue');
      expect(error.message).toContain(message);
    });

    it('rejects a send without a body as MissingParameter', async () => {
      // Prepare
      const command = new SendMessageCommand({ QueueUrl: rejectedUrl, MessageBody: '' });

      // Act
      const error = await rejection(() => sqs.send(command));

      // Assess
      expect(error.name).toBe('MissingParameter');
      expect(error.message).toBe('The request must contain the parameter MessageBody.');
    });
  });

  describe('JSON errors on the wire', () => {
    it('sends __type, message and the x-amzn-query-error header', async () => {
      // Prepare
      const request = {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AmazonSQS.GetQueueUrl' },
        body: JSON.stringify({ QueueName: 'missing' }),
      };

      // Act
      const response = await fetch(`${runtime.url}/`, request);

      // Assess
      expect(response.status).toBe(400);
      expect(response.headers.get('x-amzn-query-error')).toBe(
        'AWS.SimpleQueueService.NonExistentQueue;Sender',
      );
      expect(await response.json()).toEqual({
        __type: 'com.amazonaws.sqs#QueueDoesNotExist',
        message: 'The specified queue does not exist.',
      });
    });
  });

  describe('the query protocol through the AWS CLI', () => {
    it('lists queues and gets a queue URL', async () => {
      // Act
      const [all, some, url] = await Promise.all([
        cli('list-queues'),
        cli('list-queues', '--queue-name-prefix', `${BUS}-r`),
        cli('get-queue-url', '--queue-name', REJECTED),
      ]);

      // Assess
      expect([...(all.QueueUrls as string[])].sort()).toEqual((await templateQueueUrls()).sort());
      expect(all.QueueUrls).toEqual(expect.arrayContaining([dlqUrl, rejectedUrl, undeliveredUrl]));
      expect(some).toEqual({ QueueUrls: [rejectedUrl] });
      expect(url).toEqual({ QueueUrl: rejectedUrl });
    });

    it('gets every queue attribute', async () => {
      // Prepare
      await sqs.send(new SendMessageCommand({ QueueUrl: undeliveredUrl, MessageBody: 'one' }));

      // Act
      const { Attributes } = await cli(
        'get-queue-attributes',
        '--queue-url',
        undeliveredUrl,
        '--attribute-names',
        'All',
      );

      // Assess
      expect(Attributes).toMatchObject({
        QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${UNDELIVERED}`,
        ApproximateNumberOfMessages: '1',
        ApproximateNumberOfMessagesNotVisible: '0',
        VisibilityTimeout: '30',
        MaximumMessageSize: '1048576',
        MessageRetentionPeriod: '1209600',
        CreatedTimestamp: expect.stringMatching(/^\d{10}$/),
      });
    });

    it('sends and receives a message with attributes, XML-escaped intact', async () => {
      // Prepare
      const body = 'line 1\r\nline 2 <tag a="1"> & \'quoted\' ]]> é 😀';

      // Act
      const sent = await cli(
        'send-message',
        '--queue-url',
        rejectedUrl,
        '--message-body',
        body,
        '--message-attributes',
        JSON.stringify(ATTRIBUTES),
      );
      const received = await cli(
        'receive-message',
        '--queue-url',
        rejectedUrl,
        '--attribute-names',
        'All',
        '--message-attribute-names',
        'All',
        '--max-number-of-messages',
        '10',
      );

      // Assess
      expect(sent).toEqual({
        MessageId: expect.any(String),
        MD5OfMessageBody: md5(body),
        MD5OfMessageAttributes: ATTRIBUTES_MD5,
      });
      expect(received).toEqual({ Messages: [firstReceiveOf(sent.MessageId, body)] });
    });

    it('hides a received message, deletes it, and purges the rest', async () => {
      // Prepare
      for (const MessageBody of ['first', 'second'])
        await sqs.send(new SendMessageCommand({ QueueUrl: rejectedUrl, MessageBody }));

      // Act
      const first = await cli('receive-message', '--queue-url', rejectedUrl, '--visibility-timeout', '60');
      const handle = (first.Messages as { ReceiptHandle: string }[])[0]?.ReceiptHandle ?? '';
      const second = await cli(
        'receive-message',
        '--queue-url',
        rejectedUrl,
        '--max-number-of-messages',
        '10',
      );
      const third = await cli('receive-message', '--queue-url', rejectedUrl);
      await cli('delete-message', '--queue-url', rejectedUrl, '--receipt-handle', handle);
      const afterDelete = await bodies(REJECTED);
      await cli('purge-queue', '--queue-url', rejectedUrl);

      // Assess
      expect((first.Messages as { Body: string }[]).map((m) => m.Body)).toEqual(['first']);
      expect((second.Messages as { Body: string }[]).map((m) => m.Body)).toEqual(['second']);
      expect(third).toEqual({});
      expect(afterDelete).toEqual(['second']);
      expect(await bodies(REJECTED)).toEqual([]);
    });

    it('rejects a bad receipt handle as ReceiptHandleIsInvalid', async () => {
      // Prepare
      const handle = 'not-a-handle';

      // Act
      const result = await aws(
        runtime.url,
        'sqs',
        'delete-message',
        '--queue-url',
        rejectedUrl,
        '--receipt-handle',
        handle,
      );

      // Assess
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(
        cliError(
          'ReceiptHandleIsInvalid',
          'DeleteMessage',
          'The input receipt handle "not-a-handle" is not a valid receipt handle.',
        ),
      );
    });

    it('rejects an unknown queue as AWS.SimpleQueueService.NonExistentQueue', async () => {
      // Prepare
      const missing = urlOf('missing');

      // Act
      const [byName, byUrl] = await Promise.all([
        aws(runtime.url, 'sqs', 'get-queue-url', '--queue-name', 'missing'),
        aws(runtime.url, 'sqs', 'send-message', '--queue-url', missing, '--message-body', 'x'),
      ]);

      // Assess
      expect(byName.stderr).toContain(
        cliError(
          'AWS.SimpleQueueService.NonExistentQueue',
          'GetQueueUrl',
          'The specified queue does not exist for this wsdl version.',
        ),
      );
      expect(byUrl.stderr).toContain(
        '(AWS.SimpleQueueService.NonExistentQueue) when calling the SendMessage operation',
      );
    });

    it('rejects an action the runtime does not serve as InvalidAction', async () => {
      // Act
      const result = await aws(runtime.url, 'sqs', 'list-queue-tags', '--queue-url', undeliveredUrl);

      // Assess
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(
        cliError(
          'InvalidAction',
          'ListQueueTags',
          'The action ListQueueTags is not valid for this endpoint.',
        ),
      );
    });
  });

  describe('the query protocol on the wire', () => {
    const post = (form: Record<string, string>, path = '/') =>
      fetch(`${runtime.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ Version: '2012-11-05', ...form }).toString(),
      });

    it('answers an unknown action with an InvalidAction ErrorResponse', async () => {
      // Prepare
      const form = { Action: 'Frobnicate' };

      // Act
      const response = await post(form);

      // Assess
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(
        /<ErrorResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code><Message>The action Frobnicate is not valid for this endpoint\.<\/Message><Detail\/><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
      );
    });

    it('takes the queue from the URL posted to when the form does not name it', async () => {
      // Prepare
      const form = { Action: 'SendMessage', MessageBody: 'to the queue URL' };

      // Act
      const response = await post(form, `/${ACCOUNT}/${UNDELIVERED}`);
      const { Messages = [] } = await clients(runtime.url).sqs.send(
        new ReceiveMessageCommand({ QueueUrl: undeliveredUrl }),
      );

      // Assess
      expect(response.status).toBe(200);
      expect(await response.text()).toContain(
        `<MD5OfMessageBody>${md5('to the queue URL')}</MD5OfMessageBody>`,
      );
      expect(Messages.map((m) => m.Body)).toEqual(['to the queue URL']);
    });

    it('renders a response without a result element for DeleteMessage and PurgeQueue', async () => {
      // Prepare
      const form = { Action: 'PurgeQueue', QueueUrl: dlqUrl };

      // Act
      const response = await post(form);

      // Assess
      expect(await response.text()).toMatch(
        /^<\?xml version="1\.0"\?><PurgeQueueResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/PurgeQueueResponse>$/,
      );
    });
  });
});
