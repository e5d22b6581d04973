import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { sqsActions, sqsJsonError } from '../../../local/api/sqs';
import { handleSqsQuery } from '../../../local/api/sqs-query';
import { AwsError } from '../../../local/errors';
import { LocalQueue, LocalQueues, SqsError } from '../../../local/sqs';

/** Debian's AWS CLI 2.9, which still speaks SQS's query protocol (the `aws` on PATH may be another). */
const AWS_CLI = '/usr/bin/aws';
const ACCOUNT = '000000000000';

/** Attributes whose MD5OfMessageAttributes another SQS implementation's tests publish. */
const ATTRIBUTES = {
  ordinal: { DataType: 'Number', StringValue: '1' },
  category: { DataType: 'String', StringValue: 'test' },
};
const ATTRIBUTES_MD5 = 'd21ae90c49061e927f57df5f5d72be1f';

/** The HTTP layer for SQS as the runtime's server does it: JSON on `X-Amz-Target`, else the query protocol. */
async function handle(
  queues: LocalQueues,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const actions = sqsActions(queues);
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith('AmazonSQS.')) {
    const action = target.slice('AmazonSQS.'.length);
    try {
      const run = Object.hasOwn(actions, action) ? actions[action] : undefined;
      if (!run) throw SqsError.invalidAction(action);
      const result = await run(JSON.parse(body || '{}'));
      response.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(result ?? {}));
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      const { status, headers, body: errorBody } = sqsJsonError(error);
      response.writeHead(status, headers);
      response.end(errorBody);
    }
    return;
  }
  const requestUrl = `http://${request.headers.host}${request.url ?? '/'}`;
  const answer = await handleSqsQuery(new URLSearchParams(body), actions, requestUrl);
  response.writeHead(answer.status, { 'Content-Type': answer.contentType });
  response.end(answer.body);
}

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let server: Server;
let endpoint: string;
let queues: LocalQueues;
let jobsUrl: string;
let auditUrl: string;
let sqs: SQSClient;

