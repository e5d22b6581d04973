/**
 * `npm start`: the local runtime. Synthesizes the CDK app (or reuses an up-to-date cdk.out) and serves it
 * on http://127.0.0.1:4010 behind AWS-compatible APIs (EventBridge, Step Functions, DynamoDB, SQS, CloudWatch Logs,
 * Secrets Manager, EventBridge Schemas) and the template's Lambda function URLs.
 */
import { join, relative, resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { STOP_GRACE_MS } from './app';
import { parseFaultOption } from './eventbridge/faults';
import { LocalRuntime } from './runtime';
import { parseSecretOption } from './secrets';

const root = join(__dirname, '..');

const USAGE = `Usage: npm start -- [options]

  --port <n>            port to listen on (default 4010; 0 picks a free one)
  --host <address>      address to bind (default 127.0.0.1; the runtime has no authentication)
  --allowed-host <name> also answer requests whose Host header is this name, e.g. a Docker service name, or
                        name:port when clients reach it on another port (otherwise only the bound address,
                        and localhost, 127.0.0.1 and [::1] when it is loopback, are answered; repeatable)
  --data-dir <dir>      where tables, queues, executions and events persist (default .local-data)
  --in-memory           keep nothing across restarts
  --retention-days <n>  delete closed executions older than this (default 90, as AWS)
  --retention-count <n> keep at most this many closed executions (default 1000000)
  --fault <rule>        fail PutEvents entries, e.g. errorCode=InternalFailure,next=2,detailType=Account Approved
                        (keys: errorCode InternalFailure|ThrottlingException, next, rate, source, detailType; repeatable)
  --faults-file <file>  a JSON array of fault rules in the same keys
  --assembly <dir>      serve this already-synthesized cloud assembly instead of synthesizing into cdk.out
  --secret <name=value> the local value of the template's secret <name> (repeatable); the environment variable
                        LOCAL_SECRETS (a JSON object name -> value) sets them too. Otherwise a secret has its
                        template's SecretString, or a value generated from GenerateSecretString (kept in the data
                        directory). Values are never printed.
  --help, -h            this text

Ctrl-C (SIGINT) or SIGTERM stops it. With a data directory, each task call in flight first finishes and
has its result journaled (for up to ${STOP_GRACE_MS / 1000} s; a second Ctrl-C stops at once); a call still in
flight then is journaled as such and runs again at the next start.`;

const OPTIONS = {
  port: { type: 'string', default: '4010' },
  host: { type: 'string', default: '127.0.0.1' },
  'allowed-host': { type: 'string', multiple: true, default: [] as string[] },
  'data-dir': { type: 'string', default: join(root, '.local-data') },
  'in-memory': { type: 'boolean', default: false },
  'retention-days': { type: 'string', default: '90' },
  'retention-count': { type: 'string', default: '1000000' },
  fault: { type: 'string', multiple: true, default: [] as string[] },
  'faults-file': { type: 'string' },
  assembly: { type: 'string' },
  secret: { type: 'string', multiple: true, default: [] as string[] },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies ParseArgsConfig['options'];

/** A mistake on the command line: reported in one line that says where the options are described. */
class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(problem: string) {
    super(`${problem} Run \`npm start -- --help\` to see the options.`);
  }
}

/** The command line's options; an unknown option, a missing value or a stray argument is a UsageError. */
function parseOptions(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (!code?.startsWith('ERR_PARSE_ARGS_')) throw error;
    const message = (error as Error).message;
    const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1];
    if (unknown) {
      const near = closestOption(unknown);
      throw new UsageError(`Unknown option '${unknown}'${near ? ` (did you mean --${near}?)` : ''}.`);
    }
    // parseArgs' own sentence names the option or argument; its first sentence is enough.
    throw new UsageError(`${message.split('. ')[0]?.replace(/\.$/, '')}.`);
  }
}

/** The option an unknown one was most likely meant to be: at most two edits away. */
function closestOption(given: string): string | undefined {
  const name = given.replace(/^-+/, '').split('=')[0] ?? '';
  let best: { option: string; distance: number } | undefined;
  for (const option of Object.keys(OPTIONS)) {
    const distance = editDistance(name, option);
    if (distance <= 2 && (!best || distance < best.distance)) best = { option, distance };
  }
  return best?.option;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length] ?? 0;
}

