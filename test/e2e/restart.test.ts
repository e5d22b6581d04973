import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
} from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { BUS } from '../support/local';
import { clients, eventually, startRuntime } from '../support/runtime';

const accessMachine = `arn:aws:states:us-east-1:000000000000:stateMachine:${BUS}-access-change`;
const access = (userId: string, version: number, blocked: boolean) => ({
  Source: 'app.identity',
  DetailType: 'User Access Changed',
  Detail: JSON.stringify({ userId, version, blocked }),
  EventBusName: BUS,
});

describe('the data directory', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'local-runtime-data-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps tables, queues, executions and events across a restart, and resumes a running execution', async () => {
    // Prepare: one execution completes; a second is held at its first task when the runtime stops.
    const holdUser = 'u-held';
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = await startRuntime({
      dataDir,
      beforeTask: async ({ input }) => {
        if (JSON.stringify(input).includes(holdUser)) await held;
      },
    });
    let c = clients(first.url);
    await c.events.send(new PutEventsCommand({ Entries: [access('u-kept', 1, true)] }));
    await c.events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'app.identity', DetailType: 'User Access Changed', Detail: '{}', EventBusName: BUS },
        ],
      }),
    );
    const completed = await eventually(async () => {
      const { executions = [] } = await c.sfn.send(
        new ListExecutionsCommand({ stateMachineArn: accessMachine, statusFilter: 'SUCCEEDED' }),
      );
      return executions[0];
    });
    await c.events.send(new PutEventsCommand({ Entries: [access(holdUser, 1, false)] }));
    const running = await eventually(async () => {
      const { executions = [] } = await c.sfn.send(
        new ListExecutionsCommand({ stateMachineArn: accessMachine, statusFilter: 'RUNNING' }),
      );
      return executions[0];
    });
    const recordsBefore = first.app.eventBridge.records.length;
    const eventIdsBefore = first.app.eventBridge.records.map((r) => r.event.id);

    // Act: a stop whose ceiling the held task cannot meet, so that it stays journaled as in flight.
    await first.stop({ graceMs: 100 });
    const second = await startRuntime({ dataDir });
    c = clients(second.url);

    try {
      // Assess: the completed execution, its history, and the table item are back.
      const kept = await c.sfn.send(new DescribeExecutionCommand({ executionArn: completed.executionArn }));
      expect(kept.status).toBe('SUCCEEDED');
      const { events = [] } = await c.sfn.send(
        new GetExecutionHistoryCommand({ executionArn: completed.executionArn }),
      );
      expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
      const { Item } = await c.dynamodb.send(
        new GetItemCommand({
          TableName: `${BUS}-versions`,
          Key: { userId: { S: 'u-kept' }, workflow: { S: 'access' } },
          ConsistentRead: true,
        }),
      );
      expect(Item?.version).toEqual({ N: '1' });

      // The execution that was running goes on where its history says, and ends as it would have.
      expect(second.app.resumed).toEqual({ resumed: 1, orphans: [] });
      await eventually(async () => {
        const { status } = await c.sfn.send(
          new DescribeExecutionCommand({ executionArn: running.executionArn }),
        );
        return status === 'RUNNING' ? undefined : status;
      });
      const resumed = await c.sfn.send(new DescribeExecutionCommand({ executionArn: running.executionArn }));
      expect(resumed).toMatchObject({ status: 'SUCCEEDED' });
      const history = await c.sfn.send(
        new GetExecutionHistoryCommand({ executionArn: running.executionArn, maxResults: 1000 }),
      );
      const resumedEvents = history.events ?? [];
      expect(resumedEvents.map((e) => e.id)).toEqual(resumedEvents.map((_, i) => i + 1));
      const types = resumedEvents.map((e) => e.type);
      expect(types.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
      // The task it was held in had been scheduled, not answered: it is run again (at-least-once), in
      // the same state, which is entered once.
      const held = resumedEvents.find((e) => e.type === 'TaskStateEntered');
      const entered = resumedEvents.filter(
        (e) =>
          e.type === 'TaskStateEntered' &&
          e.stateEnteredEventDetails?.name === held?.stateEnteredEventDetails?.name,
      );
      expect(entered).toHaveLength(1);
      expect(types.at(-1)).toBe('ExecutionSucceeded');
      const { Item: heldItem } = await c.dynamodb.send(
        new GetItemCommand({
          TableName: `${BUS}-versions`,
          Key: { userId: { S: holdUser }, workflow: { S: 'access' } },
          ConsistentRead: true,
        }),
      );
      expect(heldItem?.status).toEqual({ S: 'completed' });

      // The rejected trigger is still parked, and the bus records are back.
      const { QueueUrl } = await c.sqs.send(new GetQueueUrlCommand({ QueueName: `${BUS}-rejected-events` }));
      const { Attributes } = await c.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      expect(Attributes?.ApproximateNumberOfMessages).toBe('1');
      // The bus records are back, and the resumed execution announced its step once.
      const records = second.app.eventBridge.records;
      expect(records.slice(0, recordsBefore).map((r) => r.event.id)).toEqual(eventIdsBefore);
      // (On the app's bus: Step Functions' status change events go on the default bus.)
      expect(
        records
          .slice(recordsBefore)
          .filter((r) => r.busName === BUS)
          .map((r) => [r.event['detail-type'], r.event.detail.userId]),
      ).toEqual([['User Unblocked', holdUser]]);
    } finally {
      release();
      await second.stop();
    }
  });

  it('rejects a second runtime on a data directory in use, saying so', async () => {
    // Prepare
    const first = await startRuntime({ dataDir });

    // Act
    const second = startRuntime({ dataDir });

    // Assess
    try {
      await expect(second).rejects.toThrow(
        `The data directory ${dataDir} is in use by another local runtime.`,
      );
    } finally {
      await first.stop();
    }
  });

  it('keeps nothing with --in-memory', async () => {
    // Prepare
    const first = await startRuntime();
    await clients(first.url).events.send(new PutEventsCommand({ Entries: [access('u-gone', 1, true)] }));
    await first.app.settle();
    await first.stop();

    // Act
    const second = await startRuntime();
    try {
      const { executions = [] } = await clients(second.url).sfn.send(
        new ListExecutionsCommand({ stateMachineArn: accessMachine }),
      );

      // Assess
      expect(executions).toEqual([]);
    } finally {
      await second.stop();
    }
  });
});
