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

  it('keeps tables, queues, executions and events across a restart, and ends an interrupted execution', async () => {
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

    // Act
    await first.stop();
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

      // The interrupted execution shows as ended with a named error.
      const interrupted = await c.sfn.send(
        new DescribeExecutionCommand({ executionArn: running.executionArn }),
      );
      expect(interrupted).toMatchObject({ status: 'FAILED', error: 'LocalRuntime.Interrupted' });
      const history = await c.sfn.send(
        new GetExecutionHistoryCommand({ executionArn: running.executionArn }),
      );
      const types = history.events?.map((e) => e.type) ?? [];
      expect(types[0]).toBe('ExecutionStarted');
      expect(types).toContain('TaskStateEntered'); // how far it got: its first task, where it was held
      expect(types.at(-1)).toBe('ExecutionFailed');

      // The rejected trigger is still parked, and the bus records are back.
      const { QueueUrl } = await c.sqs.send(new GetQueueUrlCommand({ QueueName: `${BUS}-rejected-events` }));
      const { Attributes } = await c.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      expect(Attributes?.ApproximateNumberOfMessages).toBe('1');
      expect(second.app.eventBridge.records).toHaveLength(recordsBefore);
    } finally {
      release();
      await second.stop();
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