async function main(): Promise<void> {
  const values = parseOptions(process.argv.slice(2));
  if (values.help) return void console.log(USAGE);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`--port ${values.port} is not a port.`);

  const days = Number(values['retention-days']);
  const count = Number(values['retention-count']);
  if (!(days > 0))
    throw new UsageError(`--retention-days ${values['retention-days']} is not a positive number of days.`);
  if (!Number.isInteger(count) || count < 0)
    throw new UsageError(`--retention-count ${values['retention-count']} is not a count of executions.`);
  const allowedHosts = values['allowed-host'];
  if (allowedHosts.some((name) => name.trim() === ''))
    throw new UsageError('--allowed-host needs a host name.');
  const dataDir = values['in-memory'] ? undefined : values['data-dir'];

  // Absolute, so that the functions' code is found however the runtime's modules resolve paths.
  const assemblyDir = values.assembly ? resolve(values.assembly) : join(root, 'cdk.out');
  console.log(
    values.assembly
      ? `Loading the app from ${values.assembly}...`
      : 'Loading the app from cdk.out (synthesizing it first if its sources changed)...',
  );
  const runtime = await LocalRuntime.start({
    assemblyDir,
    synthesize: values.assembly === undefined,
    host: values.host,
    port,
    allowedHosts,
    dataDir,
    faults: values.fault.map(parseFaultOption),
    faultsFile: values['faults-file'],
    secrets: secretOptions(values.secret),
    retention: { maxAgeMs: days * 24 * 3600 * 1000, maxCount: count },
  });
  console.log(describe(runtime, dataDir, allowedHosts));
  const { orphans } = runtime.app.resumed;
  if (orphans.length > 0)
    console.warn(
      `\nWarning: ${orphans.length} running execution(s) belong to state machines no longer in the app; they wait, untouched, for them to come back:\n  ${orphans.join('\n  ')}`,
    );
  if (!['127.0.0.1', 'localhost', '::1'].includes(values.host))
    console.warn(`\nWarning: listening on ${values.host}, not loopback. The runtime has no authentication.`);

  let stopping: AbortController | undefined;
  let firstSignalAt = 0;
  const stop = (signal: NodeJS.Signals) => {
    // A second signal ends the wait for task calls in flight: they run again at the next start. One Ctrl-C
    // can arrive twice (from the terminal, and relayed by `npm start` where sh execs node): a repeat within
    // a second is that same Ctrl-C.
    if (stopping) {
      if (!stopping.signal.aborted && dataDir && Date.now() - firstSignalAt > 1_000) {
        console.log(`${signal} again: stopping now; task calls still in flight run again at the next start.`);
        stopping.abort();
      }
      return;
    }
    stopping = new AbortController();
    firstSignalAt = Date.now();
    console.log(
      dataDir
        ? `\n${signal}: stopping; state is kept in ${dataDir}. Task calls in flight finish and are journaled first (up to ${STOP_GRACE_MS / 1000} s; Ctrl-C again: stop now).`
        : `\n${signal}: stopping (in memory: nothing is kept).`,
    );
    runtime.stop({ graceMs: STOP_GRACE_MS, now: stopping.signal }).then(
      ({ finished, inFlight }) => {
        if (finished > 0) console.log(`${plural(finished, 'task call')} finished and journaled.`);
        if (inFlight > 0)
          console.log(
            `${plural(inFlight, 'task call')} still in flight, journaled as such: run again at the next start.`,
          );
        process.exit(0);
      },
      (error: unknown) => {
        console.error('The runtime did not stop cleanly:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** What the runtime loaded, where it listens, and commands to paste. */
function describe(
  runtime: LocalRuntime,
  dataDir: string | undefined,
  allowedHosts: readonly string[],
): string {
  const { app, url } = runtime;
  const lines: string[] = [
    runtime.synthesized
      ? 'Synthesized the app into cdk.out.'
      : 'Reused cdk.out (up to date with the sources).',
    '',
  ];
  const section = (title: string, items: string[]) =>
    lines.push(`${title} (${items.length}):`, ...items.map((i) => `  ${i}`));
  section('Event buses', [...app.eventBridge.buses.keys()]);
  section(
    'Rules',
    app.eventBridge.rules.map((r) => `${r.name} -> ${r.targets.map((t) => resourceName(t.Arn)).join(', ')}`),
  );
  section(
    'State machines',
    [...app.stepFunctions.stateMachines.values()].map((m) => `${m.name}  ${m.arn}`),
  );
  const named = (typePrefix: string) =>
    [...app.resources.values()].filter((r) => r.type.startsWith(typePrefix)).map((r) => r.ref);
  section('Tables', named('AWS::DynamoDB::'));
  section(
    'Queues',
    app.queues.all().map((q) => q.url),
  );
  section('Functions', named('AWS::Lambda::Function'));
  section(
    'Function URLs',
    app.functionUrls.list().map((u) => `${u.functionName}  ${u.url}`),
  );
  // Names and where each value came from; never a value.
  section(
    'Secrets',
    app.secrets
      .list()
      .map((s) => `${s.name}  (${s.source === 'generated' ? 'value generated' : `value from ${s.source}`})`),
  );
  const sample = relative(process.cwd(), join(root, 'events', 'samples', 'account-requested-approved.json'));
  lines.push(
    '',
    `Listening on ${url}  (EventBridge, Step Functions, DynamoDB, SQS, Logs, Secrets Manager and Schemas APIs)`,
    `Execution viewer: ${url}/`,
    dataDir
      ? `Data directory: ${dataDir} (resumed ${app.resumed.resumed} running execution${app.resumed.resumed === 1 ? '' : 's'})`
      : 'In memory: nothing is kept after it stops.',
    app.eventBridge.faults.length > 0 ? `Fault injection: ${JSON.stringify(app.eventBridge.faults)}` : '',
    allowedHosts.length > 0 ? `Also answers the Host names: ${allowedHosts.join(', ')}` : '',
    '',
    'Try it (any credentials will do; the runtime does not check them):',
    '  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-1',
    `  aws events put-events --endpoint-url ${url} --entries file://${sample}`,
    `  aws stepfunctions list-executions --endpoint-url ${url} --state-machine-arn ${[...app.stepFunctions.stateMachines.keys()][0]}`,
    '',
    dataDir
      ? 'Ctrl-C stops it, once the task calls in flight have finished (Ctrl-C again: at once).'
      : 'Ctrl-C stops it.',
  );
  return lines.filter((line, i, all) => line !== '' || all[i - 1] !== '').join('\n');
}

/** The `--secret name=value` options by name; a malformed one is a UsageError that does not echo its value. */
function secretOptions(options: readonly string[]): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const option of options) {
    try {
      const [name, value] = parseSecretOption(option);
      secrets[name] = value;
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return secrets;
}

/** The name in an ARN: `…:stateMachine:<name>`, `…:<queue name>`, `…:log-group:<name>:*`. */
function resourceName(arn: string): string {
  const parts = arn.split(':');
  return parts[5] === 'log-group' ? (parts[6] ?? arn) : (parts.at(-1) ?? arn);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
