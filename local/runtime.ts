import { readFileSync } from 'node:fs';
import { LocalApp, type StopOptions, type StopReport } from './app';
import { ensureAssembly } from './assembly';
import type { FaultRule } from './eventbridge/faults';
import { parseFaultRule } from './eventbridge/faults';
import { LocalServer } from './server';
import type { Retention } from './stepfunctions/journal/store';
import type { StepFunctionsOptions } from './stepfunctions/service';

export interface RuntimeOptions extends StepFunctionsOptions {
  /** The cloud assembly to serve (default `cdk.out`). */
  readonly assemblyDir: string;
  /** Synthesize the app into `assemblyDir` first unless it is up to date (default true). */
  readonly synthesize?: boolean;
  readonly stackName?: string;
  readonly host?: string;
  readonly port?: number;
  /** Host header names answered besides the runtime's own (`--allowed-host`; see ServerOptions). */
  readonly allowedHosts?: readonly string[];
  /** Where state survives restarts; in memory when absent. */
  readonly dataDir?: string;
  /** How long closed executions are kept in the data directory. */
  readonly retention?: Retention;
  /** PutEvents faults active from the start. */
  readonly faults?: readonly FaultRule[];
  /** A JSON file with an array of fault rules (see `parseFaultRule`). */
  readonly faultsFile?: string;
  /** Local values of the template's secrets by name (`--secret`; see LocalAppOptions). */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Where LOCAL_SECRETS is read from (default process.env). */
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

/** The local runtime: the synthesized app behind AWS-compatible APIs on one port. */
export class LocalRuntime {
  private constructor(
    readonly app: LocalApp,
    readonly server: LocalServer,
    /** Whether startup synthesized the app (false: it reused an up-to-date cdk.out). */
    readonly synthesized: boolean,
  ) {}

  get url(): string {
    return this.server.url;
  }

  static async start(options: RuntimeOptions): Promise<LocalRuntime> {
    const stackName = options.stackName ?? 'OnboardingKyc';
    const synthesized = options.synthesize === false ? false : ensureAssembly(options.assemblyDir, stackName);
    const faults = [
      ...(options.faults ?? []),
      ...(options.faultsFile ? readFaultsFile(options.faultsFile) : []),
    ];
    const server = await LocalServer.listen({
      host: options.host,
      port: options.port,
      allowedHosts: options.allowedHosts,
    });
    try {
      const app = await LocalApp.start({ ...options, stackName, endpoint: server.url });
      app.eventBridge.faults.push(...faults);
      server.serve(app);
      return new LocalRuntime(app, server, synthesized);
    } catch (error) {
      await server.stop();
      throw error;
    }
  }

  /**
   * Stops taking requests, then stops the app (`LocalApp.stop`): with a data directory, task calls in
   * flight end and are journaled (up to `graceMs`), accepted events reach their targets, and the journals
   * close. Executions still running stay journaled as running and resume at the next start.
   */
  async stop(options: StopOptions = {}): Promise<StopReport> {
    await this.server.stop();
    return this.app.stop(options);
  }
}

/** A faults file: a JSON array of fault rules (see `parseFaultRule`). */
function readFaultsFile(file: string): FaultRule[] {
  const rules: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(rules)) throw new Error(`${file}: expected a JSON array of fault rules.`);
  return rules.map(parseFaultRule);
}
