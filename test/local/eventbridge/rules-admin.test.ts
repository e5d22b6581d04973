import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS_REQUESTS, eventsActions } from '../../../local/api/events';
import { checkRequest } from '../../../local/api/shapes';
import type { LocalApp } from '../../../local/app';
import { AwsError } from '../../../local/errors';
import { LocalQueue } from '../../../local/sqs';
import { rejectionOf } from '../../support/errors';
import { BUS, put, startApp } from '../../support/local';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const TEAM_QUEUE = 'billing-approvals';
const teamQueueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${TEAM_QUEUE}`;
const approvals = JSON.stringify({ source: ['app.kyc'], 'detail-type': ['Account Approved'] });

/** A queue a team made at run time, as CreateQueue adds one. */
function addTeamQueue(app: LocalApp): LocalQueue {
  const queue = new LocalQueue(TEAM_QUEUE, `${app.env.endpoint}/${ACCOUNT}/${TEAM_QUEUE}`, teamQueueArn);
  app.queues.add(queue);
  return queue;
}

/** Calls an EventBridge action as the server does: the request checked against its shape first. */
async function call(app: LocalApp, action: string, params: Record<string, unknown>) {
  const actions = eventsActions(app.eventBridge, { rules: app.rules, archives: app.archives });
  const run = actions[action];
  const shape = EVENTS_REQUESTS[action];
  if (!run || !shape) throw new Error(`${action} is not served`);
  return Promise.resolve(run(checkRequest(structuredClone(params), shape))) as Promise<
    Record<string, unknown>
  >;
}

async function awsErrorOf(act: Promise<unknown>): Promise<AwsError> {
  const error = await rejectionOf(() => act);
  if (!(error instanceof AwsError)) throw error;
  return error;
}

/*
 * The control plane for rules a team creates (EventBridge API reference: PutRule, DeleteRule, EnableRule,
 * DisableRule, PutTargets, RemoveTargets, DescribeEventBus;
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DeleteRule.html says repeated deletes succeed
 * and that targets must be removed first; API_PutTargetsResultEntry.html for FailedEntries).
 */
describe('rules a team creates at run time', () => {
  let app: LocalApp;
  let queue: LocalQueue;
  beforeEach(async () => {
    app = await startApp();
    queue = addTeamQueue(app);
  });
  afterEach(() => app.stop());

  it('delivers the events its pattern matches to a queue the team created', async () => {
    // Prepare
    const { RuleArn } = await call(app, 'PutRule', {
      Name: 'billing',
      EventBusName: BUS,
      EventPattern: approvals,
    });
    await call(app, 'PutTargets', {
      Rule: 'billing',
      EventBusName: BUS,
      Targets: [{ Id: 'queue', Arn: teamQueueArn, InputPath: '$.detail' }],
    });

    // Act
    put(app, 'app.kyc', 'Account Approved', { userId: 'u-approved', version: 1, riskScore: 10 });
    put(app, 'app.kyc', 'Account Declined', { userId: 'u-declined', version: 1 });
    await app.settle();

    // Assess
    expect(RuleArn).toBe(`arn:aws:events:${REGION}:${ACCOUNT}:rule/${BUS}/billing`);
    expect(queue.messages.map((m) => JSON.parse(m.body).userId)).toEqual(['u-approved']);
    const described = await call(app, 'DescribeRule', { Name: 'billing', EventBusName: BUS });
    expect(described).toMatchObject({ Name: 'billing', State: 'ENABLED', EventPattern: approvals });
  });

  it('stops delivering while disabled and delivers again once enabled', async () => {
    // Prepare
    await call(app, 'PutRule', { Name: 'billing', EventBusName: BUS, EventPattern: approvals });
    await call(app, 'PutTargets', {
      Rule: 'billing',
      EventBusName: BUS,
      Targets: [{ Id: 'q', Arn: teamQueueArn }],
    });

    // Act
    await call(app, 'DisableRule', { Name: 'billing', EventBusName: BUS });
    put(app, 'app.kyc', 'Account Approved', { userId: 'while-disabled', version: 1, riskScore: 1 });
    await app.settle();
    await call(app, 'EnableRule', { Name: 'billing', EventBusName: BUS });
    put(app, 'app.kyc', 'Account Approved', { userId: 'once-enabled', version: 1, riskScore: 1 });
    await app.settle();

    // Assess
    expect(queue.messages.map((m) => JSON.parse(m.body).detail.userId)).toEqual(['once-enabled']);
  });

  it('sends to a FIFO queue in the message group its SqsParameters name, and fails without one', async () => {
    // Prepare: EventBridge User Guide, "Amazon SQS queue target": MessageGroupId is required for a FIFO
    // queue; API reference, SqsParameters: the queue must have content-based deduplication enabled.
    const fifoArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:approvals.fifo`;
    const fifo = new LocalQueue(
      'approvals.fifo',
      `${app.env.endpoint}/${ACCOUNT}/approvals.fifo`,
      fifoArn,
      30,
      {
        fifoQueue: true,
        contentBasedDeduplication: true,
      },
    );
    app.queues.add(fifo);
    await call(app, 'PutRule', { Name: 'grouped', EventBusName: BUS, EventPattern: approvals });
    await call(app, 'PutTargets', {
      Rule: 'grouped',
      EventBusName: BUS,
      Targets: [{ Id: 'fifo', Arn: fifoArn, SqsParameters: { MessageGroupId: 'approvals' } }],
    });
    await call(app, 'PutRule', { Name: 'ungrouped', EventBusName: BUS, EventPattern: approvals });
    await call(app, 'PutTargets', {
      Rule: 'ungrouped',
      EventBusName: BUS,
      Targets: [{ Id: 'fifo', Arn: fifoArn }],
    });

    // Act
    put(app, 'app.kyc', 'Account Approved', { userId: 'u-fifo', version: 1, riskScore: 10 });
    await app.settle();

    // Assess: one message, from the grouped rule; the other delivery failed and says why.
    expect(fifo.messages.map((m) => [m.messageGroupId, JSON.parse(m.body).detail.userId])).toEqual([
      ['approvals', 'u-fifo'],
    ]);
    const approved = app.eventBridge.records.find((r) => r.event['detail-type'] === 'Account Approved');
    const deliveries = approved?.deliveries ?? [];
    expect(deliveries.find((d) => d.rule === 'ungrouped')?.error).toMatch(/MessageGroupId/);
    expect(deliveries.find((d) => d.rule === 'grouped')?.error).toBeUndefined();
  });

  it('rejects a pattern the matcher refuses as InvalidEventPatternException', async () => {
    // Act
    const error = await awsErrorOf(
      call(app, 'PutRule', {
        Name: 'bad',
        EventBusName: BUS,
        EventPattern: JSON.stringify({ detail: { ip: [{ cidr: '10.0.0.1/32' }] } }),
      }),
    );

    // Assess
    expect(error.code).toBe('InvalidEventPatternException');
    expect(error.message).toMatch(/^Event pattern is not valid\. Reason: /);
    expect(app.eventBridge.rules.some((r) => r.name === 'bad')).toBe(false);
  });

  it('rejects a rule without a pattern, and a name outside AWS pattern, as ValidationException', async () => {
    // Act
    const noPattern = await awsErrorOf(call(app, 'PutRule', { Name: 'empty', EventBusName: BUS }));
    const badName = await awsErrorOf(call(app, 'PutRule', { Name: 'has space', EventPattern: approvals }));

    // Assess
    expect(noPattern.code).toBe('ValidationException');
    expect(noPattern.message).toBe('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    expect(badName.code).toBe('ValidationException');
    expect(badName.message).toContain('[\\.\\-_A-Za-z0-9]+');
  });

  it('rejects deleting a rule that has targets, and deletes it once they are removed', async () => {
    // Prepare
    await call(app, 'PutRule', { Name: 'billing', EventBusName: BUS, EventPattern: approvals });
    await call(app, 'PutTargets', {
      Rule: 'billing',
      EventBusName: BUS,
      Targets: [{ Id: 'q', Arn: teamQueueArn }],
    });

    // Act
    const refused = await awsErrorOf(call(app, 'DeleteRule', { Name: 'billing', EventBusName: BUS }));
    await call(app, 'RemoveTargets', { Rule: 'billing', EventBusName: BUS, Ids: ['q'] });
    await call(app, 'DeleteRule', { Name: 'billing', EventBusName: BUS });
    await call(app, 'DeleteRule', { Name: 'billing', EventBusName: BUS });

    // Assess
    expect(refused.code).toBe('ValidationException');
    expect(refused.message).toBe("Rule can't be deleted since it has targets.");
    const gone = await awsErrorOf(call(app, 'DescribeRule', { Name: 'billing', EventBusName: BUS }));
    expect(gone.code).toBe('ResourceNotFoundException');
  });

  it('fails a target the runtime cannot deliver to as a FailedEntry and puts the others', async () => {
    // Prepare
    await call(app, 'PutRule', { Name: 'billing', EventBusName: BUS, EventPattern: approvals });

    // Act
    const result = await call(app, 'PutTargets', {
      Rule: 'billing',
      EventBusName: BUS,
      Targets: [
        { Id: 'topic', Arn: `arn:aws:sns:${REGION}:${ACCOUNT}:alerts` },
        { Id: 'both', Arn: teamQueueArn, Input: '{}', InputPath: '$.detail' },
        { Id: 'queue', Arn: teamQueueArn },
      ],
    });

    // Assess
    expect(result.FailedEntryCount).toBe(2);
    expect(result.FailedEntries).toEqual([
      expect.objectContaining({ TargetId: 'topic', ErrorCode: 'ValidationException' }),
      expect.objectContaining({ TargetId: 'both', ErrorCode: 'ValidationException' }),
    ]);
    const listed = await call(app, 'ListTargetsByRule', { Rule: 'billing', EventBusName: BUS });
    expect(listed.Targets).toEqual([{ Id: 'queue', Arn: teamQueueArn }]);
  });

  it("rejects changing or deleting the template's rules with a message that points to the CDK app", async () => {
    // Prepare
    const templateRule = app.eventBridge.rules.find((r) => r.busName === BUS && !r.local);
    if (!templateRule) throw new Error('The template has no rule on the app bus.');
    const name = templateRule.name;

    // Act
    const errors = await Promise.all([
      awsErrorOf(call(app, 'PutRule', { Name: name, EventBusName: BUS, EventPattern: approvals })),
      awsErrorOf(call(app, 'DeleteRule', { Name: name, EventBusName: BUS })),
      awsErrorOf(call(app, 'DisableRule', { Name: name, EventBusName: BUS })),
      awsErrorOf(
        call(app, 'PutTargets', { Rule: name, EventBusName: BUS, Targets: [{ Id: 'q', Arn: teamQueueArn }] }),
      ),
      awsErrorOf(call(app, 'RemoveTargets', { Rule: name, EventBusName: BUS, Ids: ['Target0'] })),
    ]);

    // Assess
    for (const error of errors) {
      expect(error.code).toBe('ManagedRuleException');
      expect(error.message).toContain('change it in the CDK app');
    }
    expect(app.eventBridge.rules.find((r) => r.name === name)).toBe(templateRule);
  });

  it('describes the app bus and the default bus', async () => {
    // Act
    const app_ = await call(app, 'DescribeEventBus', { Name: BUS });
    const fallback = await call(app, 'DescribeEventBus', {});
    const missing = await awsErrorOf(call(app, 'DescribeEventBus', { Name: 'nope' }));

    // Assess
    expect(app_).toMatchObject({ Name: BUS, Arn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${BUS}` });
    expect(fallback).toMatchObject({ Name: 'default' });
    expect(missing.code).toBe('ResourceNotFoundException');
  });

  it('rejects a request member of the wrong type as SerializationException', () => {
    // Act
    const error = (() => {
      try {
        checkRequest({ Name: 'x', EventPattern: { source: ['a'] } }, EVENTS_REQUESTS.PutRule as never);
      } catch (e) {
        return e as AwsError;
      }
      throw new Error('accepted');
    })();

    // Assess
    expect(error.code).toBe('SerializationException');
  });
});

describe('rules a team created, after a restart', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'rules-admin-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('are restored from the data directory with their targets and state', async () => {
    // Prepare
    const first = await startApp({ dataDir });
    addTeamQueue(first);
    await call(first, 'PutRule', { Name: 'billing', EventBusName: BUS, EventPattern: approvals });
    await call(first, 'PutTargets', {
      Rule: 'billing',
      EventBusName: BUS,
      Targets: [{ Id: 'q', Arn: teamQueueArn }],
    });
    await call(first, 'PutRule', {
      Name: 'paused',
      EventBusName: BUS,
      EventPattern: approvals,
      State: 'DISABLED',
    });
    await first.stop();

    // Act
    const second = await startApp({ dataDir });
    try {
      const queue = addTeamQueue(second);
      put(second, 'app.kyc', 'Account Approved', { userId: 'after-restart', version: 1, riskScore: 1 });
      await second.settle();

      // Assess
      const rules = await call(second, 'ListRules', { EventBusName: BUS, NamePrefix: 'b' });
      expect(rules.Rules).toEqual([expect.objectContaining({ Name: 'billing', State: 'ENABLED' })]);
      expect((await call(second, 'DescribeRule', { Name: 'paused', EventBusName: BUS })).State).toBe(
        'DISABLED',
      );
      expect(queue.messages.map((m) => JSON.parse(m.body).detail.userId)).toEqual(['after-restart']);
    } finally {
      await second.stop();
    }
  });
});