function cli(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      AWS_CLI,
      ['sqs', ...args, '--endpoint-url', endpoint, '--output', 'json'],
      {
        env: {
          PATH: '/usr/bin:/bin',
          HOME: tmpdir(),
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_PAGER: '',
        },
      },
      (error, stdout, stderr) => {
        const code = error ? Number((error as NodeJS.ErrnoException & { code?: unknown }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The CLI's JSON output, or `{}` for the empty output of an empty response. */
async function cliJson(...args: string[]): Promise<Record<string, unknown>> {
  const result = await cli(...args);
  if (result.code !== 0) throw new Error(`aws sqs ${args[0]} failed (${result.code}): ${result.stderr}`);
  return result.stdout.trim() === '' ? {} : JSON.parse(result.stdout);
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('Expected the call to fail, but it succeeded.');
}

beforeAll(async () => {
  server = createServer((request, response) => {
    handle(queues, request, response).catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  jobsUrl = `${endpoint}/${ACCOUNT}/onboarding-jobs`;
  auditUrl = `${endpoint}/${ACCOUNT}/onboarding-audit`;
  sqs = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

beforeEach(() => {
  queues = new LocalQueues();
  queues.add(new LocalQueue('onboarding-jobs', jobsUrl, `arn:aws:sqs:us-east-1:${ACCOUNT}:onboarding-jobs`));
  queues.add(
    new LocalQueue('onboarding-audit', auditUrl, `arn:aws:sqs:us-east-1:${ACCOUNT}:onboarding-audit`, 60),
  );
});

afterAll(async () => {
  sqs.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('SQS JSON protocol through @aws-sdk/client-sqs', () => {
  it('lists queues by name prefix, a page at a time', async () => {
    // Prepare
    const prefix = 'onboarding-';

    // Act
    const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
    const first = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 1 }));
    const second = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 1, NextToken: first.NextToken }),
    );
    const none = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'nothing-' }));

    // Assess
    expect(all.QueueUrls).toEqual([jobsUrl, auditUrl]);
    expect(first.QueueUrls).toEqual([jobsUrl]);
    expect(second).toMatchObject({ QueueUrls: [auditUrl] });
    expect(second.NextToken).toBeUndefined();
    expect(none.QueueUrls).toBeUndefined();
  });

  it('gets a queue URL by name', async () => {
    // Prepare
    const QueueName = 'onboarding-audit';

    // Act
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName }));

    // Assess
    expect(QueueUrl).toBe(auditUrl);
  });

  it('gets every queue attribute as a string', async () => {
    // Prepare
    await sqs.send(new SendMessageCommand({ QueueUrl: auditUrl, MessageBody: 'one' }));

    // Act
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: auditUrl, AttributeNames: ['All'] }),
    );

    // Assess
    expect(Attributes).toEqual({
      QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:onboarding-audit`,
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
      CreatedTimestamp: expect.stringMatching(/^\d{10}$/),
      LastModifiedTimestamp: expect.stringMatching(/^\d{10}$/),
      VisibilityTimeout: '60',
      MaximumMessageSize: '262144',
      MessageRetentionPeriod: '345600',
      DelaySeconds: '0',
      ReceiveMessageWaitTimeSeconds: '0',
    });
  });

  it('gets only the attributes asked for', async () => {
    // Prepare
    const AttributeNames = ['QueueArn' as const, 'VisibilityTimeout' as const];

    // Act
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: jobsUrl, AttributeNames }),
    );

    // Assess
    expect(Attributes).toEqual({
      QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:onboarding-jobs`,
      VisibilityTimeout: '30',
    });
  });

  it('receives a sent message with its attributes; the SDK checks the body MD5 both ways', async () => {
    // Prepare
    const MessageBody = JSON.stringify({ userId: 'u-1', note: '<&>"\'' });

    // Act
    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl: jobsUrl, MessageBody, MessageAttributes: ATTRIBUTES }),
    );
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: jobsUrl,
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
    expect(Messages).toEqual([
      {
        MessageId: sent.MessageId,
        ReceiptHandle: expect.any(String),
        MD5OfBody: md5(MessageBody),
        Body: MessageBody,
        Attributes: {
          SenderId: ACCOUNT,
          SentTimestamp: expect.stringMatching(/^\d{13}$/),
          ApproximateReceiveCount: '1',
          ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
        },
        MD5OfMessageAttributes: ATTRIBUTES_MD5,
        MessageAttributes: ATTRIBUTES,
      },
    ]);
  });

  it('returns only the message attributes asked for', async () => {
    // Prepare
    await sqs.send(
      new SendMessageCommand({ QueueUrl: jobsUrl, MessageBody: 'x', MessageAttributes: ATTRIBUTES }),
    );

    // Act
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: jobsUrl,
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
      new SendMessageCommand({ QueueUrl: jobsUrl, MessageBody: 'bin', MessageAttributes }),
    );
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: jobsUrl, MessageAttributeNames: ['All'] }),
    );

    // Assess
    expect(Messages?.[0]?.MessageAttributes).toEqual(MessageAttributes);
    expect(Messages?.[0]?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
  });

  it('hides a received message until its visibility timeout, then a long poll receives it again', async () => {
    // Prepare
    await sqs.send(new SendMessageCommand({ QueueUrl: jobsUrl, MessageBody: 'retry me' }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: jobsUrl, VisibilityTimeout: 1 }));

    // Act
    const hidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl: jobsUrl }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: jobsUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    const again = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: jobsUrl, WaitTimeSeconds: 5, AttributeNames: ['All'] }),
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
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: jobsUrl, WaitTimeSeconds: 1 }));

    // Assess
    expect(Messages).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('deletes a received message', async () => {
    // Prepare
    await sqs.send(new SendMessageCommand({ QueueUrl: jobsUrl, MessageBody: 'done' }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: jobsUrl }));

    // Act
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: jobsUrl, ReceiptHandle: Messages?.[0]?.ReceiptHandle }),
    );

    // Assess
    expect(queues.find(jobsUrl).messages).toEqual([]);
  });

  it('rejects a bad receipt handle as ReceiptHandleIsInvalid with HTTP status 404', async () => {
    // Prepare
    await sqs.send(new SendMessageCommand({ QueueUrl: jobsUrl, MessageBody: 'stay' }));

    // Act
    const error = await rejection(
      sqs.send(new DeleteMessageCommand({ QueueUrl: jobsUrl, ReceiptHandle: 'not-a-handle' })),
    );

    // Assess
    expect(error.name).toBe('ReceiptHandleIsInvalid');
    expect(error.message).toBe('The input receipt handle "not-a-handle" is not a valid receipt handle.');
    expect(error.$metadata).toMatchObject({ httpStatusCode: 404 });
    expect(queues.find(jobsUrl).messages).toHaveLength(1);
  });

  it('purges a queue', async () => {
    // Prepare
    for (const MessageBody of ['a', 'b'])
      await sqs.send(new SendMessageCommand({ QueueUrl: jobsUrl, MessageBody }));

    // Act
    await sqs.send(new PurgeQueueCommand({ QueueUrl: jobsUrl }));

    // Assess
    expect(queues.find(jobsUrl).messages).toEqual([]);
  });

  it('rejects an unknown queue as QueueDoesNotExist', async () => {
    // Prepare
    const QueueUrl = `${endpoint}/${ACCOUNT}/missing`;

    // Act
    const byUrl = await rejection(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })));
    const byName = await rejection(sqs.send(new GetQueueUrlCommand({ QueueName: 'missing' })));

    // Assess
    for (const error of [byUrl, byName]) {
      expect(error).toBeInstanceOf(QueueDoesNotExist);
      expect(error.name).toBe('QueueDoesNotExist');
      expect(error.message).toBe('The specified queue does not exist.');
      expect(error.Error).toMatchObject({ Code: 'AWS.SimpleQueueService.NonExistentQueue', Type: 'Sender' });
    }
  });

  it('rejects an action the runtime does not serve as InvalidAction', async () => {
    // Prepare
    const command = new CreateQueueCommand({ QueueName: 'new-queue' });

    // Act
    const error = await rejection(sqs.send(command));

    // Assess
    expect(error.name).toBe('InvalidAction');
    expect(error.message).toBe('The action CreateQueue is not valid for this endpoint.');
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
    const command = new ReceiveMessageCommand({ QueueUrl: jobsUrl, ...params });

    // Act
    const error = await rejection(sqs.send(command));

    // Assess
    expect(error.name).toBe('InvalidParameterValue');
    expect(error.message).toContain(message);
  });

  it('rejects a send without a body as MissingParameter', async () => {
    // Prepare
    const command = new SendMessageCommand({ QueueUrl: jobsUrl, MessageBody: '' });

    // Act
    const error = await rejection(sqs.send(command));

    // Assess
    expect(error.name).toBe('MissingParameter');
    expect(error.message).toBe('The request must contain the parameter MessageBody.');
  });
});

