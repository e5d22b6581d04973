import { z } from 'zod';
import { CountryCode, parseReferenceData } from '../shared/reference-data';
import { normaliseName } from './normalise-name';
import data from './sanctions-list.json';

export const SanctionsEntry = z.object({
  id: z.string().min(1),
  name: z
    .string()
    .refine((name) => normaliseName(name) !== '', 'Expected a name with at least one letter or digit'),
  dateOfBirth: z.iso.date().optional().describe('When present, only an applicant born that day matches.'),
  countries: z
    .array(CountryCode)
    .optional()
    .describe(
      'Known nationalities or addresses. Informational: residence is self-declared and easy to move.',
    ),
});
export type SanctionsEntry = z.infer<typeof SanctionsEntry>;

export const SanctionsList = z
  .object({
    version: z.string().min(1),
    entries: z.array(SanctionsEntry),
    embargoedCountries: z.array(CountryCode),
  })
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    for (const [index, entry] of list.entries.entries()) {
      if (seen.has(entry.id)) {
        ctx.addIssue({ code: 'custom', path: ['entries', index, 'id'], message: 'Duplicate entry id' });
      }
      seen.add(entry.id);
    }
  });
export type SanctionsList = z.infer<typeof SanctionsList>;

/** The list shipped with the function, validated once at cold start. */
export const bundledSanctionsList: SanctionsList = parseReferenceData(
  SanctionsList,
  data,
  'handlers/screen-sanctions/sanctions-list.json',
);
