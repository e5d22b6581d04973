import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateStateMachineCommand,
  ListStateMachinesCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { GetQueueUrlCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { EVENTS_REQUESTS, eventsActions } from '../../local/api/events';
import { logsActions } from '../../local/api/logs';
import { secretsActions } from '../../local/api/secrets';
import { LOGS_REQUESTS, type RequestShapes, SECRETS_REQUESTS, type Shape } from '../../local/api/shapes';
import { SQS_REQUESTS, sqsActions } from '../../local/api/sqs';
import { STATES_REQUESTS, statesActions } from '../../local/api/states';
import type { LocalRuntime } from '../../local/runtime';
import { DYNAMODB_AUTH, type RawRequest, type RawResponse, raw } from '../support/http';
import { BUS } from '../support/local';
import { clients, startRuntime } from '../support/runtime';

/** The JSON services the runtime serves itself, with the content type their clients send. */
const SERVICES: readonly { prefix: string; contentType: string; requests: RequestShapes }[] = [
  { prefix: 'AWSEvents', contentType: 'application/x-amz-json-1.1', requests: EVENTS_REQUESTS },
  { prefix: 'AWSStepFunctions', contentType: 'application/x-amz-json-1.0', requests: STATES_REQUESTS },
  { prefix: 'AmazonSQS', contentType: 'application/x-amz-json-1.0', requests: SQS_REQUESTS },
  { prefix: 'Logs_20140328', contentType: 'application/x-amz-json-1.1', requests: LOGS_REQUESTS },
  { prefix: 'secretsmanager', contentType: 'application/x-amz-json-1.1', requests: SECRETS_REQUESTS },
];

/** dynalite's operations (`validOperations` in node_modules/dynalite/index.js), which the runtime passes through. */
const DYNAMODB_OPERATIONS = [
  'BatchGetItem',
  'BatchWriteItem',
  'CreateTable',
  'DeleteItem',
  'DeleteTable',
  'DescribeTable',
  'DescribeTimeToLive',
  'GetItem',
  'ListTables',
  'PutItem',
  'Query',
  'Scan',
  'TagResource',
  'UntagResource',
  'ListTagsOfResource',
  'UpdateItem',
  'UpdateTable',
];

const ROLE = 'arn:aws:iam::000000000000:role/fuzz';
const PASS_MACHINE = JSON.stringify({ StartAt: 'Pass', States: { Pass: { Type: 'Pass', End: true } } });

/** One more byte than the runtime reads (MAX_REQUEST_BYTES in local/server.ts). */
const OVERSIZED_BYTES = 16 * 1024 * 1024 + 1;

/** A small, seeded generator (mulberry32), so that every run sends the same requests. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const nestedText = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** Values of every JSON type, and some that are only nearly JSON once parsed (lone surrogates). */
const JSON_VALUES: readonly unknown[] = [
  0,
  -1,
  1.5,
  2 ** 53 + 1,
  1e308,
  true,
  false,
  '',
  'x',
  '\ud800',
  '\u0000\u001f',
  [],
  [1, 'a', null],
  {},
  { a: 1 },
  // Own members named as Object.prototype's, as JSON.parse makes them.
  JSON.parse('{"constructor": "x", "__proto__": {"polluted": true}, "hasOwnProperty": 1}'),
];

/** Strings that an action may parse, size or echo: JSON text too deep, huge, junk, a URL, an ARN. */
function hostileStrings(random: () => number): string[] {
  const junk = Array.from({ length: 64 }, () => String.fromCharCode(Math.floor(random() * 0xffff))).join('');
  return [
    nestedText(5_000),
    `{"a":${nestedText(1_200)}}`,
    // Just over the 256 KiB that PutEvents, Step Functions payloads and SQS messages take.
    'x'.repeat(256 * 1024 + 1),
    junk,
    '{"Type":"Pass","End":true}',
    'arn:aws:states:us-east-1:000000000000:stateMachine:../../x',
    'http://127.0.0.1:1/000000000000/../x',
    '%00%ff',
  ];
}

/**
 * A request that fills every member with a value of its declared type: what `real` holds for its name (a state
 * machine, a queue that exists), so that one hostile member reaches as far into the action as it can.
 */
function plausible(shape: Shape, real: Readonly<Record<string, unknown>>, name = ''): unknown {
  if (Object.hasOwn(real, name) && (typeof shape === 'string' || real[name] === OMIT)) return real[name];
  if (shape === 'String') return 'fuzz';
  if (shape === 'Integer') return 1;
  if (shape === 'Boolean') return false;
  if (shape === 'Timestamp') return 0;
  if ('list' in shape) return [plausible(shape.list, real, name)];
  if ('map' in shape) return { key: plausible(shape.map, real, name) };
  return Object.fromEntries(
    Object.entries(shape.structure)
      .map(([member, inner]) => [member, plausible(inner, real, member)])
      .filter(([, value]) => value !== OMIT),
  );
}

/** In `real`, a member a plausible request leaves out (one that would stop the action before the others). */
const OMIT = Symbol('omit');

/** Every path to a member in a plausible request, with the member's shape: `Entries.0.Source`. */
function memberPaths(shape: Shape, prefix: (string | number)[] = []): [(string | number)[], Shape][] {
  if (typeof shape === 'string') return [];
  if ('list' in shape) return [[[...prefix, 0], shape.list], ...memberPaths(shape.list, [...prefix, 0])];
  if ('map' in shape) return [[[...prefix, 'key'], shape.map], ...memberPaths(shape.map, [...prefix, 'key'])];
  return Object.entries(shape.structure).flatMap(([name, member]): [(string | number)[], Shape][] => [
    [[...prefix, name], member],
    ...memberPaths(member, [...prefix, name]),
  ]);
}

/** A copy of `body` with the member at `path` set to `value` (and the structures above it, if left out). */
function withMember(body: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let node = copy;
  for (const [index, key] of path.slice(0, -1).entries()) {
    node[key] ??= typeof path[index + 1] === 'number' ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  }
  node[path.at(-1) as string | number] = value;
  return copy;
}

/** Bodies for one JSON action: not JSON, not an object, too big, too deep, and each member mistyped or hostile. */
function jsonBodies(
  shape: Shape,
  real: Readonly<Record<string, unknown>>,
  random: () => number,
): (string | Buffer)[] {
  const base = plausible(shape, real);
  const bodies: (string | Buffer)[] = [
    '',
    '{',
    '{"a":}',
    'null',
    '[]',
    '"x"',
    '42',
    '{}',
    JSON.stringify(base),
  ];
  bodies.push(`{"deep":${nestedText(100_000)}}`, `{"wide":[${'0,'.repeat(200_000)}0]}`);
  bodies.push(Buffer.from(Array.from({ length: 256 }, () => Math.floor(random() * 256))));
  for (const [path, member] of memberPaths(shape)) {
    for (const value of JSON_VALUES) bodies.push(JSON.stringify(withMember(base, path, value)));
    if (member === 'String')
      for (const text of hostileStrings(random)) bodies.push(JSON.stringify(withMember(base, path, text)));
  }
  return bodies;
}

/**
 * SQS query-protocol forms for one action: no parameters, each parameter hostile, lists and maps malformed.
 * A receive that names a real queue (posted to its URL) does not wait for messages: WaitTimeSeconds=0 unless
 * the form is about WaitTimeSeconds.
 */
function queryForms(action: string, shape: Shape, random: () => number): string[] {
  const names = typeof shape !== 'string' && 'structure' in shape ? Object.keys(shape.structure) : [];
  const form = (params: Record<string, string>) =>
    new URLSearchParams({
      Action: action,
      Version: '2012-11-05',
      WaitTimeSeconds: '0',
      ...params,
    }).toString();
  const forms = [
    form({}),
    `Action=${action}&Action=PurgeQueue&QueueUrl`,
    '%%%&=&==',
    form({ 'AttributeName.x': 'All' }),
  ];
  for (const name of names) {
    for (const value of ['', '-1', '1e400', '99999999999999999999', ...hostileStrings(random)])
      forms.push(form({ [name]: value }));
    forms.push(form({ [`${name}.1`]: 'a', [`${name}.999999999`]: 'b', [`${name}.1.Name`]: 'n' }));
  }
  forms.push(form({ 'MessageAttribute.1.Name': 'a', 'MessageAttribute.1.Value.DataType': 'Number' }));
  return forms;
}

describe('the local runtime fuzzed across its whole API', () => {
  let runtime: LocalRuntime;
  let host: string;
  /** Values that exist, by member name, for plausible requests (see `plausible`); by action, where it differs. */
  let real: Record<string, unknown>;
  let realIn: Record<string, Record<string, unknown>>;
  beforeAll(async () => {
    runtime = await startRuntime();
    host = new URL(runtime.url).host;
    const c = clients(runtime.url);
    const { stateMachineArn } = await c.sfn.send(
      new CreateStateMachineCommand({ name: 'fuzzed', definition: PASS_MACHINE, roleArn: ROLE }),
    );
    const { executionArn } = await c.sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    const { QueueUrl } = await c.sqs.send(new GetQueueUrlCommand({ QueueName: `${BUS}-rejected-events` }));
    const rule = runtime.app.eventBridge.rules.find((r) => r.busName === BUS);
    const templateMachine = [...runtime.app.stepFunctions.stateMachines.values()].find(
      (m) => m.origin !== 'local',
    );
    real = {
      stateMachineArn,
      executionArn,
      definition: PASS_MACHINE,
      roleArn: ROLE,
      input: '{}',
      output: '{}',
      type: 'STANDARD',
      statusFilter: 'SUCCEEDED',
      inspectionLevel: 'INFO',
      EventBusName: BUS,
      Source: 'test.fuzz',
      DetailType: 'Fuzzed',
      Detail: '{}',
      EventPattern: '{"source": ["test.fuzz"]}',
      Event: JSON.stringify({
        id: '1',
        account: '000000000000',
        source: 'test.fuzz',
        time: '2026-01-01T00:00:00Z',
        region: 'us-east-1',
        resources: [],
        'detail-type': 'Fuzzed',
        detail: {},
      }),
      Name: rule?.name,
      Rule: rule?.name,
      QueueUrl,
      QueueName: `${BUS}-rejected-events`,
      AttributeNames: 'All',
      DataType: 'String',
      WaitTimeSeconds: 0,
    };
    realIn = {
      // The template's machines are read-only: deleting one is refused, so the machine above stays.
      DeleteStateMachine: { stateMachineArn: templateMachine?.arn },
      // A state, run with its input and variables rather than stopped at a mock or a context it cannot take.
      TestState: {
        definition: '{"Type": "Pass", "End": true}',
        variables: '{}',
        mock: OMIT,
        context: OMIT,
        stateConfiguration: OMIT,
        stateName: OMIT,
      },
    };
  });
  afterAll(() => runtime.stop());

  /**
   * Sends every request, a few at a time, each under a generous ceiling (`raw` rejects a request left
   * unanswered), and returns those answered with a server error.
   */
  async function send(
    requests: readonly RawRequest[],
  ): Promise<{ request: string; response: RawResponse }[]> {
    const failures: { request: string; response: RawResponse }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const request = requests[next++] as RawRequest;
        const response = await raw(runtime.url, { ...request, headers: { Host: host, ...request.headers } });
        if (response.status >= 500)
          failures.push({
            request: `${request.headers?.['X-Amz-Target'] ?? request.path} ${String(request.body).slice(0, 200)}`,
            response,
          });
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    return failures;
  }

  it('declares a request model for every operation it serves, so that each is fuzzed below', () => {
    // Act
    const served = {
      AWSEvents: Object.keys(
        eventsActions(runtime.app.eventBridge, { rules: runtime.app.rules, archives: runtime.app.archives }),
      ),
      AWSStepFunctions: Object.keys(statesActions(runtime.app.stepFunctions)),
      AmazonSQS: Object.keys(sqsActions(runtime.app.queues)),
      Logs_20140328: Object.keys(logsActions(runtime.app.logs)),
      secretsmanager: Object.keys(secretsActions(runtime.app.secrets)),
    };

    // Assess
    for (const { prefix, requests } of SERVICES)
      expect(Object.keys(requests).sort()).toEqual(served[prefix as keyof typeof served].sort());
  });

  it.each(SERVICES)(
    'answers every malformed $prefix request with a client error',
    async ({ prefix, contentType, requests }) => {
      // Prepare
      const random = seeded(prefix.length);
      const calls = Object.entries(requests).flatMap(([action, shape]) =>
        jsonBodies(shape, { ...real, ...realIn[action] }, random).map(
          (body): RawRequest => ({
            method: 'POST',
            headers: { 'Content-Type': contentType, 'X-Amz-Target': `${prefix}.${action}` },
            body,
          }),
        ),
      );
      calls.push({
        method: 'POST',
        headers: { 'Content-Type': contentType, 'X-Amz-Target': `${prefix}.constructor` },
        body: '{}',
      });

      // Act
      const failures = await send(calls);

      // Assess
      expect(failures).toEqual([]);
    },
  );

  it("answers every malformed request in SQS's query protocol with a client error", async () => {
    // Prepare
    const random = seeded(7);
    const forms = Object.entries(SQS_REQUESTS).flatMap(([action, shape]) =>
      queryForms(action, shape, random),
    );
    const queuePath = `/000000000000/${BUS}-rejected-events`;
    const calls = forms.flatMap((body) =>
      ['/', queuePath].map(
        (path): RawRequest => ({
          method: 'POST',
          path,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body,
        }),
      ),
    );

    // Act
    const failures = await send(calls);

    // Assess
    expect(failures).toEqual([]);
  });

  it('answers every malformed DynamoDB request with a client error', async () => {
    // Prepare
    const random = seeded(11);
    const bodies = (operation: string) => [
      '',
      '{',
      '[]',
      '{}',
      `{"TableName":${nestedText(1_000)}}`,
      `{"TableName":"fuzz","Item":${'{"M":{"a":'.repeat(2_000)}{"S":"x"}${'}}'.repeat(2_000)}}`,
      ...JSON_VALUES.map((value) => JSON.stringify({ TableName: value, Key: value, Item: value })),
      ...hostileStrings(random).map((text) => JSON.stringify({ TableName: text, [`${operation}`]: text })),
    ];
    const calls = DYNAMODB_OPERATIONS.flatMap((operation) =>
      bodies(operation).map(
        (body): RawRequest => ({
          method: 'POST',
          headers: {
            'Content-Type': 'application/x-amz-json-1.0',
            'X-Amz-Target': `DynamoDB_20120810.${operation}`,
            ...DYNAMODB_AUTH,
          },
          body,
        }),
      ),
    );

    // Act
    const failures = await send(calls);

    // Assess
    expect(failures).toEqual([]);
  });

  it("answers every malformed request to the runtime's own endpoints and pages with a client error", async () => {
    // Prepare
    const random = seeded(13);
    const paths = [
      '/_local/health',
      `/_local/events?limit=abc&bus=%00&execution=${'x'.repeat(10_000)}`,
      '/_local/events?limit=-1',
      '/_local/queues',
      '/_local/faults',
      '/_local/nothing',
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/package.json',
      `/${'a/'.repeat(2_000)}`,
      '/?x=%',
    ];
    const faultBodies = [
      '',
      '{',
      'null',
      '[]',
      '[[]]',
      nestedText(100_000),
      ...JSON_VALUES.map((v) => JSON.stringify(v)),
    ];
    faultBodies.push(
      ...hostileStrings(random).map((text) => JSON.stringify({ errorCode: text, source: text, rate: text })),
    );
    const calls: RawRequest[] = [
      ...paths.flatMap((path) =>
        ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'].map((method) => ({ method, path })),
      ),
      ...faultBodies.map(
        (body): RawRequest => ({
          method: 'POST',
          path: '/_local/faults',
          headers: { 'Content-Type': 'application/json' },
          body,
        }),
      ),
      {
        method: 'POST',
        headers: { 'X-Amz-Target': 'Nobody.Nothing', 'Content-Type': 'application/json' },
        body: '{}',
      },
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' },
    ];

    // Act
    const failures = await send(calls);
    await raw(runtime.url, { method: 'DELETE', path: '/_local/faults', headers: { Host: host } });

    // Assess
    expect(failures).toEqual([]);
  });

  it('refuses a body over its size limit with 413, for every protocol', async () => {
    // Prepare
    const body = Buffer.alloc(OVERSIZED_BYTES, 'a');
    const calls: RawRequest[] = [
      ...SERVICES.map(({ prefix, contentType }) => ({
        method: 'POST',
        headers: {
          'Content-Type': contentType,
          'X-Amz-Target': `${prefix}.${prefix === 'AmazonSQS' ? 'ListQueues' : 'PutEvents'}`,
        },
        body,
      })),
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body },
      { method: 'POST', path: '/_local/faults', headers: { 'Content-Type': 'application/json' }, body },
    ];

    // Act
    const responses = [];
    for (const call of calls)
      responses.push(await raw(runtime.url, { ...call, headers: { Host: host, ...call.headers } }));

    // Assess
    expect(responses.map((r) => r.status)).toEqual(calls.map(() => 413));
  });

  it('still serves every API after the fuzzing', async () => {
    // Prepare
    const c = clients(runtime.url);

    // Act
    const put = await c.events.send(
      new PutEventsCommand({
        Entries: [{ Source: 'test.after-fuzz', DetailType: 'Still here', Detail: '{}', EventBusName: BUS }],
      }),
    );
    const { stateMachines = [] } = await c.sfn.send(new ListStateMachinesCommand({}));
    const { QueueUrls = [] } = await c.sqs.send(new ListQueuesCommand({}));
    const { TableNames = [] } = await c.dynamodb.send(new ListTablesCommand({}));
    const health = await raw(runtime.url, { path: '/_local/health', headers: { Host: host } });

    // Assess
    expect(put.FailedEntryCount).toBe(0);
    expect(stateMachines.length).toBeGreaterThan(0);
    expect(QueueUrls.length).toBeGreaterThan(0);
    expect(TableNames).toContain(`${BUS}-versions`);
    expect(health.json).toEqual({ status: 'ready' });
  });
});
