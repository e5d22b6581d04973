// Preloaded into Jest and its workers (npm test). On Node 24, better-sqlite3 12 aborts the process when a
// Statement is reclaimed after the Node environment has been torn down at exit
// (RemoveEnvironmentCleanupHook: "(env) != nullptr"), which a test process's last garbage can be. Exiting
// at once, with the same code, once everything has run, skips that teardown. Node 20 needs none of this.
if (Number(process.versions.node.split('.')[0]) >= 24) {
  process.on('exit', (code) => {
    process.reallyExit(code);
  });
}
