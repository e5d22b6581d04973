import { z } from 'zod';
import { UserBlocked, UserUnblocked } from './access';
import { AccountRequested } from './accounts';
import type { EventContract } from './contract';
import { UserAccessChanged } from './identity';
import {
  AccountApproved,
  AccountDeclined,
  KycChecksCompleted,
  ManualReviewExpired,
  ManualReviewRequired,
  RiskAssessed,
} from './kyc';
import {
  OnboardingCompleted,
  ProfileCreated,
  WelcomeMessageRequested,
  WorkspaceProvisioned,
} from './onboarding';
import { ReviewDecided } from './review';

/** Events producers put on the bus to start a workflow from outside. */
export const triggers = [AccountRequested, UserAccessChanged] as const;

/** Events people put on the bus to let a waiting workflow go on. */
export const decisions = [ReviewDecided] as const;

/** Events the workflows emit. `Account Approved` is both emitted (by KYC) and a trigger (of onboarding). */
export const emitted = [
  KycChecksCompleted,
  RiskAssessed,
  AccountApproved,
  AccountDeclined,
  ManualReviewRequired,
  ManualReviewExpired,
  ProfileCreated,
  WorkspaceProvisioned,
  WelcomeMessageRequested,
  OnboardingCompleted,
  UserBlocked,
  UserUnblocked,
] as const;

export const catalog: readonly EventContract<string, string, z.ZodType>[] = [
  ...triggers,
  ...decisions,
  ...emitted,
];

const byKey = new Map<string, EventContract<string, string, z.ZodType>>();
for (const c of catalog) {
  const key = `${c.source}|${c.detailType}`;
  if (byKey.has(key)) throw new Error(`Event '${c.detailType}' from '${c.source}' is defined twice.`);
  byKey.set(key, c);
}

/** The contract for (source, detail-type), or undefined for an event this app does not define. */
export function findContract(source: string, detailType: string) {
  return byKey.get(`${source}|${detailType}`);
}

/** The committed JSON Schema file name for a contract: `app.kyc.account-approved.json`. */
export function schemaFileName(c: EventContract<string, string, z.ZodType>): string {
  return `${c.source}.${c.detailType.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.json`;
}

/**
 * The JSON Schema published for consumers: the detail of one event. Draft 4, because the EventBridge schema
 * registry takes JSON schemas as `JSONSchemaDraft4` (AWS::EventSchemas::Schema `Type`), and the registry
 * publishes these very files (stacks/catalogue.ts).
 */
export function jsonSchemaOf(c: EventContract<string, string, z.ZodType>): object {
  return {
    ...z.toJSONSchema(c.schema, { target: 'draft-4' }),
    title: `${c.source} / ${c.detailType}`,
    description: c.description,
    'x-producer': c.producer,
    'x-consumers': c.consumers,
  };
}
