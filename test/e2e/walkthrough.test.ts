import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { LocalRuntime } from '../../local/runtime';
import { emitted } from '../support/local';
import { AWS_CLI, CLI_ENV, startRuntime } from '../support/runtime';

/** The first `sh` block after the README line that starts with `heading`, dedented. */
function readmeBlock(heading: string): string {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const from = readme.indexOf(heading);
  const match = /\n( *)```sh\n([\s\S]*?)\n *```/.exec(readme.slice(from));
  if (from < 0 || !match) throw new Error(`No sh block after "${heading}" in the README.`);
  const indent = match[1] ?? '';
  return (match[2] ?? '')
    .split('\n')
    .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
    .join('\n');
}

describe("the README's five-minute walkthrough", () => {
  let runtime: LocalRuntime;
  let bin: string;
  beforeEach(async () => {
    // The real retry waits: the step must work with them, as a person pastes it.
    runtime = await startRuntime({ retryDelayMs: undefined });
    // `aws` on PATH is the CLI the tests use. Debian's CLI (2.9, January 2023) predates RedriveExecution
    // (November 2023); for that one command the wrapper sends the request a current CLI sends.
    bin = mkdtempSync(join(tmpdir(), 'walkthrough-bin-'));
    writeFileSync(
      join(bin, 'aws'),
      [
        '#!/usr/bin/env bash',
        'if [ "$1 $2" = "stepfunctions redrive-execution" ]; then',
        '  out=$("$AWS_CLI" "$@" 2>&1) && { echo "$out"; exit 0; }',
        '  case "$out" in *"Invalid choice"*) ;; *) echo "$out" >&2; exit 1 ;; esac',
        '  exec curl -sS --fail-with-body -X POST "$local" -H "Content-Type: application/x-amz-json-1.0" \\',
        '    -H "X-Amz-Target: AWSStepFunctions.RedriveExecution" -d "{\\"executionArn\\": \\"$6\\"}"',
        'fi',
        'exec "$AWS_CLI" "$@"',
      ].join('\n'),
    );
    chmodSync(join(bin, 'aws'), 0o755);
  });
  afterEach(async () => {
    await runtime.stop();
    rmSync(bin, { recursive: true, force: true });
  });

  it('fails an emit, then repairs the execution with a redrive, when step 5 is pasted as one block', async () => {
    // Prepare
    const block = readmeBlock('5. Make an emit fail');

    // Act
    const { stdout } = await promisify(execFile)('bash', ['-e', '-c', block], {
      env: {
        PATH: `${bin}:${dirname(process.execPath)}:${process.env.PATH}`,
        local: runtime.url,
        AWS_CLI,
        ...CLI_ENV,
      },
      timeout: 170_000,
    });

    // Assess: it failed in the second put, parked the entry, and the redrive announced it once.
    expect(stdout).toMatch(/"FAILED",\s*"EventBridge.FailedEntry"/);
    expect(stdout).toContain('Emit User Blocked');
    expect(stdout).toMatch(/"SUCCEEDED",\s*".*\\"outcome\\": *\\"completed\\"/);
    expect(emitted(runtime.app, 'user-9001').map((e) => e['detail-type'])).toEqual(['User Blocked']);
    expect(runtime.app.eventBridge.faults).toHaveLength(0);
  });
});
