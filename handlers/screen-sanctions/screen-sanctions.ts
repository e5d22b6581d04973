import type {
  ScreeningResult,
  ScreeningSubject,
  ScreenSanctionsRequest,
  ScreenSanctionsResponse,
} from './contract';

/** The port a real sanctions screening service implements. */
export interface SanctionsScreener {
  screen(subject: ScreeningSubject): Promise<ScreeningResult>;
}

export interface ScreenSanctionsDeps {
  readonly screener: SanctionsScreener;
}

/** Screens the applicant against the sanctions list and embargoes. */
export async function screenSanctions(
  request: ScreenSanctionsRequest,
  deps: ScreenSanctionsDeps,
): Promise<ScreenSanctionsResponse> {
  const { hit, listVersion, matchedEntryId } = await deps.screener.screen(request.applicant);
  // Copy the promised fields only, and leave matchedEntryId out rather than set it to undefined.
  return matchedEntryId === undefined ? { hit, listVersion } : { hit, listVersion, matchedEntryId };
}
