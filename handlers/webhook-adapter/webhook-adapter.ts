import type { SqsBatchResponse } from '../partner-adapter/contract';
import type { RejectedEvents } from '../partner-adapter/partner-adapter';
import { issuesOf } from '../shared/parse-input';
import { QueuedWebhook, type WebhookTrigger } from '../webhook-ingress/contract';
import type { FifoEvent, FifoRecord } from './contract';

/** The app bus: puts one trigger; throws when it was not accepted (a FailedEntry, throttling, no network). */
export interface WebhookTriggerBus {
  put(trigger: WebhookTrigger): Promise<void>;
}

export interface WebhookAdapterDeps {
  readonly bus: WebhookTriggerBus;
  /** Where a message that is not a queued webhook is parked with the reason (the rejected-events queue). */
  readonly rejected: RejectedEvents;
}

/** What became of one message. `skipped`: not tried, because an earlier message of its group failed. */
export type WebhookOutcome =
  | { readonly messageId: string; readonly outcome: 'put'; readonly trigger: WebhookTrigger }
  | { readonly messageId: string; readonly outcome: 'parked'; readonly reason: string }
  | { readonly messageId: string; readonly outcome: 'failed'; readonly error: unknown }
  | { readonly messageId: string; readonly outcome: 'skipped' };

/**
 * One batch from the webhook FIFO queue. Messages of one group (one user) are put in queue order, one after
 * the other; groups go in parallel. Once a message fails, it and every later message of its group are
 * reported in `batchItemFailures` without being tried, so SQS delivers that group again from the failed
 * message on and order holds. Lambda's guide asks a FIFO batch to report the failed message and the ones after
 * it (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html); narrowing that to the
 * failed group, as Powertools' SqsFifoPartialProcessor does with `skipGroupOnError`, keeps order per user and
 * lets other users' messages through.
 *
 * A body that is not a queued webhook (only the ingress should write here) is parked in the rejected-events
 * queue with the reason and counts as processed: the same body would fail the same way and hold up its group.
 */
export async function adaptFifoBatch(event: FifoEvent, deps: WebhookAdapterDeps): Promise<SqsBatchResponse> {
  const groups = new Map<string, FifoRecord[]>();
  for (const record of event.Records) {
    // No group attribute (not a FIFO delivery): one shared group is the order-preserving choice.
    const group = record.attributes?.MessageGroupId ?? '';
    groups.set(group, [...(groups.get(group) ?? []), record]);
  }
  const outcomes = (
    await Promise.all([...groups.values()].map((records) => adaptGroup(records, deps)))
  ).flat();
  const failed = new Set(
    outcomes.filter((o) => o.outcome === 'failed' || o.outcome === 'skipped').map((o) => o.messageId),
  );
  return {
    batchItemFailures: event.Records.filter((r) => failed.has(r.messageId)).map((r) => ({
      itemIdentifier: r.messageId,
    })),
  };
}

export async function adaptGroup(
  records: readonly FifoRecord[],
  deps: WebhookAdapterDeps,
): Promise<WebhookOutcome[]> {
  const outcomes: WebhookOutcome[] = [];
  let blocked = false;
  for (const record of records) {
    if (blocked) {
      outcomes.push({ messageId: record.messageId, outcome: 'skipped' });
      continue;
    }
    const outcome = await adaptRecord(record, deps);
    outcomes.push(outcome);
    blocked = outcome.outcome === 'failed';
  }
  return outcomes;
}

async function adaptRecord(record: FifoRecord, deps: WebhookAdapterDeps): Promise<WebhookOutcome> {
  const { messageId } = record;
  const parsed = parseBody(record.body);
  try {
    if (parsed.ok) {
      await deps.bus.put(parsed.message.trigger);
      return { messageId, outcome: 'put', trigger: parsed.message.trigger };
    }
    await deps.rejected.park(parsed.reason, parsed.body);
    return { messageId, outcome: 'parked', reason: parsed.reason };
  } catch (error) {
    return { messageId, outcome: 'failed', error };
  }
}

type ParsedBody = { ok: true; message: QueuedWebhook } | { ok: false; reason: string; body: unknown };

function parseBody(body: string): ParsedBody {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'The message body is not JSON, so it is not a queued webhook.', body };
  }
  const message = QueuedWebhook.safeParse(json);
  if (message.success) return { ok: true, message: message.data };
  const problems = issuesOf(message.error).map((issue) => `${issue.path}: ${issue.message}`);
  return { ok: false, reason: `Not a queued webhook: ${problems.slice(0, 10).join('; ')}`, body: json };
}
