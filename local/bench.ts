/**
 * `npm run bench`: how fast the local runtime turns trigger events into ended executions, and what each
 * layer of it costs.
 *
 * For each workflow, C workers of a client process each put a trigger event (one user per event) through
 * HTTP PutEvents with the SDK and wait for its execution to end, then put the next, until N events (1,000
 * by default) have run: each event is timed from the PutEvents call to its execution's end. Then the same
 * executions, with the same inputs and the same C in flight, are started directly on the engine in-process:
 * no HTTP, PutEvents, rule matching or delivery, but the real integrations (dynalite, the bus, the
 * handlers). Then the ceiling: the interpreter alone, on the same definitions from the synthesized
 * template, every Task an instant no-op whose result is shaped like the real one, so each execution takes
 * the same path as on the other two, and no execution store: each history is let go when its execution
 * ends. A last phase runs a machine of ten Pass, Choice and instant Task states on the interpreter alone.
 * Every phase runs N executions (of other users) once untimed first, so that each is measured warm: on the
 * first few hundred executions, loading and compiling the handlers' bundles and the engine's code is most
 * of the CPU.
 *
 * Each phase runs in its own process, so its peak memory and CPU time are its own. CPU per execution is the
 * phase's process.cpuUsage() (user + system) over its executions: for the HTTP path, the runtime's process
 * alone, as the client (the SDK's signing and parsing) runs in its own. The client's CPU per event is
 * printed beside it: on two cores the two processes share the machine, so it bounds the HTTP path's
 * events/s. A path's share of the ceiling is its events/s over the interpreter's alone. It prints figures;
 * it asserts nothing.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { LocalApp, tierUpSooner } from './app';
import { ensureAssembly } from './assembly';
import { LocalRuntime } from './runtime';
import { forEachState } from './stepfunctions/engine/asl';
import { type EngineHost, ExecutionRun } from './stepfunctions/engine/interpreter';
import type { IntegrationServices } from './stepfunctions/integrations';
import type { JournalEvent } from './stepfunctions/journal/history';
import {
  type Execution,
  type LocalStateMachine,
  LocalStepFunctions,
  type TaskHandler,
} from './stepfunctions/service';
import { type LocalEnv, loadTemplate } from './template';

const BUS = 'onboarding-kyc';
const STACK = 'OnboardingKyc';
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
  /** CPU time (user + system) of the phase's process per execution. */
  readonly cpuMs: number;
  /** On the HTTP path, the client process's CPU time per event: on two cores, it bounds the events/s. */
  readonly clientCpuMs?: number;
  readonly p50: number;
  readonly p99: number;
  readonly peakRssMb: number;
  readonly failed: number;
}

type Path = 'http' | 'engine' | 'interpreter';
type Workflow = (typeof WORKFLOWS)[string];

const PATHS: Record<Path, string> = {
  http: 'HTTP PutEvents',
  engine: 'engine in-process',
  interpreter: 'interpreter alone',
};

