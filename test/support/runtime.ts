import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LocalRuntime, type RuntimeOptions } from '../../local/runtime';
import { assemblyDir } from './synth';

/**
 * The AWS CLI the end-to-end tests run: $AWS_CLI, else Debian's (installed by .ci/run at /usr/bin/aws, and
 * preferred because the `aws` first on PATH may be another install), else whichever `aws` is on PATH.
 */
export const AWS_CLI = process.env.AWS_CLI ?? (existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws');

/** Node's arguments that run local/main.ts in one process, as `npm start` runs it. */
export const MAIN_ARGS = [
  '--no-allocation-site-pretenuring',
  '--require',
  join(__dirname, '..', '..', 'local', 'register.cjs'),
  join(__dirname, '..', '..', 'local', 'main.ts'),
];

/**
 * The local runtime on a free port, serving the test run's synthesized app in memory, with Retry intervals
 * at 0 ms so failure paths run fast.
 */
export function startRuntime(options: Partial<RuntimeOptions> = {}): Promise<LocalRuntime> {
  return LocalRuntime.start({ assemblyDir, synthesize: false, port: 0, retryDelayMs: 0, ...options });
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** SDK v3 clients pointed at the runtime. */
export function clients(url: string) {
  const config = { endpoint: url, region: 'us-east-1', credentials };
  return {
    events: new EventBridgeClient(config),
    sfn: new SFNClient(config),
    dynamodb: new DynamoDBClient(config),
    sqs: new SQSClient(config),
  };
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (`--output json`), or undefined when empty. */
  readonly json: Record<string, unknown> | undefined;
}

/** What the AWS CLI needs to call the runtime: throwaway credentials, a region, and no user config or pager. */
export const CLI_ENV = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_PAGER: '',
} as const;

/** Runs `aws <args> --endpoint-url <url> --output json` with throwaway credentials and no user config. */
export async function aws(url: string, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      AWS_CLI,
      [...args, '--endpoint-url', url, '--output', 'json'],
      {
        env: { PATH: process.env.PATH, ...CLI_ENV, AWS_MAX_ATTEMPTS: '1' },
      },
    );
    return { code: 0, stdout, stderr, json: stdout.trim() ? JSON.parse(stdout) : undefined };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '', json: undefined };
  }
}

/** Polls `check` until it returns a value other than undefined (or throws after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for a condition.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
