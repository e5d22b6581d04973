import type { ScreeningResult, ScreeningSubject } from './contract';
import { normaliseName } from './normalise-name';
import { bundledSanctionsList, type SanctionsEntry, type SanctionsList } from './sanctions-list';
import type { SanctionsScreener } from './screen-sanctions';

/**
 * A deterministic stand-in for a screening service over a list kept as data (rules in
 * handlers/README.md):
 *
 * - a name match is an entry whose normalised name equals the applicant's (see `normaliseName`) and,
 *   when the entry has a date of birth, whose date of birth equals the applicant's. The first match in
 *   list order is reported. Matching is exact after normalisation (no fuzzy matching), so the result
 *   is explainable; an extra middle name does not match;
 * - residence in an embargoed country is a hit without an entry id;
 * - an entry's `countries` do not narrow a match: residence is self-declared and easy to move.
 */
export class SimulatedSanctionsScreener implements SanctionsScreener {
  private readonly entries: readonly { readonly key: string; readonly entry: SanctionsEntry }[];
  private readonly embargoed: ReadonlySet<string>;

  constructor(private readonly list: SanctionsList = bundledSanctionsList) {
    // Normalise the list once per cold start, not once per applicant.
    this.entries = list.entries.map((entry) => ({ key: normaliseName(entry.name), entry }));
    this.embargoed = new Set(list.embargoedCountries);
  }

  async screen(subject: ScreeningSubject): Promise<ScreeningResult> {
    const key = normaliseName(subject.fullName);
    const match = this.entries.find(
      ({ key: entryKey, entry }) =>
        entryKey === key && (entry.dateOfBirth === undefined || entry.dateOfBirth === subject.dateOfBirth),
    );
    const listVersion = this.list.version;
    if (match) return { hit: true, listVersion, matchedEntryId: match.entry.id };
    if (this.embargoed.has(subject.country.toUpperCase())) return { hit: true, listVersion };
    return { hit: false, listVersion };
  }
}