/** The extra phase's machine, on the interpreter alone only. */
const TEN_STATES = 'ten states';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '16' },
      phase: { type: 'string' },
      client: { type: 'string' },
    },
  });
  const n = Number(values.events);
  const concurrency = Number(values.concurrency);
  if (values.client) {
    // The HTTP path's client process.
    const [name = '', url = ''] = values.client.split(/:(.*)/s);
    return httpClient(WORKFLOWS[name] as Workflow, url, n, concurrency);
  }
  if (values.phase) {
    // A child: run one phase and report its figures as the last line.
    const [name, path] = values.phase.split(':') as [string, Path];
    const figures =
      name === TEN_STATES
        ? await tenStates(n, concurrency)
        : path === 'http'
          ? await viaHttp(WORKFLOWS[name] as Workflow, name, n, concurrency)
          : path === 'engine'
            ? await onEngine(WORKFLOWS[name] as Workflow, n, concurrency)
            : await onInterpreter(WORKFLOWS[name] as Workflow, n, concurrency);
    return void console.log(JSON.stringify(figures));
  }
  ensureAssembly(assemblyDir, STACK);
  console.log(
    `${n} events per workflow, ${concurrency} in flight; Node ${process.version}, ` +
      `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB\n`,
  );
  const rows: string[][] = [
    [
      'workflow',
      'path',
      'events/s',
      'CPU ms/exec',
      'client CPU ms/event',
      'p50 ms',
      'p99 ms',
      'peak RSS MB',
      'not SUCCEEDED',
      'share of ceiling',
    ],
  ];
  const row = (name: string, path: string, f: Figures, ceiling: Figures) =>
    rows.push([
      name,
      path,
      f.eventsPerSecond.toFixed(1),
      f.cpuMs.toFixed(2),
      f.clientCpuMs?.toFixed(2) ?? '',
      f.p50.toFixed(1),
      f.p99.toFixed(1),
      f.peakRssMb.toFixed(0),
      String(f.failed),
      `${((100 * f.eventsPerSecond) / ceiling.eventsPerSecond).toFixed(1)}%`,
    ]);
  for (const name of Object.keys(WORKFLOWS)) {
    const figures = new Map<Path, Figures>();
    for (const path of ['http', 'engine', 'interpreter'] as const)
      figures.set(path, await phase(name, path, n, concurrency));
    const ceiling = figures.get('interpreter') as Figures;
    for (const [path, f] of figures) row(name, PATHS[path], f, ceiling);
  }
  const ten = await phase(TEN_STATES, 'interpreter', n, concurrency);
  row(TEN_STATES, PATHS.interpreter, ten, ten);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
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

/** What the HTTP path's client process and the runtime's say to each other. */
type ToClient = { readonly ended: readonly string[] };
type FromClient =
  | { readonly timed: 'start' }
  | {
      readonly timed: 'end';
      readonly seconds: number;
      readonly latencies: number[];
      /** The client's CPU time per timed event (the SDK's request building, signing and parsing). */
      readonly cpuMs: number;
    };

/**
 * The runtime in this process, its client in another, as the AWS CLI or a producer would be: this process's
 * CPU is then the runtime's alone, and the SDK's signing and parsing do not slow the runtime down. The client
 * puts each trigger and waits until this process says its execution ended (the execution input holds the
 * event id PutEvents answered).
 */
