import { z } from 'zod';
import { contract, Versioned } from './contract';

export const BACK_OFFICE = 'app.backoffice';

export const ReviewDecision = z.enum(['approved', 'declined']);
export type ReviewDecision = z.infer<typeof ReviewDecision>;

/**
 * A compliance officer's decision on a KYC manual review. It names the review by (userId, version), the
 * version of the `Account Requested` under review, never by task token: the token travels only in
 * `Manual Review Required`, to the handler that records it.
 */
export const ReviewDecidedDetail = Versioned.extend({
  decision: ReviewDecision,
  reviewer: z.string().min(1).describe("Who decided: the officer's id in the back office."),
  reason: z.string().min(1).describe("Why, in the officer's words; kept with the decision."),
});
export type ReviewDecidedDetail = z.infer<typeof ReviewDecidedDetail>;

export const ReviewDecided = contract({
  source: BACK_OFFICE,
  detailType: 'Review Decided',
  schema: ReviewDecidedDetail,
  description: 'A compliance officer decided a KYC manual review; the waiting KYC execution goes on.',
  producer: 'Back office',
  consumers: ['review-decision handler'],
});
