import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { LocalDynamoDb } from './dynamodb';
import { AwsError, UnsupportedTemplateError } from './errors';
import { LocalEventSourceMappings } from './event-source-mappings';
import { Archives } from './eventbridge/archive';
import { LocalEventBridge } from './eventbridge/bus';
import { RulesAdmin } from './eventbridge/rules-admin';
import { EventBridgeStore } from './eventbridge/store';
import { executionLogSource } from './execution-logs';
import { LocalFunctionUrls } from './function-urls';
import { LocalLambdas } from './lambda';
import { LocalLogs } from './logs';
import { DataDirectory } from './persistence';
import { LocalSchemaRegistry } from './schemas';
import { LocalSecrets, parseLocalSecrets } from './secrets';
import { LocalQueue, LocalQueues, type QueueSettings } from './sqs';
import { STATUS_CHANGE_DETAIL_TYPE, STATUS_CHANGE_SOURCE, statusChangeOf } from './status-events';
import type { ExecutionJournal, Retention } from './stepfunctions/journal/store';
import {
  type LocalStateMachine,
  LocalStepFunctions,
  type StepFunctionsOptions,
} from './stepfunctions/service';
import { type LocalEnv, loadTemplate, type Resource } from './template';

export interface LocalAppOptions extends StepFunctionsOptions {
  /** The cloud assembly directory (cdk.out) holding the template and the bundled function code. */
  readonly assemblyDir: string;
  readonly stackName?: string;
  readonly endpoint?: string;
  readonly account?: string;
  readonly region?: string;
  /** Where tables, queues, executions and events are kept across restarts; in memory when absent. */
  readonly dataDir?: string;
  /** How long closed executions are kept in the data directory. */
  readonly retention?: Retention;
  /** Local values of the template's secrets by name (`--secret name=value`), before LOCAL_SECRETS'. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Where LOCAL_SECRETS is read from (default process.env). */
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

/**
 * The synthesized app, running in-process: the template's bus and rules, state machines, table, queues
 * and functions, wired together exactly as the template wires them.
 */
export class LocalApp {
  /** What the start found running in the data directory and resumed. */
  resumed: { resumed: number; orphans: string[] } = { resumed: 0, orphans: [] };
  /** The bus's deliveries to targets, held as the app stops (see Deliveries). */
  private deliveries = new Deliveries();
  /** The template's Lambda event source mappings from SQS, polling from the start until `stop`. */
  eventSourceMappings?: LocalEventSourceMappings;
  /** The template's Lambda function URLs, served at `/lambda-url/<function-name>/`. */
  functionUrls!: LocalFunctionUrls;
  /** The template's secrets with their local values, which are never printed. */
  secrets!: LocalSecrets;
  /** The rules a team creates at run time (PutRule, PutTargets, ...), kept in `eventBridgeStore`. */
  rules!: RulesAdmin;
  /** The bus's archives (the template's and a team's) and their replays. */
  archives!: Archives;
  /** The template's schema registry (the event catalogue), read-only. */
  schemaRegistry!: LocalSchemaRegistry;
  /** What a team creates through the EventBridge API: rules, archives, replays (`eventbridge.db`). */
  eventBridgeStore?: EventBridgeStore;
  private constructor(
    readonly env: LocalEnv,
    /** CloudWatch Logs: the template's log groups (the audit log, the state machines' execution logs). */
    readonly logs: LocalLogs,
    readonly resources: Map<string, Resource>,
    readonly dynamodb: LocalDynamoDb,
    readonly queues: LocalQueues,
    readonly lambdas: LocalLambdas,
    readonly eventBridge: LocalEventBridge,
    readonly stepFunctions: LocalStepFunctions,
    private readonly dataDirectory?: DataDirectory,
  ) {}

  /** The executions journal of the data directory (the viewer queries it); undefined in memory. */
  get executionJournal(): ExecutionJournal | undefined {
    return this.dataDirectory?.executions;
  }