async function viaHttp(workflow: Workflow, name: string, n: number, concurrency: number): Promise<Figures> {
  const runtime = await LocalRuntime.start({ assemblyDir, synthesize: false, port: 0 });
  const client = fork(
    __filename,
    ['--client', `${name}:${runtime.url}`, '--events', String(n), '--concurrency', String(concurrency)],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  // The ends of a moment in one message: a message per execution cost this process 0.2 ms each.
  let ended: string[] = [];
  const tellEnded = (id: string) => {
    if (ended.length === 0)
      setImmediate(() => {
        client.send({ ended } satisfies ToClient);
        ended = [];
      });
    ended.push(id);
  };
  const sfn = runtime.app.stepFunctions;
  const startExecution = sfn.startExecution.bind(sfn);
  const executions: Execution[] = [];
  sfn.startExecution = (...args) => {
    const execution = startExecution(...args);
    if (execution.stateMachineArn.endsWith(`:${workflow.machine}`)) executions.push(execution);
    const id = (JSON.parse(execution.input) as { id: string }).id;
    void execution.done.then(() => tellEnded(id));
    return execution;
  };
  try {
    let cpu = process.cpuUsage();
    let peak = trackPeakRss();
    const timed = await new Promise<Extract<FromClient, { timed: 'end' }>>((resolve, reject) => {
      client.on('message', (message: FromClient) => {
        if (message.timed === 'start') {
          // The warm-up's executions are not counted.
          executions.length = 0;
          cpu = process.cpuUsage();
          peak();
          peak = trackPeakRss();
        } else resolve(message);
      });
      client.on('exit', (code) => reject(new Error(`the bench client exited with ${code}`)));
    });
    const used = process.cpuUsage(cpu);
    await runtime.app.settle();
    return {
      ...figures(
        n,
        timed.seconds,
        used,
        timed.latencies,
        peak(),
        executions.filter((e) => e.status !== 'SUCCEEDED').length,
      ),
      clientCpuMs: timed.cpuMs,
    };
  } finally {
    client.kill();
    await runtime.stop();
  }
}

/** The HTTP path's client: N triggers for other users untimed (warm-up), then N timed, C in flight. */
async function httpClient(workflow: Workflow, url: string, n: number, concurrency: number): Promise<void> {
  // The client shares the machine with the runtime: it is made as cheap as the SDK allows (its middleware
  // stack resolved once, not per request; its code optimized as soon as the runtime's), so that it bounds
  // the runtime's events/s as little as it can.
  tierUpSooner();
  const client = new EventBridgeClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    cacheMiddleware: true,
  });
  const ended = new Set<string>();
  const waiting = new Map<string, () => void>();
  process.on('message', (message: ToClient) => {
    for (const id of message.ended) {
      const waiter = waiting.get(id);
      if (waiter) waiter();
      else ended.add(id);
    }
  });
  const putAndWait = async (i: number) => {
    const sent = performance.now();
    const response = await client.send(new PutEventsCommand({ Entries: [workflow.trigger(i)] }));
    const id = response.Entries?.[0]?.EventId;
    if (!id) throw new Error(`PutEvents refused a trigger: ${JSON.stringify(response)}`);
    if (!ended.delete(id)) await new Promise<void>((resolve) => waiting.set(id, resolve));
    waiting.delete(id);
    return performance.now() - sent;
  };
  const say = (message: FromClient) =>
    new Promise<void>((resolve) => process.send?.(message, () => resolve()));
  await closedLoop(n, concurrency, (i) => putAndWait(n + i));
  await say({ timed: 'start' });
  const start = performance.now();
  const cpu = process.cpuUsage();
  const latencies = await closedLoop(n, concurrency, putAndWait);
  const used = process.cpuUsage(cpu);
  await say({
    timed: 'end',
    seconds: (performance.now() - start) / 1000,
    latencies,
    cpuMs: (used.user + used.system) / 1000 / n,
  });
  client.destroy();
}

/** Each worker starts an execution directly on the engine, with the input a rule would give it, and waits. */
async function onEngine(workflow: Workflow, n: number, concurrency: number): Promise<Figures> {
  const app = await LocalApp.start({ assemblyDir });
  try {
    const arn = [...app.stepFunctions.stateMachines.values()].find((m) => m.name === workflow.machine)
      ?.arn as string;
    const input = (i: number) => JSON.stringify(ruleInput(workflow.trigger(i), app.env));
    // Warm-up, untimed, with other users, as over HTTP.
    await startAndWait(app.stepFunctions, arn, n, concurrency, (i) => input(n + i));
    await app.settle();
    const run = await startAndWait(app.stepFunctions, arn, n, concurrency, input);
    await app.settle();
    return run;
  } finally {
    await app.stop();
  }
}

/**
 * The ceiling: the interpreter alone, with no services and no execution store. The workflow's definition
 * comes from the synthesized template as the runtime reads it, every Task resource is bound to an instant
 * no-op, and each execution's history is kept while it runs and let go when it ends, as the runtime with a
 * data directory lets it go (the journal holds it) and as aws-local-stepfunctions was measured.
 */
async function onInterpreter(workflow: Workflow, n: number, concurrency: number): Promise<Figures> {
  const env: LocalEnv = {
    account: '000000000000',
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:4010',
    stackName: STACK,
  };
  const template = JSON.parse(readFileSync(join(assemblyDir, `${STACK}.template.json`), 'utf8'));
  const resources = [...loadTemplate(template, env).values()].filter(
    (r) => r.type === 'AWS::StepFunctions::StateMachine' && r.attributes.Name === workflow.machine,
  );
  const sfn = new LocalStepFunctions(resources, {} as IntegrationServices, { tasks: NOOP_TASKS });
  const machine = [...sfn.stateMachines.values()][0];
  if (!machine) throw new Error(`${workflow.machine} is not in the template.`);
  forEachState(machine.definition, (name, state) => {
    if (state.Type === 'Task' && !NOOP_TASKS[state.Resource])
      throw new Error(`${workflow.machine} state '${name}': the bench has no no-op for ${state.Resource}.`);
  });
  const input = (i: number) => JSON.stringify(ruleInput(workflow.trigger(i), env));
  await runAlone(machine, n, concurrency, input); // warm-up: a ceiling is measured warm
  return runAlone(machine, n, concurrency, input);
}

