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
  schema: Emitted.extend({
    riskScore: z.number().min(0).max(100),
    reasons: z.array(z.string()),
    taskToken: z
      .string()
      .min(1)
      .describe(
        "The waiting task's token. For the review-decision handler only: the back office decides by userId and version.",
      ),
  }),
  description:
    "KYC could not decide alone; the execution waits (up to the review deadline) for a compliance officer's `Review Decided`.",
  producer: 'KYC workflow',
  consumers: ['Compliance team queue', 'review-decision handler'],
});

export const ManualReviewExpired = contract({
  source: KYC,
  detailType: 'Manual Review Expired',
  schema: Emitted.extend({ reasons: z.array(z.string()) }),
  description: 'Nobody decided the manual review before its deadline; KYC ended without a decision.',
  producer: 'KYC workflow',
  consumers: ['Compliance team queue', 'Sign-up service'],
});
