import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { AwsError } from '../../errors';
import { openDatabase } from '../../storage/sqlite';
import { type ExecutionStatus, type ExecutionSummary, foldEvent, type JournalEvent } from './history';

/*
 * The journal on disk: every execution and every history event it appends, in one SQLite database
 * (better-sqlite3). Why SQLite rather than the LevelDB that dynalite brings: ListExecutions pages newest
 * first per state machine and status, retention deletes by age and count, and a restart finds the running
 * executions — three indexed queries in SQL, three hand-kept key layouts in LevelDB — and better-sqlite3's
 * synchronous API lets an event be durable before the interpreter acts on it, with no callback in between.
 *
 * Nothing is loaded whole: a restart reads only the running executions; DescribeExecution reads one row;
 * GetExecutionHistory reads one execution's events. With WAL and synchronous=NORMAL, a committed event
 * survives a crash of the process (kill -9); an OS crash may lose the last moments.
 */

/** One execution as the journal keeps it: who it is, and what folding its history gives. */
export interface StoredExecution {
  /** The execution's place in the journal: rising with each execution started. */
  readonly seq: number;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly summary: ExecutionSummary;
}

/** A state machine created through the API, as the journal keeps it. */
export interface SavedStateMachine {
  readonly arn: string;
  readonly name: string;
  readonly definition: string;
  readonly roleArn: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  /** Epoch ms. */
  readonly creationDate: number;
}

export interface Retention {
  /** Closed executions older than this (by stop date) are deleted; AWS keeps them 90 days. */
  readonly maxAgeMs: number;
  /** At most this many closed executions are kept, newest first. */
  readonly maxCount: number;
}

/** What the viewer's executions list filters on (see `search`); every member narrows, none is required. */
export interface ExecutionFilter {
  readonly stateMachineArn?: string;
  readonly status?: ExecutionStatus;
  readonly startedAfter?: Date;
  readonly startedBefore?: Date;
  readonly nameContains?: string;
  readonly userContains?: string;
}

export const DEFAULT_RETENTION: Retention = { maxAgeMs: 90 * 24 * 3600 * 1000, maxCount: 1_000_000 };

interface Row {
  seq: number;
  arn: string;
  machine: string;
  name: string;
  input: string;
  summary: string;
}

/**
 * The data directories this process holds. SQLite's exclusive lock keeps other processes out; this set
 * refuses a second runtime inside the same process (tests start several) without relying on how SQLite
 * shares POSIX locks between connections of one process.
 */
const heldDirectories = new Set<string>();

export class ExecutionJournal {
  private readonly db: Database.Database;
  private readonly held: string;
  private readonly insertExecution: Database.Statement;
  private readonly updateSummary: Database.Statement;
  private readonly insertEvent: Database.Statement;
  private readonly selectByArn: Database.Statement;
  private readonly selectEvents: Database.Statement;
  /**
   * An event and the summary it changes, in one transaction: a better-sqlite3 transaction rather than
   * BEGIN and COMMIT, so that inside `batch` it nests as a savepoint.
   */
  private readonly appendWithSummary: (seq: number, event: JournalEvent, summary: ExecutionSummary) => void;
  private readonly seqs = new Map<string, number>();

