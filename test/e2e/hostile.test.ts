import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { EventRecord } from '../../local/eventbridge/bus';
import type { LocalRuntime } from '../../local/runtime';
import { LocalServer } from '../../local/server';
import { DYNAMODB_AUTH, type RawResponse, raw } from '../support/http';
import { BUS } from '../support/local';
import { clients, eventually, startRuntime } from '../support/runtime';

const JSON_1_0 = 'application/x-amz-json-1.0';
const JSON_1_1 = 'application/x-amz-json-1.1';
const FORM = 'application/x-www-form-urlencoded';
const PROTOCOLS: Record<string, string> = {
  AWSEvents: JSON_1_1,
  AWSStepFunctions: JSON_1_0,
  AmazonSQS: JSON_1_0,
  DynamoDB_20120810: JSON_1_0,
};
const ACCESS_CHANGE = `arn:aws:states:us-east-1:000000000000:stateMachine:${BUS}-access-change`;

/** JSON text of objects nested `depth` levels deep (`{"a":1}` is 1), around `leaf`. */
const nested = (depth: number, leaf = '1') => '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);

/** An access-change trigger whose detail nests `depth` levels deep, for `userId`. */
const deepTrigger = (userId: string, depth: number) => ({
  Source: 'app.identity',
  DetailType: 'User Access Changed',
  Detail: `{"userId":"${userId}","version":1,"blocked":true,"extra":${nested(depth - 1)}}`,
  EventBusName: BUS,
});

