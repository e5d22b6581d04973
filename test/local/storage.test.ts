import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventRecord } from '../../local/eventbridge/bus';
import { MessageStore } from '../../local/storage/messages';
import { BUS, startApp, stored } from '../support/local';

const QUEUE = `arn:aws:sqs:us-east-1:000000000000:${BUS}-rejected-events`;
const ACCESS_RULE_EVENT = {
  version: '0' as const,
  account: '000000000000',
  region: 'us-east-1',
  time: '2026-01-01T00:00:00Z',
  resources: [],
  source: 'app.identity',
  'detail-type': 'User Access Changed',
};

function record(id: string, receivedAt: Date, detail: Record<string, unknown> = {}): EventRecord {
  return {
    event: { ...ACCESS_RULE_EVENT, id, detail },
    busName: BUS,
    receivedAt,
    matchedRules: [],
    deliveries: [],
  };
}

describe('the bus records and queue messages in the data directory', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'local-messages-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('writes each change before the call returns, so a store opened beside it (as after a kill) has it', async () => {
    // Prepare
    const app = await startApp({ dataDir });
    const queue = app.queues.find(QUEUE);

    // Act: no stop, no close: what is in messages.db now is what a kill -9 would leave.
    queue.send('a');
    queue.send('b');
    const [received] = queue.receive(1, 600);
    queue.send('c');
    queue.delete(queue.receive(1, 600, Date.now())[0]?.receiptHandle ?? '');
    const { Entries } = app.eventBridge.putEvents([
      { Source: 'test', DetailType: 'Noted', Detail: '{}', EventBusName: BUS },
    ]);
    const beside = new MessageStore(dataDir);
    const stored = beside.queues([]).queues[QUEUE]?.messages ?? [];
    const { recent } = beside.records();
    beside.close();
    await app.stop();

    // Assess
    expect(stored.map((m) => [m.body, m.receiveCount])).toEqual([
      ['a', 1],
      ['c', 0],
    ]);
    expect(stored[0]?.receiptHandle).toBe(received?.receiptHandle);
    expect(recent.map((r) => r.event.id)).toEqual([(Entries[0] as { EventId: string }).EventId]);
  });

  it('delivers again, at the next start, an accepted event whose deliveries had not ended', async () => {
    // Prepare: an accepted trigger the runtime was killed before delivering (recorded, not settled).
    const inMemory = await startApp();
    const rule = inMemory.eventBridge.rules.find((r) =>
      r.targets.some((t) => t.Arn.endsWith(`:stateMachine:${BUS}-access-change`)),
    )?.name;
    await inMemory.stop();
    const store = new MessageStore(dataDir);
    store.putRecord(
      {
        ...record('e-undelivered', new Date(), { userId: 'u-late', version: 1, blocked: true }),
        matchedRules: [rule as string],
      },
      false,
    );
    store.close();

    // Act
    const app = await startApp({ dataDir });
    await app.settle();

    // Assess
    try {
      expect(await stored(app, 'u-late', 'access')).toMatchObject({
        eventId: 'e-undelivered',
        status: 'completed',
      });
      const reopened = new MessageStore(dataDir);
      expect(reopened.records().unsettled).toEqual([]);
      reopened.close();
    } finally {
      await app.stop();
    }
  });

  it('prunes records past the retention, keeping those not yet delivered, and restores a bounded window', () => {
    // Prepare
    const old = new Date(Date.now() - 10_000);
    const store = new MessageStore(dataDir);
    store.putRecord(record('old', old), true);
    store.putRecord(record('old-undelivered', old), false);
    for (const id of ['new-1', 'new-2', 'new-3']) store.putRecord(record(id, new Date()), true);
    store.close();

    // Act
    const reopened = new MessageStore(dataDir, { maxAgeMs: 5_000, maxCount: 2 });
    const all = reopened.records();
    const window = reopened.records(1);
    reopened.close();

    // Assess
    expect(all.recent.map((r) => r.event.id)).toEqual(['old-undelivered', 'new-2', 'new-3']);
    expect(all.recent[1]?.receivedAt).toBeInstanceOf(Date);
    expect(all.unsettled.map((r) => r.event.id)).toEqual(['old-undelivered']);
    expect(window.recent.map((r) => r.event.id)).toEqual(['new-3']);
    expect(window.unsettled.map((r) => r.event.id)).toEqual(['old-undelivered']);
  });

  it('imports an events.jsonl and a queues.json of an earlier version once', async () => {
    // Prepare
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    const accepted = record('e-1', at);
    const delivered = { ...accepted, deliveries: [{ rule: 'r', target: 't', attempts: 1 }] };
    writeFileSync(
      join(dataDir, 'events.jsonl'),
      `${[accepted, delivered, record('e-2', at)].map((r) => `${JSON.stringify(r)}\n`).join('')}{"cut`,
    );
    const message = {
      messageId: 'm-1',
      body: '{"parked":true}',
      md5OfBody: 'x',
      messageAttributes: {},
      sentAt: Date.now(),
      receiveCount: 0,
      visibleAt: 0,
    };
    writeFileSync(
      join(dataDir, 'queues.json'),
      JSON.stringify({ version: 1, queues: { [QUEUE]: { createdAt: 1_000, messages: [message] } } }),
    );

    // Act
    const first = await startApp({ dataDir });
    await first.stop();
    const app = await startApp({ dataDir });

    // Assess
    try {
      expect(existsSync(join(dataDir, 'events.jsonl'))).toBe(false);
      expect(existsSync(join(dataDir, 'events.jsonl.imported'))).toBe(true);
      expect(existsSync(join(dataDir, 'queues.json.imported'))).toBe(true);
      expect(app.eventBridge.records.map((r) => [r.event.id, r.deliveries.length])).toEqual([
        ['e-1', 1],
        ['e-2', 0],
      ]);
      expect(app.eventBridge.records[0]?.receivedAt).toEqual(at);
      const queue = app.queues.find(QUEUE);
      expect(queue.messages).toEqual([message]);
      expect(queue.createdAt).toBe(1_000);
    } finally {
      await app.stop();
    }
  });
});
