import { GetItemCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeRuleCommand,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  type PutEventsRequestEntry,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  type ExecutionListItem,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { LocalRuntime } from '../../local/runtime';
import { rejectionOf } from '../support/errors';
import { applicants, BUS } from '../support/local';
import { clients, eventually, startRuntime } from '../support/runtime';

const machineArn = (workflow: string) =>
  `arn:aws:states:us-east-1:000000000000:stateMachine:${BUS}-${workflow}`;
const access = (userId: string, version: number, blocked: boolean): PutEventsRequestEntry => ({
  Source: 'app.identity',
  DetailType: 'User Access Changed',
  Detail: JSON.stringify({ userId, version, blocked }),
  EventBusName: BUS,
});

describe('the local runtime through the AWS SDK v3', () => {
  let runtime: LocalRuntime;
  let c: ReturnType<typeof clients>;
  beforeAll(async () => {
    runtime = await startRuntime();
    c = clients(runtime.url);
  });
  afterAll(() => runtime.stop());
  afterEach(async () => {
    await fetch(`${runtime.url}/_local/faults`, { method: 'DELETE' });
  });

  /** Puts entries and fails the test unless all were accepted; returns their event ids. */
  async function put(...entries: PutEventsRequestEntry[]): Promise<string[]> {
    const response = await c.events.send(new PutEventsCommand({ Entries: entries }));
    expect(response.FailedEntryCount).toBe(0);
    return (response.Entries ?? []).map((e) => e.EventId as string);
  }

  /** The executions of a workflow whose trigger was for this user, once `count` of them have ended. */
  async function endedExecutions(workflow: string, userId: string, count = 1) {
    return eventually(async () => {
      const { executions = [] } = await c.sfn.send(
        new ListExecutionsCommand({ stateMachineArn: machineArn(workflow), maxResults: 1000 }),
      );
      const described = await Promise.all(
        executions.map((e: ExecutionListItem) =>
          c.sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn })),
        ),
      );
      const mine = described
        .filter((d) => JSON.parse(d.input ?? '{}').detail?.userId === userId)
        .sort((a, b) => (a.startDate?.getTime() ?? 0) - (b.startDate?.getTime() ?? 0));
      return mine.length >= count && mine.every((d) => d.status !== 'RUNNING') ? mine : undefined;
    });
  }

  describe('EventBridge', () => {
    it('lists the template bus, its rules and their targets', async () => {
      // Act
      const { EventBuses = [] } = await c.events.send(new ListEventBusesCommand({}));
      const { Rules = [] } = await c.events.send(new ListRulesCommand({ EventBusName: BUS }));
      const kycRule = Rules.find(
        (r) => r.EventPattern?.includes('Account Requested') && !r.EventPattern.includes('$or'),
      );
      const rule = await c.events.send(new DescribeRuleCommand({ Name: kycRule?.Name, EventBusName: BUS }));
      const { Targets = [] } = await c.events.send(
        new ListTargetsByRuleCommand({ Rule: kycRule?.Name, EventBusName: BUS }),
      );

      // Assess
      expect(EventBuses.map((b) => b.Name)).toEqual(expect.arrayContaining(['default', BUS]));
      expect(Rules.length).toBeGreaterThanOrEqual(7);
      expect(rule).toMatchObject({ State: 'ENABLED', EventBusName: BUS });
      expect(Targets).toEqual([
        expect.objectContaining({
          Arn: machineArn('kyc'),
          DeadLetterConfig: { Arn: expect.stringContaining(`${BUS}-trigger-dlq`) },
        }),
      ]);
    });

    it('answers ResourceNotFoundException for a rule that does not exist', async () => {
      // Act
      const error = await rejectionOf(() =>
        c.events.send(new DescribeRuleCommand({ Name: 'nope', EventBusName: BUS })),
      );

      // Assess
      expect(error).toMatchObject({ name: 'ResourceNotFoundException' });
    });

    it('tests an event pattern with the project matcher', async () => {
      // Prepare
      const event = {
        id: '1',
        account: '000000000000',
        source: 'app.identity',
        time: '2026-11-21T00:00:00Z',
        region: 'us-east-1',
        resources: [],
        'detail-type': 'User Access Changed',
        detail: { userId: 'u', version: 3 },
      };
      const test = (pattern: object, e: object = event) =>
        c.events.send(
          new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(e) }),
        );

      // Act
      const matching = await test({ detail: { version: [{ numeric: ['>', 2] }] } });
      const other = await test({ detail: { userId: [{ prefix: 'x' }] } });
      const badPattern = await rejectionOf(() => test({ detail: { version: [{ numeric: ['>>', 2] }] } }));
      const { id: _id, ...missingId } = event;
      const badEvent = await rejectionOf(() => test({ source: ['app.identity'] }, missingId));

      // Assess
      expect(matching.Result).toBe(true);
      expect(other.Result).toBe(false);
      expect(badPattern).toMatchObject({ name: 'InvalidEventPatternException' });
      expect(badEvent).toMatchObject({ name: 'ValidationException' });
    });

    it('answers PutEvents per entry, in request order, with AWS error codes', async () => {
      // Act
      const response = await c.events.send(
        new PutEventsCommand({
          Entries: [
            access('u-order', 1, false),
            { DetailType: 'x', Detail: '{}', EventBusName: BUS },
            { ...access('u-order', 2, false), Detail: '[1, 2]' },
            { ...access('u-order', 3, false), EventBusName: 'no-such-bus' },
            { Source: 'app.identity', Detail: '{}', EventBusName: BUS },
          ],
        }),
      );

      // Assess
      expect(response.FailedEntryCount).toBe(4);
      expect(response.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual([
        'ok',
        'InvalidArgument',
        'MalformedDetail',
        'InvalidArgument',
        'InvalidArgument',
      ]);
    });

    it('refuses more than 10 entries or more than 256 KiB with ValidationException', async () => {
      // Act
      const tooMany = await rejectionOf(() =>
        c.events.send(
          new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => access('u', 1, false)) }),
        ),
      );
      const none = await rejectionOf(() => c.events.send(new PutEventsCommand({ Entries: [] })));
      const tooBig = await rejectionOf(() =>
        c.events.send(
          new PutEventsCommand({
            Entries: [{ ...access('u', 1, false), Detail: JSON.stringify({ pad: 'x'.repeat(262_144) }) }],
          }),
        ),
      );

      // Assess
      expect(tooMany).toMatchObject({ name: 'ValidationException' });
      expect(none).toMatchObject({ name: 'ValidationException' });
      expect(tooBig).toMatchObject({ name: 'ValidationException' });
    });
  });

  describe('Step Functions', () => {
    it('lists and describes the state machines with their synthesized definitions', async () => {
      // Act
      const { stateMachines = [] } = await c.sfn.send(new ListStateMachinesCommand({}));
      const kyc = await c.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn('kyc') }));

      // Assess
      expect(stateMachines.map((m) => m.name).sort()).toEqual([
        `${BUS}-access-change`,
        `${BUS}-kyc`,
        `${BUS}-onboarding`,
      ]);
      expect(stateMachines[0]?.creationDate).toBeInstanceOf(Date);
      expect(JSON.parse(kyc.definition ?? '{}').StartAt).toBe('Check trigger');
      expect(kyc).toMatchObject({ status: 'ACTIVE', type: 'STANDARD' });
    });

    it('runs an execution started by StartExecution and describes it', async () => {
      // Prepare
      const input = JSON.stringify({ id: 'e-1', detail: { userId: 'u-start', version: 1, blocked: true } });

      // Act
      const { executionArn } = await c.sfn.send(
        new StartExecutionCommand({ stateMachineArn: machineArn('access-change'), name: 'start-1', input }),
      );
      const described = await eventually(async () => {
        const d = await c.sfn.send(new DescribeExecutionCommand({ executionArn }));
        return d.status === 'RUNNING' ? undefined : d;
      });

      // Assess
      expect(executionArn).toBe(
        `${machineArn('access-change').replace(':stateMachine:', ':execution:')}:start-1`,
      );
      expect(described).toMatchObject({ status: 'SUCCEEDED', name: 'start-1', input });
      expect(JSON.parse(described.output ?? '{}')).toMatchObject({ outcome: 'completed', userId: 'u-start' });
      expect(described.stopDate?.getTime()).toBeGreaterThanOrEqual(described.startDate?.getTime() ?? 0);
    });

    it('returns the same execution for the same name and input while it runs, ExecutionAlreadyExists otherwise', async () => {
      // Prepare: hold the execution at its first task so it is still running.
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const holding = await startRuntime({ beforeTask: () => held });
      const h = clients(holding.url);
      const start = (input: string) =>
        h.sfn.send(
          new StartExecutionCommand({ stateMachineArn: machineArn('access-change'), name: 'same', input }),
        );
      const input = JSON.stringify({ id: 'e-2', detail: { userId: 'u-same', version: 1, blocked: false } });

      try {
        // Act
        const first = await start(input);
        const again = await start(input);
        const otherInput = await rejectionOf(() => start(JSON.stringify({ other: true })));
        release();
        await eventually(async () => {
          const d = await h.sfn.send(new DescribeExecutionCommand({ executionArn: first.executionArn }));
          return d.status === 'RUNNING' ? undefined : d;
        });
        const afterEnd = await rejectionOf(() => start(input));

        // Assess
        expect(again.executionArn).toBe(first.executionArn);
        expect(otherInput).toMatchObject({ name: 'ExecutionAlreadyExists' });
        expect(afterEnd).toMatchObject({ name: 'ExecutionAlreadyExists' });
      } finally {
        release();
        await holding.stop();
      }
    });

    it('stops a running execution as ABORTED with the given error', async () => {
      // Prepare
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const holding = await startRuntime({ beforeTask: () => held });
      const h = clients(holding.url);
      try {
        const { executionArn } = await h.sfn.send(
          new StartExecutionCommand({
            stateMachineArn: machineArn('access-change'),
            input: JSON.stringify({ id: 'e-3', detail: { userId: 'u-stop', version: 1, blocked: false } }),
          }),
        );

        // Act
        const { stopDate } = await h.sfn.send(
          new StopExecutionCommand({ executionArn, error: 'Operator.Stopped', cause: 'testing' }),
        );
        const described = await h.sfn.send(new DescribeExecutionCommand({ executionArn }));
        const { events = [] } = await h.sfn.send(
          new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }),
        );

        // Assess
        expect(stopDate).toBeInstanceOf(Date);
        expect(described).toMatchObject({ status: 'ABORTED', error: 'Operator.Stopped', cause: 'testing' });
        expect(events[0]?.type).toBe('ExecutionAborted');
      } finally {
        release();
        await holding.stop();
      }
    });

    it('answers the Step Functions error names for bad requests', async () => {
      // Prepare
      const arn = machineArn('access-change');

      // Act
      const errors = await Promise.all([
        rejectionOf(() =>
          c.sfn.send(
            new DescribeExecutionCommand({
              executionArn: `${arn.replace(':stateMachine:', ':execution:')}:nope`,
            }),
          ),
        ),
        rejectionOf(() => c.sfn.send(new DescribeExecutionCommand({ executionArn: 'not-an-arn' }))),
        rejectionOf(() => c.sfn.send(new StartExecutionCommand({ stateMachineArn: `${arn}-missing` }))),
        rejectionOf(() =>
          c.sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{not json' })),
        ),
        rejectionOf(() => c.sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'has space' }))),
        rejectionOf(() =>
          c.sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, nextToken: 'bogus' })),
        ),
      ]);

      // Assess
      expect(errors.map((e) => (e as Error).name)).toEqual([
        'ExecutionDoesNotExist',
        'InvalidArn',
        'StateMachineDoesNotExist',
        'InvalidExecutionInput',
        'InvalidName',
        'InvalidToken',
      ]);
    });

    it('pages ListExecutions newest first, filtered by status, and pages history in either order', async () => {
      // Prepare
      await put(...[1, 2, 3].map((v) => access(`u-page-${v}`, 1, v % 2 === 0)));
      await Promise.all([1, 2, 3].map((v) => endedExecutions('access-change', `u-page-${v}`)));

      // Act
      const first = await c.sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: machineArn('access-change'),
          maxResults: 2,
          statusFilter: 'SUCCEEDED',
        }),
      );
      const second = await c.sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: machineArn('access-change'),
          maxResults: 2,
          statusFilter: 'SUCCEEDED',
          nextToken: first.nextToken,
        }),
      );
      const executionArn = first.executions?.[0]?.executionArn;
      const all = await c.sfn.send(new GetExecutionHistoryCommand({ executionArn }));
      const page1 = await c.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 3 }));
      const page2 = await c.sfn.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 3, nextToken: page1.nextToken }),
      );
      const reversed = await c.sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }));

      // Assess
      const listed = [...(first.executions ?? []), ...(second.executions ?? [])];
      expect(first.executions).toHaveLength(2);
      expect(first.nextToken).toBeDefined();
      expect(listed.every((e) => e.status === 'SUCCEEDED')).toBe(true);
      const starts = listed.map((e) => e.startDate?.getTime() ?? 0);
      expect(starts).toEqual([...starts].sort((a, b) => b - a));
      const ids = (all.events ?? []).map((e) => e.id);
      expect(ids).toEqual(ids.map((_, i) => i + 1));
      expect([...(page1.events ?? []), ...(page2.events ?? [])].map((e) => e.id)).toEqual(ids.slice(0, 6));
      expect(reversed.events?.map((e) => e.id)).toEqual([...ids].reverse());
      expect(all.events?.[0]).toMatchObject({ type: 'ExecutionStarted', previousEventId: 0 });
      expect(all.events?.[0]?.timestamp).toBeInstanceOf(Date);
      expect(all.events?.at(-1)?.type).toBe('ExecutionSucceeded');
    });
  });

  describe('ordering, observed through the APIs', () => {
    it('ends an older version as stale and a redelivered one as duplicate', async () => {
      // Act
      await put(access('u-late', 3, false));
      await endedExecutions('access-change', 'u-late');
      await put(access('u-late', 2, true));
      await endedExecutions('access-change', 'u-late', 2);
      await put(access('u-late', 3, false));
      const executions = await endedExecutions('access-change', 'u-late', 3);

      // Assess
      expect(executions.map((e) => JSON.parse(e.output ?? '{}').outcome)).toEqual([
        'completed',
        'stale',
        'duplicate',
      ]);
      const { Item } = await c.dynamodb.send(
        new GetItemCommand({
          TableName: `${BUS}-versions`,
          Key: { userId: { S: 'u-late' }, workflow: { S: 'access' } },
          ConsistentRead: true,
        }),
      );
      expect(Item?.version).toEqual({ N: '3' });
      expect(Item?.blocked).toEqual({ BOOL: false });
    });

    it('lets the newest version win the block/unblock race whatever order executions run in', async () => {
      // Act: the Auth0 race, all three in one request
      await put(access('u-race', 2, true), access('u-race', 3, false), access('u-race', 2, true));
      const executions = await endedExecutions('access-change', 'u-race', 3);

      // Assess
      const outcomes = executions.map((e) => JSON.parse(e.output ?? '{}').outcome);
      expect(outcomes.filter((o) => o === 'completed').length).toBeGreaterThanOrEqual(1);
      expect(outcomes.every((o) => ['completed', 'stale', 'duplicate', 'superseded'].includes(o))).toBe(true);
      const { Item } = await c.dynamodb.send(
        new GetItemCommand({
          TableName: `${BUS}-versions`,
          Key: { userId: { S: 'u-race' }, workflow: { S: 'access' } },
          ConsistentRead: true,
        }),
      );
      expect(Item).toMatchObject({ version: { N: '3' }, blocked: { BOOL: false } });
    });

    it('stops an execution overtaken by a newer version as superseded', async () => {
      // Prepare: v3's KYC pauses before recording its checks until v4's KYC has ended.
      let v4Done = () => {};
      const v4Ended = new Promise<void>((resolve) => {
        v4Done = resolve;
      });
      const holding = await startRuntime({
        beforeTask: async ({ stateName, input }) => {
          const version = (input as { ExpressionAttributeValues?: { ':version'?: { N?: string } } })
            .ExpressionAttributeValues?.[':version']?.N;
          if (stateName === 'Record checks completed' && version === '3') await v4Ended;
        },
      });
      const h = clients(holding.url);
      const request = (version: number): PutEventsRequestEntry => ({
        Source: 'app.accounts',
        DetailType: 'Account Requested',
        Detail: JSON.stringify({ userId: 'u-over', version, plan: 'team', applicant: applicants.approved }),
        EventBusName: BUS,
      });
      const kycOf = async (count: number) =>
        eventually(async () => {
          const { executions = [] } = await h.sfn.send(
            new ListExecutionsCommand({ stateMachineArn: machineArn('kyc') }),
          );
          return executions.length >= count ? executions : undefined;
        });
      try {
        // Act
        await h.events.send(new PutEventsCommand({ Entries: [request(3)] }));
        await kycOf(1);
        await h.events.send(new PutEventsCommand({ Entries: [request(4)] }));
        const [v4] = await kycOf(2);
        await eventually(async () => {
          const d = await h.sfn.send(new DescribeExecutionCommand({ executionArn: v4?.executionArn }));
          return d.status === 'RUNNING' ? undefined : d;
        });
        v4Done();
        const ended = await eventually(async () => {
          const { executions = [] } = await h.sfn.send(
            new ListExecutionsCommand({ stateMachineArn: machineArn('kyc'), statusFilter: 'SUCCEEDED' }),
          );
          return executions.length === 2 ? executions : undefined;
        });
        const outputs = await Promise.all(
          ended.map(async (e) => {
            const d = await h.sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
            return JSON.parse(d.output ?? '{}');
          }),
        );

        // Assess
        expect(outputs.map((o) => [o.version, o.outcome]).sort()).toEqual([
          [3, 'superseded'],
          [4, 'completed'],
        ]);
      } finally {
        v4Done();
        await holding.stop();
      }
    });
  });

  describe('fault injection through /_local/faults', () => {
    it('retries an entry that failed once and delivers it exactly once', async () => {
      // Prepare
      await fetch(`${runtime.url}/_local/faults`, {
        method: 'POST',
        body: JSON.stringify({ errorCode: 'InternalFailure', next: 1, detailType: 'User Unblocked' }),
      });

      // Act
      await put(access('u-fault-once', 1, false));
      const [execution] = await endedExecutions('access-change', 'u-fault-once');
      const { events = [] } = await c.sfn.send(
        new GetExecutionHistoryCommand({ executionArn: execution?.executionArn }),
      );

      // Assess
      expect(execution?.status).toBe('SUCCEEDED');
      const emits = events.filter(
        (e) => e.type === 'TaskScheduled' && e.taskScheduledEventDetails?.resource === 'putEvents',
      );
      expect(emits).toHaveLength(2);
      expect(events.filter((e) => e.type === 'TaskFailed')[0]?.taskFailedEventDetails?.error).toBe(
        'EventBridge.FailedEntry',
      );
      const faults = await (await fetch(`${runtime.url}/_local/faults`)).json();
      expect(faults).toEqual({
        faults: [{ errorCode: 'InternalFailure', next: 0, detailType: 'User Unblocked' }],
      });
    });

    it('parks the entry and fails the execution when every attempt fails', async () => {
      // Prepare
      await fetch(`${runtime.url}/_local/faults`, {
        method: 'POST',
        body: JSON.stringify({ errorCode: 'ThrottlingException', source: 'app.access' }),
      });

      // Act
      await put(access('u-fault-always', 1, true));
      const [execution] = await endedExecutions('access-change', 'u-fault-always');
      const { QueueUrl } = await c.sqs.send(
        new GetQueueUrlCommand({ QueueName: `${BUS}-undelivered-events` }),
      );
      const { Messages = [] } = await c.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }),
      );

      // Assess
      expect(execution).toMatchObject({ status: 'FAILED', error: 'EventBridge.FailedEntry' });
      expect(JSON.parse(execution?.cause ?? '{}')).toMatchObject({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'ThrottlingException' }],
      });
      const parked = Messages.map((m) => JSON.parse(m.Body ?? '{}')).find(
        (b) => b.executionArn === execution?.executionArn,
      );
      expect(parked).toMatchObject({ error: 'EventBridge.FailedEntry', state: 'Emit User Blocked' });
    });

    it('rejects a fault rule it cannot apply', async () => {
      // Act
      const response = await fetch(`${runtime.url}/_local/faults`, {
        method: 'POST',
        body: JSON.stringify({ errorCode: 'Boom', rate: 2 }),
      });

      // Assess
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ __type: 'ValidationException' });
    });
  });

  describe('DynamoDB', () => {
    it('serves the template table through dynalite', async () => {
      // Act
      const { TableNames } = await c.dynamodb.send(new ListTablesCommand({}));

      // Assess
      expect(TableNames).toEqual([`${BUS}-versions`, `${BUS}-webhook-ids`]);
    });
  });

  it('answers UnknownOperationException for an operation it does not serve', async () => {
    // Act
    const response = await fetch(runtime.url, {
      method: 'POST',
      headers: { 'X-Amz-Target': 'AWSEvents.CreateEventBus', 'Content-Type': 'application/x-amz-json-1.1' },
      body: '{}',
    });

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});