  constructor(
    dir: string,
    private readonly retention: Retention = DEFAULT_RETENTION,
  ) {
    mkdirSync(dir, { recursive: true });
    this.held = realpathSync(dir);
    if (heldDirectories.has(this.held)) throw inUse(dir);
    this.db = openDatabase(join(dir, 'executions.db'), { timeout: 0 });
    try {
      this.db.exec('PRAGMA journal_mode = WAL');
      this.db.exec('PRAGMA synchronous = NORMAL');
      // One runtime at a time: a second one on the same data directory stops with a clear message.
      this.db.exec('PRAGMA locking_mode = EXCLUSIVE');
      this.db.exec('BEGIN EXCLUSIVE; COMMIT;');
    } catch (error) {
      // Closed at once: an open handle left to the garbage collector outlives its Node environment.
      this.db.close();
      if (error instanceof Error && /locked|busy/i.test(error.message)) throw inUse(dir);
      throw error;
    }
    heldDirectories.add(this.held);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS executions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        arn TEXT NOT NULL UNIQUE,
        machine TEXT NOT NULL,
        name TEXT NOT NULL,
        input TEXT NOT NULL,
        status TEXT NOT NULL,
        stop_ms INTEGER,
        summary TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS executions_by_machine ON executions (machine, seq);
      CREATE INDEX IF NOT EXISTS executions_by_status ON executions (machine, status, seq);
      CREATE INDEX IF NOT EXISTS executions_by_stop ON executions (stop_ms);
      CREATE TABLE IF NOT EXISTS state_machines (
        arn TEXT PRIMARY KEY,
        body TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS events (
        execution INTEGER NOT NULL,
        id INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (execution, id)
      ) WITHOUT ROWID;
    `);
    this.addStartColumn();
    this.insertExecution = this.db.prepare(
      'INSERT INTO executions (arn, machine, name, input, status, stop_ms, summary) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.updateSummary = this.db.prepare(
      'UPDATE executions SET status = ?, stop_ms = ?, summary = ?, start_ms = ? WHERE seq = ?',
    );
    this.insertEvent = this.db.prepare(
      'INSERT OR REPLACE INTO events (execution, id, body) VALUES (?, ?, ?)',
    );
    this.selectByArn = this.db.prepare(
      'SELECT seq, arn, machine, name, input, summary FROM executions WHERE arn = ?',
    );
    this.selectEvents = this.db.prepare('SELECT body FROM events WHERE execution = ? ORDER BY id');
    this.appendWithSummary = this.db.transaction(
      (seq: number, event: JournalEvent, summary: ExecutionSummary) => {
        this.insertEvent.run(seq, event.id, JSON.stringify(event));
        this.updateSummary.run(
          summary.status,
          summary.stopDate?.getTime() ?? null,
          JSON.stringify(summary),
          summary.startDate.getTime(),
          seq,
        );
      },
    );
    this.prune();
  }

  /** Records a new execution (before its first event); returns its place in the journal. */
  create(e: { executionArn: string; stateMachineArn: string; name: string; input: string }): number {
    const { lastInsertRowid } = this.insertExecution.run(
      e.executionArn,
      e.stateMachineArn,
      e.name,
      e.input,
      'RUNNING',
      null,
      '{}',
    );
    const seq = Number(lastInsertRowid);
    this.seqs.set(e.executionArn, seq);
    return seq;
  }

  /** Journals one event, and the execution's summary when the event changes it. */
  append(executionArn: string, event: JournalEvent, summary: ExecutionSummary): void {
    const seq = this.seqOf(executionArn);
    if (!event.type.startsWith('Execution')) {
      this.insertEvent.run(seq, event.id, JSON.stringify(event));
      return;
    }
    // The event and the summary it changes are one write: a crash between them would leave a row
    // RUNNING whose history has ended, which no restart would look at again.
    this.appendWithSummary(seq, event, summary);
  }

  /**
   * Runs `write` (creates and appends) as one transaction: one commit for all of them instead of one each,
   * e.g. to import many executions at once. A throw rolls all of them back.
   */
  batch<T>(write: () => T): T {
    return this.db.transaction(write)();
  }

  private seqOf(executionArn: string): number {
    let seq = this.seqs.get(executionArn);
    if (seq === undefined) {
      const row = this.selectByArn.get(executionArn) as Row | undefined;
      if (!row) throw new Error(`${executionArn} is not journaled.`);
      seq = row.seq;
      this.seqs.set(executionArn, seq);
    }
    return seq;
  }

  /** Forgets the cached row id of an execution that has ended (it is read from the table again if needed). */
  release(executionArn: string): void {
    this.seqs.delete(executionArn);
  }

  find(executionArn: string): StoredExecution | undefined {
    const row = this.selectByArn.get(executionArn) as Row | undefined;
    return row && stored(row);
  }

  events(executionArn: string): JournalEvent[] {
    const seq = this.seqOf(executionArn);
    return (this.selectEvents.all(seq) as { body: string }[]).map((r) => JSON.parse(r.body) as JournalEvent);
  }

  /**
   * The executions of these state machines still running or stopped at or after `since` (epoch ms; every
   * one when undefined), oldest first.
   */
  runningSince(stateMachineArns: readonly string[], since?: number): StoredExecution[] {
    if (stateMachineArns.length === 0) return [];
    const machines = stateMachineArns.map(() => '?').join(', ');
    return (
      this.db
        .prepare(
          `SELECT seq, arn, machine, name, input, summary FROM executions
           WHERE machine IN (${machines}) AND summary != '{}' AND (? IS NULL OR stop_ms IS NULL OR stop_ms >= ?)
           ORDER BY seq`,
        )
        .all(...stateMachineArns, since ?? null, since ?? null) as Row[]
    ).map(stored);
  }

  /** The executions that were running when the runtime last stopped, oldest first. */
  running(): StoredExecution[] {
    return (
      this.db
        .prepare(
          "SELECT seq, arn, machine, name, input, summary FROM executions WHERE status = 'RUNNING' ORDER BY seq",
        )
        .all() as Row[]
    ).map(stored);
  }

  /**
   * One page of a state machine's executions, newest first, from the index (never a scan and sort of all
   * of them). The token is the position after the last one returned.
   */
  page(
    stateMachineArn: string,
    status: ExecutionStatus | undefined,
    size: number,
    nextToken: string | undefined,
  ): { items: StoredExecution[]; nextToken?: string } {
    let before = Number.MAX_SAFE_INTEGER;
    if (nextToken !== undefined) {
      const match = /^executions:(\d+)$/.exec(Buffer.from(nextToken, 'base64url').toString('utf8'));
      if (!match) throw new AwsError('InvalidToken', `Invalid Token: '${nextToken}'`);
      before = Number(match[1]);
    }
    const rows = (
      status === undefined
        ? this.db
            .prepare(
              'SELECT seq, arn, machine, name, input, summary FROM executions WHERE machine = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
            )
            .all(stateMachineArn, before, size + 1)
        : this.db
            .prepare(
              'SELECT seq, arn, machine, name, input, summary FROM executions WHERE machine = ? AND status = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
            )
            .all(stateMachineArn, status, before, size + 1)
    ) as Row[];
    const items = rows.slice(0, size);
    const last = items.at(-1);
    return rows.length > size && last
      ? { items: items.map(stored), nextToken: Buffer.from(`executions:${last.seq}`).toString('base64url') }
      : { items: items.map(stored) };
  }

  /**
   * The start date as a column of its own (the viewer filters on it): added to a journal written before it
   * existed, and filled from each execution's summary, once.
   */
  private addStartColumn(): void {
    const columns = this.db.prepare('PRAGMA table_info(executions)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'start_ms')) {
      this.db.transaction(() => {
        this.db.exec('ALTER TABLE executions ADD COLUMN start_ms INTEGER');
        // julianday reads the ISO date the summary keeps; 2440587.5 is the Unix epoch as a Julian day.
        this.db.exec(`UPDATE executions SET start_ms = CAST(ROUND(
          (julianday(json_extract(summary, '$.startDate')) - 2440587.5) * 86400000) AS INTEGER)
          WHERE json_valid(summary) AND json_extract(summary, '$.startDate') IS NOT NULL`);
      })();
    }
    this.db.exec(`
      CREATE INDEX IF NOT EXISTS executions_by_any_machine_status ON executions (status, seq);
      CREATE INDEX IF NOT EXISTS executions_by_start ON executions (start_ms);
    `);
  }

  /**
   * One page of executions of every state machine or one, newest first, for the viewer: what
   * ListExecutions filters on (machine, status) from the indexes, plus the start date's range (indexed), and
   * a part of the name or of the trigger's `detail.userId` (case-insensitive; these read the rows the other
   * filters leave, newest first, until the page is full). The token is the position after the last one.
   */
  search(
    filter: ExecutionFilter,
    size: number,
    nextToken: string | undefined,
  ): { items: StoredExecution[]; nextToken?: string } {
    let before = Number.MAX_SAFE_INTEGER;
    if (nextToken !== undefined) {
      const match = /^search:(\d+)$/.exec(Buffer.from(nextToken, 'base64url').toString('utf8'));
      if (!match) throw new AwsError('InvalidToken', `Invalid Token: '${nextToken}'`);
      before = Number(match[1]);
    }
    const where = ['seq < ?'];
    const values: (string | number)[] = [before];
    const add = (condition: string, value: string | number) => {
      where.push(condition);
      values.push(value);
    };
    if (filter.stateMachineArn !== undefined) add('machine = ?', filter.stateMachineArn);
    if (filter.status !== undefined) add('status = ?', filter.status);
    if (filter.startedAfter !== undefined) add('start_ms >= ?', filter.startedAfter.getTime());
    if (filter.startedBefore !== undefined) add('start_ms < ?', filter.startedBefore.getTime());
    // instr rather than LIKE: a `%` or `_` typed in the search box is a character, not a wildcard.
    if (filter.nameContains) add('instr(lower(name), ?) > 0', filter.nameContains.toLowerCase());
    if (filter.userContains)
      add(
        "json_valid(input) AND instr(lower(json_extract(input, '$.detail.userId')), ?) > 0",
        filter.userContains.toLowerCase(),
      );
    const rows = this.db
      .prepare(
        `SELECT seq, arn, machine, name, input, summary FROM executions WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`,
      )
      .all(...values, size + 1) as Row[];
    const items = rows.slice(0, size);
    const last = items.at(-1);
    return rows.length > size && last
      ? { items: items.map(stored), nextToken: Buffer.from(`search:${last.seq}`).toString('base64url') }
      : { items: items.map(stored) };
  }

  /** How many executions each state machine has in each status (from the status index, no row read). */
  statusCounts(): { stateMachineArn: string; status: ExecutionStatus; count: number }[] {
    return this.db
      .prepare(
        'SELECT machine AS stateMachineArn, status, COUNT(*) AS count FROM executions GROUP BY machine, status',
      )
      .all() as { stateMachineArn: string; status: ExecutionStatus; count: number }[];
  }

  /** Deletes closed executions past the retention's age or count, with their events. */
  prune(now = Date.now()): number {
    const old = this.db
      .prepare(
        `SELECT seq FROM executions WHERE status != 'RUNNING' AND (stop_ms < ? OR seq <= COALESCE(
           (SELECT seq FROM executions WHERE status != 'RUNNING' ORDER BY seq DESC LIMIT 1 OFFSET ?), -1))`,
      )
      .all(now - this.retention.maxAgeMs, this.retention.maxCount) as { seq: number }[];
    if (old.length === 0) return 0;
    const deleteEvents = this.db.prepare('DELETE FROM events WHERE execution = ?');
    const deleteExecution = this.db.prepare('DELETE FROM executions WHERE seq = ?');
    this.db.transaction(() => {
      for (const { seq } of old) {
        deleteEvents.run(seq);
        deleteExecution.run(seq);
      }
    })();
    return old.length;
  }

  /** Keeps a state machine created through the API (the template's come from the template). */
  saveStateMachine(machine: SavedStateMachine): void {
    this.db
      .prepare('INSERT OR REPLACE INTO state_machines (arn, body) VALUES (?, ?)')
      .run(machine.arn, JSON.stringify(machine));
  }

  deleteStateMachine(arn: string): void {
    this.db.prepare('DELETE FROM state_machines WHERE arn = ?').run(arn);
  }

  stateMachines(): SavedStateMachine[] {
    return (
      this.db.prepare('SELECT body FROM state_machines ORDER BY rowid').all() as { body: string }[]
    ).map((r) => JSON.parse(r.body) as SavedStateMachine);
  }

  close(): void {
    this.db.close();
    heldDirectories.delete(this.held);
  }
}

function inUse(dir: string): Error {
  return new Error(
    `The data directory ${dir} is in use by another local runtime. Stop it, or start this one with another --data-dir.`,
  );
}

function stored(row: Row): StoredExecution {
  const summary = JSON.parse(row.summary) as ExecutionSummary & { startDate: string; stopDate?: string };
  return {
    seq: row.seq,
    executionArn: row.arn,
    stateMachineArn: row.machine,
    name: row.name,
    input: row.input,
    summary: {
      ...summary,
      startDate: new Date(summary.startDate),
      ...(summary.stopDate ? { stopDate: new Date(summary.stopDate) } : {}),
      ...(summary.redriveDate ? { redriveDate: new Date(summary.redriveDate) } : {}),
    },
  };
}

/** The summary a list of events folds to. */
export function summaryOf(events: readonly JournalEvent[]): ExecutionSummary | undefined {
  let summary: ExecutionSummary | undefined;
  for (const event of events) summary = foldEvent(summary, event);
  return summary;
}
