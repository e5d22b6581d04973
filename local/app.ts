import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalDynamoDb } from './dynamodb';
import { AwsError } from './errors';
import { LocalEventBridge } from './eventbridge/bus';
import { LocalLambdas } from './lambda';
import { DataDirectory } from './persistence';
import { LocalQueue, LocalQueues, type QueueSettings } from './sqs';
import type { Retention } from './stepfunctions/journal/store';
import { LocalStepFunctions, type StepFunctionsOptions } from './stepfunctions/service';
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
}

/**
 * The synthesized app, running in-process: the template's bus and rules, state machines, table, queues
 * and functions, wired together exactly as the template wires them.
 */
export class LocalApp {
  /** What the start found running in the data directory and resumed. */
  resumed: { resumed: number; orphans: string[] } = { resumed: 0, orphans: [] };
  private constructor(
    readonly env: LocalEnv,
    /** Log group ARN -> the lines targets wrote to it (the audit log). */
    readonly logs: ReadonlyMap<string, string[]>,
    readonly resources: Map<string, Resource>,
    readonly dynamodb: LocalDynamoDb,
    readonly queues: LocalQueues,
    readonly lambdas: LocalLambdas,
    readonly eventBridge: LocalEventBridge,
    readonly stepFunctions: LocalStepFunctions,
    private readonly dataDirectory?: DataDirectory,
  ) {}

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

    const queues = new LocalQueues();
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
    const journal =
      options.dataDir === undefined ? undefined : DataDirectory.claim(options.dataDir, options.retention);
    const dynamodb = await LocalDynamoDb.start({
      dataDir: options.dataDir && DataDirectory.dynamoDbPath(options.dataDir),
    });
    try {
      for (const r of all.filter((r) => r.type.startsWith('AWS::DynamoDB::'))) await dynamodb.createTable(r);
      const logs = new Map<string, string[]>();
      for (const r of all.filter((r) => r.type === 'AWS::Logs::LogGroup'))
        logs.set(r.attributes.Arn as string, []);

      // Forward references: the bus delivers to state machines, which put events on the bus.
      let stepFunctions: LocalStepFunctions | undefined;
      const eventBridge = new LocalEventBridge(all, env, async (arn, input, messageAttributes) => {
        if (arn.includes(':states:') && stepFunctions) {
          stepFunctions.startExecution(arn, input);
        } else if (arn.includes(':sqs:')) {
          queues.find(arn).send(input, { messageAttributes });
        } else if (arn.includes(':logs:')) {
          const group = logs.get(arn) ?? logs.get(`${arn}:*`);
          if (!group) throw new AwsError('ResourceNotFoundException', `Log group ${arn} does not exist.`);
          group.push(input);
        } else if (arn.includes(':lambda:')) {
          await lambdas.invoke(arn, JSON.parse(input));
        } else {
          throw new AwsError('ResourceNotFoundException', `Target ${arn} is not emulated.`);
        }
      });
      const dataDirectory =
        options.dataDir === undefined || journal === undefined
          ? undefined
          : DataDirectory.open(options.dataDir, { eventBridge, queues }, journal, options.retention);
      stepFunctions = new LocalStepFunctions(
        all,
        { dynamodb, eventBridge, queues, lambdas },
        { ...options, ...(dataDirectory ? { journal: dataDirectory.executions } : {}) },
      );
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
      // Executions that were running when the runtime last stopped go on where their histories say.
      app.resumed = stepFunctions.resumeRunning();
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
      await this.eventBridge.settle();
      await this.stepFunctions.settle();
    } while (this.eventBridge.busy || this.stepFunctions.busy);
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
   * Stops the app. Running executions stop where they are; with a data directory their histories are
   * journaled, and they resume from there at the next start.
   */
  async stop(): Promise<void> {
    await this.stepFunctions.haltAll();
    await this.dataDirectory?.close();
    await this.dynamodb.stop();
  }
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
  return settings;
}
