import { type App, Duration } from 'aws-cdk-lib';

/** Deployment configuration, parsed once from CDK context (`cdk synth -c prefix=...`). */
export interface AppConfig {
  /** Prefix of every named resource, so two copies of the app can share an account. */
  readonly prefix: string;
  /** Name of the app's event bus; the samples in events/samples put events on it. */
  readonly busName: string;
  /** How long a KYC manual review waits for a decision before it expires (`-c reviewTimeoutSeconds=...`). */
  readonly reviewTimeout: Duration;
  /** The partner event sources to take events from; none unless the context names them. */
  readonly partnerSources: PartnerSources;
  /** How long the bus's archive keeps events for replays (`-c archiveRetentionDays=...`). */
  readonly archiveRetention: Duration;
}

/** Partner event source names, as the partner created them in the account (docs/partners.md). */
export interface PartnerSources {
  /** `-c auth0EventSource=aws.partner/auth0.com/<tenant>/<stream>` */
  readonly auth0?: string;
  /** `-c saasusEventSource=aws.partner/saasus.io/<id>/event` */
  readonly saasus?: string;
}

/** A manual review waits a week for a compliance officer unless the context says otherwise. */
const DEFAULT_REVIEW_TIMEOUT_SECONDS = 7 * 24 * 3600;

/** The archive keeps a month of events unless the context says otherwise. */
const DEFAULT_ARCHIVE_RETENTION_DAYS = 30;

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
  const partnerSource = (key: string, domain: string): string | undefined => {
    const value = app.node.tryGetContext(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !value.startsWith(`aws.partner/${domain}/`))
      throw new Error(
        `Context '${key}' must be a partner event source name aws.partner/${domain}/...; got ${JSON.stringify(value)}.`,
      );
    return value;
  };
  const archiveRetentionDays = Number(
    app.node.tryGetContext('archiveRetentionDays') ?? DEFAULT_ARCHIVE_RETENTION_DAYS,
  );
  // 0 would keep events indefinitely (EventBridge's RetentionDays); the app always sets a bound.
  if (!Number.isInteger(archiveRetentionDays) || archiveRetentionDays < 1) {
    throw new Error(
      `Context 'archiveRetentionDays' must be a whole number of days, at least 1; got ${JSON.stringify(app.node.tryGetContext('archiveRetentionDays'))}.`,
    );
  }
  const auth0 = partnerSource('auth0EventSource', 'auth0.com');
  const saasus = partnerSource('saasusEventSource', 'saasus.io');
  return {
    prefix,
    busName: prefix,
    reviewTimeout: Duration.seconds(reviewTimeoutSeconds),
    archiveRetention: Duration.days(archiveRetentionDays),
    partnerSources: { ...(auth0 ? { auth0 } : {}), ...(saasus ? { saasus } : {}) },
  };
}
