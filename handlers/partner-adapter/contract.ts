import { z } from 'zod';
import { HandlerError } from '../shared/errors';

/*
 * The partner events this adapter reads, as their documentation shows them (links in docs/partners.md).
 * Every schema is a plain (non-strict) z.object: a field a partner adds later is accepted and ignored, never
 * a failure. SaaSus says so explicitly ("new fields may be added"); Auth0's SDK types index `[key: string]: any`.
 * Only the fields the mapping reads are named, and only those it cannot do without are required.
 */

/** An ISO 8601 timestamp with `Z` or an offset, with or without fractional seconds. */
const Timestamp = z.iso.datetime({ offset: true });

/** A field some producers send as a JSON-encoded string and others (or older versions) as the object itself. */
function jsonEncoded<Schema extends z.ZodType>(schema: Schema) {
  return z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value; // the schema then reports "expected object, received string"
    }
  }, schema);
}

/** The EventBridge envelope of a partner event, as the partner bus rule delivers it to the SQS queue. */
export const PartnerEvent = z.object({
  id: z.string().min(1),
  'detail-type': z.string(),
  source: z.string().min(1),
  time: z.string(),
  detail: z.unknown(),
});
export type PartnerEvent = z.infer<typeof PartnerEvent>;

/** Partner event source names: `aws.partner/<partner domain>/...`, owned by the partner, named by it. */
export const AUTH0_SOURCE_PREFIX = 'aws.partner/auth0.com/';
export const SAASUS_SOURCE_PREFIX = 'aws.partner/saasus.io/';
/** The detail-type of every Auth0 log stream event. */
export const AUTH0_LOG_DETAIL_TYPE = 'Auth0 log';

// --- Auth0 Event Streams (CloudEvents; user.created, user.updated, user.deleted) ---------------------------

/** The user profile in `data.object` (and, for user.updated, `data.previous_object`). */
export const Auth0User = z.object({
  user_id: z.string().min(1),
  /** Whether an administrator blocked the user; absent when never set, null when unset. */
  blocked: z.boolean().nullish(),
  created_at: Timestamp.optional(),
  updated_at: Timestamp.optional(),
  /** user.deleted only. */
  deleted_at: Timestamp.optional(),
});

/** An Auth0 Event Streams event: the CloudEvent the stream delivers as the EventBridge `detail`. */
export const Auth0StreamEvent = z.object({
  id: z.string().min(1),
  /** `user.updated` in the per-event reference; `com.auth0.user.updated` in the overview's example. */
  type: z.string().min(1),
  time: Timestamp,
  data: z.object({
    object: Auth0User,
    /** The object before the change, "when applicable" (user.updated). */
    previous_object: Auth0User.partial().optional(),
  }),
});
export type Auth0StreamEvent = z.infer<typeof Auth0StreamEvent>;

// --- Auth0 log streams (detail-type "Auth0 log") -----------------------------------------------------------

/** The `detail` of an Auth0 log stream event: the tenant log entry in `data`. */
export const Auth0LogDetail = z.object({
  log_id: z.string().optional(),
  data: z.object({
    /** The log event type code: `sapi`, `limit_wc`, `ublkdu`, ... */
    type: z.string().min(1),
    date: Timestamp,
    log_id: z.string().optional(),
    description: z.string().optional(),
    /** For `sapi` the caller (the administrator or client), not the user the call changed. */
    user_id: z.string().optional(),
    /** Shape depends on the type; read with Auth0ManagementCall for `sapi`. */
    details: z.unknown().optional(),
  }),
});
export type Auth0LogDetail = z.infer<typeof Auth0LogDetail>;

/** `data.details` of a `sapi` (successful Management API operation) log entry. */
export const Auth0ManagementCall = z.object({
  request: z.object({
    method: z.string().min(1),
    path: z.string().min(1),
    body: z.unknown().optional(),
  }),
  response: z.object({ statusCode: z.number().optional() }).optional(),
});

/** The part of a Management API `PATCH /api/v2/users/{id}` body that blocks or unblocks. */
export const Auth0BlockedBody = z.object({ blocked: z.boolean() });

// --- SaaSus Platform (detail-type "api_call") --------------------------------------------------------------

/** One SaaSus API call, as `detail.event` carries it (a JSON string today; an object in the 2023 samples). */
export const SaasusApiCall = z.object({
  log_id: z.string().optional(),
  /** Second precision: two changes within one second get the same version (see docs/partners.md). */
  date_time: Timestamp,
  http_status: z.union([z.string(), z.number()]),
  uri: z.string().min(1),
  request_method: z.string().optional(),
  request_body: jsonEncoded(z.unknown()).optional(),
  response_body: jsonEncoded(z.unknown()).optional(),
});

export const SaasusDetail = z.object({
  /** The API operation in snake case: `create_saas_user`, `delete_saas_user`, ... */
  event_type: z.string().min(1),
  event: jsonEncoded(SaasusApiCall),
  trace_id: z.string().optional(),
});
export type SaasusDetail = z.infer<typeof SaasusDetail>;

// --- The SQS event source mapping ---------------------------------------------------------------------------

/** One SQS message as Lambda's event source mapping delivers it; `body` is the partner event as JSON. */
export const SqsRecord = z.object({
  messageId: z.string().min(1),
  body: z.string(),
});

export const SqsEvent = z.object({ Records: z.array(SqsRecord) });
export type SqsEvent = z.infer<typeof SqsEvent>;

/** The partial batch response (`ReportBatchItemFailures`): only these messages are received again. */
export interface SqsBatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

/**
 * EventBridge did not accept the trigger (a FailedEntry, throttling, an unreachable endpoint). Retryable: the
 * message goes back to the queue, and after the queue's maxReceiveCount to its dead-letter queue.
 */
export class TriggerNotDelivered extends HandlerError {
  static readonly errorName = 'TriggerNotDelivered';
  override readonly name = TriggerNotDelivered.errorName;
  readonly retryable = true;
}
