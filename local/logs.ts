import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { AwsError } from './errors';
import { type LogFilter, parseFilterPattern } from './logs-filter';
import type { JournalEvent } from './stepfunctions/journal/history';
import { historyEventDetails } from './stepfunctions/journal/history';
import { openDatabase } from './storage/sqlite';
import type { Resource } from './template';

/*
 * CloudWatch Logs for the template's log groups (AWS::Logs::LogGroup): their streams and events, in SQLite
 * (`logs.db` in the data directory, in memory without one), written as each event arrives, so that what the
 * audit rule wrote is there after a restart. A file of its own for the reasons messages.db has one (see
 * storage/messages.ts): the execution journal holds its file exclusively, and no write here needs a
 * transaction with another store. Events older than their group's RetentionInDays are deleted at each start
 * and as the runtime runs.
 *
 * A group can also derive streams from another record (`derive`): a state machine's execution logs are its
 * executions' histories, which the execution journal already keeps, so they are read from there when asked
 * for rather than written a second time. Writing them was a third of the runtime's CPU per KYC execution.
 */

/** An event to write: its time and its message, as PutLogEvents takes them. */
interface LogEventInput {
  readonly timestamp: number;
  readonly message: string;
}

export interface LogGroup {
  readonly name: string;
  /** The ARN without the `:*` that Fn::GetAtt Arn ends with (DescribeLogGroups' `logGroupArn`). */
  readonly arn: string;
  readonly retentionInDays?: number;
  readonly creationTime: number;
}

export interface LogStream {
  readonly logStreamName: string;
  readonly creationTime: number;
  readonly firstEventTimestamp: number;
  readonly lastEventTimestamp: number;
  readonly lastIngestionTime: number;
  readonly arn: string;
  readonly storedBytes: 0;
}

export interface OutputLogEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
}

export interface FilteredLogEvent extends OutputLogEvent {
  readonly logStreamName: string;
  readonly eventId: string;
}

/**
 * A stream whose events another record holds (an execution's history): read when asked for, never written.
 * Its events are ordered after the written events of the same millisecond, by `serial` then by id.
 */
export interface DerivedStream {
  readonly name: string;
  readonly creationTime: number;
  readonly lastEventTimestamp: number;
  /** Unique among the group's derived streams and stable (an execution's place in the journal). */
  readonly serial: number;
  /** The stream's events, oldest first; each id is unique within the stream and below 2^16. */
  events(): readonly { readonly id: number; readonly timestamp: number; readonly message: string }[];
}

/** Where a group's derived streams come from. */
export interface StreamSource {
  /** The group's streams that may hold events at or after `since` (every one when it is undefined). */
  streams(since?: number): readonly DerivedStream[];
  /** The stream with this name, if the source has it. */
  stream(name: string): DerivedStream | undefined;
}

/** Derived events' places: above every written event's (SQLite rowids), then by stream serial and id. */
const DERIVED_SEQ_BASE = 2 ** 52;
const DERIVED_IDS_PER_STREAM = 2 ** 16;

/** A stream's events put and not yet written, oldest first. */
interface PendingStream {
  readonly group: string;
  readonly stream: string;
  /** When the last of them was put. */
  ingestion: number;
  readonly events: { readonly timestamp: number; readonly ingestion: number; readonly message: string }[];
}

interface EventRow {
  readonly seq: number;
  readonly stream: string;
  readonly timestamp_ms: number;
  readonly ingestion_ms: number;
  readonly message: string;
}

/** GetLogEvents and FilterLogEvents return at most 10,000 events a call (API reference, `limit`). */
const MAX_EVENTS = 10_000;
/** How often a running runtime deletes events past their retention (counted in days: a minute is plenty). */
const PRUNE_EVERY_MS = 60_000;
/** How many rows a FilterLogEvents call reads at a time while it looks for matches. */
const SCAN_CHUNK = 1_000;
/**
 * How long events wait in memory before they are written, so that one transaction holds every event of that
 * time: a logged execution writes an event per history event, and a transaction each was most of the
 * runtime's CPU per execution. Reads write what waits first, so nothing written is ever missing from an
 * answer; a crash loses at most this much of the log, as CloudWatch Logs' own delivery is not immediate.
 */
