import { z } from 'zod';

/**
 * What every trigger carries: the user and the producer's monotonic version for that user.
 * The version, not the event time, orders events (EventBridge neither keeps order nor dedupes).
 */
export const Versioned = z.object({
  userId: z.string().min(1).describe('The user this event is about.'),
  version: z.int().positive().describe('Monotonic per user at the producer; the ordering key.'),
});

/** The workflows of this app, as they appear in emitted events and in the version table's sort key. */
export const Workflow = z.enum(['kyc', 'onboarding', 'access']);
export type Workflow = z.infer<typeof Workflow>;

/**
 * What every emitted event carries, so a consumer can drop anything at or below the version it has seen
 * for (userId, workflow), and trace it back to the trigger.
 */
export const Emitted = Versioned.extend({
  workflow: Workflow,
  triggerEventId: z.string().min(1).describe('The id of the EventBridge event that started the execution.'),
});

/** One event contract: where it comes from, what it is called and what its detail holds. */
export interface EventContract<Source extends string, DetailType extends string, Schema extends z.ZodType> {
  readonly source: Source;
  readonly detailType: DetailType;
  readonly schema: Schema;
  readonly description: string;
  readonly producer: string;
  readonly consumers: readonly string[];
}

export function contract<Source extends string, DetailType extends string, Schema extends z.ZodType>(
  c: EventContract<Source, DetailType, Schema>,
): EventContract<Source, DetailType, Schema> {
  if (c.source.startsWith('aws.')) {
    throw new Error(`Event source '${c.source}' starts with 'aws.', which is reserved for AWS services.`);
  }
  return c;
}

export type DetailOf<C> = C extends EventContract<string, string, infer S> ? z.infer<S> : never;

/** An EventBridge event: the envelope around a detail, as rules, targets and state machines see it. */
export interface EventBridgeEvent<Detail> {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Detail;
}

/** The EventBridge envelope around a detail, as a rule target (and so a state machine) receives it. */
export function envelope<Schema extends z.ZodType>(detail: Schema) {
  return z.object({
    version: z.literal('0'),
    id: z.string(),
    'detail-type': z.string(),
    source: z.string(),
    account: z.string(),
    time: z.string(),
    region: z.string(),
    resources: z.array(z.string()),
    detail,
  });
}
