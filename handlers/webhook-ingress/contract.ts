import { z } from 'zod';
import { AccountRequested } from '../../events/accounts';
import { UserAccessChanged } from '../../events/identity';

// --- The Lambda function URL request (payload format 2.0) --------------------------------------------------

/**
 * The parts of a function URL event the ingress reads. Non-strict: the event carries much more
 * (requestContext, cookies, query string) that is not needed here.
 */
export const FunctionUrlRequest = z.object({
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
  requestContext: z.object({ http: z.object({ method: z.string().min(1) }) }),
});
export type FunctionUrlRequest = z.infer<typeof FunctionUrlRequest>;

/** The function URL response (payload format 2.0). */
export interface FunctionUrlResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

// --- The webhook payload ---------------------------------------------------------------------------------------

/**
 * A Standard Webhooks payload: `{type, timestamp, data}`, `timestamp` being when the event happened (not
 * when it was sent), which becomes the trigger's version. Non-strict, here and in every `data` schema below:
 * a field a provider adds later is accepted and ignored.
 */
export const WebhookPayload = z.object({
  type: z.string().min(1),
  timestamp: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
});
export type WebhookPayload = z.infer<typeof WebhookPayload>;

/** `user.created`: the sign-up, with what KYC needs of the applicant (the Account Requested contract). */
export const UserCreatedData = z.object({
  id: z.string().min(1),
  plan: AccountRequested.schema.shape.plan,
  applicant: AccountRequested.schema.shape.applicant,
});

/** `user.blocked` and `user.unblocked`. */
export const UserAccessData = z.object({
  id: z.string().min(1),
  reason: z.string().optional(),
});

/** `user.updated`: an access change only when the update carries the `blocked` flag. */
export const UserUpdatedData = z.object({
  id: z.string().min(1),
  blocked: z.boolean().optional(),
});

// --- The queued message (the FIFO queue's body, read by handlers/webhook-adapter) --------------------------

/** A versioned trigger as PutEvents takes it (EventBusName is the adapter's business). */
export const WebhookTrigger = z.discriminatedUnion('DetailType', [
  z.object({
    Source: z.literal(AccountRequested.source),
    DetailType: z.literal(AccountRequested.detailType),
    Detail: AccountRequested.schema,
  }),
  z.object({
    Source: z.literal(UserAccessChanged.source),
    DetailType: z.literal(UserAccessChanged.detailType),
    Detail: UserAccessChanged.schema,
  }),
]);
export type WebhookTrigger = z.infer<typeof WebhookTrigger>;

/** What the ingress queues for one accepted webhook: the trigger, and where it came from for operators. */
export const QueuedWebhook = z.object({
  webhookId: z.string().min(1),
  type: z.string().min(1),
  trigger: WebhookTrigger,
});
export type QueuedWebhook = z.infer<typeof QueuedWebhook>;

// --- Resource names (the stack builds them; the signer script and the local runtime find them by them) ------

/** The Secrets Manager secret holding the Standard Webhooks signing secret. */
export const webhookSigningSecretName = (prefix: string) => `${prefix}/webhook-signing-secret`;
/** The ingress function; its function URL is where providers POST. */
export const webhookIngressFunctionName = (prefix: string) => `${prefix}-webhook-ingress`;
