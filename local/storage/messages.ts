import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { EventRecord } from '../eventbridge/bus';
import type { DeduplicationRecord, QueueChange, QueueDefinition, QueueMessage } from '../sqs';
import { DEFAULT_RETENTION, type Retention } from '../stepfunctions/journal/store';
import { openDatabase } from './sqlite';

/*
 * The bus records and the queues' messages on disk, in SQLite (better-sqlite3), written synchronously as
 * they change: an accepted event is in the database before PutEvents answers, and a queue change (send,
 * receive, delete, purge) before SQS answers. With WAL and synchronous=NORMAL a committed write survives
 * a crash of the process (kill -9); an OS crash may lose the last moments (as for the executions).
 *
 * Why a file of its own (`messages.db`) beside the executions' `executions.db`: the execution journal holds
 * its database with `locking_mode = EXCLUSIVE` (one runtime per data directory), so a second connection
 * could not open it; and nothing needs a transaction across the two, because every write here stands on
 * its own (each is durable before the call that made it returns, which is the only ordering that matters).
 * Keeping them apart also leaves local/stepfunctions depending on nothing of the runtime.
 *
 * Nothing is loaded whole: a start reads the newest records (a bounded window, for the viewer and
 * `/_local/events`), the records whose deliveries had not ended (to deliver them again), and the queues'
 * messages (which SQS keeps for at most their retention period, and which receives need in memory).
 */

/** The bus records a start puts back in memory, newest: what the viewer and `/_local/events` show. */
export const RESTORED_RECORDS = 10_000;

/** How often (in records written) a long-running runtime prunes old records, besides at each start. */
const PRUNE_EVERY = 1_000;

/**
 * Every queue's stored messages, in the form `LocalQueues.restore` reads, with the queues created at run time
 * and the FIFO queues' deduplication ids still within their interval.
 */
export interface StoredQueues {
  readonly version: 1;
  readonly queues: Record<string, { createdAt?: number; messages: QueueMessage[] }>;
  readonly definitions: QueueDefinition[];
  readonly deduplication: Record<string, DeduplicationRecord[]>;
}

export class MessageStore {
  private readonly db: Database.Database;
  private readonly upsertRecord: Database.Statement;
  private readonly upsertMessage: Database.Statement;
  private readonly deleteMessage: Database.Statement;
  private readonly purgeQueue: Database.Statement;
  private readonly upsertDeduplication: Database.Statement;
  private readonly upsertDefinition: Database.Statement;
  private writtenSincePrune = 0;
  private deduplicatedSincePrune = 0;

