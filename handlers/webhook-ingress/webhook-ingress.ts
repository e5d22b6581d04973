import { createHash } from 'node:crypto';
import { FunctionUrlRequest, type FunctionUrlResponse, type QueuedWebhook } from './contract';
import { mapWebhook } from './mapping';
import type { Headers, WebhookVerifier } from './verifier';

/** A webhook the ingress has queued, as the idempotency table keeps it. */
export interface AcceptedWebhook {
  readonly webhookId: string;
  /** SHA-256 of the body, so a different body under an id already accepted is told apart from a retry. */
  readonly payloadSha256: string;
  /** Milliseconds since the epoch. */
  readonly acceptedAt: number;
}

/** The idempotency table: webhook ids already queued, kept long enough to outlive providers' retries. */
export interface IdempotencyRecords {
  find(webhookId: string): Promise<AcceptedWebhook | undefined>;
  record(accepted: AcceptedWebhook): Promise<void>;
}

/** The FIFO queue; resolves only once SQS has stored the message. */
export interface WebhookQueue {
  send(message: { groupId: string; deduplicationId: string; body: string }): Promise<void>;
}

export interface IngressDeps {
  readonly verifier: WebhookVerifier;
  readonly idempotency: IdempotencyRecords;
  readonly queue: WebhookQueue;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

export interface WebhookRequest {
  readonly method: string;
  /** Lower-case names. */
  readonly headers: Headers;
  /** The body exactly as sent: the signature covers these bytes. */
  readonly body: Buffer;
}

/** The SQS message size limit of the queue (its default, 256 KiB); a larger webhook could not be queued. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * SQS's MessageDeduplicationId and MessageGroupId: 1 to 128 characters, letters, digits and punctuation.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
const SQS_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * One webhook delivery, answered as a function URL response:
 *
 * 1. Only POST (405); a body SQS could not hold is refused (413).
 * 2. The verifier decides authenticity (401 with the reason). Nothing is read before that but the headers.
 * 3. The body must be a Standard Webhooks payload (400) of a type we map to a trigger (422). A 4xx is the
 *    refusal's record: the provider keeps the delivery, its response and the reason in its own log, where
 *    the partner adapter, which has nobody to answer, parks it in the rejected-events queue instead.
 * 4. An id already accepted with this body is answered 200 `duplicate` and queued nothing; with another body,
 *    409 (ids are unique per message, so that is a provider's bug or a forgery with a leaked key).
 * 5. Queue first, then record: SendMessage (group = the user, deduplication id = the webhook id), then the
 *    idempotency record, then 202. A failure in between answers 503; the provider retries; the retry finds no
 *    record and sends again, which SQS drops as a duplicate within its 5-minute window (and which, after it,
 *    the workflow's version claim ends `duplicate`). So an accepted id always has its message queued, and a
 *    2xx is only ever answered for a message that is.
 *
 * A port that throws (Secrets Manager, DynamoDB or SQS unavailable) is answered 503, which providers retry.
 */
export async function receiveWebhook(
  request: WebhookRequest,
  deps: IngressDeps,
): Promise<FunctionUrlResponse> {
  if (request.method.toUpperCase() !== 'POST')
    return respond(
      405,
      { status: 'refused', reason: `${request.method} is not allowed; send POST.` },
      { allow: 'POST' },
    );
  if (request.body.length > MAX_BODY_BYTES)
    return respond(413, {
      status: 'refused',
      reason: `The body is ${request.body.length} bytes; at most ${MAX_BODY_BYTES} can be queued.`,
    });

  try {
    const verification = await deps.verifier.verify(request.headers, request.body);
    if (!verification.verified) return respond(401, { status: 'refused', reason: verification.reason });
    const { webhookId } = verification;
    if (!SQS_ID.test(webhookId))
      return refuse(
        400,
        webhookId,
        'The webhook id must be 1 to 128 printable ASCII characters without spaces.',
      );

    let payload: unknown;
    try {
      payload = JSON.parse(request.body.toString('utf8'));
    } catch {
      return refuse(400, webhookId, 'The body is not JSON.');
    }
    const mapping = mapWebhook(payload);
    if (!mapping.mapped) return refuse(mapping.malformed ? 400 : 422, webhookId, mapping.reason);

    const payloadSha256 = createHash('sha256').update(request.body).digest('hex');
    const accepted = await deps.idempotency.find(webhookId);
    if (accepted) {
      if (accepted.payloadSha256 !== payloadSha256)
        return refuse(409, webhookId, 'This webhook id was accepted before with a different body.');
      return respond(200, { status: 'duplicate', webhookId });
    }

    const message: QueuedWebhook = { webhookId, type: mapping.type, trigger: mapping.trigger };
    await deps.queue.send({
      groupId: messageGroupOf(mapping.userId),
      deduplicationId: webhookId,
      body: JSON.stringify(message),
    });
    await deps.idempotency.record({ webhookId, payloadSha256, acceptedAt: deps.now() });
    return respond(202, { status: 'accepted', webhookId });
  } catch (error) {
    return respond(503, {
      status: 'unavailable',
      reason: `The webhook could not be queued now (${error instanceof Error ? error.name : 'error'}); retry later.`,
    });
  }
}

/**
 * The request a function URL event describes: header names lower-cased (AWS already does; a test or another
 * front end may not) and the body as the exact bytes sent (base64-decoded when the URL encoded it), or a 400
 * when the input is not a function URL event at all.
 */
export function fromFunctionUrl(input: unknown): WebhookRequest | FunctionUrlResponse {
  const event = FunctionUrlRequest.safeParse(input);
  if (!event.success)
    return respond(400, {
      status: 'refused',
      reason: 'Not a Lambda function URL request (payload format 2.0).',
    });
  const { headers = {}, body = '', isBase64Encoded = false, requestContext } = event.data;
  return {
    method: requestContext.http.method,
    headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
    body: Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8'),
  };
}

/**
 * The FIFO message group of a user: the user id itself when SQS allows it as a group id, otherwise a
 * digest of it. Either way one user always lands in one group, which is what keeps that user's webhooks in
 * order, while different users are delivered in parallel.
 */
export function messageGroupOf(userId: string): string {
  if (SQS_ID.test(userId)) return userId;
  return `user-sha256-${createHash('sha256').update(userId, 'utf8').digest('hex')}`;
}

function refuse(statusCode: number, webhookId: string, reason: string): FunctionUrlResponse {
  return respond(statusCode, { status: 'refused', webhookId, reason });
}

function respond(
  statusCode: number,
  body: Record<string, string>,
  headers: Record<string, string> = {},
): FunctionUrlResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}
