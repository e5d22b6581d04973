import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ExecutionFilter, ExecutionJournal } from '../../../local/stepfunctions/journal/store';
import { openDatabase } from '../../../local/storage/sqlite';
import { type FixtureExecution, journalExecution } from './journal-fixture';

/*
 * The journal's query behind the viewer's executions list (`/_local/executions`): every filter narrows
 * what ListExecutions would list, newest first, a page at a time with no execution listed twice or missed.
 */

const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:kyc';
const OTHER_MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:onboarding';
const FIRST_START = Date.parse('2026-11-01T00:00:00.000Z');
const HOUR = 3600 * 1000;

/** 240 executions an hour apart: every 3rd of the other machine, every 4th failed, the newest 5 running. */
function fixtures(): FixtureExecution[] {
  return Array.from({ length: 240 }, (_, i) => ({
    stateMachineArn: i % 3 === 0 ? OTHER_MACHINE : MACHINE,
    name: `run-${String(i).padStart(4, '0')}`,
    userId: `User-${i % 40}`,
    startMs: FIRST_START + i * HOUR,
    status: i >= 235 ? 'RUNNING' : i % 4 === 0 ? 'FAILED' : 'SUCCEEDED',
  }));
}

/** What the filter should find, newest first, worked out from the fixtures rather than the database. */
function expected(all: FixtureExecution[], filter: ExecutionFilter): string[] {
  return all
    .filter(
      (e) =>
        (!filter.stateMachineArn || e.stateMachineArn === filter.stateMachineArn) &&
        (!filter.status || e.status === filter.status) &&
        (!filter.startedAfter || e.startMs >= filter.startedAfter.getTime()) &&
        (!filter.startedBefore || e.startMs < filter.startedBefore.getTime()) &&
        (!filter.nameContains || e.name.toLowerCase().includes(filter.nameContains.toLowerCase())) &&
        (!filter.userContains || e.userId.toLowerCase().includes(filter.userContains.toLowerCase())),
    )
    .map((e) => e.name)
    .reverse();
}

/** Every page of a search, followed through its tokens: the names in order, and how many pages. */
function allPages(journal: ExecutionJournal, filter: ExecutionFilter, size: number) {
  const names: string[] = [];
  let pages = 0;
  let token: string | undefined;
  do {
    const page = journal.search(filter, size, token);
    expect(page.items.length).toBeLessThanOrEqual(size);
    names.push(...page.items.map((e) => e.name));
    token = page.nextToken;
    pages++;
  } while (token !== undefined);
  return { names, pages };
}

describe("the journal's search for the viewer's executions list", () => {
  let dir: string;
  let journal: ExecutionJournal;
  const all = fixtures();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'viewer-executions-'));
    journal = new ExecutionJournal(dir);
    journal.batch(() => {
      for (const e of all) journalExecution(journal, e);
    });
  });
  afterAll(() => {
    journal?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each<[string, ExecutionFilter]>([
    ['no filter: every state machine', {}],
    ['one state machine', { stateMachineArn: MACHINE }],
    ['one status', { status: 'FAILED' }],
    ['a state machine and a status', { stateMachineArn: OTHER_MACHINE, status: 'RUNNING' }],
    ['a part of the name, whatever its case', { nameContains: 'RUN-01' }],
    ['a part of the user id', { userContains: 'user-3' }],
    [
      'a start date range (from inclusive, to exclusive)',
      { startedAfter: new Date(FIRST_START + 10 * HOUR), startedBefore: new Date(FIRST_START + 50 * HOUR) },
    ],
    [
      'every filter at once',
      {
        stateMachineArn: MACHINE,
        status: 'SUCCEEDED',
        nameContains: '1',
        userContains: '1',
        startedAfter: new Date(FIRST_START + 20 * HOUR),
      },
    ],
    ['a name nothing has', { nameContains: 'no such run' }],
    ['a % or _ typed is a character, not a wildcard', { nameContains: 'run_%' }],
  ])('lists %s, newest first, in pages that miss none and repeat none', (_, filter) => {
    // Act
    const { names, pages } = allPages(journal, filter, 7);

    // Assess
    const want = expected(all, filter);
    expect(names).toEqual(want);
    expect(pages).toBe(Math.max(1, Math.ceil(want.length / 7)));
  });

  it('answers a token it did not issue with InvalidToken', () => {
    // Act / Assess
    expect(() => journal.search({}, 10, 'not-a-token')).toThrow(
      expect.objectContaining({ code: 'InvalidToken' }),
    );
  });

  it('counts every execution of each state machine in each status', () => {
    // Act
    const counts = journal.statusCounts();

    // Assess
    const want = new Map<string, number>();
    for (const e of all)
      want.set(`${e.stateMachineArn} ${e.status}`, (want.get(`${e.stateMachineArn} ${e.status}`) ?? 0) + 1);
    expect(new Map(counts.map((c) => [`${c.stateMachineArn} ${c.status}`, c.count]))).toEqual(want);
  });

  it('reads the query plan from the indexes for a state machine, a status and a date range', () => {
    // Prepare: the plan SQLite chooses, from a connection of its own (the journal holds its lock, so it is
    // read after closing and reopened after).
    journal.close();
    // Through openDatabase, as every connection here: on Node 24 a collected one aborts the process.
    const db = openDatabase(join(dir, 'executions.db'), { readonly: true });
    try {
      const plan = (sql: string) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
          .map((r) => r.detail)
          .join('; ');

      // Act
      const byStatus = plan(
        "SELECT seq FROM executions WHERE status = 'FAILED' AND seq < 9 ORDER BY seq DESC LIMIT 51",
      );
      const byDate = plan(
        'SELECT seq FROM executions WHERE start_ms >= 5 AND start_ms < 9 ORDER BY seq DESC LIMIT 51',
      );

      // Assess: an index search, never a scan of the whole table and a sort.
      expect(byStatus).toMatch(/SEARCH executions USING .*INDEX/);
      expect(byDate).toMatch(/SEARCH executions USING .*INDEX/);
    } finally {
      db.close();
      journal = new ExecutionJournal(dir);
    }
  });

  it('fills the start date of a journal written before the column existed', () => {
    // Prepare: the journal as an older runtime left it, without the start date column.
    journal.close();
    const db = openDatabase(join(dir, 'executions.db'));
    db.exec('DROP INDEX executions_by_start; ALTER TABLE executions DROP COLUMN start_ms;');
    db.close();

    // Act
    journal = new ExecutionJournal(dir);
    const filter = {
      startedAfter: new Date(FIRST_START + 100 * HOUR),
      startedBefore: new Date(FIRST_START + 110 * HOUR),
    };

    // Assess
    expect(allPages(journal, filter, 50).names).toEqual(expected(all, filter));
  });
});