  static async start(options: LocalAppOptions): Promise<LocalApp> {
    const stackName = options.stackName ?? 'OnboardingKyc';
    const env: LocalEnv = {
      account: options.account ?? '000000000000',
      region: options.region ?? 'us-east-1',
      endpoint: options.endpoint ?? 'http://127.0.0.1:4010',
      stackName,
    };
    const template = JSON.parse(
      readFileSync(join(options.assemblyDir, `${stackName}.template.json`), 'utf8'),
    );
    const resources = loadTemplate(template, env);
    const all = [...resources.values()];

    const queues = new LocalQueues(env);
    for (const r of all.filter((r) => r.type === 'AWS::SQS::Queue')) {
      queues.add(
        new LocalQueue(
          r.attributes.QueueName as string,
          r.ref,
          r.attributes.Arn as string,
          Number(r.properties.VisibilityTimeout ?? 30),
          queueSettings(r.properties),
        ),
      );
    }
    const lambdas = new LocalLambdas(all, options.assemblyDir, options.endpoint, env.region);
    queues.applyRedrivePolicies(all);
    const eventSourceMappings = new LocalEventSourceMappings(all, queues, lambdas);
    const functionUrls = new LocalFunctionUrls(all, lambdas, env);
    const journal =
      options.dataDir === undefined ? undefined : DataDirectory.claim(options.dataDir, options.retention);
    const dynamodb = await LocalDynamoDb.start({
      dataDir: options.dataDir && DataDirectory.dynamoDbPath(options.dataDir),
    });
    try {
      for (const r of all.filter((r) => r.type.startsWith('AWS::DynamoDB::'))) await dynamodb.createTable(r);
      // Once the data directory is claimed: a generated value kept there is never raced by another runtime.
      const secrets = new LocalSecrets(
        all,
        {
          option: options.secrets,
          environment: parseLocalSecrets((options.environment ?? process.env).LOCAL_SECRETS),
        },
        options.dataDir,
      );
      const logs = new LocalLogs(LocalLogs.groupsOf(all), options.dataDir);

      // Forward references: the bus delivers to state machines, which put events on the bus.
      let stepFunctions: LocalStepFunctions | undefined;
      const deliveries = new Deliveries();
      const eventBridge = new LocalEventBridge(all, env, (arn, input, options = {}) =>
        deliveries.deliver(arn, async () => {
          if (arn.includes(':states:') && stepFunctions) {
            stepFunctions.startExecution(arn, input);
          } else if (arn.includes(':sqs:')) {
            queues.find(arn).send(input, options);
          } else if (arn.includes(':logs:')) {
            logs.putFromRule(arn, input);
          } else if (arn.includes(':lambda:')) {
            await lambdas.invoke(arn, JSON.parse(input));
          } else {
            throw new AwsError('ResourceNotFoundException', `Target ${arn} is not emulated.`);
          }
        }),
      );
      // A team's rules are back before the data directory delivers again what the last run left undelivered.
      const eventBridgeStore = new EventBridgeStore(options.dataDir);
      const rules = new RulesAdmin(eventBridge, eventBridgeStore);
      rules.restore();
      const archives = new Archives(all, eventBridge, eventBridgeStore);
      const dataDirectory =
        options.dataDir === undefined || journal === undefined
          ? undefined
          : DataDirectory.open(options.dataDir, { eventBridge, queues }, journal, options.retention);
      stepFunctions = new LocalStepFunctions(
        all,
        { dynamodb, eventBridge, queues, lambdas },
        { ...options, ...(dataDirectory ? { journal: dataDirectory.executions } : {}) },
      );
      observeExecutions(stepFunctions, eventBridge, logs);
      const app = new LocalApp(
        env,
        logs,
        resources,
        dynamodb,
        queues,
        lambdas,
        eventBridge,
        stepFunctions,
        dataDirectory,
      );
      app.deliveries = deliveries;
      app.functionUrls = functionUrls;
      app.secrets = secrets;
      app.rules = rules;
      app.archives = archives;
      app.schemaRegistry = new LocalSchemaRegistry(all);
      app.eventBridgeStore = eventBridgeStore;
      // Executions that were running when the runtime last stopped go on where their histories say.
      app.resumed = stepFunctions.resumeRunning();
      app.eventSourceMappings = eventSourceMappings.start();
      tierUpSooner();
      return app;
    } catch (error) {
      journal?.close();
      await dynamodb.stop();
      throw error;
    }
  }

  /** Resolves when every event has been delivered and every execution has ended, transitively. */
  async settle(): Promise<void> {
    // Deliveries start executions and executions put events: repeat until neither has work in flight.
    do {
      await this.archives.settle();
      await this.eventBridge.settle();
      await this.stepFunctions.settle();
    } while (this.archives.busy || this.eventBridge.busy || this.stepFunctions.busy);
  }

