import type { z } from 'zod';
import type { Plan } from '../../events/accounts';
import { Decision } from '../../events/kyc';
import type { AssessRiskRequest, AssessRiskResponse } from './contract';
import { type CountryRiskTable, type RiskTier, tierOf } from './country-risk';

/**
 * The scoring policy. It lives in code beside the thresholds because the two are tuned together:
 * changing a tier score without the thresholds silently changes decisions. The country-to-tier table
 * is data (country-risk.json).
 */
export const TIER_SCORE: Readonly<Record<RiskTier | 'unknown', number>> = {
  low: 10,
  medium: 40,
  high: 70,
  // Between medium and high: no information is worse than a known medium risk, but not proof of a high one.
  unknown: 50,
};

/**
 * Free sign-ups are self-serve with no contract, where most abuse happens (+5). Enterprise accounts come
 * with a signed contract and invoicing, a known counterparty (-5). Small enough to move a case across
 * one threshold at most (medium to approved, high to manual review), never to decide it alone.
 */
export const PLAN_ADJUSTMENT: Readonly<Record<z.infer<typeof Plan>, number>> = {
  free: 5,
  team: 0,
  enterprise: -5,
};

/** Scores below this are approved. */
export const APPROVE_BELOW = 40;
/** Scores at or above this are declined; in between, a person reviews. */
export const DECLINE_FROM = 70;
/** The score of a hard stop (sanctions hit, unverified identity), so `declined` always means score >= 70. */
export const MAX_SCORE = 100;

/** Reason codes. They end up in emitted events, so they name rules, never the applicant's data. */
export const RiskReason = {
  sanctionsHit: 'sanctions-hit',
  identityNotVerified: 'identity-not-verified',
  countryRisk: (tier: RiskTier | 'unknown') => `country-risk-${tier}`,
  plan: (plan: z.infer<typeof Plan>) => `plan-${plan}`,
} as const;

export interface AssessRiskDeps {
  readonly countryRisk: CountryRiskTable;
}

/**
 * Scores the applicant and decides. A sanctions hit or an unverified identity declines outright with the
 * maximum score (the identity's own reason codes follow `identity-not-verified`). Otherwise the score is
 * the country tier's score plus the plan adjustment: below 40 approved, 40-69 manual
 * review, 70 and above declined.
 */
export function assessRisk(request: AssessRiskRequest, deps: AssessRiskDeps): AssessRiskResponse {
  const hardStops = [
    ...(request.sanctions.hit ? [RiskReason.sanctionsHit] : []),
    ...(request.identity.verified ? [] : [RiskReason.identityNotVerified, ...request.identity.reasons]),
  ];
  if (hardStops.length > 0)
    return { riskScore: MAX_SCORE, decision: Decision.enum.declined, reasons: hardStops };

  const tier = tierOf(deps.countryRisk, request.country);
  const adjustment = PLAN_ADJUSTMENT[request.plan];
  // Tier scores and adjustments are integers that stay within 0-100 (a test holds every combination to it).
  const riskScore = TIER_SCORE[tier] + adjustment;
  const reasons = [
    RiskReason.countryRisk(tier),
    ...(adjustment === 0 ? [] : [RiskReason.plan(request.plan)]),
  ];
  return { riskScore, decision: decisionFor(riskScore), reasons };
}

export function decisionFor(riskScore: number): Decision {
  if (riskScore < APPROVE_BELOW) return Decision.enum.approved;
  if (riskScore < DECLINE_FROM) return Decision.enum['manual review'];
  return Decision.enum.declined;
}
