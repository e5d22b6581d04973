import { z } from 'zod';
import { Plan } from './accounts';
import { contract, Emitted } from './contract';

export const KYC = 'app.kyc';

export const Decision = z.enum(['approved', 'declined', 'manual review']);
export type Decision = z.infer<typeof Decision>;

export const KycChecksCompleted = contract({
  source: KYC,
  detailType: 'KYC Checks Completed',
  schema: Emitted.extend({
    identityVerified: z.boolean(),
    sanctionsHit: z.boolean(),
  }),
  description: 'Identity verification and sanctions screening both finished.',
  producer: 'KYC workflow',
  consumers: ['Compliance dashboard'],
});

export const RiskAssessed = contract({
  source: KYC,
  detailType: 'Risk Assessed',
  schema: Emitted.extend({
    riskScore: z.number().min(0).max(100),
    decision: Decision,
  }),
  description: 'The risk score and the decision it leads to.',
  producer: 'KYC workflow',
  consumers: ['Compliance dashboard'],
});

export const AccountApproved = contract({
  source: KYC,
  detailType: 'Account Approved',
  schema: Emitted.extend({ riskScore: z.number().min(0).max(100), plan: Plan }),
  description: 'KYC approved the account; starts onboarding.',
  producer: 'KYC workflow',
  consumers: ['Onboarding workflow', 'Billing'],
});

export const AccountDeclined = contract({
  source: KYC,
  detailType: 'Account Declined',
  schema: Emitted.extend({ reasons: z.array(z.string()) }),
  description: 'KYC declined the account.',
  producer: 'KYC workflow',
  consumers: ['Sign-up service'],
});

export const ManualReviewRequired = contract({
  source: KYC,
  detailType: 'Manual Review Required',
  schema: Emitted.extend({ riskScore: z.number().min(0).max(100), reasons: z.array(z.string()) }),
  description: 'KYC could not decide alone; a compliance officer must review.',
  producer: 'KYC workflow',
  consumers: ['Compliance team queue'],
});
