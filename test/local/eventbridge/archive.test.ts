import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS_REQUESTS, eventsActions } from '../../../local/api/events';
import { checkRequest } from '../../../local/api/shapes';
import type { LocalApp } from '../../../local/app';
import { AwsError } from '../../../local/errors';
import type { PutEventsRequestEntry } from '../../../local/eventbridge/bus';
import type { LocalRuntime } from '../../../local/runtime';
import { LocalQueue } from '../../../local/sqs';
import { rejectionOf } from '../../support/errors';
import { BUS, put, startApp, stored } from '../../support/local';
import { eventually, startRuntime } from '../../support/runtime';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const BUS_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${BUS}`;
/** The stack's archive of the app bus (stacks/archive.ts). */
const APP_ARCHIVE = `${BUS}-bus`;
const APP_ARCHIVE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:archive/${APP_ARCHIVE}`;
const samplesDir = join(__dirname, '..', '..', '..', 'events', 'samples');

async function call(app: LocalApp, action: string, params: Record<string, unknown>) {
  const actions = eventsActions(app.eventBridge, { rules: app.rules, archives: app.archives });
  const run = actions[action];
  const shape = EVENTS_REQUESTS[action];
  if (!run || !shape) throw new Error(`${action} is not served`);
  return (await run(checkRequest(structuredClone(params), shape))) as Record<string, unknown>;
}

async function awsErrorOf(act: Promise<unknown>): Promise<AwsError> {
  const error = await rejectionOf(() => act);
  if (!(error instanceof AwsError)) throw error;
  return error;
}

/** Epoch seconds, as the JSON protocol sends timestamps. */
const seconds = (ms: number) => ms / 1000;

async function replayEnded(app: LocalApp, name: string): Promise<Record<string, unknown>> {
  return eventually(async () => {
    const replay = await call(app, 'DescribeReplay', { ReplayName: name });
    return replay.State === 'COMPLETED' || replay.State === 'CANCELLED' ? replay : undefined;
  });
}

/** Every item of the versions table, keyed by user and workflow. */
async function versionsTable(app: LocalApp): Promise<Record<string, unknown>> {
  const { Items } = await app.dynamodb.call<{ Items: Record<string, { S?: string }>[] }>('Scan', {
    TableName: `${BUS}-versions`,
    ConsistentRead: true,
  });
  return Object.fromEntries(Items.map((item) => [`${item.userId?.S}/${item.workflow?.S}`, item]));
}

/**
 * Puts every sample, in file order as the README runs them, to its documented end: the back office decides
 * once the review is open.
 */
