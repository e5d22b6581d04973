import util from 'node:util';
import Database from 'better-sqlite3';

/*
 * Opening a SQLite database, the one way the runtime does it.
 *
 * On Node 24, better-sqlite3 12 aborts the whole process when the garbage collector reclaims one of its
 * Statement objects while no Node environment is current (RemoveEnvironmentCleanupHook: "(env) != nullptr").
 * A runtime's own process never meets that, but a test process does: Jest runs each test file in a vm
 * context of its own, and a statement left by an earlier file can be reclaimed at any moment. So on Node 24
 * every database and statement opened here is kept reachable until the process exits (and `npm test` exits
 * without tearing down, see test/support/exit-at-once.cjs). They are few: a runtime prepares its statements
 * once. The list hangs off a core module, which Jest shares between test files (its module registry is not).
 */
const KEEP_ALIVE = Symbol.for('onboarding-kyc.better-sqlite3.keep-alive');
// The module object itself (a default import), not a namespace copy: the one object every realm shares.
const shared = util as unknown as Record<symbol, object[] | undefined>;
// Only under Jest (which gives every module a `jest` binding): a runtime's own process must let them go,
// or its exit's teardown would meet them all instead.
const underJest = typeof jest !== 'undefined';
if (underJest && Number(process.versions.node.split('.')[0]) >= 24) shared[KEEP_ALIVE] ??= [];
const keepAlive = shared[KEEP_ALIVE];

export function openDatabase(file: string, options?: Database.Options): Database.Database {
  const db = new Database(file, options);
  if (keepAlive) {
    keepAlive.push(db);
    const prepare = db.prepare.bind(db);
    // `pragma` prepares through this too.
    db.prepare = ((source: string) => {
      const statement = prepare(source);
      keepAlive.push(statement);
      return statement;
    }) as typeof db.prepare;
  }
  return db;
}
