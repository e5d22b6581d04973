import { type App, Duration } from 'aws-cdk-lib';

/** Deployment configuration, parsed once from CDK context (`cdk synth -c prefix=...`). */
export interface AppConfig {
  /** Prefix of every named resource, so two copies of the app can share an account. */
  readonly prefix: string;
  /** Name of the app's event bus; the samples in events/samples put events on it. */
  readonly busName: string;
  /** How long a KYC manual review waits for a decision before it expires (`-c reviewTimeoutSeconds=...`). */
  readonly reviewTimeout: Duration;
}

/** A manual review waits a week for a compliance officer unless the context says otherwise. */
const DEFAULT_REVIEW_TIMEOUT_SECONDS = 7 * 24 * 3600;

export function readConfig(app: App): AppConfig {
  const prefix = app.node.tryGetContext('prefix') ?? 'onboarding-kyc';
  if (typeof prefix !== 'string' || !/^[a-z][a-z0-9-]{1,30}$/.test(prefix)) {
    throw new Error(
      `Context 'prefix' must be 2-31 lower-case letters, digits or dashes starting with a letter; got ${JSON.stringify(prefix)}.`,
    );
  }
  const reviewTimeoutSeconds = Number(
    app.node.tryGetContext('reviewTimeoutSeconds') ?? DEFAULT_REVIEW_TIMEOUT_SECONDS,
  );
  // A Task's TimeoutSeconds is a positive integer; a Standard execution lasts at most a year.
  if (
    !Number.isInteger(reviewTimeoutSeconds) ||
    reviewTimeoutSeconds < 1 ||
    reviewTimeoutSeconds > 364 * 24 * 3600
  ) {
    throw new Error(
      `Context 'reviewTimeoutSeconds' must be a whole number of seconds from 1 to 31449600 (364 days); got ${JSON.stringify(app.node.tryGetContext('reviewTimeoutSeconds'))}.`,
    );
  }
  return { prefix, busName: prefix, reviewTimeout: Duration.seconds(reviewTimeoutSeconds) };
}
