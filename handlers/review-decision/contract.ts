import { z } from 'zod';
import { envelope } from '../../events/contract';
import { ManualReviewRequired } from '../../events/kyc';
import { ReviewDecided } from '../../events/review';

/** `Manual Review Required`, as its rule delivers it: the review opens, with the waiting task's token. */
export const ReviewOpened = envelope(ManualReviewRequired.schema).extend({
  source: z.literal(ManualReviewRequired.source),
  'detail-type': z.literal(ManualReviewRequired.detailType),
});
export type ReviewOpened = z.infer<typeof ReviewOpened>;

/** `Review Decided`, as its rule delivers it. */
export const DecisionEvent = envelope(ReviewDecided.schema).extend({
  source: z.literal(ReviewDecided.source),
  'detail-type': z.literal(ReviewDecided.detailType),
});
export type DecisionEvent = z.infer<typeof DecisionEvent>;

/** What the waiting KYC task receives with SendTaskSuccess: the decision, who made it and why. */
export interface ReviewResult {
  readonly decision: DecisionEvent['detail']['decision'];
  readonly reviewer: string;
  readonly reason: string;
}

/**
 * The KYC row of the version table, as far as a review is concerned: the row's version and status, and
 * the `review` map the handler keeps. The map names its own version, so a review left by an older version
 * (whose claim does not touch the map) never answers for a newer one.
 */
export interface StoredReview {
  readonly version: number;
  readonly status: string;
  readonly review?: {
    readonly version: number;
    /** The waiting task's token, recorded when the review opened; removed once decided. */
    readonly token?: string;
    readonly decision?: string;
    readonly reviewer?: string;
  };
}

/** What became of one event the handler received. */
export type ReviewOutcome =
  | { readonly outcome: 'opened' | 'decided' }
  | { readonly outcome: 'superseded' }
  | { readonly outcome: 'rejected'; readonly reason: string };