describe('SQS JSON errors on the wire', () => {
  it('sends __type, message and the x-amzn-query-error header', async () => {
    // Prepare
    const request = {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AmazonSQS.GetQueueUrl' },
      body: JSON.stringify({ QueueName: 'missing' }),
    };

    // Act
    const response = await fetch(`${endpoint}/`, request);

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-query-error')).toBe('AWS.SimpleQueueService.NonExistentQueue;Sender');
    expect(await response.json()).toEqual({
      __type: 'com.amazonaws.sqs#QueueDoesNotExist',
      message: 'The specified queue does not exist.',
    });
  });
});

describe('SQS query protocol through Debian’s AWS CLI 2.9', () => {
  it('lists queues and gets a queue URL', async () => {
    // Prepare
    const prefix = 'onboarding-a';

    // Act
    const all = await cliJson('list-queues');
    const some = await cliJson('list-queues', '--queue-name-prefix', prefix);
    const url = await cliJson('get-queue-url', '--queue-name', 'onboarding-jobs');

    // Assess
    expect(all).toEqual({ QueueUrls: [jobsUrl, auditUrl] });
    expect(some).toEqual({ QueueUrls: [auditUrl] });
    expect(url).toEqual({ QueueUrl: jobsUrl });
  });

  it('gets every queue attribute', async () => {
    // Prepare
    queues.find(auditUrl).send('one');

    // Act
    const { Attributes } = await cliJson(
      'get-queue-attributes',
      '--queue-url',
      auditUrl,
      '--attribute-names',
      'All',
    );

    // Assess
    expect(Attributes).toMatchObject({
      QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:onboarding-audit`,
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '0',
      VisibilityTimeout: '60',
      CreatedTimestamp: expect.stringMatching(/^\d{10}$/),
    });
  });

  it('sends and receives a message with attributes, XML-escaped intact', async () => {
    // Prepare
    const body = 'line 1\r\nline 2 <tag a="1"> & \'quoted\' ]]> é 😀';

    // Act
    const sent = await cliJson(
      'send-message',
      '--queue-url',
      jobsUrl,
      '--message-body',
      body,
      '--message-attributes',
      JSON.stringify(ATTRIBUTES),
    );
    const received = await cliJson(
      'receive-message',
      '--queue-url',
      jobsUrl,
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
    expect(received).toEqual({
      Messages: [
        {
          MessageId: sent.MessageId,
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
        },
      ],
    });
  });

  it('hides a received message, deletes it, and purges the rest', async () => {
    // Prepare
    for (const body of ['first', 'second']) queues.find(jobsUrl).send(body);

    // Act
    const first = await cliJson('receive-message', '--queue-url', jobsUrl, '--visibility-timeout', '60');
    const handle = (first.Messages as { ReceiptHandle: string }[])[0]?.ReceiptHandle ?? '';
    const second = await cliJson('receive-message', '--queue-url', jobsUrl, '--max-number-of-messages', '10');
    const third = await cliJson('receive-message', '--queue-url', jobsUrl);
    await cliJson('delete-message', '--queue-url', jobsUrl, '--receipt-handle', handle);
    const afterDelete = queues.find(jobsUrl).messages.map((m) => m.body);
    await cliJson('purge-queue', '--queue-url', jobsUrl);

    // Assess
    expect((first.Messages as { Body: string }[]).map((m) => m.Body)).toEqual(['first']);
    expect((second.Messages as { Body: string }[]).map((m) => m.Body)).toEqual(['second']);
    expect(third).toEqual({});
    expect(afterDelete).toEqual(['second']);
    expect(queues.find(jobsUrl).messages).toEqual([]);
  });

  it('rejects a bad receipt handle as ReceiptHandleIsInvalid', async () => {
    // Prepare
    const handle = 'not-a-handle';

    // Act
    const result = await cli('delete-message', '--queue-url', jobsUrl, '--receipt-handle', handle);

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'An error occurred (ReceiptHandleIsInvalid) when calling the DeleteMessage operation: ' +
        'The input receipt handle "not-a-handle" is not a valid receipt handle.',
    );
  });

  it('rejects an unknown queue as AWS.SimpleQueueService.NonExistentQueue', async () => {
    // Prepare
    const missing = `${endpoint}/${ACCOUNT}/missing`;

    // Act
    const byName = await cli('get-queue-url', '--queue-name', 'missing');
    const byUrl = await cli('send-message', '--queue-url', missing, '--message-body', 'x');

    // Assess
    expect(byName.stderr).toContain(
      'An error occurred (AWS.SimpleQueueService.NonExistentQueue) when calling the GetQueueUrl operation: ' +
        'The specified queue does not exist for this wsdl version.',
    );
    expect(byUrl.stderr).toContain(
      '(AWS.SimpleQueueService.NonExistentQueue) when calling the SendMessage operation',
    );
  });

  it('rejects an action the runtime does not serve as InvalidAction', async () => {
    // Prepare
    const args = ['create-queue', '--queue-name', 'new-queue'];

    // Act
    const result = await cli(...args);

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'An error occurred (InvalidAction) when calling the CreateQueue operation: ' +
        'The action CreateQueue is not valid for this endpoint.',
    );
  });
});

describe('SQS query protocol on the wire', () => {
  const post = (form: Record<string, string>, path = '/') =>
    fetch(`${endpoint}${path}`, {
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
    const response = await post(form, `/${ACCOUNT}/onboarding-audit`);

    // Assess
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(
      `<MD5OfMessageBody>${md5('to the queue URL')}</MD5OfMessageBody>`,
    );
    expect(queues.find(auditUrl).messages.map((m) => m.body)).toEqual(['to the queue URL']);
  });

  it('renders a response without a result element for DeleteMessage and PurgeQueue', async () => {
    // Prepare
    const form = { Action: 'PurgeQueue', QueueUrl: jobsUrl };

    // Act
    const response = await post(form);

    // Assess
    expect(await response.text()).toMatch(
      /^<\?xml version="1\.0"\?><PurgeQueueResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/PurgeQueueResponse>$/,
    );
  });
});
