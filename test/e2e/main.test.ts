import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { BUS } from '../support/local';
import { aws, clients, eventually, MAIN_ARGS } from '../support/runtime';
import { assemblyDir, stackName } from '../support/synth';

const root = join(__dirname, '..', '..');
const samples = join(root, 'events', 'samples');

/** `npm start`'s program as a user runs it: a process that prints what it loaded and serves until signalled. */
describe('the local runtime command', () => {
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill('SIGKILL'));

  /** local/main.ts in one process, as `npm start` runs it. */
  function spawnMain(args: string[]): ChildProcess {
    child = spawn(globalThis.process.execPath, [...MAIN_ARGS, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return child;
  }

  /** Runs local/main.ts to its exit: its exit code, and what it printed on each stream. */
  function run(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const process = spawnMain(args);
    let stdout = '';
    let stderr = '';
    process.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    process.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    return new Promise((resolve) => process.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  /** A GET with this Host header (which fetch does not let a caller set): the response's status. */
  function statusWithHost(url: string, path: string, host: string): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
      const sent = request(new URL(path, url), { headers: { host } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      sent.on('error', reject);
      sent.end();
    });
  }

  /** Starts local/main.ts and resolves with its output once it says where it listens. */
  function start(...args: string[]): Promise<{ output: () => string; url: string }> {
    const process = spawnMain(args);
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

  it('stops on Ctrl-C with a data directory mid-workflow, and goes on at the next start without repeating a step', async () => {
    // Prepare: an approved applicant, so KYC and then onboarding run their tasks.
    const dataDir = mkdtempSync(join(tmpdir(), 'local-runtime-sigint-'));
    const args = ['--assembly', assemblyDir, '--port', '0', '--data-dir', dataDir];
    try {
      const first = await start(...args);
      const put = await aws(
        first.url,
        'events',
        'put-events',
        '--entries',
        `file://${join(samples, 'account-requested-approved.json')}`,
      );
      expect(put.json).toMatchObject({ FailedEntryCount: 0 });

      // Act: Ctrl-C while the workflows run, then start again on the same data directory.
      const exited = new Promise<number | null>((resolve) => child?.on('exit', resolve));
      child?.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(first.output()).toContain(`SIGINT: stopping; state is kept in ${dataDir}.`);
      const second = await start(...args);

      // Assess: both workflows end as they would have, and each step was announced once.
      const { sfn } = clients(second.url);
      const machine = (name: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:${BUS}-${name}`;
      const executions = await eventually(async () => {
        const all = [];
        for (const name of ['kyc', 'onboarding']) {
          const { executions = [] } = await sfn.send(
            new ListExecutionsCommand({ stateMachineArn: machine(name) }),
          );
          all.push(...executions);
        }
        return all.length === 2 && all.every((e) => e.status !== 'RUNNING') ? all : undefined;
      });
      expect(executions.map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      const { events } = (await (
        await fetch(`${second.url}/_local/events?bus=${BUS}&limit=1000`)
      ).json()) as {
        events: { event: { 'detail-type': string; resources: string[] } }[];
      };
      const steps = events
        .map(({ event }) => ({
          step: event['detail-type'],
          by: event.resources.find((r) => r.includes(':execution:')),
        }))
        .filter(({ by }) => by !== undefined)
        .map(({ step, by }) => `${by?.split(':')[6]}: ${step}`);
      expect(steps.map((s) => s.split(': ')[1])).toEqual(
        expect.arrayContaining(['Account Approved', 'Onboarding Completed']),
      );
      expect(new Set(steps).size).toBe(steps.length);
    } finally {
      const last = child;
      if (last && last.exitCode === null && last.signalCode === null) {
        const gone = new Promise((resolve) => last.once('exit', resolve));
        last.kill('SIGKILL');
        await gone;
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
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
    expect(String(failure)).toContain("Unknown option '--prot' (did you mean --port?)");
    expect(String(failure)).toContain('exited with 2');
  });

  it('rejects an unknown option in one line that names it and points to --help, exiting non-zero', async () => {
    // Act
    const { code, stdout, stderr } = await run('--bogus');

    // Assess
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      "Unknown option '--bogus'. Run `npm start -- --help` to see the options.",
    ]);
  });

  it('rejects an option without its value the same way', async () => {
    // Act
    const { code, stderr } = await run('--port');

    // Assess
    expect(code).not.toBe(0);
    expect(stderr.trim().split('\n')).toEqual([
      "Option '--port <value>' argument missing. Run `npm start -- --help` to see the options.",
    ]);
  });

  it('describes its options with --help, --allowed-host among them, and exits 0', async () => {
    // Act
    const { code, stdout } = await run('--help');

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: npm start -- [options]');
    expect(stdout).toMatch(/--allowed-host <name>\s+also answer requests whose Host header is this name/);
  });

  it('answers the Host names given with --allowed-host, and still refuses others', async () => {
    // Act
    const { url } = await start(
      '--assembly',
      assemblyDir,
      '--port',
      '0',
      '--in-memory',
      '--allowed-host',
      'runtime.test',
      '--allowed-host',
      'proxy.test:8443',
    );
    const port = new URL(url).port;

    // Assess
    expect(await statusWithHost(url, '/_local/health', `runtime.test:${port}`)).toBe(200);
    expect(await statusWithHost(url, '/_local/health', 'proxy.test:8443')).toBe(200);
    expect(await statusWithHost(url, '/_local/health', `127.0.0.1:${port}`)).toBe(200);
    expect(await statusWithHost(url, '/_local/health', `elsewhere.test:${port}`)).toBe(403);
  });
});
