import { z } from 'zod';
import { AccountRequestedDetail, Plan } from '../../events/accounts';
import { Decision } from '../../events/kyc';
import { ScreenSanctionsResponse } from '../screen-sanctions/contract';
import { VerifyIdentityResponse } from '../verify-identity/contract';

export const AssessRiskRequest = z.object({
  userId: AccountRequestedDetail.shape.userId,
  country: AccountRequestedDetail.shape.applicant.shape.country,
  plan: Plan,
  identity: VerifyIdentityResponse.describe('The output of verify-identity.'),
  sanctions: ScreenSanctionsResponse.describe('The output of screen-sanctions.'),
});
export type AssessRiskRequest = z.infer<typeof AssessRiskRequest>;

export const AssessRiskResponse = z.object({
  riskScore: z.int().min(0).max(100),
  decision: Decision,
  reasons: z.array(z.string()).describe('Short codes explaining the score and decision. No personal data.'),
});
export type AssessRiskResponse = z.infer<typeof AssessRiskResponse>;

/** The assessment as the KYC state machine reads it. */
export type RiskAssessment = AssessRiskResponse;
