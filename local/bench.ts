/**
 * `npm run bench`: how fast the local runtime turns trigger events into ended executions.
 *
 * For each workflow, C workers each put a trigger event (one user per event) through HTTP PutEvents with the
 * SDK and wait for its execution to end, then put the next, until N events have run: each event is timed
 * from the PutEvents call to its execution's end. Then the same executions, with the same inputs and the
 * same C in flight, are started directly on the engine in-process: no HTTP, PutEvents, rule matching or
 * delivery. The ratio is what the runtime's plumbing costs. Each phase runs in its own process, so its peak
 * memory is its own. It prints figures; it asserts nothing.
 */
import './polyfills';
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { LocalApp } from './app';
import { ensureAssembly } from './assembly';
import { LocalRuntime } from './runtime';
import type { Execution } from './stepfunctions/service';

const BUS = 'onboarding-kyc';
const assemblyDir = join(__dirname, '..', 'cdk.out');

/** A trigger for each workflow; `n` makes the user unique. */
const WORKFLOWS: Record<string, { machine: string; trigger: (n: number) => PutEventsRequestEntry }> = {
  kyc: {
    machine: `${BUS}-kyc`,
    trigger: (n) => ({
      Source: 'app.accounts',
      DetailType: 'Account Requested',
      Detail: JSON.stringify({
        userId: `bench-kyc-${n}`,
        version: 1,
        plan: 'team',
        // A declined applicant: KYC runs every step but starts no onboarding, so only KYC is timed.
        applicant: {
          fullName: 'Jane Embargo',
          dateOfBirth: '1988-09-30',
          country: 'GB',
          documentNumber: `GB${n}`,
        },
      }),
      EventBusName: BUS,
    }),
  },
  onboarding: {
    machine: `${BUS}-onboarding`,
    trigger: (n) => ({
      Source: 'app.kyc',
      DetailType: 'Account Approved',
      Detail: JSON.stringify({
        userId: `bench-onboarding-${n}`,
        version: 1,
        workflow: 'kyc',
        triggerEventId: randomUUID(),
        riskScore: 10,
        plan: 'team',
      }),
      EventBusName: BUS,
    }),
  },
  'access-change': {
    machine: `${BUS}-access-change`,
    trigger: (n) => ({
      Source: 'app.identity',
      DetailType: 'User Access Changed',
      Detail: JSON.stringify({ userId: `bench-access-${n}`, version: 1, blocked: n % 2 === 0 }),
      EventBusName: BUS,
    }),
  },
};

interface Figures {
  readonly eventsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly peakRssMb: number;
  readonly failed: number;
}

type Path = 'http' | 'engine';
type Workflow = (typeof WORKFLOWS)[string];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '300' },
      concurrency: { type: 'string', default: '16' },
      phase: { type: 'string' },
    },
  });
  const n = Number(values.events);
  const concurrency = Number(values.concurrency);
  if (values.phase) {
    // A child: run one phase and report its figures as the last line.
    const [name, path] = values.phase.split(':') as [string, Path];
    const workflow = WORKFLOWS[name] as Workflow;
    const figures =
      path === 'http' ? await viaHttp(workflow, n, concurrency) : await onEngine(workflow, n, concurrency);
    return void console.log(JSON.stringify(figures));
  }
  ensureAssembly(assemblyDir, 'OnboardingKyc');
  console.log(
    `${n} events per workflow, ${concurrency} in flight; Node ${process.version}, ` +
      `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB\n`,
  );
  const rows: string[][] = [
    ['workflow', 'path', 'events/s', 'p50 ms', 'p99 ms', 'peak RSS MB', 'not SUCCEEDED'],
  ];
  for (const name of Object.keys(WORKFLOWS)) {
    const http = await phase(name, 'http', n, concurrency);
    const engine = await phase(name, 'engine', n, concurrency);
    for (const [path, f] of [
      ['HTTP PutEvents', http],
      ['engine in-process', engine],
    ] as const) {
      rows.push([
        name,
        path,
        f.eventsPerSecond.toFixed(1),
        f.p50.toFixed(1),
        f.p99.toFixed(1),
        f.peakRssMb.toFixed(0),
        String(f.failed),
      ]);
    }
    rows.push([
      name,
      'engine / HTTP',
      (engine.eventsPerSecond / http.eventsPerSecond).toFixed(2),
      (engine.p50 / http.p50).toFixed(2),
      (engine.p99 / http.p99).toFixed(2),
      (engine.peakRssMb / http.peakRssMb).toFixed(2),
      '',
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
}

/** Runs one phase in a child process of its own and returns its figures. */
function phase(name: string, path: Path, n: number, concurrency: number): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = fork(
      __filename,
      ['--phase', `${name}:${path}`, '--events', String(n), '--concurrency', String(concurrency)],
      {
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => {
      const last = output.trim().split('\n').at(-1) ?? '';
      if (code === 0) resolve(JSON.parse(last) as Figures);
      else reject(new Error(`phase ${name}:${path} exited with ${code}: ${output}`));
    });
  });
}