/** A machine of ten Pass, Choice and instant Task states, on the interpreter alone. */
async function tenStates(n: number, concurrency: number): Promise<Figures> {
  const sfn = new LocalStepFunctions([], {} as IntegrationServices, { tasks: NOOP_TASKS });
  const machine = sfn.createStateMachine({
    name: 'bench-ten-states',
    definition: JSON.stringify(TEN_STATE_MACHINE),
  });
  const input = (i: number) => JSON.stringify({ userId: `bench-ten-${i}`, version: 1 });
  await runAlone(machine, n, concurrency, input); // warm-up, as for the ceiling
  return runAlone(machine, n, concurrency, input);
}

/** Runs `n` executions of a machine on the interpreter alone, `concurrency` at a time. */
function runAlone(
  machine: LocalStateMachine,
  n: number,
  concurrency: number,
  input: (i: number) => string,
): Promise<Figures> {
  return timedRun(n, concurrency, input, async (body) => {
    const name = randomUUID();
    const history: JournalEvent[] = [];
    const run = new ExecutionRun(
      machine.definition,
      {
        executionArn: `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`,
        name,
        stateMachineArn: machine.arn,
        stateMachineName: machine.name,
        roleArn: machine.roleArn,
      },
      JSON.parse(body),
      NOOP_HOST,
      (event) => history.push(event),
    );
    return (await run.run()).status === 'SUCCEEDED';
  });
}

/** Starts `n` executions of one machine on the service, `concurrency` at a time, each waiting for its end. */
function startAndWait(
  sfn: LocalStepFunctions,
  arn: string,
  n: number,
  concurrency: number,
  input: (i: number) => string,
): Promise<Figures> {
  return timedRun(n, concurrency, input, async (body) => {
    const execution = sfn.startExecution(arn, body);
    await execution.done;
    return execution.status === 'SUCCEEDED';
  });
}

/**
 * Runs `n` executions, `concurrency` at a time, each on the input `input` gives it; `execute` says whether
 * it succeeded. Each is timed from before it starts to its end, and the phase's CPU over all of them.
 */
async function timedRun(
  n: number,
  concurrency: number,
  input: (i: number) => string,
  execute: (body: string) => Promise<boolean>,
): Promise<Figures> {
  let failed = 0;
  const peak = trackPeakRss();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const latencies = await closedLoop(n, concurrency, async (i) => {
    const body = input(i);
    const began = performance.now();
    if (!(await execute(body))) failed++;
    return performance.now() - began;
  });
  const seconds = (performance.now() - start) / 1000;
  return figures(n, seconds, process.cpuUsage(cpu), latencies, peak(), failed);
}

/** The execution input a rule gives a state machine: the whole event. */
function ruleInput(entry: PutEventsRequestEntry, env: Pick<LocalEnv, 'account' | 'region'>) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: env.account,
    time: new Date().toISOString(),
    region: env.region,
    resources: [],
    detail: JSON.parse(entry.Detail ?? '{}'),
  };
}

/**
 * What each Lambda function answers on the interpreter alone: what the real handler answers for the bench's
 * triggers, so every execution takes the path it takes on the other two (KYC declines a sanctions hit).
 */
const LAMBDA_PAYLOADS: Record<string, (payload: Record<string, unknown>) => unknown> = {
  'onboarding-kyc-verify-identity': () => ({
    verified: true,
    checks: ['document-format', 'adult'],
    reasons: [],
  }),
  'onboarding-kyc-screen-sanctions': () => ({ hit: true, listVersion: 'sim-2025.1' }),
  'onboarding-kyc-assess-risk': () => ({ riskScore: 100, decision: 'declined', reasons: ['sanctions-hit'] }),
  'onboarding-kyc-provision-workspace': (payload) => ({ workspaceId: `ws-${String(payload.userId)}` }),
};