async function runSamples(app: LocalApp): Promise<void> {
  for (const file of readdirSync(samplesDir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const entries = JSON.parse(readFileSync(join(samplesDir, file), 'utf8')) as PutEventsRequestEntry[];
    const response = app.eventBridge.putEvents(entries);
    expect(response.FailedEntryCount).toBe(0);
    if (file === 'account-requested-manual-review.json')
      await eventually(async () => ((await stored(app, 'user-1003', 'kyc')).review ? true : undefined));
    else await app.settle();
  }
}

/*
 * Archives and replays (EventBridge User Guide, "Archiving and replaying events",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-archive.html: an archive keeps the events that
 * match its pattern; a replay sends the events of a time window to the rules it names, or all the bus's, with
 * `replay-name` set; API reference StartReplay, DescribeReplay, CancelReplay for states and errors).
 */
describe('archives and replays', () => {
  let app: LocalApp;
  beforeEach(async () => {
    app = await startApp();
  });
  afterEach(() => app.stop());

  it("archives the app bus from the template, with the stack's retention", async () => {
    // Act
    const listed = await call(app, 'ListArchives', {});
    put(app, 'test.archive', 'Archive Tested', { n: 1 });
    await app.settle();
    const described = await call(app, 'DescribeArchive', { ArchiveName: APP_ARCHIVE });

    // Assess
    expect(listed.Archives).toEqual([
      expect.objectContaining({
        ArchiveName: APP_ARCHIVE,
        EventSourceArn: BUS_ARN,
        State: 'ENABLED',
        RetentionDays: 30,
      }),
    ]);
    expect(described).toMatchObject({ ArchiveArn: APP_ARCHIVE_ARN, EventCount: 1 });
  });

  it('replays only to the rules named in FilterArns', async () => {
    // Prepare
    const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:replayed`;
    const queue = new LocalQueue('replayed', `${app.env.endpoint}/${ACCOUNT}/replayed`, queueArn);
    app.queues.add(queue);
    const { RuleArn } = await call(app, 'PutRule', {
      Name: 'team-audit',
      EventBusName: BUS,
      EventPattern: JSON.stringify({ source: ['test.archive'] }),
      State: 'DISABLED',
    });
    await call(app, 'PutTargets', {
      Rule: 'team-audit',
      EventBusName: BUS,
      Targets: [{ Id: 'q', Arn: queueArn }],
    });
    const start = Date.now();
    put(app, 'test.archive', 'Archive Tested', { n: 1 });
    put(app, 'test.archive', 'Archive Tested', { n: 2 });
    await app.settle();
    await call(app, 'EnableRule', { Name: 'team-audit', EventBusName: BUS });
    const auditRecordsBefore = app.eventBridge.records.length;

    // Act
    await call(app, 'StartReplay', {
      ReplayName: 'to-the-team',
      EventSourceArn: APP_ARCHIVE_ARN,
      EventStartTime: seconds(start - 1000),
      EventEndTime: seconds(Date.now() + 1000),
      Destination: { Arn: BUS_ARN, FilterArns: [RuleArn] },
    });
    await replayEnded(app, 'to-the-team');
    await app.settle();

    // Assess
    const bodies = queue.messages.map((m) => JSON.parse(m.body));
    expect(bodies.map((b) => b.detail.n)).toEqual([1, 2]);
    for (const body of bodies) expect(body['replay-name']).toBe('to-the-team');
    const replayedRecords = app.eventBridge.records.slice(auditRecordsBefore);
    for (const record of replayedRecords) expect(record.matchedRules).toEqual(['team-audit']);
  });

  it('cancels a replay that has not ended, and rejects cancelling one that has', async () => {
    // Prepare
    const start = Date.now();
    for (let n = 0; n < 20; n++) put(app, 'test.archive', 'Archive Tested', { n });
    await app.settle();
    const replay = (name: string) =>
      call(app, 'StartReplay', {
        ReplayName: name,
        EventSourceArn: APP_ARCHIVE_ARN,
        EventStartTime: seconds(start - 1000),
        EventEndTime: seconds(Date.now() + 1000),
        Destination: { Arn: BUS_ARN },
      });

    // Act
    await replay('cancelled');
    const cancelling = await call(app, 'CancelReplay', { ReplayName: 'cancelled' });
    const cancelled = await replayEnded(app, 'cancelled');
    await replay('completed');
    await replayEnded(app, 'completed');
    const refused = await awsErrorOf(call(app, 'CancelReplay', { ReplayName: 'completed' }));
    const listed = await call(app, 'ListReplays', { State: 'CANCELLED' });

    // Assess
    expect(cancelling.State).toBe('CANCELLING');
    expect(cancelled.State).toBe('CANCELLED');
    expect(refused.code).toBe('IllegalStatusException');
    expect(listed.Replays).toEqual([expect.objectContaining({ ReplayName: 'cancelled' })]);
  });

  it("keeps only the events matching a team archive's pattern, and deletes it", async () => {
    // Prepare
    await call(app, 'CreateArchive', {
      ArchiveName: 'approvals',
      EventSourceArn: BUS_ARN,
      EventPattern: JSON.stringify({ 'detail-type': ['Archive Kept'] }),
      RetentionDays: 7,
    });

    // Act
    put(app, 'test.archive', 'Archive Kept', { n: 1 });
    put(app, 'test.archive', 'Archive Skipped', { n: 2 });
    await app.settle();
    const described = await call(app, 'DescribeArchive', { ArchiveName: 'approvals' });
    const again = await awsErrorOf(
      call(app, 'CreateArchive', { ArchiveName: 'approvals', EventSourceArn: BUS_ARN }),
    );
    await call(app, 'DeleteArchive', { ArchiveName: 'approvals' });
    const gone = await awsErrorOf(call(app, 'DescribeArchive', { ArchiveName: 'approvals' }));

    // Assess
    expect(described).toMatchObject({ EventCount: 1, RetentionDays: 7, State: 'ENABLED' });
    expect(again.code).toBe('ResourceAlreadyExistsException');
    expect(gone.code).toBe('ResourceNotFoundException');
  });

  it("rejects deleting the template's archive, a bad pattern and an inverted window", async () => {
    // Act
    const templateArchive = await awsErrorOf(call(app, 'DeleteArchive', { ArchiveName: APP_ARCHIVE }));
    const badPattern = await awsErrorOf(
      call(app, 'CreateArchive', {
        ArchiveName: 'bad',
        EventSourceArn: BUS_ARN,
        EventPattern: '{"source":"x"}',
      }),
    );
    const inverted = await awsErrorOf(
      call(app, 'StartReplay', {
        ReplayName: 'backwards',
        EventSourceArn: APP_ARCHIVE_ARN,
        EventStartTime: seconds(Date.now()),
        EventEndTime: seconds(Date.now() - 60_000),
        Destination: { Arn: BUS_ARN },
      }),
    );

    // Assess
    expect(templateArchive.message).toContain('change it in the CDK app');
    expect(badPattern.code).toBe('InvalidEventPatternException');
    expect(inverted.code).toBe('ValidationException');
  });
});

describe('a replay of the samples into the workflows', () => {
  // The review-decision function calls the runtime's API: the app is served, as `npm start` serves it.
  let runtime: LocalRuntime;
  let app: LocalApp;
  beforeAll(async () => {
    runtime = await startRuntime();
    app = runtime.app;
  });
  afterAll(() => runtime.stop());

  it("replays the samples' window into the workflows and leaves every user's state unchanged", async () => {
    // Prepare
    const start = Date.now();
    await runSamples(app);
    const before = await versionsTable(app);
    const executionsBefore = new Set(app.stepFunctions.executions.keys());
    const archived = (await call(app, 'DescribeArchive', { ArchiveName: APP_ARCHIVE })).EventCount as number;

    // Act
    const started = await call(app, 'StartReplay', {
      ReplayName: 'samples-again',
      EventSourceArn: APP_ARCHIVE_ARN,
      EventStartTime: seconds(start - 1000),
      EventEndTime: seconds(Date.now() + 1000),
      Destination: { Arn: BUS_ARN },
    });
    const ended = await replayEnded(app, 'samples-again');
    await app.settle();

    // Assess
    expect(started.State).toBe('STARTING');
    expect(ended).toMatchObject({ State: 'COMPLETED', EventLastReplayedTime: expect.any(Date) });
    expect(await versionsTable(app)).toEqual(before);
    const replayedRuns = [...app.stepFunctions.executions.values()].filter(
      (e) => !executionsBefore.has(e.executionArn),
    );
    expect(replayedRuns.length).toBeGreaterThan(0);
    for (const run of replayedRuns) {
      expect(run.status).toBe('SUCCEEDED');
      expect(['duplicate', 'stale']).toContain(JSON.parse(run.output ?? '{}').outcome);
    }
    const replayed = app.eventBridge.records.filter((r) => 'replay-name' in r.event);
    expect(replayed).toHaveLength(archived);
    for (const record of replayed) expect(record.event).toMatchObject({ 'replay-name': 'samples-again' });
    // Replayed events are not archived again (User Guide: replayed events are not sent to archives).
    expect((await call(app, 'DescribeArchive', { ArchiveName: APP_ARCHIVE })).EventCount).toBe(archived);
  });
});

describe('an archive, after a restart', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'archive-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('still has its events and replays them', async () => {
    // Prepare
    const start = Date.now();
    const first = await startApp({ dataDir });
    await call(first, 'CreateArchive', { ArchiveName: 'kept', EventSourceArn: BUS_ARN });
    put(first, 'test.archive', 'Archive Tested', { n: 1 });
    await first.settle();
    await first.stop();

    // Act
    const second = await startApp({ dataDir });
    try {
      const described = await call(second, 'DescribeArchive', { ArchiveName: 'kept' });
      await call(second, 'StartReplay', {
        ReplayName: 'after-restart',
        EventSourceArn: described.ArchiveArn,
        EventStartTime: seconds(start - 1000),
        EventEndTime: seconds(Date.now() + 1000),
        Destination: { Arn: BUS_ARN },
      });
      await replayEnded(second, 'after-restart');

      // Assess
      expect(described.EventCount).toBe(1);
      expect(
        second.eventBridge.records.filter(
          (r) => r.event['replay-name' as keyof typeof r.event] === 'after-restart',
        ),
      ).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});