  /** The resource with this logical id prefix, e.g. `VersionTable`. */
  resource(type: string, logicalIdPrefix: string): Resource {
    const found = [...this.resources.values()].filter(
      (r) => r.type === type && r.logicalId.startsWith(logicalIdPrefix),
    );
    if (found.length !== 1)
      throw new Error(`Expected one ${type} named ${logicalIdPrefix}*, found ${found.length}.`);
    return found[0] as Resource;
  }

  /**
   * Stops the app, losing nothing. With a data directory, first gracefully for up to `graceMs`: no
   * execution enters another state or starts another task call, a Wait, a retry backoff or a callback
   * stops waiting, and each task call in flight ends and has its result journaled, so the tables and the
   * histories agree; then the deliveries of accepted events (those the finished calls put among them) get
   * what is left of `graceMs` to end, except deliveries to Lambda functions, which are held for the next
   * start (see Deliveries). What is still under way then stops at once: a task call still in flight
   * stays journaled as in flight and runs again at the next start (at-least-once), and an event not
   * delivered to all its targets is delivered again. Then the journals and the tables close. Running
   * executions resume from their histories at the next start. In memory, nothing is kept, so nothing is
   * waited for but the deliveries (up to `BUS_GRACE_MS`).
   */
  async stop(options: StopOptions = {}): Promise<StopReport> {
    const graceMs = options.graceMs ?? STOP_GRACE_MS;
    const deadline = Date.now() + graceMs;
    let report: StopReport = { finished: 0, inFlight: 0 };
    this.deliveries.hold();
    await this.archives.halt();
    await this.eventSourceMappings?.stop();
    // A message move task stops between steps: what it moved stays moved (SQS keeps no task across a stop here).
    this.queues.stopMoveTasks();
    if (this.dataDirectory) report = await this.stepFunctions.drain(graceMs, options.now);
    const busGrace = this.dataDirectory ? deadline - Date.now() : Math.min(graceMs, BUS_GRACE_MS);
    await within(this.deliveries.settled(this.eventBridge), busGrace, options.now);
    this.dataDirectory?.detach();
    await this.stepFunctions.haltAll();
    await this.dataDirectory?.close();
    this.logs.close();
    this.eventBridgeStore?.close();
    await this.dynamodb.stop();
    return report;
  }
}

/**
 * What Step Functions derives from every execution's history, outside the engine: each state machine with a
 * LoggingConfiguration has the events of its level in its log group, one stream per execution (read from the
 * histories when asked for), and each Standard execution's status changes go on the default bus as
 * `aws.states` events.
 */
function observeExecutions(
  stepFunctions: LocalStepFunctions,
  eventBridge: LocalEventBridge,
  logs: LocalLogs,
): void {
  const byGroup = new Map<string, LocalStateMachine[]>();
  for (const machine of stepFunctions.stateMachines.values()) {
    const arn = machine.loggingConfiguration?.destinations[0]?.cloudWatchLogsLogGroup.logGroupArn;
    if (arn === undefined) continue;
    const group = logs.group(arn);
    if (!group)
      throw new UnsupportedTemplateError(
        `State machine ${machine.name} logs to ${arn}, which is not a log group of the template.`,
      );
    byGroup.set(group.name, [...(byGroup.get(group.name) ?? []), machine]);
  }
  for (const [group, machines] of byGroup) logs.derive(group, executionLogSource(stepFunctions, machines));
  stepFunctions.onHistoryEvent = (execution, machine, event) => {
    const change = statusChangeOf(execution, machine, event);
    if (change)
      eventBridge.putServiceEvent(
        'default',
        {
          source: STATUS_CHANGE_SOURCE,
          detailType: STATUS_CHANGE_DETAIL_TYPE,
          detail: { ...change.detail },
          resources: change.resources,
        },
        change.time,
      );
  };
}

/** How long a stop waits, at most, for task calls in flight and for deliveries (`LocalApp.stop`). */
export const STOP_GRACE_MS = 30_000;
/** In memory, how long a stop lets accepted events reach their targets. */
const BUS_GRACE_MS = 2_000;

export interface StopOptions {
  /** The ceiling of the graceful part of the stop (default `STOP_GRACE_MS`). */
  readonly graceMs?: number;
  /** Ends the graceful part at once when it aborts (a second Ctrl-C). */
  readonly now?: AbortSignal;
}

/** What a stop did with the task calls in flight when it began. */
export interface StopReport {
  /** Calls that ended, their results journaled. */
  readonly finished: number;
  /** Calls still in flight at the ceiling: journaled as in flight, they run again at the next start. */
  readonly inFlight: number;
}

/**
 * The bus's deliveries to targets, as the app stops. A Lambda function's handler may call the runtime's
 * own API (AWS_ENDPOINT_URL), which stops answering first: its delivery would fail and be dead-lettered. So
 * once the app stops, a delivery to a function is held, never made: the event stays undelivered in the
 * data directory and is delivered again at the next start (to all its targets: at least once).
 */
class Deliveries {
  private holding = false;
  /** Deliveries being made (not held). */
  private active = 0;
  private onChange: (() => void)[] = [];

