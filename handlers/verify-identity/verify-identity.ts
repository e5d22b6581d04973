import type {
  IdentityApplicant,
  IdentityResult,
  VerifyIdentityRequest,
  VerifyIdentityResponse,
} from './contract';

/**
 * The port a real identity provider (document and liveness checks) implements. It throws
 * `IdentityProviderUnavailable` for transient failures so the state machine can retry them.
 */
export interface IdentityProvider {
  verify(applicant: IdentityApplicant, asOf: Date): Promise<IdentityResult>;
}

export interface VerifyIdentityDeps {
  readonly provider: IdentityProvider;
}

/** Verifies the applicant's identity as of the trigger event time, never the wall clock. */
export async function verifyIdentity(
  request: VerifyIdentityRequest,
  deps: VerifyIdentityDeps,
): Promise<VerifyIdentityResponse> {
  const { verified, checks, reasons } = await deps.provider.verify(request.applicant, new Date(request.asOf));
  // Copy the fields this function promises, so extra fields a real provider returns never leak out.
  return { verified, checks: [...checks], reasons: [...reasons] };
}
