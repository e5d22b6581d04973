import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DerivedStream,
  executionLogEntry,
  executionLogStream,
  LocalLogs,
  loggedAt,
  type StreamSource,
} from '../../local/logs';
import { openDatabase } from '../../local/storage/sqlite';
import { thrownBy } from '../support/errors';

const ARN = 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/events/test-audit';
const DAY = 24 * 3600 * 1000;

describe('LocalLogs', () => {
  let dir: string;
  const open = (retentionInDays?: number) =>
    new LocalLogs(
      [
        {
          name: '/aws/events/test-audit',
          arn: ARN,
          creationTime: 1,
          ...(retentionInDays ? { retentionInDays } : {}),
        },
      ],
      dir,
    );
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'logs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a rule-delivered event into a stream named after the event id, at the event time', () => {
    // Prepare
    const logs = open();
    const event = { id: 'e-1', time: '2026-01-02T03:04:05Z', detail: {} };

    // Act: the ARN Fn::GetAtt gives ends with `:*`.
    logs.putFromRule(`${ARN}:*`, JSON.stringify(event));

    // Assess
    const [stream] = logs.describeLogStreams('/aws/events/test-audit');
    expect(stream).toMatchObject({ logStreamName: 'e-1', lastEventTimestamp: Date.parse(event.time) });
    expect(logs.get(`${ARN}:*`)).toEqual([JSON.stringify(event)]);
    logs.close();
  });

  it('keeps what a logs.db of the earlier layout (streams by name) holds', () => {
    // Prepare: the tables as the runtime wrote them before streams were numbered.
    const old = openDatabase(join(dir, 'logs.db'));
    old.exec(`
      CREATE TABLE log_groups (name TEXT PRIMARY KEY, created_ms INTEGER NOT NULL);
      CREATE TABLE log_streams (log_group TEXT NOT NULL, name TEXT NOT NULL, created_ms INTEGER NOT NULL,
        first_event_ms INTEGER NOT NULL, last_event_ms INTEGER NOT NULL, last_ingestion_ms INTEGER NOT NULL,
        PRIMARY KEY (log_group, name));
      CREATE TABLE log_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, log_group TEXT NOT NULL,
        stream TEXT NOT NULL, timestamp_ms INTEGER NOT NULL, ingestion_ms INTEGER NOT NULL, message TEXT NOT NULL);
      INSERT INTO log_groups VALUES ('/aws/events/test-audit', 1);
      INSERT INTO log_streams VALUES ('/aws/events/test-audit', 's', 5, 10, 20, 30);
      INSERT INTO log_events (log_group, stream, timestamp_ms, ingestion_ms, message) VALUES
        ('/aws/events/test-audit', 's', 10, 30, 'first'), ('/aws/events/test-audit', 's', 20, 30, 'second');
    `);
    old.close();

    // Act
    const logs = open();
    logs.put(ARN, 's', [{ timestamp: 40, message: 'third' }]);

    // Assess
    expect(logs.getLogEvents(ARN, 's', { startFromHead: true }).events.map((e) => e.message)).toEqual([
      'first',
      'second',
      'third',
    ]);
    expect(logs.describeLogStreams(ARN)).toMatchObject([
      { logStreamName: 's', creationTime: 5, firstEventTimestamp: 10, lastEventTimestamp: 40 },
    ]);
    logs.close();
  });

  it('pages GetLogEvents forward and back, giving the token back unchanged at the end', () => {
    // Prepare: GetLogEvents (CloudWatch Logs API reference): "If you have reached the end of the stream, it
    // returns the same token you passed in."
    const logs = open();
    logs.put(
      ARN,
      's',
      [1, 2, 3, 4, 5].map((n) => ({ timestamp: n * 1000, message: `m${n}` })),
    );

    // Act
    const newest = logs.getLogEvents(ARN, 's', { limit: 2 });
    const older = logs.getLogEvents(ARN, 's', { limit: 2, nextToken: newest.nextBackwardToken });
    const head = logs.getLogEvents(ARN, 's', { limit: 3, startFromHead: true });
    const rest = logs.getLogEvents(ARN, 's', { nextToken: head.nextForwardToken });
    const end = logs.getLogEvents(ARN, 's', { nextToken: rest.nextForwardToken });

    // Assess
    expect(newest.events.map((e) => e.message)).toEqual(['m4', 'm5']);
    expect(older.events.map((e) => e.message)).toEqual(['m2', 'm3']);
    expect(head.events.map((e) => e.message)).toEqual(['m1', 'm2', 'm3']);
    expect(rest.events.map((e) => e.message)).toEqual(['m4', 'm5']);
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(rest.nextForwardToken);
    expect(newest.nextForwardToken).toMatch(/^f\/\d{56}\/s$/);
    logs.close();
  });

  it('filters GetLogEvents by startTime and endTime', () => {
    const logs = open();
    logs.put(
      ARN,
      's',
      [1, 2, 3].map((n) => ({ timestamp: n * 1000, message: `m${n}` })),
    );
    const page = logs.getLogEvents(ARN, 's', { startTime: 2000, endTime: 3000, startFromHead: true });
    expect(page.events.map((e) => e.message)).toEqual(['m2']);
    logs.close();
  });

  it('orders streams by last event time, descending, and refuses a prefix with that order', () => {
    const logs = open();
    logs.put(ARN, 'b', [{ timestamp: 3000, message: 'x' }]);
    logs.put(ARN, 'a', [{ timestamp: 1000, message: 'x' }]);
    logs.put(ARN, 'c', [{ timestamp: 2000, message: 'x' }]);
    const names = (streams: { logStreamName: string }[]) => streams.map((s) => s.logStreamName);
    expect(names(logs.describeLogStreams(ARN))).toEqual(['a', 'b', 'c']);
    expect(names(logs.describeLogStreams(ARN, { orderBy: 'LastEventTime', descending: true }))).toEqual([
      'b',
      'c',
      'a',
    ]);
    expect(names(logs.describeLogStreams(ARN, { prefix: 'c' }))).toEqual(['c']);
    expect(
      thrownBy(() => logs.describeLogStreams(ARN, { prefix: 'c', orderBy: 'LastEventTime' })),
    ).toMatchObject({
      code: 'InvalidParameterException',
    });
    logs.close();
  });

  it('filters events across streams in time order with a pattern, and pages with nextToken', () => {
    // Prepare
    const logs = open();
    for (let n = 1; n <= 6; n++)
      logs.put(ARN, `s${n % 2}`, [
        { timestamp: n * 1000, message: JSON.stringify({ n, user: n % 3 === 0 ? 'u3' : 'u' }) },
      ]);

    // Act
    const first = logs.filterLogEvents(ARN, { filterPattern: '{ $.n > 1 }', limit: 2 });
    const second = logs.filterLogEvents(ARN, {
      filterPattern: '{ $.n > 1 }',
      limit: 10,
      nextToken: first.nextToken,
    });
    const oneStream = logs.filterLogEvents(ARN, { streamNames: ['s1'], filterPattern: '"u3"' });

    // Assess
    expect(first.events.map((e) => JSON.parse(e.message).n)).toEqual([2, 3]);
    expect(first.nextToken).toBeDefined();
    expect(second.events.map((e) => JSON.parse(e.message).n)).toEqual([4, 5, 6]);
    expect(second.nextToken).toBeUndefined();
    expect(oneStream.events.map((e) => [e.logStreamName, JSON.parse(e.message).n])).toEqual([['s1', 3]]);
    logs.close();
  });

  it('keeps its events across a restart', () => {
    const before = open();
    before.put(ARN, 's', [{ timestamp: Date.now(), message: 'kept' }]);
    before.close();
    const after = open();
    expect(after.get(ARN)).toEqual(['kept']);
    after.close();
  });

  it('deletes events older than the group retention at start', () => {
    const before = open(1);
    before.put(ARN, 'old', [{ timestamp: Date.now() - 2 * DAY, message: 'expired' }]);
    before.put(ARN, 'new', [{ timestamp: Date.now(), message: 'fresh' }]);
    before.close();
    const after = open(1);
    expect(after.get(ARN)).toEqual(['fresh']);
    expect(after.describeLogStreams(ARN).map((s) => s.logStreamName)).toEqual(['new']);
    after.close();
  });

  describe('derived streams (a state machine execution log, read from its history)', () => {
    /** A source of streams `x<serial>`, each with events at the given times, ids from 1. */
    const sourceOf = (streams: Record<number, number[]>): StreamSource => {
      const all: DerivedStream[] = Object.entries(streams).map(([serial, times]) => ({
        name: `x${serial}`,
        creationTime: times[0] ?? 0,
        lastEventTimestamp: times.at(-1) ?? 0,
        serial: Number(serial),
        events: () => times.map((timestamp, i) => ({ id: i + 1, timestamp, message: `x${serial}#${i + 1}` })),
      }));
      return {
        streams: (since) => all.filter((s) => since === undefined || s.lastEventTimestamp >= since),
        stream: (name) => all.find((s) => s.name === name),
      };
    };

    it('orders derived events among written ones by time, written first at the same time, across pages', () => {
      // Prepare
      const logs = open();
      logs.put(ARN, 'w', [
        { timestamp: 1000, message: 'w1' },
        { timestamp: 3000, message: 'w3' },
      ]);
      logs.derive(ARN, sourceOf({ 1: [1000, 2000], 2: [2000, 4000] }));

      // Act: pages of two, as `aws logs tail` and the CLI's paginator read them.
      const pages: string[][] = [];
      let nextToken: string | undefined;
      do {
        const page = logs.filterLogEvents(ARN, { limit: 2, ...(nextToken ? { nextToken } : {}) });
        pages.push(page.events.map((e) => e.message));
        nextToken = page.nextToken;
      } while (nextToken);

      // Assess
      expect(pages.flat()).toEqual(['w1', 'x1#1', 'x1#2', 'x2#1', 'w3', 'x2#2']);
      expect(logs.get(ARN)).toEqual(['w1', 'w3', 'x1#1', 'x1#2', 'x2#1', 'x2#2']);
      expect(
        logs.filterLogEvents(ARN, { startTime: 2000, endTime: 3000 }).events.map((e) => e.message),
      ).toEqual(['x1#2', 'x2#1', 'w3']);
      logs.close();
    });

    it('pages a derived stream with GetLogEvents forward and back, and lists it with the written ones', () => {
      // Prepare
      const logs = open();
      logs.put(ARN, 'a-written', [{ timestamp: 5000, message: 'w' }]);
      logs.derive(ARN, sourceOf({ 7: [1000, 2000, 3000] }));

      // Act
      const head = logs.getLogEvents(ARN, 'x7', { startFromHead: true, limit: 2 });
      const rest = logs.getLogEvents(ARN, 'x7', { nextToken: head.nextForwardToken });
      const end = logs.getLogEvents(ARN, 'x7', { nextToken: rest.nextForwardToken });
      const back = logs.getLogEvents(ARN, 'x7', { nextToken: rest.nextBackwardToken });
      const newest = logs.getLogEvents(ARN, 'x7', { limit: 1 });

      // Assess
      expect(head.events.map((e) => e.message)).toEqual(['x7#1', 'x7#2']);
      expect(rest.events.map((e) => e.message)).toEqual(['x7#3']);
      expect(end.events).toEqual([]);
      expect(end.nextForwardToken).toBe(rest.nextForwardToken);
      expect(back.events.map((e) => e.message)).toEqual(['x7#1', 'x7#2']);
      expect(newest.events.map((e) => e.message)).toEqual(['x7#3']);
      expect(logs.describeLogStreams(ARN).map((s) => s.logStreamName)).toEqual(['a-written', 'x7']);
      expect(
        logs
          .describeLogStreams(ARN, { orderBy: 'LastEventTime', descending: true })
          .map((s) => s.logStreamName),
      ).toEqual(['a-written', 'x7']);
      expect(thrownBy(() => logs.getLogEvents(ARN, 'x8', {}))).toMatchObject({
        code: 'ResourceNotFoundException',
      });
      logs.close();
    });

    it("hides derived events older than the group's retention", () => {
      const logs = open(1);
      const now = Date.now();
      logs.derive(ARN, sourceOf({ 1: [now - 2 * DAY], 2: [now - 2 * DAY, now] }));
      expect(logs.get(ARN)).toEqual(['x2#2']);
      expect(logs.describeLogStreams(ARN).map((s) => s.logStreamName)).toEqual(['x2']);
      logs.close();
    });
  });

  it('refuses a group the template does not have', () => {
    const logs = open();
    expect(thrownBy(() => logs.describeLogStreams('/nope'))).toMatchObject({
      code: 'ResourceNotFoundException',
      message: 'The specified log group does not exist.',
    });
    logs.close();
  });
});