  deliver(arn: string, make: () => Promise<void>): Promise<void> {
    if (this.holding && arn.includes(':lambda:')) {
      this.changed();
      return new Promise<void>(() => {});
    }
    this.active++;
    return make().finally(() => {
      this.active--;
      this.changed();
    });
  }

  /** From now on, deliveries to functions are held. */
  hold(): void {
    this.holding = true;
  }

  /** Resolves when the bus has no delivery under way but held ones. */
  async settled(bus: { readonly busy: boolean }): Promise<void> {
    for (;;) {
      if (!bus.busy) return;
      // The bus makes a delivery one turn (setImmediate) after accepting its event: after a turn, each one
      // under way is being made (active) or held.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.active === 0) return;
      await new Promise<void>((resolve) => this.onChange.push(resolve));
    }
  }

  private changed(): void {
    const waiting = this.onChange;
    this.onChange = [];
    for (const resolve of waiting) resolve();
  }
}

/** Waits for `work`, for at most `ms` and not past `now` aborting. */
async function within(work: Promise<unknown>, ms: number, now?: AbortSignal): Promise<void> {
  if (ms <= 0 || now?.aborted) return;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  await Promise.race([
    work,
    new Promise<void>((resolve) => {
      onAbort = () => resolve();
      timer = setTimeout(onAbort, ms);
      now?.addEventListener('abort', onAbort, { once: true });
    }),
  ]);
  clearTimeout(timer);
  if (onAbort) now?.removeEventListener('abort', onAbort);
}

/**
 * Node 20's V8 (11.x) optimizes a function once it has run an "interrupt budget" of bytecode, 67,584 by
 * default. What the app runs per event runs thousands of times, so a quarter of that gets it optimized several
 * hundred executions sooner. Bench, 1,000 events after 1,000 warm-up, medians of four or five: CPU per
 * execution 27% less for access change on the engine path, 11% onboarding, 7% KYC; the interpreter alone,
 * already hot by then, unchanged. Set once the app has started, so that code run once at startup is not
 * optimized for nothing (set before, `npm start` took about 100 ms longer). Node 24's V8 counts invocations
 * instead and rejects the flag.
 */
export function tierUpSooner(): void {
  if (process.versions.v8.startsWith('11.')) setFlagsFromString('--interrupt-budget=16896');
}

/** The template's settings of a queue; SQS's defaults for those it leaves out. */
function queueSettings(p: Record<string, unknown>): Partial<QueueSettings> {
  const settings: Record<string, number> = {};
  for (const [property, setting] of [
    ['DelaySeconds', 'delaySeconds'],
    ['MaximumMessageSize', 'maximumMessageSize'],
    ['MessageRetentionPeriod', 'messageRetentionPeriodSeconds'],
    ['ReceiveMessageWaitTimeSeconds', 'receiveMessageWaitTimeSeconds'],
  ] as const) {
    if (p[property] !== undefined) settings[setting] = Number(p[property]);
  }
  // FIFO queues (SQS Developer Guide, "Amazon SQS FIFO queues"): CloudFormation's booleans may be strings.
  const flag = (value: unknown) => value === true || String(value).toLowerCase() === 'true';
  const fifo: Partial<Record<keyof QueueSettings, unknown>> = {};
  if (p.FifoQueue !== undefined) fifo.fifoQueue = flag(p.FifoQueue);
  if (p.ContentBasedDeduplication !== undefined)
    fifo.contentBasedDeduplication = flag(p.ContentBasedDeduplication);
  if (p.DeduplicationScope !== undefined) fifo.deduplicationScope = p.DeduplicationScope;
  if (p.FifoThroughputLimit !== undefined) fifo.fifoThroughputLimit = p.FifoThroughputLimit;
  return { ...settings, ...fifo } as Partial<QueueSettings>;
}