describe('the local runtime under hostile and malformed input', () => {
  let runtime: LocalRuntime;
  let c: ReturnType<typeof clients>;
  /** `127.0.0.1:<port>`: the Host every well-behaved request here sends. */
  let host: string;
  let port: string;
  beforeAll(async () => {
    runtime = await startRuntime();
    c = clients(runtime.url);
    host = new URL(runtime.url).host;
    port = new URL(runtime.url).port;
  });
  afterAll(() => runtime.stop());

  /** One AWS JSON-protocol call, as an SDK sends it, with `headers` added or overriding. */
  function api(target: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
    const service = target.slice(0, target.indexOf('.'));
    return raw(runtime.url, {
      method: 'POST',
      headers: {
        Host: host,
        'Content-Type': PROTOCOLS[service] ?? JSON_1_0,
        'X-Amz-Target': target,
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  const faults = async () =>
    (await raw(runtime.url, { path: '/_local/faults', headers: { Host: host } })).json;
  const eventsOf = (source: string) =>
    runtime.app.eventBridge.records.filter((r) => r.event.source === source);

  describe('Host header (DNS rebinding)', () => {
    it.each(['127.0.0.1', 'localhost', '[::1]'])(
      'answers Host %s with the port it listens on',
      async (name) => {
        // Act
        const response = await raw(runtime.url, {
          path: '/_local/health',
          headers: { Host: `${name}:${port}` },
        });

        // Assess
        expect(response.status).toBe(200);
      },
    );

    it.each([
      ['a rebinding page', () => `evil.example:${port}`],
      ['a name without the port', () => 'localhost'],
      ['another port', () => '127.0.0.1:1'],
    ])('refuses the Host of %s with 403 and says why, installing nothing', async (_label, hostOf) => {
      // Act
      const response = await raw(runtime.url, {
        method: 'POST',
        path: '/_local/faults',
        headers: { Host: hostOf(), 'Content-Type': 'application/json' },
        body: JSON.stringify({ errorCode: 'InternalFailure', source: 'test.rebinding' }),
      });

      // Assess
      expect(response.status).toBe(403);
      expect(response.json).toMatchObject({ __type: 'AccessDeniedException' });
      expect(response.json?.message).toContain(`Host '${hostOf()}' is not an address of the local runtime`);
      expect(await faults()).toEqual({ faults: [] });
    });

    it('answers the extra host names given in allowedHosts, and no others', async () => {
      // Prepare
      const server = await LocalServer.listen({
        port: 0,
        allowedHosts: ['runtime.internal', 'proxy.test:8080'],
      });
      server.serve(runtime.app);
      const health = (name: string) => raw(server.url, { path: '/_local/health', headers: { Host: name } });
      try {
        // Act
        const named = await health(`runtime.internal:${new URL(server.url).port}`);
        const proxied = await health('proxy.test:8080');
        const other = await health(`other.internal:${new URL(server.url).port}`);

        // Assess
        expect([named.status, proxied.status, other.status]).toEqual([200, 200, 403]);
      } finally {
        await server.stop();
      }
    });

    it("answers its own URL's Host when bound to every interface, as its Lambda functions call that URL", async () => {
      // Prepare
      const server = await LocalServer.listen({ host: '0.0.0.0', port: 0 });
      server.serve(runtime.app);
      try {
        // Act
        const own = await raw(server.url, {
          path: '/_local/health',
          headers: { Host: new URL(server.url).host },
        });
        const rebound = await raw(server.url, {
          path: '/_local/health',
          headers: { Host: `evil.example:${new URL(server.url).port}` },
        });

        // Assess
        expect([own.status, rebound.status]).toEqual([200, 403]);
      } finally {
        await server.stop();
      }
    });
  });

  describe('requests from web pages', () => {
    const ORIGINS = [
      ['another site', 'http://evil.example'],
      ['another port of localhost (same-site)', 'http://localhost:3000'],
      ['an opaque origin (a sandboxed frame)', 'null'],
    ];

    it.each(ORIGINS)('refuses fault injection from %s', async (_label, origin) => {
      // Act
      const response = await raw(runtime.url, {
        method: 'POST',
        path: '/_local/faults',
        headers: { Host: host, Origin: origin, 'Content-Type': 'application/json' },
        body: JSON.stringify({ errorCode: 'InternalFailure', source: 'test.cross-site' }),
      });

      // Assess
      expect(response.status).toBe(403);
      expect(response.json?.message).toContain(`A request from the web page at ${origin} is refused`);
      expect(await faults()).toEqual({ faults: [] });
    });

    it.each(ORIGINS)('refuses an event put from %s', async (_label, origin) => {
      // Act
      const response = await api(
        'AWSEvents.PutEvents',
        { Entries: [{ Source: 'test.cross-site', DetailType: 'Forged', Detail: '{}', EventBusName: BUS }] },
        { Origin: origin },
      );

      // Assess
      expect(response.status).toBe(403);
      expect(eventsOf('test.cross-site')).toEqual([]);
    });

    it.each(ORIGINS)(
      "refuses a queue purge from %s in SQS's query protocol, an HTML form's own format",
      async (_label, origin) => {
        // Prepare
        const { QueueUrl } = await c.sqs.send(
          new GetQueueUrlCommand({ QueueName: `${BUS}-rejected-events` }),
        );
        await c.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'kept' }));

        // Act
        const response = await raw(runtime.url, {
          method: 'POST',
          headers: { Host: host, Origin: origin, 'Content-Type': FORM },
          body: new URLSearchParams({
            Action: 'PurgeQueue',
            Version: '2012-11-05',
            QueueUrl: QueueUrl ?? '',
          }).toString(),
        });

        // Assess
        expect(response.status).toBe(403);
        const queue = runtime.app.queues.find(`${BUS}-rejected-events`);
        expect(queue.counts().visible).toBeGreaterThan(0);
      },
    );

    it.each(['cross-site', 'same-site'])(
      'refuses a request marked Sec-Fetch-Site: %s, even without an Origin',
      async (site) => {
        // Act
        const read = await raw(runtime.url, {
          path: '/_local/events',
          headers: { Host: host, 'Sec-Fetch-Site': site },
        });
        const write = await api('AWSStepFunctions.ListStateMachines', {}, { 'Sec-Fetch-Site': site });

        // Assess
        expect([read.status, write.status]).toEqual([403, 403]);
      },
    );

    it.each([
      ['127.0.0.1', () => host],
      ['localhost', () => `localhost:${port}`],
    ])("answers the runtime's own page, loaded from %s, as the viewer calls it", async (_label, hostOf) => {
      // Prepare: what a browser adds to the viewer's fetch('/', {method: 'POST', ...}).
      const sameOrigin = { Host: hostOf(), Origin: `http://${hostOf()}`, 'Sec-Fetch-Site': 'same-origin' };

      // Act
      const call = await api('AWSStepFunctions.ListStateMachines', { maxResults: 1000 }, sameOrigin);
      const events = await raw(runtime.url, {
        path: '/_local/events?limit=1',
        headers: { Host: hostOf(), 'Sec-Fetch-Site': 'same-origin' },
      });

      // Assess
      expect([call.status, events.status]).toEqual([200, 200]);
    });

    it('answers clients that send no Origin, as the AWS SDK', async () => {
      // Act
      const { stateMachines = [] } = await c.sfn.send(new ListStateMachinesCommand({}));

      // Assess
      expect(stateMachines.length).toBeGreaterThan(0);
    });

    it('opens the viewer from a link followed on another site, which changes nothing', async () => {
      // Act
      const response = await raw(runtime.url, {
        path: '/',
        headers: {
          Host: host,
          'Sec-Fetch-Site': 'cross-site',
          'Sec-Fetch-Mode': 'navigate',
          'Sec-Fetch-Dest': 'document',
        },
      });

      // Assess
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toContain('text/html');
    });
  });

  describe('content types', () => {
    it("refuses an AWS API call sent as text/plain, a page's simple request", async () => {
      // Act
      const response = await api(
        'AWSEvents.PutEvents',
        { Entries: [{ Source: 'test.text-plain', DetailType: 'Forged', Detail: '{}', EventBusName: BUS }] },
        { 'Content-Type': 'text/plain;charset=UTF-8' },
      );

      // Assess
      expect(response.status).toBe(415);
      expect(response.json).toMatchObject({ __type: 'UnsupportedMediaTypeException' });
      expect(eventsOf('test.text-plain')).toEqual([]);
    });

    it.each(['text/plain;charset=UTF-8', FORM])(
      "refuses fault injection sent as %s even from the runtime's own page",
      async (type) => {
        // Act
        const response = await raw(runtime.url, {
          method: 'POST',
          path: '/_local/faults',
          headers: { Host: host, Origin: `http://${host}`, 'Content-Type': type },
          body: JSON.stringify({ errorCode: 'InternalFailure', source: 'test.simple' }),
        });

        // Assess
        expect(response.status).toBe(415);
        expect(await faults()).toEqual({ faults: [] });
      },
    );

    it.each([FORM, 'text/plain;charset=UTF-8'])(
      'takes fault injection sent as %s by a client that is no web page (curl -d, a script)',
      async (type) => {
        // Act
        const response = await raw(runtime.url, {
          method: 'POST',
          path: '/_local/faults',
          headers: { Host: host, 'Content-Type': type },
          body: JSON.stringify({ errorCode: 'InternalFailure', source: 'test.curl' }),
        });
        await raw(runtime.url, { method: 'DELETE', path: '/_local/faults', headers: { Host: host } });

        // Assess
        expect(response.status).toBe(200);
        expect(response.json).toEqual({ faults: [{ errorCode: 'InternalFailure', source: 'test.curl' }] });
      },
    );
  });

  describe('JSON nested deeper than AWS takes', () => {
    // "PutEvents will only process nested JSON up to 1100 levels deep" (EventBridge API reference, PutEvents).
    // What AWS answers past it is not documented: the runtime refuses the entry as MalformedDetail.
    it('rejects a Detail nested deeper than 1100 levels as MalformedDetail and accepts the rest of the batch', async () => {
      // Act
      const response = await api('AWSEvents.PutEvents', {
        Entries: [
          { Source: 'test.deep', DetailType: 'Too deep', Detail: nested(2_500), EventBusName: BUS },
          { Source: 'test.deep', DetailType: 'At the limit', Detail: nested(1_100), EventBusName: BUS },
        ],
      });
      const events = await raw(runtime.url, { path: '/_local/events?limit=1000', headers: { Host: host } });

      // Assess
      expect(response.json).toMatchObject({
        FailedEntryCount: 1,
        Entries: [
          {
            ErrorCode: 'MalformedDetail',
            ErrorMessage: 'Detail is malformed: it is nested deeper than 1100 levels.',
          },
          { EventId: expect.any(String) },
        ],
      });
      expect(events.status).toBe(200);
      expect(eventsOf('test.deep').map((r) => r.event['detail-type'])).toEqual(['At the limit']);
    });

    it('runs to its end an execution started by an event at the deepest EventBridge accepts', async () => {
      // Act
      await c.events.send(new PutEventsCommand({ Entries: [deepTrigger('u-deepest', 1_100)] }));
      const ended = await eventually(async () => {
        const execution = [...runtime.app.stepFunctions.executions.values()].find((e) =>
          e.input.includes('"u-deepest"'),
        );
        return execution && execution.status !== 'RUNNING' ? execution : undefined;
      });

      // Assess
      expect(ended.status).toBe('SUCCEEDED');
    });

    // Step Functions documents no depth for execution input (only 256 KiB). The runtime takes what EventBridge
    // can deliver, a 1100-level Detail in the event's envelope, and refuses deeper input as invalid.
    it('rejects execution input nested deeper than 1101 levels as InvalidExecutionInput, starting nothing', async () => {
      // Prepare
      const started = runtime.app.stepFunctions.executions.size;

      // Act
      const response = await api('AWSStepFunctions.StartExecution', {
        stateMachineArn: ACCESS_CHANGE,
        input: nested(5_000),
      });

      // Assess
      expect(response.status).toBe(400);
      expect(response.json).toEqual({
        __type: 'InvalidExecutionInput',
        message: 'Invalid State Machine Execution Input: the input is nested deeper than 1101 levels.',
      });
      expect(runtime.app.stepFunctions.executions.size).toBe(started);
    });

    it.each([
      [
        'TestEventPattern',
        'InvalidEventPatternException',
        'AWSEvents.TestEventPattern',
        { EventPattern: nested(5_000, '["x"]'), Event: '{}' },
      ],
      [
        'TestState input',
        'InvalidExecutionInput',
        'AWSStepFunctions.TestState',
        { definition: '{"Type":"Pass","End":true}', input: nested(5_000) },
      ],
      [
        'SendTaskSuccess output',
        'InvalidOutput',
        'AWSStepFunctions.SendTaskSuccess',
        { taskToken: 'token', output: nested(5_000) },
      ],
      [
        'a definition',
        'InvalidDefinition',
        'AWSStepFunctions.CreateStateMachine',
        { name: 'deep', roleArn: 'arn:aws:iam::000000000000:role/r', definition: nested(5_000) },
      ],
    ])('rejects %s nested too deep as %s', async (_label, error, target, body) => {
      // Act
      const response = await api(target, body);

      // Assess
      expect(response.status).toBe(400);
      expect(response.json).toMatchObject({ __type: error, message: expect.stringContaining('1101 levels') });
    });

    it('rejects a request body nested deeper than 100 levels as SerializationException', async () => {
      // Act
      const response = await api(
        'AWSStepFunctions.ListStateMachines',
        `{"maxResults":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
      );

      // Assess
      expect(response.status).toBe(400);
      expect(response.json).toMatchObject({ __type: 'SerializationException' });
    });

    // DynamoDB refuses an item past 32 levels with this ValidationException (recorded against AWS in
    // nubo-db/dynoxide#110). dynalite does not check it, and overflows the stack, process and all, much deeper.
    it('rejects a DynamoDB item nested a thousand levels deep, and DynamoDB still answers', async () => {
      // Prepare
      const attribute = `${'{"M":{"a":'.repeat(1_000)}{"S":"x"}${'}}'.repeat(1_000)}`;
      const item = `{"userId":{"S":"u-deep"},"workflow":{"S":"w"},"deep":${attribute}}`;

      // Act
      const response = await api(
        'DynamoDB_20120810.PutItem',
        `{"TableName":"${BUS}-versions","Item":${item}}`,
        DYNAMODB_AUTH,
      );
      const tables = await api('DynamoDB_20120810.ListTables', {}, DYNAMODB_AUTH);

      // Assess
      expect(response.status).toBe(400);
      expect(response.json).toEqual({
        __type: 'com.amazon.coral.validate#ValidationException',
        message:
          'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit',
      });
      expect(tables.json).toEqual({ TableNames: [`${BUS}-versions`, `${BUS}-webhook-ids`] });
    });

    it('keeps the deepest Detail it takes across a restart, and serves /_local/events on both sides', async () => {
      // Prepare
      const dataDir = mkdtempSync(join(tmpdir(), 'hostile-'));
      let persisted = await startRuntime({ dataDir });
      const events = async () =>
        raw(persisted.url, {
          path: '/_local/events?limit=1000',
          headers: { Host: new URL(persisted.url).host },
        });
      try {
        await clients(persisted.url).events.send(
          new PutEventsCommand({
            Entries: [
              { Source: 'test.deep', DetailType: 'Too deep', Detail: nested(10_000), EventBusName: BUS },
              { Source: 'test.deep', DetailType: 'At the limit', Detail: nested(1_100), EventBusName: BUS },
            ],
          }),
        );

        // Act
        const before = await events();
        await persisted.stop();
        persisted = await startRuntime({ dataDir });
        const after = await events();

        // Assess
        expect([before.status, after.status]).toEqual([200, 200]);
        expect(after.json?.events).toMatchObject([{ event: { 'detail-type': 'At the limit' } }]);
        expect(after.body).toBe(before.body);
      } finally {
        await persisted.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });

  describe('an answer that cannot be serialised', () => {
    it('ends with InternalFailure rather than a hung socket', async () => {
      // Prepare: a record no PutEvents accepts any more, as a data directory of an earlier version may hold.
      let detail: Record<string, unknown> = {};
      for (let i = 0; i < 20_000; i++) detail = { a: detail };
      const record: EventRecord = {
        event: {
          version: '0',
          id: 'deep',
          'detail-type': 'Deep',
          source: 'test.unserialisable',
          account: '000000000000',
          time: '2026-01-01T00:00:00Z',
          region: 'us-east-1',
          resources: [],
          detail,
        },
        busName: BUS,
        receivedAt: new Date(),
        matchedRules: [],
        deliveries: [],
      };
      runtime.app.eventBridge.records.push(record);
      try {
        // Act
        const response = await raw(runtime.url, { path: '/_local/events', headers: { Host: host } });

        // Assess
        expect(response.status).toBe(500);
        expect(response.json).toMatchObject({
          __type: 'InternalFailure',
          message: expect.stringContaining('could not serialise its answer'),
        });
      } finally {
        runtime.app.eventBridge.records.splice(runtime.app.eventBridge.records.indexOf(record), 1);
      }
    });
  });

  describe('members of the wrong JSON type', () => {
    // AWS's JSON services answer SerializationException (HTTP 400, not retried) for a member their model
    // cannot read, e.g. a boolean for a string (amazon-archives/amazon-cognito-identity-js#485); these used to
    // fail inside the runtime as HTTP 500 InternalFailure, which SDKs retry.
    it.each([
      [
        'AWSEvents.PutEvents',
        { Entries: [{ Source: 'a.b', DetailType: 'd', Detail: '{}', EventBusName: 5 }] },
        'Entries[0].EventBusName',
      ],
      [
        'AWSEvents.PutEvents',
        { Entries: [{ Source: 'a.b', DetailType: 'd', Detail: '{}', Resources: 'r' }] },
        'Entries[0].Resources',
      ],
      [
        'AWSEvents.PutEvents',
        { Entries: [{ Source: 'a.b', DetailType: 'd', Detail: '{}', Resources: [{}] }] },
        'Entries[0].Resources[0]',
      ],
      ['AWSEvents.ListEventBuses', { NamePrefix: { toString: 1 } }, 'NamePrefix'],
      ['AWSEvents.ListRules', { Limit: 'ten' }, 'Limit'],
      [
        'AWSStepFunctions.StartExecution',
        { stateMachineArn: ACCESS_CHANGE, input: { userId: 'u' } },
        'input',
      ],
      ['AWSStepFunctions.GetExecutionHistory', { executionArn: 'arn', reverseOrder: 'yes' }, 'reverseOrder'],
      ['AWSStepFunctions.TestState', { definition: '{}', mock: 'result' }, 'mock'],
      [
        'AmazonSQS.SendMessage',
        { QueueUrl: 'q', MessageBody: 'b', MessageAttributes: { a: 5 } },
        'MessageAttributes.a',
      ],
      ['AmazonSQS.ReceiveMessage', { QueueUrl: 'q', MaxNumberOfMessages: '10' }, 'MaxNumberOfMessages'],
    ])('rejects %s with %j as SerializationException naming %s', async (target, body, member) => {
      // Act
      const response = await api(target, body);

      // Assess
      expect(response.status).toBe(400);
      expect(String(response.json?.__type)).toMatch(/(^|#)SerializationException$/);
      expect(response.json?.message).toContain(`at '${member}'`);
    });

    it.each(['[]', '"Entries"', '5', 'null'])(
      'rejects a request body %s that is not a JSON object',
      async (body) => {
        // Act
        const response = await api('AWSEvents.PutEvents', body);

        // Assess
        expect(response.status).toBe(400);
        expect(response.json).toEqual({
          __type: 'SerializationException',
          message: 'The request body is not a JSON object',
        });
      },
    );
  });

  describe("sources reserved for AWS's own services", () => {
    it('rejects an entry whose source starts with aws. as NotAuthorizedForSourceException and accepts the rest', async () => {
      // Act
      const response = await c.events.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: 'aws.ec2',
              DetailType: 'EC2 Instance State-change Notification',
              Detail: '{}',
              EventBusName: BUS,
            },
            { Source: 'test.not-aws', DetailType: 'Allowed', Detail: '{}', EventBusName: BUS },
          ],
        }),
      );

      // Assess
      expect(response.FailedEntryCount).toBe(1);
      expect(response.Entries).toEqual([
        { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
        { EventId: expect.any(String) },
      ]);
      expect(eventsOf('aws.ec2')).toEqual([]);
    });
  });

  describe('paging tokens the runtime did not issue', () => {
    const FORGED = [
      ['garbled', 'not a token!'],
      ['empty', ''],
      ['an offset encoded as the runtime once did', Buffer.from('offset:1').toString('base64url')],
      ['a journal position', Buffer.from(`executions:${'9'.repeat(400)}`).toString('base64url')],
      ['a megabyte long', 'A'.repeat(1024 * 1024)],
    ];
    const LISTS = [
      ['AWSStepFunctions.ListStateMachines', (token: string) => ({ nextToken: token }), 'InvalidToken'],
      [
        'AWSStepFunctions.ListExecutions',
        (token: string) => ({ stateMachineArn: ACCESS_CHANGE, nextToken: token }),
        'InvalidToken',
      ],
      ['AWSEvents.ListEventBuses', (token: string) => ({ NextToken: token }), 'ValidationException'],
      [
        'AWSEvents.ListRules',
        (token: string) => ({ EventBusName: BUS, NextToken: token }),
        'ValidationException',
      ],
      [
        'AmazonSQS.ListQueues',
        (token: string) => ({ MaxResults: 1, NextToken: token }),
        'com.amazonaws.sqs#InvalidParameterValue',
      ],
    ] as const;

    it.each(
      LISTS.flatMap(([target, request, error]) =>
        FORGED.map(([label, token]) => [target, label, request(token as string), error]),
      ),
    )('rejects %s with a token that is %s', async (target, _label, body, error) => {
      // Act
      const response = await api(target as string, body);

      // Assess
      expect(response.status).toBe(400);
      expect(response.json?.__type).toBe(error);
    });

    it("rejects GetExecutionHistory with another execution's token as InvalidToken", async () => {
      // Prepare: two ended executions, and a page token of the first's history.
      await c.events.send(
        new PutEventsCommand({ Entries: [deepTrigger('u-token-1', 1), deepTrigger('u-token-2', 1)] }),
      );
      const [first, second] = await eventually(async () => {
        const ended = [...runtime.app.stepFunctions.executions.values()].filter(
          (e) => /"u-token-[12]"/.test(e.input) && e.status !== 'RUNNING',
        );
        return ended.length === 2 ? ended : undefined;
      });
      const page = await api('AWSStepFunctions.GetExecutionHistory', {
        executionArn: first?.executionArn,
        maxResults: 1,
      });

      // Act
      const response = await api('AWSStepFunctions.GetExecutionHistory', {
        executionArn: second?.executionArn,
        nextToken: page.json?.nextToken,
      });

      // Assess
      expect(page.json?.nextToken).toEqual(expect.any(String));
      expect(response.json?.__type).toBe('InvalidToken');
    });

    it("rejects a token in SQS's query protocol as InvalidParameterValue", async () => {
      // Act
      const response = await raw(runtime.url, {
        method: 'POST',
        headers: { Host: host, 'Content-Type': FORM },
        body: new URLSearchParams({
          Action: 'ListQueues',
          Version: '2012-11-05',
          MaxResults: '1',
          NextToken: 'forged',
        }).toString(),
      });

      // Assess
      expect(response.status).toBe(400);
      expect(response.body).toContain('<Code>InvalidParameterValue</Code>');
    });

    it('pages on with the tokens it issued', async () => {
      // Act
      const first = await api('AWSStepFunctions.ListStateMachines', { maxResults: 1 });
      const second = await api('AWSStepFunctions.ListStateMachines', {
        maxResults: 1,
        nextToken: first.json?.nextToken,
      });

      // Assess
      expect(second.status).toBe(200);
      expect(second.json?.stateMachines).toHaveLength(1);
      expect(second.json?.stateMachines).not.toEqual(first.json?.stateMachines);
    });
  });
});