const WRITE_DELAY_MS = 100;

export class LocalLogs {
  readonly groups = new Map<string, LogGroup>();
  /** The same groups by ARN: every logged history event names its group by ARN. */
  private readonly byArn = new Map<string, LogGroup>();
  private readonly db: Database.Database;
  private prunedAt = 0;
  private readonly write: (pending: Iterable<PendingStream>) => void;
  /** Events put and not yet written, by stream, each oldest first; written by `flush`. */
  private pending = new Map<string, PendingStream>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** Once the runtime stops, what still arrives (a late delivery) is not kept, as for the other stores. */
  private closed = false;
  /** The sources of each group's derived streams, by group name. */
  private readonly sources = new Map<string, StreamSource>();

  constructor(groups: Iterable<LogGroup>, dataDir?: string) {
    if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
    this.db = openDatabase(dataDir === undefined ? ':memory:' : join(dataDir, 'logs.db'));
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA synchronous = NORMAL');
    // Streams by number in the events and their indexes: the group and stream names were most of each
    // index entry, and an event is written for every history event of a logged execution.
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS log_groups (name TEXT PRIMARY KEY, created_ms INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS streams (
        id INTEGER PRIMARY KEY,
        log_group TEXT NOT NULL,
        name TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        first_event_ms INTEGER NOT NULL,
        last_event_ms INTEGER NOT NULL,
        last_ingestion_ms INTEGER NOT NULL,
        UNIQUE (log_group, name)
      );
      CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        stream INTEGER NOT NULL,
        timestamp_ms INTEGER NOT NULL,
        ingestion_ms INTEGER NOT NULL,
        message TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS events_by_stream ON events (stream, timestamp_ms, seq);
      CREATE INDEX IF NOT EXISTS events_by_time ON events (timestamp_ms, seq);
    `);
    this.migrateNamedStreams();
    const remember = this.db.prepare('INSERT OR IGNORE INTO log_groups (name, created_ms) VALUES (?, ?)');
    const created = this.db.prepare('SELECT created_ms FROM log_groups WHERE name = ?');
    for (const group of groups) {
      // A group keeps the creation time of the first start that saw it.
      remember.run(group.name, group.creationTime);
      const row = created.get(group.name) as { created_ms: number };
      const kept = { ...group, creationTime: row.created_ms };
      this.groups.set(group.name, kept);
      this.byArn.set(group.arn, kept);
    }
    const insertEvent = this.db.prepare(
      'INSERT INTO events (stream, timestamp_ms, ingestion_ms, message) VALUES (?, ?, ?, ?)',
    );
    const upsertStream = this.db.prepare(
      `INSERT INTO streams (log_group, name, created_ms, first_event_ms, last_event_ms, last_ingestion_ms)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (log_group, name) DO UPDATE SET
         first_event_ms = MIN(first_event_ms, excluded.first_event_ms),
         last_event_ms = MAX(last_event_ms, excluded.last_event_ms),
         last_ingestion_ms = excluded.last_ingestion_ms
       RETURNING id`,
    );
    // Made once: a better-sqlite3 transaction function is costly to build.
    this.write = this.db.transaction((pending: Iterable<PendingStream>) => {
      for (const { group, stream, ingestion, events } of pending) {
        const times = events.map((e) => e.timestamp);
        const { id } = upsertStream.get(
          group,
          stream,
          ingestion,
          Math.min(...times),
          Math.max(...times),
          ingestion,
        ) as { id: number };
        for (const event of events) insertEvent.run(id, event.timestamp, event.ingestion, event.message);
      }
    });
    this.prune();
  }

  /** Moves what a logs.db written before streams were numbered holds into the numbered tables. */
  private migrateNamedStreams(): void {
    const old = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'log_events'")
      .get();
    if (!old) return;
    this.db.exec(`
      BEGIN;
      INSERT OR IGNORE INTO streams (log_group, name, created_ms, first_event_ms, last_event_ms, last_ingestion_ms)
        SELECT log_group, name, created_ms, first_event_ms, last_event_ms, last_ingestion_ms FROM log_streams;
      INSERT INTO events (stream, timestamp_ms, ingestion_ms, message)
        SELECT s.id, e.timestamp_ms, e.ingestion_ms, e.message FROM log_events e
        JOIN streams s ON s.log_group = e.log_group AND s.name = e.stream ORDER BY e.seq;
      DROP TABLE log_events;
      DROP TABLE log_streams;
      COMMIT;
    `);
  }

  /** The template's log groups, named and with ARNs as the template loader resolved them. */
  static groupsOf(resources: Iterable<Resource>, now = Date.now()): LogGroup[] {
    return [...resources]
      .filter((r) => r.type === 'AWS::Logs::LogGroup')
      .map((r) => ({
        name: r.ref,
        arn: String(r.attributes.Arn).replace(/:\*$/, ''),
        ...(r.properties.RetentionInDays !== undefined
          ? { retentionInDays: Number(r.properties.RetentionInDays) }
          : {}),
        creationTime: now,
      }));
  }

  /** Serves a group's derived streams from `source`, beside the events written to it. */
  derive(nameOrArn: string, source: StreamSource): void {
    this.sources.set(this.existing(nameOrArn).name, source);
  }

  /** The group with this name or ARN (with or without the trailing `:*`). */
  group(nameOrArn: string): LogGroup | undefined {
    // Looked up for every logged history event: the map lookups come before trimming the ARN.
    return (
      this.groups.get(nameOrArn) ??
      this.byArn.get(nameOrArn) ??
      (nameOrArn.endsWith(':*') ? this.byArn.get(nameOrArn.slice(0, -2)) : undefined)
    );
  }

  /** The group, or ResourceNotFoundException as CloudWatch Logs words it. */
  private existing(nameOrArn: string): LogGroup {
    const group = this.group(nameOrArn);
    if (!group) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
    return group;
  }

  /**
   * Puts events into a stream of a group (creating the stream), as PutLogEvents would; they are written
   * within WRITE_DELAY_MS, and before any read.
   */
  put(nameOrArn: string, streamName: string, events: readonly LogEventInput[]): void {
    const group = this.existing(nameOrArn);
    if (this.closed) return;
    if (events.length === 0) return;
    const ingestion = Date.now();
    const key = `${group.name}\n${streamName}`;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = { group: group.name, stream: streamName, ingestion, events: [] };
      this.pending.set(key, pending);
    }
    pending.ingestion = ingestion;
    for (const { timestamp, message } of events) pending.events.push({ timestamp, ingestion, message });
    if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => this.flush(), WRITE_DELAY_MS);
      this.flushTimer.unref();
    }
  }

  /** Writes the events that wait, in one transaction; every read does this first. */
  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.size === 0 || this.closed) return;
    const pending = this.pending;
    this.pending = new Map();
    this.write(pending.values());
    if (Date.now() - this.prunedAt >= PRUNE_EVERY_MS) this.prune();
  }

  /**
   * Writes an event an EventBridge rule delivered: one log event in a stream named after the event's id, at
   * the event's time (the CloudWatch Logs target's defaults: the whole event as the message, its `time` as
   * the timestamp). An input that is not an event (a transformed one) gets a stream and the time of its own.
   */
  putFromRule(nameOrArn: string, input: string): void {
    let id: string = randomUUID();
    let timestamp = Date.now();
    try {
      const event = JSON.parse(input) as { id?: unknown; time?: unknown };
      if (typeof event.id === 'string' && event.id !== '') id = event.id;
      if (typeof event.time === 'string' && !Number.isNaN(Date.parse(event.time)))
        timestamp = Date.parse(event.time);
    } catch {
      // A transformed input need not be JSON: it is logged as it is.
    }
    this.put(nameOrArn, id, [{ timestamp, message: input }]);
  }

  /** A group's messages, oldest first, whatever their streams (how tests read the audit log). */
  get(nameOrArn: string): string[] | undefined {
    const group = this.group(nameOrArn);
    this.flush();
    if (!group) return undefined;
    const written = this.db
      .prepare(
        'SELECT message FROM events WHERE stream IN (SELECT id FROM streams WHERE log_group = ?) ORDER BY seq',
      )
      .all(group.name) as { message: string }[];
    const derived = this.derivedRows(group).sort(byTimeAndSeq);
    return [...written, ...derived].map((row) => row.message);
  }

  /** DescribeLogGroups' groups, by name, filtered by a name prefix or a case-insensitive substring. */
  describeLogGroups(options: { prefix?: string; pattern?: string } = {}): LogGroup[] {
    if (options.prefix !== undefined && options.pattern !== undefined)
      throw new AwsError(
        'InvalidParameterException',
        'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.',
      );
    const pattern = options.pattern?.toLowerCase();
    return [...this.groups.values()]
      .filter(
        (g) =>
          (options.prefix === undefined || g.name.startsWith(options.prefix)) &&
          (pattern === undefined || g.name.toLowerCase().includes(pattern)),
      )
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** DescribeLogStreams: by name, or by last event time; ascending unless `descending`. */
  describeLogStreams(
    nameOrArn: string,
    options: { prefix?: string; orderBy?: 'LogStreamName' | 'LastEventTime'; descending?: boolean } = {},
  ): LogStream[] {
    const group = this.existing(nameOrArn);
    this.flush();
    if (options.orderBy === 'LastEventTime' && options.prefix !== undefined)
      throw new AwsError(
        'InvalidParameterException',
        'Cannot order by LastEventTime with a logStreamNamePrefix.',
      );
    const order = options.orderBy === 'LastEventTime' ? 'last_event_ms' : 'name';
    const direction = options.descending ? 'DESC' : 'ASC';
    const rows = this.db
      .prepare(
        `SELECT name, created_ms, first_event_ms, last_event_ms, last_ingestion_ms FROM streams
         WHERE log_group = ? AND substr(name, 1, length(?)) = ? ORDER BY ${order} ${direction}, name ${direction}`,
      )
      .all(group.name, options.prefix ?? '', options.prefix ?? '') as {
      name: string;
      created_ms: number;
      first_event_ms: number;
      last_event_ms: number;
      last_ingestion_ms: number;
    }[];
    const streams: LogStream[] = rows.map((row) => ({
      logStreamName: row.name,
      creationTime: row.created_ms,
      firstEventTimestamp: row.first_event_ms,
      lastEventTimestamp: row.last_event_ms,
      lastIngestionTime: row.last_ingestion_ms,
      arn: `${group.arn}:log-stream:${row.name}`,
      storedBytes: 0,
    }));
    const source = this.sources.get(group.name);
    if (!source) return streams;
    const cutoff = retentionCutoff(group);
    for (const stream of source.streams()) {
      if (stream.lastEventTimestamp < cutoff) continue;
      if (options.prefix !== undefined && !stream.name.startsWith(options.prefix)) continue;
      streams.push({
        logStreamName: stream.name,
        creationTime: stream.creationTime,
        firstEventTimestamp: stream.creationTime,
        lastEventTimestamp: stream.lastEventTimestamp,
        lastIngestionTime: stream.lastEventTimestamp,
        arn: `${group.arn}:log-stream:${stream.name}`,
        storedBytes: 0,
      });
    }
    // The same order as the query's, over both kinds of stream.
    const key = (s: LogStream) => (options.orderBy === 'LastEventTime' ? s.lastEventTimestamp : 0);
    const sign = options.descending ? -1 : 1;
    return streams.sort(
      (a, b) =>
        sign *
        (key(a) - key(b) ||
          (a.logStreamName < b.logStreamName ? -1 : a.logStreamName > b.logStreamName ? 1 : 0)),
    );
  }

  /**
   * GetLogEvents: a page of one stream's events in time order. Without a token, the newest `limit` events
   * (the oldest with `startFromHead`); `f/` tokens page forward from after a page's last event, `b/` tokens
   * back from before its first. At either end the page is empty and the token comes back unchanged, which
   * is how clients know they have reached it (API reference, GetLogEvents, `nextForwardToken`).
   */
  getLogEvents(
    nameOrArn: string,
    streamName: string,
    options: {
      startTime?: number;
      endTime?: number;
      limit?: number;
      startFromHead?: boolean;
      nextToken?: string;
    },
  ): { events: OutputLogEvent[]; nextForwardToken: string; nextBackwardToken: string } {
    const group = this.existing(nameOrArn);
    this.flush();
    const found = this.db
      .prepare('SELECT id FROM streams WHERE log_group = ? AND name = ?')
      .get(group.name, streamName) as { id: number } | undefined;
    const derived = found ? undefined : this.sources.get(group.name)?.stream(streamName);
    if (!found && !derived)
      throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
    const limit = options.limit ?? MAX_EVENTS;
    const token = options.nextToken === undefined ? undefined : parsePosition(options.nextToken);
    const forward = token ? token.direction === 'f' : options.startFromHead === true;
    const start = options.startTime ?? Number.MIN_SAFE_INTEGER;
    const end = options.endTime ?? Number.MAX_SAFE_INTEGER;
    const after = token?.direction === 'f' ? token.position : { timestamp: Number.MIN_SAFE_INTEGER, seq: -1 };
    const before = token?.direction === 'b' ? token.position : { timestamp: Number.MAX_SAFE_INTEGER, seq: 0 };
    let rows: EventRow[];
    if (found)
      rows = this.db
        .prepare(
          `SELECT seq, ? AS stream, timestamp_ms, ingestion_ms, message FROM events
           WHERE stream = ? AND timestamp_ms >= ? AND timestamp_ms < ?
             AND (timestamp_ms, seq) > (?, ?) AND (timestamp_ms, seq) < (?, ?)
           ORDER BY timestamp_ms ${forward ? 'ASC' : 'DESC'}, seq ${forward ? 'ASC' : 'DESC'} LIMIT ?`,
        )
        .all(
          streamName,
          found.id,
          start,
          end,
          after.timestamp,
          after.seq,
          before.timestamp,
          before.seq,
          limit,
        ) as EventRow[];
    else {
      // The same selection as the query's, over the stream's derived events (already in order).
      const cutoff = Math.max(start, retentionCutoff(group));
      const inRange = derivedRowsOf(derived as DerivedStream, cutoff).filter(
        (row) =>
          row.timestamp_ms < end &&
          byTimeAndSeq(row, asRow(after)) > 0 &&
          byTimeAndSeq(row, asRow(before)) < 0,
      );
      rows = forward ? inRange.slice(0, limit) : inRange.slice(-limit).reverse();
    }
    if (!forward) rows.reverse();
    const first = rows[0];
    const last = rows.at(-1);
    const unchanged = options.nextToken;
    return {
      events: rows.map(outputEvent),
      nextForwardToken: last ? positionToken('f', last) : (forward && unchanged) || positionToken('f', after),
      nextBackwardToken: first
        ? positionToken('b', first)
        : (!forward && unchanged) || positionToken('b', before),
    };
  }

  /**
   * FilterLogEvents: the events of a group (or of some of its streams) in time order across streams, those
   * the filter pattern matches, a page of at most `limit`; `nextToken` while more may match.
   */
  filterLogEvents(
    nameOrArn: string,
    options: {
      streamNames?: readonly string[];
      streamPrefix?: string;
      startTime?: number;
      endTime?: number;
      filterPattern?: string;
      limit?: number;
      nextToken?: string;
    },
  ): { events: FilteredLogEvent[]; nextToken?: string } {
    const group = this.existing(nameOrArn);
    this.flush();
    if (options.streamNames !== undefined && options.streamPrefix !== undefined)
      throw new AwsError(
        'InvalidParameterException',
        'logStreamNames and logStreamNamePrefix are mutually exclusive parameters.',
      );
    const filter: LogFilter = parseFilterPattern(options.filterPattern);
    const limit = options.limit ?? MAX_EVENTS;
    const streams = options.streamNames === undefined ? undefined : new Set(options.streamNames);
    const prefix = options.streamPrefix ?? '';
    let position =
      options.nextToken === undefined
        ? { timestamp: Number.MIN_SAFE_INTEGER, seq: -1 }
        : parseFilterToken(options.nextToken);
    const events: FilteredLogEvent[] = [];
    const derived = this.sources.has(group.name)
      ? this.derivedRows(group, options.startTime).filter(
          (row) => row.timestamp_ms <= (options.endTime ?? Number.MAX_SAFE_INTEGER),
        )
      : [];
    if (derived.length > 0) derived.sort(byTimeAndSeq);
    for (;;) {
      const written = this.db
        .prepare(
          // By time across every group (events_by_time), keeping this group's: a runtime has a few groups.
          `SELECT e.seq, s.name AS stream, e.timestamp_ms, e.ingestion_ms, e.message
           FROM events e JOIN streams s ON s.id = e.stream
           WHERE s.log_group = ? AND e.timestamp_ms >= ? AND e.timestamp_ms < ? AND (e.timestamp_ms, e.seq) > (?, ?)
           ORDER BY e.timestamp_ms, e.seq LIMIT ?`,
        )
        .all(
          group.name,
          options.startTime ?? Number.MIN_SAFE_INTEGER,
          // endTime is inclusive here, as in AWS: "Events with a timestamp later than this time are not returned."
          (options.endTime ?? Number.MAX_SAFE_INTEGER - 1) + 1,
          position.timestamp,
          position.seq,
          SCAN_CHUNK,
        ) as EventRow[];
      // Derived events take their places among the written ones, up to the last written one read (or all of
      // them once the written ones have run out).
      const lastWritten = written.length < SCAN_CHUNK ? undefined : written.at(-1);
      const from = position;
      const taken = derived.filter(
        (row) => byTimeAndSeq(row, asRow(from)) > 0 && (!lastWritten || byTimeAndSeq(row, lastWritten) < 0),
      );
      const rows = taken.length > 0 ? [...written, ...taken].sort(byTimeAndSeq) : written;
      for (const row of rows) {
        position = { timestamp: row.timestamp_ms, seq: row.seq };
        if (streams ? !streams.has(row.stream) : !row.stream.startsWith(prefix)) continue;
        if (!filter(row.message)) continue;
        events.push({ logStreamName: row.stream, ...outputEvent(row), eventId: eventIdOf(row) });
        if (events.length === limit) return { events, nextToken: filterToken(position) };
      }
      if (written.length < SCAN_CHUNK) return { events };
    }
  }

  /** Every derived event of the group at or after `since` and within its retention, unordered. */
  private derivedRows(group: LogGroup, since = Number.MIN_SAFE_INTEGER): EventRow[] {
    const source = this.sources.get(group.name);
    if (!source) return [];
    const cutoff = Math.max(since, retentionCutoff(group));
    return source.streams(cutoff).flatMap((stream) => derivedRowsOf(stream, cutoff));
  }

  /** Deletes the events older than their group's retention, and streams left empty. */
  prune(now = Date.now()): number {
    this.flush();
    this.prunedAt = now;
    let deleted = 0;
    for (const group of this.groups.values()) {
      if (group.retentionInDays === undefined) continue;
      const cutoff = now - group.retentionInDays * 24 * 3600 * 1000;
      deleted += this.db
        .prepare(
          'DELETE FROM events WHERE timestamp_ms < ? AND stream IN (SELECT id FROM streams WHERE log_group = ?)',
        )
        .run(cutoff, group.name).changes;
      this.db
        .prepare('DELETE FROM streams WHERE log_group = ? AND last_event_ms < ?')
        .run(group.name, cutoff);
    }
    return deleted;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }
}

/** The oldest time a group's retention keeps (no limit without RetentionInDays). */
function retentionCutoff(group: LogGroup, now = Date.now()): number {
  return group.retentionInDays === undefined
    ? Number.MIN_SAFE_INTEGER
    : now - group.retentionInDays * 24 * 3600 * 1000;
}

/** A derived stream's events at or after `since` as rows, oldest first (ingested as they happened). */
function derivedRowsOf(stream: DerivedStream, since: number): EventRow[] {
  const rows: EventRow[] = [];
  for (const event of stream.events()) {
    if (event.timestamp < since) continue;
    rows.push({
      seq: DERIVED_SEQ_BASE + stream.serial * DERIVED_IDS_PER_STREAM + event.id,
      stream: stream.name,
      timestamp_ms: event.timestamp,
      ingestion_ms: event.timestamp,
      message: event.message,
    });
  }
  return rows;
}

function asRow(position: Position): Pick<EventRow, 'timestamp_ms' | 'seq'> {
  return { timestamp_ms: position.timestamp, seq: position.seq };
}

/** Time order, then store order: how every read orders events. */
function byTimeAndSeq(
  a: Pick<EventRow, 'timestamp_ms' | 'seq'>,
  b: Pick<EventRow, 'timestamp_ms' | 'seq'>,
): number {
  return a.timestamp_ms - b.timestamp_ms || a.seq - b.seq;
}

function outputEvent(row: EventRow): OutputLogEvent {
  return { timestamp: row.timestamp_ms, message: row.message, ingestionTime: row.ingestion_ms };
}

/** An event's id in FilterLogEvents: stable for the event, so that `aws logs tail --follow` skips repeats. */
function eventIdOf(row: EventRow): string {
  return `${String(row.timestamp_ms).padStart(20, '0')}${String(row.seq).padStart(36, '0')}`;
}

interface Position {
  readonly timestamp: number;
  readonly seq: number;
}

/**
 * GetLogEvents' tokens look like AWS's (`f/` or `b/`, 56 digits, `/s`): the digits are the event's time and
 * its place in the store, so a token stays valid as the stream grows.
 */
function positionToken(direction: 'f' | 'b', position: Position | EventRow): string {
  const timestamp = 'timestamp_ms' in position ? position.timestamp_ms : position.timestamp;
  const clamped = Math.min(Math.max(timestamp, 0), Number.MAX_SAFE_INTEGER);
  const seq = Math.max(position.seq, 0);
  return `${direction}/${String(clamped).padStart(16, '0')}${String(seq).padStart(40, '0')}/s`;
}

function parsePosition(token: string): { direction: 'f' | 'b'; position: Position } {
  const match = /^([fb])\/(\d{16})(\d{40})\/s$/.exec(token);
  if (!match) throw new AwsError('InvalidParameterException', 'The specified nextToken is invalid.');
  return {
    direction: match[1] as 'f' | 'b',
    position: { timestamp: Number(match[2]), seq: Number(match[3]) },
  };
}

function filterToken(position: Position): string {
  return Buffer.from(`logs:${position.timestamp}:${position.seq}`).toString('base64url');
}

function parseFilterToken(token: string): Position {
  const match = /^logs:(-?\d+):(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw new AwsError('InvalidParameterException', 'The specified nextToken is invalid.');
  return { timestamp: Number(match[1]), seq: Number(match[2]) };
}

/** The levels at which Step Functions logs (OFF: it does not). */
export type ExecutionLogLevel = 'ALL' | 'ERROR' | 'FATAL' | 'OFF';

/**
 * Whether Step Functions logs an event at a level (Step Functions Developer Guide, "Log levels"): ALL logs
 * every event; ERROR the events of errors (a failed, timed out or aborted execution, task, function, state,
 * iteration); FATAL only the execution's own failure, abort or timeout.
 */
export function loggedAt(level: ExecutionLogLevel, type: string): boolean {
  if (level === 'ALL') return true;
  if (level === 'FATAL') return /^Execution(Failed|Aborted|TimedOut)$/.test(type);
  if (level === 'ERROR') return /(Failed|Aborted|TimedOut)$/.test(type);
  return false;
}

/**
 * One execution history event as Step Functions writes it to CloudWatch Logs (Step Functions Developer
 * Guide, "Logging in CloudWatch Logs", log event format): the event's id, type and details, its previous
 * event's id, its time in epoch milliseconds, the execution's ARN and how many times it was redriven, the
 * numbers as strings; without the input and output when the configuration leaves execution data out.
 */
export function executionLogEntry(
  executionArn: string,
  event: JournalEvent,
  includeExecutionData: boolean,
  redriveCount: number,
): string {
  return JSON.stringify({
    id: String(event.id),
    type: event.type,
    details: historyEventDetails(event, includeExecutionData)?.value ?? {},
    previous_event_id: String(event.previousEventId),
    event_timestamp: String(event.timestamp),
    execution_arn: executionArn,
    redrive_count: String(redriveCount),
  });
}

/**
 * The log stream Step Functions writes an execution's entries to: `states/<state machine>/<start, to the
 * minute>/<execution name>`.
 */
export function executionLogStream(stateMachineName: string, startDate: Date, executionName: string): string {
  const minute = startDate.toISOString().slice(0, 16).replace(/[T:]/g, '-');
  return `states/${stateMachineName}/${minute}/${executionName}`;
}
