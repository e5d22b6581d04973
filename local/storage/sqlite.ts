import util from 'node:util';
import Database from 'better-sqlite3';

/*
 * Opening a SQLite database, the one way the runtime does it.
 *
 * On Node 24, better-sqlite3 12 aborts the whole process when the garbage collector reclaims one of its
 * objects from a background task, with no Node environment current (RemoveEnvironmentCleanupHook:
 * "(env) != nullptr"; better-sqlite3 13 fixes it but needs Node 22, and we support 20). CI's Node 24 run
 * saw runtimes die that way mid-workflow. So no Statement or Database here ever becomes garbage:
 * - `prepare` hands out one Statement per SQL text, kept with its database (which also spares re-parsing
 *   the SQL of the few statements prepared on demand);
 * - `pragma` would prepare a Statement of its own and drop it, so callers use `exec('PRAGMA …')`, and
 *   `iterate` would drop an iterator, so they use `all`;
 * - on Node 24 every database is kept reachable until the process exits, for a test process opens and
 *   drops many (Jest runs each test file in a vm context of its own). The list hangs off a core module,
 *   which Jest shares between test files (its module registry is not).
 * Processes then exit without tearing their heap down: the runtime through process.exit, `npm test`
 * through test/support/exit-at-once.cjs.
 */
const KEEP_ALIVE = Symbol.for('onboarding-kyc.better-sqlite3.keep-alive');
// The module object itself (a default import), not a namespace copy: the one object every realm shares.
const shared = util as unknown as Record<symbol, Database.Database[] | undefined>;
if (Number(process.versions.node.split('.')[0]) >= 24) shared[KEEP_ALIVE] ??= [];
const keepAlive = shared[KEEP_ALIVE];

export function openDatabase(file: string, options?: Database.Options): Database.Database {
  const db = new Database(file, options);
  const statements = new Map<string, Database.Statement>();
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    let statement = statements.get(source);
    if (!statement) {
      statement = prepare(source);
      statements.set(source, statement);
    }
    return statement;
  }) as typeof db.prepare;
  keepAlive?.push(db);
  return db;
}
