import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureAssembly } from '../../local/assembly';
import type { BusEvent } from '../../local/eventbridge/bus';
import type { LocalRuntime } from '../../local/runtime';
import { BUS, executionsOf, outputOf } from '../support/local';
import { aws, eventually, startRuntime } from '../support/runtime';
import { stackName } from '../support/synth';

const AUTH0 = 'aws.partner/auth0.com/acme-prod/onboarding-user-events';
const SAASUS = 'aws.partner/saasus.io/5b4297ce-bdb3-43e2-bf99-d605cac044c8-1/event';
/** The app synthesized with both partner sources, as `-c auth0EventSource=… -c saasusEventSource=…` does. */
const partnersAssemblyDir = join(__dirname, '..', '..', 'cdk.out', 'test-partners');
const PARTNER_CONTEXT = { auth0EventSource: AUTH0, saasusEventSource: SAASUS };

const samplesDir = join(__dirname, '..', '..', 'events', 'samples', 'partners');
const ACCOUNT = '000000000000';

type Entry = { Source: string; DetailType: string; Time?: string; Detail: string };
type Received = { Body: string; Attributes?: Record<string, string> };

function sample(file: string): Entry[] {
  return JSON.parse(readFileSync(join(samplesDir, file), 'utf8')) as Entry[];
}

/**
 * Partner event sources on the local runtime, driven by Debian's AWS CLI as a partner and an operator would:
 * PutPartnerEvents onto the partner bus, its rule into the partner queue, the adapter function polled from the
 * queue by the event source mapping, its triggers on the app bus, its refusals parked, its failures
 * dead-lettered after the queue's maxReceiveCount.
 */