let noopIds = 0;

/** What the review-decision handler sends with SendTaskSuccess, as a reviewer would. */
const REVIEW_DECISION = { decision: 'approved', reviewer: 'bench', reason: 'instant no-op' };

/**
 * Every Task resource of the workflows, bound to an instant no-op whose result is shaped like the service's:
 * the claim and every fence succeed, each event is accepted, and each function answers as above.
 */
const NOOP_TASKS: Readonly<Record<string, TaskHandler>> = {
  'arn:aws:states:::dynamodb:updateItem': () => ({}),
  'arn:aws:states:::dynamodb:getItem': () => ({ Item: { version: { N: '1' } } }),
  'arn:aws:states:::events:putEvents': () => ({
    Entries: [{ EventId: `noop-${++noopIds}` }],
    FailedEntryCount: 0,
  }),
  // A manual review's event; its wait ends at once with REVIEW_DECISION (see NOOP_HOST).
  'arn:aws:states:::events:putEvents.waitForTaskToken': () => ({
    Entries: [{ EventId: `noop-${++noopIds}` }],
    FailedEntryCount: 0,
  }),
  'arn:aws:states:::sqs:sendMessage': () => ({
    MessageId: `noop-${++noopIds}`,
    MD5OfMessageBody: 'd41d8cd98f00b204e9800998ecf8427e',
  }),
  'arn:aws:states:::lambda:invoke': (parameters) => {
    const { FunctionName, Payload } = parameters as {
      FunctionName: string;
      Payload?: Record<string, unknown>;
    };
    const answer = LAMBDA_PAYLOADS[FunctionName.split(':').at(-1) ?? ''] ?? (() => ({ ok: true }));
    return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: answer(Payload ?? {}) };
  },
};

/**
 * The interpreter's host on the interpreter alone: each Task answers at once with its no-op, a task token's
 * callback comes at once with what the review-decision handler sends, and nothing waits.
 */
const NOOP_HOST: EngineHost = {
  invokeTask: async ({ resource, parameters }) => {
    const task = NOOP_TASKS[resource];
    if (!task) throw new Error(`The bench has no no-op for ${resource}.`);
    return task(parameters);
  },
  awaitTaskToken: () => ({ result: Promise.resolve(REVIEW_DECISION) }),
  sleep: () => Promise.resolve(),
  taskTimeoutMs: (seconds) => seconds * 1000,
};

/** Ten states: Pass, then three rounds of an instant Task, a Choice on its result and a Pass. */
const TEN_STATE_MACHINE = (() => {
  const states: Record<string, object> = {
    Prepare: { Type: 'Pass', Result: { round: 0 }, ResultPath: '$.progress', Next: 'Task 1' },
  };
  for (const round of [1, 2, 3]) {
    const next = round === 3 ? undefined : `Task ${round + 1}`;
    states[`Task ${round}`] = {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'bench-noop', 'Payload.$': '$.progress' },
      ResultSelector: { 'ok.$': '$.Payload.ok' },
      ResultPath: `$.task${round}`,
      Next: `Check ${round}`,
    };
    states[`Check ${round}`] = {
      Type: 'Choice',
      Choices: [{ Variable: `$.task${round}.ok`, BooleanEquals: true, Next: `Record ${round}` }],
      Default: `Record ${round}`,
    };
    states[`Record ${round}`] = {
      Type: 'Pass',
      Result: { round },
      ResultPath: '$.progress',
      ...(next ? { Next: next } : { End: true }),
    };
  }
  return { StartAt: 'Prepare', States: states };
})();

function figures(
  n: number,
  seconds: number,
  cpu: NodeJS.CpuUsage,
  latencies: number[],
  peakRss: number,
  failed: number,
): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return {
    eventsPerSecond: n / seconds,
    cpuMs: (cpu.user + cpu.system) / 1000 / n,
    p50: at(0.5),
    p99: at(0.99),
    peakRssMb: peakRss / 2 ** 20,
    failed,
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
