/**
 * `npm start`: the local runtime. Synthesizes the CDK app (or reuses an up-to-date cdk.out) and serves it
 * on http://127.0.0.1:4010 behind AWS-compatible EventBridge, Step Functions, DynamoDB and SQS APIs.
 */
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { parseFaultOption } from './eventbridge/faults';
import { LocalRuntime } from './runtime';

const root = join(__dirname, '..');

const USAGE = `Usage: npm start -- [options]

  --port <n>            port to listen on (default 4010; 0 picks a free one)
  --host <address>      address to bind (default 127.0.0.1; the runtime has no authentication)
  --data-dir <dir>      where tables, queues, executions and events persist (default .local-data)
  --in-memory           keep nothing across restarts
  --retention-days <n>  delete closed executions older than this (default 90, as AWS)
  --retention-count <n> keep at most this many closed executions (default 1000000)
  --fault <rule>        fail PutEvents entries, e.g. errorCode=InternalFailure,next=2,detailType=Account Approved
                        (keys: errorCode InternalFailure|ThrottlingException, next, rate, source, detailType; repeatable)
  --faults-file <file>  a JSON array of fault rules in the same keys
  --assembly <dir>      serve this already-synthesized cloud assembly instead of synthesizing into cdk.out
  --help                this text`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string', default: join(root, '.local-data') },
      'in-memory': { type: 'boolean', default: false },
      'retention-days': { type: 'string', default: '90' },
      'retention-count': { type: 'string', default: '1000000' },
      fault: { type: 'string', multiple: true, default: [] },
      'faults-file': { type: 'string' },
      assembly: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void console.log(USAGE);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port ${values.port} is not a port.`);

  const days = Number(values['retention-days']);
  const count = Number(values['retention-count']);
  if (!(days > 0))
    throw new Error(`--retention-days ${values['retention-days']} is not a positive number of days.`);
  if (!Number.isInteger(count) || count < 0)
    throw new Error(`--retention-count ${values['retention-count']} is not a count of executions.`);

  const assemblyDir = values.assembly ?? join(root, 'cdk.out');
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
    dataDir: values['in-memory'] ? undefined : values['data-dir'],
    faults: values.fault.map(parseFaultOption),
    faultsFile: values['faults-file'],
    retention: { maxAgeMs: days * 24 * 3600 * 1000, maxCount: count },
  });
  console.log(describe(runtime, values['in-memory'] ? undefined : values['data-dir']));
  const { orphans } = runtime.app.resumed;
  if (orphans.length > 0)
    console.warn(
      `\nWarning: ${orphans.length} running execution(s) belong to state machines no longer in the app; they wait, untouched, for them to come back:\n  ${orphans.join('\n  ')}`,
    );
  if (!['127.0.0.1', 'localhost', '::1'].includes(values.host))
    console.warn(`\nWarning: listening on ${values.host}, not loopback. The runtime has no authentication.`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping (state is kept in the data directory)...`);
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** What the runtime loaded, where it listens, and commands to paste. */
function describe(runtime: LocalRuntime, dataDir: string | undefined): string {
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
  const sample = relative(process.cwd(), join(root, 'events', 'samples', 'account-requested-approved.json'));
  lines.push(
    '',
    `Listening on ${url}  (EventBridge, Step Functions, DynamoDB and SQS APIs)`,
    `Execution viewer: ${url}/`,
    dataDir
      ? `Data directory: ${dataDir} (resumed ${app.resumed.resumed} running execution${app.resumed.resumed === 1 ? '' : 's'})`
      : 'In memory: nothing is kept after it stops.',
    app.eventBridge.faults.length > 0 ? `Fault injection: ${JSON.stringify(app.eventBridge.faults)}` : '',
    '',
    'Try it (any credentials will do; the runtime does not check them):',
    '  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-1',
    `  aws events put-events --endpoint-url ${url} --entries file://${sample}`,
    `  aws stepfunctions list-executions --endpoint-url ${url} --state-machine-arn ${[...app.stepFunctions.stateMachines.keys()][0]}`,
    '',
    'Ctrl-C stops it.',
  );
  return lines.filter((line, i, all) => line !== '' || all[i - 1] !== '').join('\n');
}

/** The name in an ARN: `…:stateMachine:<name>`, `…:<queue name>`, `…:log-group:<name>:*`. */
function resourceName(arn: string): string {
  const parts = arn.split(':');
  return parts[5] === 'log-group' ? (parts[6] ?? arn) : (parts.at(-1) ?? arn);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