describe('partner event sources on the local runtime', () => {
  let runtime: LocalRuntime;
  let url: string;
  let scratch: string;
  beforeAll(async () => {
    // Synthesized once, then reused while the app's sources do not change.
    ensureAssembly(partnersAssemblyDir, stackName, PARTNER_CONTEXT);
    runtime = await startRuntime({ assemblyDir: partnersAssemblyDir });
    url = runtime.url;
    scratch = mkdtempSync(join(tmpdir(), 'partners-e2e-'));
    // Redeliveries after 1 s rather than the template's 18 s.
    runtime.app.queues.find(`${BUS}-auth0-partner-events`).visibilityTimeoutSeconds = 1;
  });
  afterAll(async () => {
    await runtime?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function ok(...args: string[]): Promise<Record<string, unknown>> {
    const result = await aws(url, ...args);
    if (result.code !== 0) throw new Error(`aws ${args.join(' ')} failed: ${result.stderr}`);
    return result.json ?? {};
  }

  function entriesFile(name: string, entries: Entry[]): string {
    const file = join(scratch, name);
    writeFileSync(file, JSON.stringify(entries));
    return `file://${file}`;
  }

  const queueUrl = (name: string) => `${url}/${ACCOUNT}/${BUS}-${name}`;

  /** Receives from a queue with the CLI until `find` picks a message (each receive hides what it got for 0 s). */
  function receiveUntil(queue: string, find: (m: Received) => boolean): Promise<Received> {
    return eventually(async () => {
      const { Messages } = (await ok(
        'sqs',
        'receive-message',
        '--queue-url',
        queueUrl(queue),
        '--max-number-of-messages',
        '10',
        '--visibility-timeout',
        '0',
        '--attribute-names',
        'All',
      )) as { Messages?: Received[] };
      return Messages?.find(find);
    }, 120_000);
  }

  it('lists the partner buses, named after their event sources', async () => {
    // Act
    const { EventBuses } = (await ok('events', 'list-event-buses')) as { EventBuses: { Name: string }[] };

    // Assess
    expect(EventBuses.map((b) => b.Name)).toEqual(expect.arrayContaining([BUS, AUTH0, SAASUS]));
  });

  it('ends the Auth0 block/unblock race unblocked, the late duplicate block changing nothing', async () => {
    // Prepare: blocked at 09:15:00.120, unblocked at 09:15:04.480, then the block delivered again, late.
    const race = sample('auth0-block-race.json');
    const userId = 'auth0|65f1c0ffee0000000000a001';
    const unblockedAt = Date.parse('2026-03-02T09:15:04.480Z');

    // Act: one delivery at a time, in the order the partner sent them.
    for (const [i, entry] of race.entries())
      await ok('events', 'put-partner-events', '--entries', entriesFile(`race-${i}.json`, [entry]));

    // Assess: three executions, the last two (unblock, late block) ordered by version, not by arrival.
    const outcomes = await eventually(async () => {
      const mine = executionsOf(runtime.app, 'access-change')
        .filter((e) => JSON.parse(e.input).detail.userId === userId)
        .map((e) => ({ status: e.status, ...(outputOf(e) as { outcome: string; version: number }) }));
      return mine.length === 3 && mine.every((e) => e.status !== 'RUNNING') ? mine : undefined;
    }, 120_000);
    expect(outcomes.filter((o) => o.outcome === 'completed').map((o) => o.version)).toContain(unblockedAt);
    const { Item } = (await ok(
      'dynamodb',
      'get-item',
      '--table-name',
      `${BUS}-versions`,
      '--key',
      JSON.stringify({ userId: { S: userId }, workflow: { S: 'access' } }),
      '--consistent-read',
    )) as { Item: Record<string, { N?: string; BOOL?: boolean }> };
    expect(Item.version?.N).toBe(String(unblockedAt));
    expect(Item.blocked?.BOOL).toBe(false);
    const announced = runtime.app.eventBridge.records
      .map((r) => r.event)
      .filter((e) => e.detail.userId === userId && /^User (Blocked|Unblocked)$/.test(e['detail-type']));
    const newest = announced.filter((e) => e.detail.version === unblockedAt);
    expect(newest.map((e) => e['detail-type'])).toEqual(['User Unblocked']);
  });

  it('starts KYC for a SaaSus user creation whose attributes carry the plan and the applicant', async () => {
    // Prepare
    const userId = '7a41c0de-5aa5-4c1e-9d7e-3f2b8c6a1e01';

    // Act
    await ok(
      'events',
      'put-partner-events',
      '--entries',
      `file://${join(samplesDir, 'saasus-user-created.json')}`,
    );

    // Assess
    const kyc = await eventually(async () =>
      executionsOf(runtime.app, 'kyc').find(
        (e) => JSON.parse(e.input).detail.userId === userId && e.status !== 'RUNNING',
      ),
    );
    expect(kyc.status).toBe('SUCCEEDED');
    expect(outputOf(kyc)).toMatchObject({
      workflow: 'kyc',
      userId,
      version: Date.parse('2026-05-19T01:55:23Z'),
    });
  });

  it('parks a partner event the adapter cannot map in the rejected-events queue, with the reason', async () => {
    // Prepare: a user update that carries no `blocked` flag (an administrator never blocked the user).
    const [blocked] = sample('auth0-user-blocked.json') as [Entry];
    const detail = JSON.parse(blocked.Detail) as { data: { object: Record<string, unknown> } };
    detail.data.object.user_id = 'auth0|unmappable-1';
    delete detail.data.object.blocked;
    const entries = [{ ...blocked, Detail: JSON.stringify(detail) }];

    // Act
    const response = await ok(
      'events',
      'put-partner-events',
      '--entries',
      entriesFile('unmappable.json', entries),
    );

    // Assess
    expect(response.FailedEntryCount).toBe(0);
    const parked = await receiveUntil('rejected-events', (m) => m.Body.includes('auth0|unmappable-1'));
    const { reason, event } = JSON.parse(parked.Body) as { reason: string; event: BusEvent };
    expect(reason).toMatch(/no blocked flag/);
    expect(event).toMatchObject({ source: AUTH0, 'detail-type': 'user.updated', account: ACCOUNT });
  });

  it('rejects a partner event whose source has no partner bus, and an aws.partner source on PutEvents', async () => {
    // Prepare
    const [blocked] = sample('auth0-user-blocked.json') as [Entry];
    const unknown = { ...blocked, Source: 'aws.partner/auth0.com/other-tenant/stream' };
    const onAppBus = { ...blocked, EventBusName: BUS };

    // Act
    const partner = await ok(
      'events',
      'put-partner-events',
      '--entries',
      entriesFile('unknown-source.json', [unknown, blocked]),
    );
    const direct = await ok('events', 'put-events', '--entries', entriesFile('direct.json', [onAppBus]));

    // Assess
    const refused = {
      ErrorCode: 'NotAuthorizedForSourceException',
      ErrorMessage: 'Not authorized for the source.',
    };
    expect(partner).toEqual({ FailedEntryCount: 1, Entries: [refused, { EventId: expect.any(String) }] });
    expect(direct).toEqual({ FailedEntryCount: 1, Entries: [refused] });
  });

  it('fails a partner event whose trigger the app bus keeps refusing into the partner DLQ after 5 receives', async () => {
    // Prepare: the app bus refuses the adapter's next 5 puts, as many as the queue's maxReceiveCount.
    const faults = await fetch(`${url}/_local/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ errorCode: 'InternalFailure', next: 5, source: 'app.identity' }),
    });
    expect(faults.status).toBe(200);
    const [deleted] = sample('auth0-user-deleted.json') as [Entry];
    const detail = JSON.parse(deleted.Detail) as { data: { object: Record<string, unknown> } };
    detail.data.object.user_id = 'auth0|undeliverable-1';
    const entries = [{ ...deleted, Detail: JSON.stringify(detail) }];

    try {
      // Act
      await ok('events', 'put-partner-events', '--entries', entriesFile('undeliverable.json', entries));

      // Assess: dead-lettered by the sixth receive, after five failed attempts, never put on the app bus.
      const dead = await receiveUntil('auth0-partner-dlq', (m) => m.Body.includes('auth0|undeliverable-1'));
      expect(JSON.parse(dead.Body)).toMatchObject({ source: AUTH0, 'detail-type': 'user.deleted' });
      expect(dead.Attributes?.DeadLetterQueueSourceArn).toBe(
        `arn:aws:sqs:us-east-1:${ACCOUNT}:${BUS}-auth0-partner-events`,
      );
      const listed = (await (await fetch(`${url}/_local/faults`)).json()) as { faults: { next?: number }[] };
      expect(listed.faults).toEqual([expect.objectContaining({ next: 0 })]);
      expect(
        runtime.app.eventBridge.records.filter((r) => r.event.detail.userId === 'auth0|undeliverable-1'),
      ).toEqual([]);
    } finally {
      await fetch(`${url}/_local/faults`, { method: 'DELETE' });
    }
  });
});
