import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schemaFileName } from '../../events/catalog';
import { AccountApproved } from '../../events/kyc';
import type { LocalRuntime } from '../../local/runtime';
import { schemaNameOf } from '../../stacks/catalogue';
import { BUS, stored } from '../support/local';
import { aws, eventually, startRuntime } from '../support/runtime';

const samplesDir = join(__dirname, '..', '..', 'events', 'samples');
const schemasDir = join(__dirname, '..', '..', 'events', 'schemas');
const BUS_ARN = `arn:aws:events:us-east-1:000000000000:event-bus/${BUS}`;
const ARCHIVE_ARN = `arn:aws:events:us-east-1:000000000000:archive/${BUS}-bus`;

type Event = {
  id: string;
  source: string;
  'detail-type': string;
  detail: { userId: string };
  'replay-name'?: string;
};

/*
 * A downstream team building its consumer against the local runtime with the AWS CLI, as it would against AWS
 * (EventBridge API reference: PutRule, PutTargets, StartReplay, DescribeReplay; EventBridge User Guide,
 * "Archiving and replaying events" for `replay-name`; Schemas API reference, DescribeSchema).
 */
describe('a downstream team, through the AWS CLI', () => {
  let runtime: LocalRuntime;
  let url: string;
  let scratch: string;
  let queueUrl: string;
  let ruleArn: string;
  let runStart: Date;
  let runEnd: Date;
  beforeAll(async () => {
    runtime = await startRuntime();
    url = runtime.url;
    scratch = mkdtempSync(join(tmpdir(), 'downstream-e2e-'));
  });
  afterAll(async () => {
    await runtime.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Runs the CLI and fails the test with its stderr when it exits non-zero. */
  async function ok(...args: string[]) {
    const result = await aws(url, ...args);
    if (result.code !== 0) throw new Error(`aws ${args.join(' ')} failed: ${result.stderr}`);
    return result.json ?? {};
  }

  /** Receives (and deletes) from the team's queue until `count` messages have come, then checks no more do. */
  async function receiveAll(count: number): Promise<Event[]> {
    const received: Event[] = [];
    await eventually(async () => {
      const { Messages = [] } = (await ok(
        'sqs',
        'receive-message',
        '--queue-url',
        queueUrl,
        '--max-number-of-messages',
        '10',
      )) as { Messages?: { Body: string; ReceiptHandle: string }[] };
      for (const m of Messages) {
        received.push(JSON.parse(m.Body) as Event);
        await ok('sqs', 'delete-message', '--queue-url', queueUrl, '--receipt-handle', m.ReceiptHandle);
      }
      return received.length >= count ? true : undefined;
    }, 120_000);
    await runtime.app.settle();
    const { Messages = [] } = (await ok('sqs', 'receive-message', '--queue-url', queueUrl)) as {
      Messages?: unknown[];
    };
    expect(Messages).toHaveLength(0);
    return received;
  }

  /** The `Account Approved` events the bus accepted from producers and workflows (not replays). */
  const approvalsOnTheBus = () =>
    runtime.app.eventBridge.records
      .map((r) => r.event as unknown as Event)
      .filter((e) => e.source === 'app.kyc' && e['detail-type'] === 'Account Approved' && !e['replay-name']);

  it('subscribes its own queue to Account Approved and receives exactly the approvals of the samples', async () => {
    // Prepare
    const created = await ok('sqs', 'create-queue', '--queue-name', 'crm-approvals');
    queueUrl = String(created.QueueUrl);
    const { Attributes } = (await ok(
      'sqs',
      'get-queue-attributes',
      '--queue-url',
      queueUrl,
      '--attribute-names',
      'QueueArn',
    )) as { Attributes: { QueueArn: string } };
    const pattern = JSON.stringify({
      source: [AccountApproved.source],
      'detail-type': [AccountApproved.detailType],
    });
    ruleArn = String(
      (
        await ok(
          'events',
          'put-rule',
          '--name',
          'crm-approvals',
          '--event-bus-name',
          BUS,
          '--event-pattern',
          pattern,
        )
      ).RuleArn,
    );
    const targets = await ok(
      'events',
      'put-targets',
      '--rule',
      'crm-approvals',
      '--event-bus-name',
      BUS,
      '--targets',
      JSON.stringify([{ Id: 'crm', Arn: Attributes.QueueArn }]),
    );

    // Act: every sample, as the README runs them; the back office decides once the review is open.
    runStart = new Date(Date.now() - 1000);
    for (const file of readdirSync(samplesDir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const put = await ok('events', 'put-events', '--entries', `file://${join(samplesDir, file)}`);
      expect(put.FailedEntryCount).toBe(0);
      if (file === 'account-requested-manual-review.json')
        await eventually(async () =>
          (await stored(runtime.app, 'user-1003', 'kyc')).review ? true : undefined,
        );
      else await runtime.app.settle();
    }
    const approvals = approvalsOnTheBus();
    const received = await receiveAll(approvals.length);
    runEnd = new Date(Date.now() + 1000);

    // Assess
    expect(targets.FailedEntryCount).toBe(0);
    expect(approvals.length).toBeGreaterThanOrEqual(3);
    expect(received.map((e) => e.id).sort()).toEqual(approvals.map((e) => e.id).sort());
  });

  it("replays the run's window from the bus archive to the team's rule only", async () => {
    // Prepare
    const approvals = approvalsOnTheBus();
    const executionsBefore = runtime.app.stepFunctions.executions.size;
    const window = join(scratch, 'destination.json');
    writeFileSync(window, JSON.stringify({ Arn: BUS_ARN, FilterArns: [ruleArn] }));

    // Act
    const started = await ok(
      'events',
      'start-replay',
      '--replay-name',
      'crm-backfill',
      '--event-source-arn',
      ARCHIVE_ARN,
      '--event-start-time',
      runStart.toISOString(),
      '--event-end-time',
      runEnd.toISOString(),
      '--destination',
      `file://${window}`,
    );
    const ended = await eventually(async () => {
      const replay = await ok('events', 'describe-replay', '--replay-name', 'crm-backfill');
      return replay.State === 'COMPLETED' ? replay : undefined;
    });
    const received = await receiveAll(approvals.length);

    // Assess
    expect(started.State).toBe('STARTING');
    expect(ended.EventLastReplayedTime).toBeDefined();
    expect(received.map((e) => e.detail.userId).sort()).toEqual(approvals.map((e) => e.detail.userId).sort());
    for (const event of received) expect(event['replay-name']).toBe('crm-backfill');
    // Only the team's rule: no workflow ran again.
    expect(runtime.app.stepFunctions.executions.size).toBe(executionsBefore);
  });

  it('reads the Account Approved schema, equal to the committed file, with aws schemas describe-schema', async () => {
    // Act
    const described = await ok(
      'schemas',
      'describe-schema',
      '--registry-name',
      `${BUS}-events`,
      '--schema-name',
      schemaNameOf(AccountApproved),
    );

    // Assess
    const committed = readFileSync(join(schemasDir, schemaFileName(AccountApproved)), 'utf8');
    expect(JSON.parse(String(described.Content))).toEqual(JSON.parse(committed));
  });
});
