import type { EventBridgeEvent, EventContract } from '../events/contract';

/** A state's input starts as the whole EventBridge event that matched the trigger rule. */
export type TriggerEvent<Detail> = EventBridgeEvent<Detail>;

/** What a lambda:invoke task keeps of the Lambda response (its ResultSelector). */
export interface Invoked<Response> {
  Payload: Response;
}

/** The claim's view of the stored item when the claim's condition failed. */
export interface StoredVersion {
  storedVersion: number;
}

/** Every execution's output says what happened. */
export type Outcome = 'completed' | 'stale' | 'duplicate' | 'superseded' | 'rejected';

export type AnyContract = EventContract<string, string, import('zod').ZodType>;
