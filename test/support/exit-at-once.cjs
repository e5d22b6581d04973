// Preloaded into Jest and its workers (npm test). On Node 24, better-sqlite3 12 aborts the process when one
// of its objects is reclaimed after the Node environment has been torn down at exit
// (RemoveEnvironmentCleanupHook: "(env) != nullptr"), which a test process's last garbage can be. Exiting
// at once, with the same code, once everything has run, skips that teardown. Node 20 needs none of this.
//
// The exit code must be Jest's: when the event loop empties, Jest sets process.exitCode in an 'exit'
// listener of its own, registered after this file's. So on that path the exit happens in a listener added
// at 'beforeExit' (after Jest's); on an explicit process.exit(code), the code is already the one to keep.
if (Number(process.versions.node.split('.')[0]) >= 24) {
  let emptied = false;
  process.once('beforeExit', () => {
    emptied = true;
    process.on('exit', (code) => process.reallyExit(process.exitCode ?? code));
  });
  process.on('exit', (code) => {
    if (!emptied) process.reallyExit(code);
  });
}