/** Runs `count` jobs, `concurrency` at a time; each job returns its latency in ms. */
async function closedLoop(
  count: number,
  concurrency: number,
  job: (i: number) => Promise<number>,
): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) latencies.push(await job(next++));
    }),
  );
  return latencies;
}

/** Each worker puts a trigger through the runtime's HTTP PutEvents and waits for its execution to end. */
async function viaHttp(workflow: Workflow, n: number, concurrency: number): Promise<Figures> {
  const runtime = await LocalRuntime.start({ assemblyDir, synthesize: false, port: 0 });
  const client = new EventBridgeClient({
    endpoint: runtime.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  // The trigger event id is in the execution input: resolve the waiting worker when its execution ends.
  const waiting = new Map<string, () => void>();
  runtime.app.stepFunctions.onExecutionChange = (execution) => {
    if (execution.status !== 'RUNNING') waiting.get(JSON.parse(execution.input).id)?.();
  };
  try {
    const peak = trackPeakRss();
    const start = performance.now();
    const latencies = await closedLoop(n, concurrency, async (i) => {
      const sent = performance.now();
      const response = await client.send(new PutEventsCommand({ Entries: [workflow.trigger(i)] }));
      const id = response.Entries?.[0]?.EventId;
      if (!id) throw new Error(`PutEvents refused a trigger: ${JSON.stringify(response)}`);
      const execution = ofMachine(runtime.app, workflow.machine).find((e) => JSON.parse(e.input).id === id);
      if (!execution || execution.status === 'RUNNING')
        await new Promise<void>((resolve) => waiting.set(id, resolve));
      waiting.delete(id);
      return performance.now() - sent;
    });
    const seconds = (performance.now() - start) / 1000;
    await runtime.app.settle();
    return figures(n, seconds, latencies, peak(), ofMachine(runtime.app, workflow.machine));
  } finally {
    client.destroy();
    await runtime.stop();
  }
}

/** Each worker starts an execution directly on the engine, with the input a rule would give it, and waits. */
async function onEngine(workflow: Workflow, n: number, concurrency: number): Promise<Figures> {
  const app = await LocalApp.start({ assemblyDir });
  try {
    const arn = [...app.stepFunctions.stateMachines.values()].find((m) => m.name === workflow.machine)
      ?.arn as string;
    const peak = trackPeakRss();
    const start = performance.now();
    const latencies = await closedLoop(n, concurrency, async (i) => {
      const entry = workflow.trigger(i);
      const event = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: app.env.account,
        time: new Date().toISOString(),
        region: app.env.region,
        resources: [],
        detail: JSON.parse(entry.Detail ?? '{}'),
      };
      const began = performance.now();
      await app.stepFunctions.startExecution(arn, JSON.stringify(event)).done;
      return performance.now() - began;
    });
    const seconds = (performance.now() - start) / 1000;
    await app.settle();
    return figures(n, seconds, latencies, peak(), ofMachine(app, workflow.machine));
  } finally {
    await app.stop();
  }
}

function ofMachine(app: LocalApp, machine: string): Execution[] {
  return [...app.stepFunctions.executions.values()].filter((e) => e.stateMachineArn.endsWith(`:${machine}`));
}

function figures(
  n: number,
  seconds: number,
  latencies: number[],
  peakRss: number,
  executions: Execution[],
): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return {
    eventsPerSecond: n / seconds,
    p50: at(0.5),
    p99: at(0.99),
    peakRssMb: peakRss / 2 ** 20,
    failed: executions.filter((e) => e.status !== 'SUCCEEDED').length,
  };
}

/** Samples the resident set size until the returned function is called; that returns the peak. */
function trackPeakRss(): () => number {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage.rss());
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