describe('Step Functions execution log entries', () => {
  it('formats a history event as Step Functions logs it, without execution data when excluded', () => {
    // Step Functions Developer Guide, "Logging in CloudWatch Logs", log event format: id, type, details,
    // previous_event_id, event_timestamp and execution_arn, numbers as strings.
    const entry = JSON.parse(
      executionLogEntry(
        'arn:aws:states:us-east-1:000000000000:execution:m:e',
        {
          id: 2,
          previousEventId: 1,
          timestamp: 1700000000123,
          type: 'PassStateEntered',
          details: { name: 'Go', input: { a: 1 } },
        },
        false,
        0,
      ),
    );
    expect(Object.keys(entry)).toEqual([
      'id',
      'type',
      'details',
      'previous_event_id',
      'event_timestamp',
      'execution_arn',
      'redrive_count',
    ]);
    expect(entry).toMatchObject({
      id: '2',
      type: 'PassStateEntered',
      details: { name: 'Go' },
      previous_event_id: '1',
      event_timestamp: '1700000000123',
    });
    expect(entry.details.input).toBeUndefined();
  });

  it('names the stream after the machine, the start minute and the execution', () => {
    expect(executionLogStream('m', new Date('2026-12-02T02:15:39.123Z'), 'e-1')).toBe(
      'states/m/2026-12-02-02-15/e-1',
    );
  });

  it('logs every event at ALL, errors at ERROR, and the execution failure at FATAL', () => {
    expect(loggedAt('ALL', 'PassStateEntered')).toBe(true);
    expect(loggedAt('ERROR', 'PassStateEntered')).toBe(false);
    expect(loggedAt('ERROR', 'TaskFailed')).toBe(true);
    expect(loggedAt('FATAL', 'TaskFailed')).toBe(false);
    expect(loggedAt('FATAL', 'ExecutionFailed')).toBe(true);
  });
});