  constructor(
    dir: string,
    private readonly retention: Retention = DEFAULT_RETENTION,
  ) {
    mkdirSync(dir, { recursive: true });
    this.db = openDatabase(join(dir, 'messages.db'));
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS bus_records (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        received_ms INTEGER NOT NULL,
        settled INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS bus_records_by_time ON bus_records (received_ms);
      CREATE INDEX IF NOT EXISTS bus_records_unsettled ON bus_records (seq) WHERE settled = 0;
      CREATE TABLE IF NOT EXISTS queues (
        arn TEXT PRIMARY KEY,
        created_ms INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS queue_messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        queue TEXT NOT NULL,
        id TEXT NOT NULL,
        body TEXT NOT NULL,
        UNIQUE (queue, id)
      );
      CREATE TABLE IF NOT EXISTS queue_definitions (
        arn TEXT PRIMARY KEY,
        body TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS queue_deduplication (
        queue TEXT NOT NULL,
        key TEXT NOT NULL,
        expires_ms INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (queue, key)
      );
    `);
    // A record keeps its first position (seq) when its deliveries are written later.
    this.upsertRecord = this.db.prepare(
      `INSERT INTO bus_records (id, received_ms, settled, body) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET settled = excluded.settled, body = excluded.body`,
    );
    // A received message keeps its position in its queue: SQS hands out the oldest first.
    this.upsertMessage = this.db.prepare(
      `INSERT INTO queue_messages (queue, id, body) VALUES (?, ?, ?)
       ON CONFLICT (queue, id) DO UPDATE SET body = excluded.body`,
    );
    this.deleteMessage = this.db.prepare('DELETE FROM queue_messages WHERE queue = ? AND id = ?');
    this.purgeQueue = this.db.prepare('DELETE FROM queue_messages WHERE queue = ?');
    this.upsertDeduplication = this.db.prepare(
      `INSERT INTO queue_deduplication (queue, key, expires_ms, body) VALUES (?, ?, ?, ?)
       ON CONFLICT (queue, key) DO UPDATE SET expires_ms = excluded.expires_ms, body = excluded.body`,
    );
    this.upsertDefinition = this.db.prepare(
      `INSERT INTO queue_definitions (arn, body) VALUES (?, ?)
       ON CONFLICT (arn) DO UPDATE SET body = excluded.body`,
    );
    this.prune();
  }

  /** Writes an accepted event's record; `settled` once all its deliveries have ended. */
  putRecord(record: EventRecord, settled: boolean): void {
    this.upsertRecord.run(
      record.event.id,
      record.receivedAt.getTime(),
      settled ? 1 : 0,
      JSON.stringify(record),
    );
    if (++this.writtenSincePrune >= PRUNE_EVERY) this.prune();
  }

  /** Writes many records at once (an import). */
  putRecords(records: Iterable<EventRecord>, settled: boolean): void {
    this.db.transaction(() => {
      for (const record of records) this.putRecord(record, settled);
    })();
  }

  /**
   * What a start puts back: the newest `limit` records, oldest first, and every record whose deliveries
   * had not ended (the same objects where a record is in both).
   */
  records(limit = RESTORED_RECORDS): { recent: EventRecord[]; unsettled: EventRecord[] } {
    const rows = (
      this.db.prepare('SELECT body FROM bus_records ORDER BY seq DESC LIMIT ?').all(limit) as {
        body: string;
      }[]
    ).reverse();
    const recent = rows.map((row) => parseRecord(row.body));
    const byId = new Map(recent.map((record) => [record.event.id, record]));
    const unsettled = (
      this.db.prepare('SELECT id, body FROM bus_records WHERE settled = 0 ORDER BY seq').all() as {
        id: string;
        body: string;
      }[]
    ).map((row) => byId.get(row.id) ?? parseRecord(row.body));
    return { recent, unsettled };
  }

  /** Writes one queue change: only the messages (or the deduplication id, or the definition) it touched. */
  applyQueueChange(queueArn: string, change: QueueChange): void {
    this.db.transaction(() => {
      if (change.kind === 'put')
        for (const m of change.messages) this.upsertMessage.run(queueArn, m.messageId, JSON.stringify(m));
      else if (change.kind === 'delete')
        for (const id of change.messageIds) this.deleteMessage.run(queueArn, id);
      else if (change.kind === 'purge') this.purgeQueue.run(queueArn);
      else if (change.kind === 'deduplicate') {
        const { record } = change;
        this.upsertDeduplication.run(queueArn, record.key, record.expiresAt, JSON.stringify(record));
        // Expired ids are dropped now and then, so the table holds about 5 minutes of sends.
        if (++this.deduplicatedSincePrune >= PRUNE_EVERY) this.pruneDeduplication();
      } else if (change.kind === 'define') {
        this.upsertDefinition.run(queueArn, JSON.stringify(change.definition));
        this.db
          .prepare('INSERT OR IGNORE INTO queues (arn, created_ms) VALUES (?, ?)')
          .run(queueArn, change.definition.createdAt);
      } else {
        for (const table of ['queue_definitions', 'queues'])
          this.db.prepare(`DELETE FROM ${table} WHERE arn = ?`).run(queueArn);
        for (const table of ['queue_messages', 'queue_deduplication'])
          this.db.prepare(`DELETE FROM ${table} WHERE queue = ?`).run(queueArn);
      }
    })();
  }

  /** Deletes the deduplication ids whose 5-minute interval has ended. */
  private pruneDeduplication(now = Date.now()): void {
    this.deduplicatedSincePrune = 0;
    this.db.prepare('DELETE FROM queue_deduplication WHERE expires_ms <= ?').run(now);
  }

  /** Replaces a queue's stored messages with these (an import). */
  replaceQueue(queueArn: string, createdAt: number, messages: readonly QueueMessage[]): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO queues (arn, created_ms) VALUES (?, ?)')
        .run(queueArn, createdAt);
      this.applyQueueChange(queueArn, { kind: 'purge' });
      this.applyQueueChange(queueArn, { kind: 'put', messages });
    })();
  }

  /**
   * Every stored queue with its messages, oldest first. A queue seen for the first time is recorded with
   * `createdAt` as its creation time, so that it keeps it across restarts.
   */
  queues(known: readonly { arn: string; createdAt: number }[]): StoredQueues {
    const insert = this.db.prepare('INSERT OR IGNORE INTO queues (arn, created_ms) VALUES (?, ?)');
    this.db.transaction(() => {
      for (const q of known) insert.run(q.arn, q.createdAt);
    })();
    const queues: StoredQueues['queues'] = {};
    for (const { arn, created_ms } of this.db.prepare('SELECT arn, created_ms FROM queues').all() as {
      arn: string;
      created_ms: number;
    }[])
      queues[arn] = { createdAt: created_ms, messages: [] };
    // all(), not iterate(): an iterator is one more native object for the garbage collector (sqlite.ts).
    for (const { queue, body } of this.db
      .prepare('SELECT queue, body FROM queue_messages ORDER BY seq')
      .all() as {
      queue: string;
      body: string;
    }[])
      queues[queue]?.messages.push(JSON.parse(body) as QueueMessage);
    const definitions = (
      this.db.prepare('SELECT body FROM queue_definitions ORDER BY rowid').all() as { body: string }[]
    ).map((row) => JSON.parse(row.body) as QueueDefinition);
    this.pruneDeduplication();
    const deduplication: StoredQueues['deduplication'] = {};
    for (const { queue, body } of this.db
      .prepare('SELECT queue, body FROM queue_deduplication ORDER BY expires_ms')
      .all() as { queue: string; body: string }[])
      deduplication[queue] = [...(deduplication[queue] ?? []), JSON.parse(body) as DeduplicationRecord];
    return { version: 1, queues, definitions, deduplication };
  }

  /**
   * Deletes records older than the retention's age, and all but its count of the newest. A record whose
   * deliveries have not ended is kept: it is delivered again at the next start.
   */
  prune(now = Date.now()): number {
    this.writtenSincePrune = 0;
    // Two indexed range deletes (by time, then by position), rather than one OR that scans the table. A
    // record keeps the position it was accepted at, so the newest maxCount are those above max - maxCount.
    const byAge = this.db
      .prepare('DELETE FROM bus_records WHERE received_ms < ? AND settled = 1')
      .run(now - this.retention.maxAgeMs).changes;
    const byCount = this.db
      .prepare('DELETE FROM bus_records WHERE settled = 1 AND seq <= (SELECT MAX(seq) FROM bus_records) - ?')
      .run(this.retention.maxCount).changes;
    return byAge + byCount;
  }

  close(): void {
    this.db.close();
  }
}

function parseRecord(body: string): EventRecord {
  const record = JSON.parse(body) as EventRecord & { receivedAt: string };
  return { ...record, receivedAt: new Date(record.receivedAt) };
}
