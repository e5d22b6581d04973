import { z } from 'zod';
import { CountryCode, parseReferenceData } from '../shared/reference-data';
import data from './country-risk.json';

export const RiskTier = z.enum(['low', 'medium', 'high']);
export type RiskTier = z.infer<typeof RiskTier>;

export const CountryRiskTable = z
  .object({
    version: z.string().min(1),
    description: z.string().optional(),
    tiers: z.record(RiskTier, z.array(CountryCode)),
  })
  .superRefine((table, ctx) => {
    // A country in two tiers would score by whichever tier is read first: refuse the ambiguity.
    const seenIn = new Map<string, RiskTier>();
    for (const tier of RiskTier.options) {
      for (const [index, country] of table.tiers[tier].entries()) {
        const other = seenIn.get(country);
        if (other !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['tiers', tier, index],
            message: `${country} is already in tier '${other}'`,
          });
        }
        seenIn.set(country, tier);
      }
    }
  });
export type CountryRiskTable = z.infer<typeof CountryRiskTable>;

/** The table shipped with the function, validated once at cold start. */
export const bundledCountryRisk: CountryRiskTable = parseReferenceData(
  CountryRiskTable,
  data,
  'handlers/assess-risk/country-risk.json',
);

/** The tier of a country of residence (case-insensitive), or `unknown` when the table does not list it. */
export function tierOf(table: CountryRiskTable, country: string): RiskTier | 'unknown' {
  const code = country.toUpperCase();
  return RiskTier.options.find((tier) => table.tiers[tier].includes(code)) ?? 'unknown';
}
