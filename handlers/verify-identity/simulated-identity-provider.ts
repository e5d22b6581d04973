import { type IdentityApplicant, IdentityProviderUnavailable, type IdentityResult } from './contract';
import type { IdentityProvider } from './verify-identity';

/** Names of the checks, as reported in `checks` when they pass. */
export const IdentityCheck = {
  documentFormat: 'document-format',
  adult: 'adult',
  documentAuthentic: 'document-authentic',
} as const;

/** Codes reported in `reasons` when a check fails. Codes, not values: they end up in emitted events. */
export const IdentityReason = {
  documentNumberMalformed: 'document-number-malformed',
  applicantUnder18: 'applicant-under-18',
  documentNotAuthentic: 'document-not-authentic',
} as const;

export const DOCUMENT_NUMBER_FORMAT = /^[A-Z0-9]{6,12}$/;
export const FORGED_PREFIX = 'FORGED';
export const UNAVAILABLE_DOCUMENT_NUMBER = 'UNAVAILABLE';
export const ADULT_AGE = 18;

/**
 * A deterministic stand-in for an identity provider (rules in handlers/README.md):
 *
 * - document number `UNAVAILABLE`: throws `IdentityProviderUnavailable` before any check, like a timeout;
 * - `document-format`: the number matches /^[A-Z0-9]{6,12}$/ (no trimming or upper-casing);
 * - `adult`: 18 or older on the UTC date of `asOf`;
 * - `document-authentic`: the number does not start with `FORGED`. Only checked when the format check
 *   passed, because a malformed number cannot be looked up.
 */
export class SimulatedIdentityProvider implements IdentityProvider {
  async verify(applicant: IdentityApplicant, asOf: Date): Promise<IdentityResult> {
    const { documentNumber, dateOfBirth } = applicant;
    if (documentNumber === UNAVAILABLE_DOCUMENT_NUMBER) throw new IdentityProviderUnavailable();

    const checks: string[] = [];
    const reasons: string[] = [];
    const record = (passed: boolean, check: string, reason: string) => {
      if (passed) checks.push(check);
      else reasons.push(reason);
    };

    const wellFormed = DOCUMENT_NUMBER_FORMAT.test(documentNumber);
    record(wellFormed, IdentityCheck.documentFormat, IdentityReason.documentNumberMalformed);
    record(isAdultOn(dateOfBirth, asOf), IdentityCheck.adult, IdentityReason.applicantUnder18);
    if (wellFormed) {
      record(
        !documentNumber.startsWith(FORGED_PREFIX),
        IdentityCheck.documentAuthentic,
        IdentityReason.documentNotAuthentic,
      );
    }
    return { verified: reasons.length === 0, checks, reasons };
  }
}

/**
 * Whether someone born on `dateOfBirth` (YYYY-MM-DD) is 18 or older on the UTC calendar date of `asOf`.
 * Compares (year, month, day) as numbers, so someone born on 29 February comes of age on 1 March in a
 * non-leap year, and a birth date after `asOf` is simply not adult.
 */
export function isAdultOn(dateOfBirth: string, asOf: Date): boolean {
  const birth = dayNumber(
    Number(dateOfBirth.slice(0, 4)),
    Number(dateOfBirth.slice(5, 7)),
    Number(dateOfBirth.slice(8, 10)),
  );
  const today = dayNumber(asOf.getUTCFullYear(), asOf.getUTCMonth() + 1, asOf.getUTCDate());
  return birth + ADULT_AGE * 10_000 <= today;
}

/** 2006-03-01 -> 20060301: ordered like the calendar, and adding 18 * 10 000 adds 18 years. */
function dayNumber(year: number, month: number, day: number): number {
  return year * 10_000 + month * 100 + day;
}
