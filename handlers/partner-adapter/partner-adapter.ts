import type { SqsBatchResponse, SqsEvent } from './contract';
import { type Mapping, mapPartnerEvent, type PartnerTrigger } from './mapping';

/** The app bus: puts one trigger; throws (TriggerNotDelivered or the SDK's error) when it was not accepted. */
export interface TriggerBus {
  put(trigger: PartnerTrigger): Promise<void>;
}

/** The rejected-events queue: where an event that cannot be mapped is parked with the reason. */
export interface RejectedEvents {
  park(reason: string, event: unknown): Promise<void>;
}

export interface AdapterDeps {
  readonly bus: TriggerBus;
  readonly rejected: RejectedEvents;
}

/** What became of one SQS message. */
export type RecordOutcome =
  | { readonly messageId: string; readonly outcome: 'put'; readonly trigger: PartnerTrigger }
  | { readonly messageId: string; readonly outcome: 'parked'; readonly reason: string }
  | { readonly messageId: string; readonly outcome: 'failed'; readonly error: unknown };

/**
 * One batch from the partner queue. Each message is mapped on its own: a trigger is put on the app bus, an
 * event that cannot be mapped (not JSON, not a partner event, lacking what the trigger needs) is parked in
 * the rejected-events queue with the reason and counts as processed, because the same body would be refused
 * again. Only a message whose put (or park) failed is reported in `batchItemFailures`, so SQS redelivers that
 * message alone and, after the queue's maxReceiveCount, moves it to the dead-letter queue.
 *
 * Redelivery is safe: the same message maps to the same trigger with the same version, which the workflow's
 * claim ends as `duplicate`. Order does not matter for the same reason: the version, not arrival, decides.
 */
export async function adaptBatch(event: SqsEvent, deps: AdapterDeps): Promise<SqsBatchResponse> {
  const outcomes = await Promise.all(event.Records.map((record) => adaptRecord(record, deps)));
  return {
    batchItemFailures: outcomes
      .filter((o) => o.outcome === 'failed')
      .map((o) => ({ itemIdentifier: o.messageId })),
  };
}

export async function adaptRecord(
  record: SqsEvent['Records'][number],
  deps: AdapterDeps,
): Promise<RecordOutcome> {
  const { messageId } = record;
  const parsed = parseBody(record.body);
  const mapping: Mapping = parsed.ok ? mapPartnerEvent(parsed.event) : { refused: parsed.reason };
  try {
    if ('trigger' in mapping) {
      await deps.bus.put(mapping.trigger);
      return { messageId, outcome: 'put', trigger: mapping.trigger };
    }
    await deps.rejected.park(mapping.refused, parsed.ok ? parsed.event : record.body);
    return { messageId, outcome: 'parked', reason: mapping.refused };
  } catch (error) {
    return { messageId, outcome: 'failed', error };
  }
}

function parseBody(body: string): { ok: true; event: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, event: JSON.parse(body) as unknown };
  } catch {
    return { ok: false, reason: 'The message body is not JSON, so it is not an EventBridge event.' };
  }
}
