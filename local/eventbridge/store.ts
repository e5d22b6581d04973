import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openDatabase } from '../storage/sqlite';

/*
 * What a team creates through the EventBridge API, in SQLite (`eventbridge.db` in the data directory, or in
 * memory without one): its rules, its archives with the events they keep, and its replays. Each change is
 * written before the call that made it returns, as the bus records and queue messages are (storage/messages.ts).
 * A file of its own, so that it needs nothing from the stores other parts of the runtime own.
 */

/** A rule a team created, as PutRule and PutTargets left it. */
export interface StoredRule {
  readonly busName: string;
  readonly name: string;
  readonly body: string;
}

/** An archive's settings and counters, stored as JSON. */
export interface StoredArchive {
  readonly name: string;
  readonly body: string;
}

export class EventBridgeStore {
  private readonly db: Database.Database;
  /** Prepared once: every event an archive keeps is written with it, and preparing was most of its cost. */
  private readonly insertArchived: Database.Statement;

  /** Opens `eventbridge.db` in `dir`, or a database in memory when `dir` is undefined. */
  constructor(dir: string | undefined) {
    if (dir !== undefined) mkdirSync(dir, { recursive: true });
    this.db = openDatabase(dir === undefined ? ':memory:' : join(dir, 'eventbridge.db'));
    if (dir !== undefined) {
      this.db.exec('PRAGMA journal_mode = WAL');
      this.db.exec('PRAGMA synchronous = NORMAL');
    }
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS rules (
        bus TEXT NOT NULL,
        name TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (bus, name)
      );
      CREATE TABLE IF NOT EXISTS archives (
        name TEXT PRIMARY KEY,
        body TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS archived_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        archive TEXT NOT NULL,
        time_ms INTEGER NOT NULL,
        size INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS archived_events_by_time ON archived_events (archive, time_ms);
      CREATE TABLE IF NOT EXISTS replays (
        name TEXT PRIMARY KEY,
        body TEXT NOT NULL
      );
    `);
    this.insertArchived = this.db.prepare(
      'INSERT INTO archived_events (archive, time_ms, size, body) VALUES (?, ?, ?, ?)',
    );
  }

  rules(): StoredRule[] {
    return this.db
      .prepare('SELECT bus AS busName, name, body FROM rules ORDER BY rowid')
      .all() as StoredRule[];
  }

  putRule(busName: string, name: string, body: string): void {
    this.db
      .prepare(
        'INSERT INTO rules (bus, name, body) VALUES (?, ?, ?) ON CONFLICT (bus, name) DO UPDATE SET body = excluded.body',
      )
      .run(busName, name, body);
  }

  deleteRule(busName: string, name: string): void {
    this.db.prepare('DELETE FROM rules WHERE bus = ? AND name = ?').run(busName, name);
  }

  archives(): StoredArchive[] {
    return this.db.prepare('SELECT name, body FROM archives ORDER BY rowid').all() as StoredArchive[];
  }

  putArchive(name: string, body: string): void {
    this.db
      .prepare(
        'INSERT INTO archives (name, body) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET body = excluded.body',
      )
      .run(name, body);
  }

  /** Deletes an archive and every event it kept. */
  deleteArchive(name: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM archived_events WHERE archive = ?').run(name);
      this.db.prepare('DELETE FROM archives WHERE name = ?').run(name);
    })();
  }

  /** Keeps an event in an archive, by the time the bus accepted it (what a replay's window selects on). */
  archiveEvent(archive: string, timeMs: number, body: string): void {
    this.insertArchived.run(archive, timeMs, Buffer.byteLength(body), body);
  }

  /** The archive's events archived in [fromMs, toMs), oldest first: when, and the event as JSON text. */
  archivedEvents(archive: string, fromMs: number, toMs: number): { timeMs: number; body: string }[] {
    return this.db
      .prepare(
        'SELECT time_ms AS timeMs, body FROM archived_events WHERE archive = ? AND time_ms >= ? AND time_ms < ? ORDER BY time_ms, seq',
      )
      .all(archive, fromMs, toMs) as { timeMs: number; body: string }[];
  }

  /** How many events an archive keeps and their size in bytes. */
  archiveSize(archive: string): { count: number; bytes: number } {
    const row = this.db
      .prepare(
        'SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes FROM archived_events WHERE archive = ?',
      )
      .get(archive) as { count: number; bytes: number };
    return row;
  }

  /** Deletes an archive's events older than `beforeMs` (its retention); returns how many. */
  expireArchived(archive: string, beforeMs: number): number {
    return this.db
      .prepare('DELETE FROM archived_events WHERE archive = ? AND time_ms < ?')
      .run(archive, beforeMs).changes;
  }

  replays(): { name: string; body: string }[] {
    return this.db.prepare('SELECT name, body FROM replays ORDER BY rowid').all() as {
      name: string;
      body: string;
    }[];
  }

  putReplay(name: string, body: string): void {
    this.db
      .prepare(
        'INSERT INTO replays (name, body) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET body = excluded.body',
      )
      .run(name, body);
  }

  close(): void {
    this.db.close();
  }
}
