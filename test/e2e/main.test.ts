import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aws } from '../support/runtime';
import { assemblyDir, stackName } from '../support/synth';

const root = join(__dirname, '..', '..');
const samples = join(root, 'events', 'samples');

/** `npm start`'s program as a user runs it: a process that prints what it loaded and serves until signalled. */
describe('the local runtime command', () => {
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill('SIGKILL'));

  /** Starts local/main.ts and resolves with its output once it says where it listens. */
  function start(...args: string[]): Promise<{ output: () => string; url: string }> {
    // One process, as `npm start` runs it: `tsx` as a command wraps the script in a child and, on a loaded
    // machine, SIGKILLs it when it does not confirm a relayed signal within 30 ms.
    const process = spawn(
      globalThis.process.execPath,
      ['--import', 'tsx', join(root, 'local', 'main.ts'), ...args],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = process;
    let output = '';
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const listening = /Listening on (http:\/\/\S+)/.exec(output);
        if (listening) resolve({ output: () => output, url: listening[1] as string });
      };
      process.stdout?.on('data', onData);
      process.stderr?.on('data', onData);
      process.on('exit', (code) => reject(new Error(`exited with ${code} before listening:\n${output}`)));
    });
  }

  it('prints what it loaded and a put-events line that works as printed, then stops on SIGTERM', async () => {
    // Act
    const { output, url } = await start('--assembly', assemblyDir, '--port', '0', '--in-memory');
    const putLine = /aws events put-events --endpoint-url (\S+) --entries file:\/\/(\S+)/.exec(output());
    const put = await aws(
      url,
      'events',
      'put-events',
      '--entries',
      `file://${join(root, putLine?.[2] ?? '')}`,
    );
    const exited = new Promise<number | null>((resolve) => child?.on('exit', resolve));
    child?.kill('SIGTERM');

    // Assess
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const heading of ['Event buses', 'Rules', 'State machines', 'Tables', 'Queues', 'Functions'])
      expect(output()).toContain(`${heading} (`);
    expect(output()).toContain('onboarding-kyc-versions');
    expect(putLine?.[1]).toBe(url);
    expect(join(root, putLine?.[2] ?? '')).toBe(join(samples, 'account-requested-approved.json'));
    expect(put.json).toMatchObject({ FailedEntryCount: 0 });
    expect(await exited).toBe(0);
  });

  it('stops at startup naming a resource it cannot emulate', async () => {
    // Prepare: the synthesized template plus a resource type the runtime does not emulate.
    const dir = mkdtempSync(join(tmpdir(), 'assembly-'));
    const template = JSON.parse(readFileSync(join(assemblyDir, `${stackName}.template.json`), 'utf8'));
    template.Resources.ReportsBucket = { Type: 'AWS::S3::Bucket', Properties: {} };
    writeFileSync(join(dir, `${stackName}.template.json`), JSON.stringify(template));

    // Act
    const failure = await start('--assembly', dir, '--port', '0', '--in-memory').catch(
      (error: Error) => error,
    );
    rmSync(dir, { recursive: true });

    // Assess
    expect(String(failure)).toContain('exited with 1');
    expect(String(failure)).toContain('ReportsBucket (AWS::S3::Bucket)');
  });

  it('refuses an option it does not know, naming it', async () => {
    // Act
    const failure = await start('--assembly', assemblyDir, '--prot', '4011').catch((error: Error) => error);

    // Assess
    expect(String(failure)).toContain("Unknown option '--prot'");
  });
});
