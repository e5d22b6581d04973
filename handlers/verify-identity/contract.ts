import { z } from 'zod';
import { AccountRequestedDetail } from '../../events/accounts';
import { HandlerError } from '../shared/errors';

/** The applicant exactly as the `Account Requested` event carries it. */
export const IdentityApplicant = AccountRequestedDetail.shape.applicant;
export type IdentityApplicant = z.infer<typeof IdentityApplicant>;

export const VerifyIdentityRequest = z.object({
  userId: AccountRequestedDetail.shape.userId,
  applicant: IdentityApplicant,
  asOf: z.iso
    .datetime({ offset: true })
    .describe('The trigger event time; ages are computed at this instant so a rerun gives the same result.'),
});
export type VerifyIdentityRequest = z.infer<typeof VerifyIdentityRequest>;

export const VerifyIdentityResponse = z.object({
  verified: z.boolean(),
  checks: z.array(z.string()).describe('Names of the checks that passed, e.g. document-format, adult.'),
  reasons: z
    .array(z.string())
    .describe('Why the identity is not verified; empty when verified. No personal data.'),
});
export type VerifyIdentityResponse = z.infer<typeof VerifyIdentityResponse>;

/** What an identity provider answers: this function's response, so a provider maps onto it once. */
export type IdentityResult = VerifyIdentityResponse;

/**
 * The identity provider could not be reached or timed out. Transient: the state machine retries it with
 * backoff (match `IdentityProviderUnavailable.errorName`). The simulated provider throws it for the
 * document number `UNAVAILABLE`.
 */
export class IdentityProviderUnavailable extends HandlerError {
  static readonly errorName = 'IdentityProviderUnavailable';
  override readonly name = IdentityProviderUnavailable.errorName;
  readonly retryable = true;

  constructor(message = 'The identity provider is unavailable; retry later.', options?: ErrorOptions) {
    super(message, options);
  }
}
