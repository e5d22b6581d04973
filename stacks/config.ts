import type { App } from 'aws-cdk-lib';

/** Deployment configuration, parsed once from CDK context (`cdk synth -c prefix=...`). */
export interface AppConfig {
  /** Prefix of every named resource, so two copies of the app can share an account. */
  readonly prefix: string;
  /** Name of the app's event bus; the samples in events/samples put events on it. */
  readonly busName: string;
}

export function readConfig(app: App): AppConfig {
  const prefix = app.node.tryGetContext('prefix') ?? 'onboarding-kyc';
  if (typeof prefix !== 'string' || !/^[a-z][a-z0-9-]{1,30}$/.test(prefix)) {
    throw new Error(
      `Context 'prefix' must be 2-31 lower-case letters, digits or dashes starting with a letter; got ${JSON.stringify(prefix)}.`,
    );
  }
  return { prefix, busName: prefix };
}
