import { Plan } from '../../events/accounts';
import {
  APPROVE_BELOW,
  type AssessRiskDeps,
  assessRisk,
  DECLINE_FROM,
  decisionFor,
  PLAN_ADJUSTMENT,
  TIER_SCORE,
} from '../../handlers/assess-risk/assess-risk';
import { type AssessRiskRequest, AssessRiskResponse } from '../../handlers/assess-risk/contract';
import { bundledCountryRisk, CountryRiskTable, tierOf } from '../../handlers/assess-risk/country-risk';
import { handler } from '../../handlers/assess-risk/handler';
import { handler as screenSanctions } from '../../handlers/screen-sanctions/handler';
import { parseReferenceData } from '../../handlers/shared/reference-data';
import { handler as verifyIdentity } from '../../handlers/verify-identity/handler';

const deps: AssessRiskDeps = { countryRisk: bundledCountryRisk };
const verified = { verified: true, checks: ['document-format', 'adult', 'document-authentic'], reasons: [] };
const clear = { hit: false, listVersion: 'sim-2025.1' };

function request(overrides: Partial<AssessRiskRequest> = {}): AssessRiskRequest {
  return {
    userId: 'user-1',
    country: 'GB',
    plan: 'team',
    identity: verified,
    sanctions: clear,
    ...overrides,
  };
}

describe('assessRisk', () => {
  it('declines a sanctions hit with the maximum score, whatever the country and plan', () => {
    // Act
    const result = assessRisk(
      request({ plan: 'enterprise', sanctions: { hit: true, listVersion: 'v', matchedEntryId: 'SIM-0001' } }),
      deps,
    );

    // Assess
    expect(result).toEqual({ riskScore: 100, decision: 'declined', reasons: ['sanctions-hit'] });
  });

  it('declines an unverified identity with the maximum score and the identity reasons', () => {
    // Prepare
    const identity = { verified: false, checks: ['document-format'], reasons: ['applicant-under-18'] };

    // Act
    const result = assessRisk(request({ identity }), deps);

    // Assess
    expect(result).toEqual({
      riskScore: 100,
      decision: 'declined',
      reasons: ['identity-not-verified', 'applicant-under-18'],
    });
  });

  it('gives every reason when the identity is unverified and the sanctions screening hit', () => {
    // Prepare
    const identity = { verified: false, checks: [], reasons: ['document-not-authentic'] };

    // Act
    const result = assessRisk(request({ identity, sanctions: { hit: true, listVersion: 'v' } }), deps);

    // Assess
    expect(result.reasons).toEqual(['sanctions-hit', 'identity-not-verified', 'document-not-authentic']);
  });

  it.each([
    ['GB', 'free', 15, 'approved', ['country-risk-low', 'plan-free']],
    ['GB', 'team', 10, 'approved', ['country-risk-low']],
    ['GB', 'enterprise', 5, 'approved', ['country-risk-low', 'plan-enterprise']],
    ['BR', 'enterprise', 35, 'approved', ['country-risk-medium', 'plan-enterprise']],
    ['BR', 'team', 40, 'manual review', ['country-risk-medium']],
    ['BR', 'free', 45, 'manual review', ['country-risk-medium', 'plan-free']],
    ['AR', 'enterprise', 45, 'manual review', ['country-risk-unknown', 'plan-enterprise']],
    ['AR', 'team', 50, 'manual review', ['country-risk-unknown']],
    ['AR', 'free', 55, 'manual review', ['country-risk-unknown', 'plan-free']],
    ['MM', 'enterprise', 65, 'manual review', ['country-risk-high', 'plan-enterprise']],
    ['MM', 'team', 70, 'declined', ['country-risk-high']],
    ['MM', 'free', 75, 'declined', ['country-risk-high', 'plan-free']],
  ] as const)('scores %s on the %s plan %d: %s', (country, plan, riskScore, decision, reasons) => {
    // Act
    const result = assessRisk(request({ country, plan }), deps);

    // Assess
    expect(result).toEqual({ riskScore, decision, reasons });
  });

  it('looks a lower-case country up like an upper-case one', () => {
    // Act
    const result = assessRisk(request({ country: 'mm' }), deps);

    // Assess
    expect(result.reasons).toEqual(['country-risk-high']);
  });

  it('keeps every possible score an integer within 0-100 whose decision follows the thresholds', () => {
    for (const tierScore of Object.values(TIER_SCORE)) {
      for (const plan of Plan.options) {
        // Act
        const score = tierScore + PLAN_ADJUSTMENT[plan];

        // Assess
        expect(AssessRiskResponse.shape.riskScore.safeParse(score).success).toBe(true);
      }
    }
    expect(TIER_SCORE.low + PLAN_ADJUSTMENT.free).toBeLessThan(APPROVE_BELOW);
    expect(TIER_SCORE.high + PLAN_ADJUSTMENT.team).toBeGreaterThanOrEqual(DECLINE_FROM);
  });
});

describe('decisionFor', () => {
  it.each([
    [0, 'approved'],
    [39, 'approved'],
    [40, 'manual review'],
    [69, 'manual review'],
    [70, 'declined'],
    [100, 'declined'],
  ])('decides %d as %s', (score, decision) => {
    // Act
    const result = decisionFor(score);

    // Assess
    expect(result).toBe(decision);
  });
});

describe('country risk table', () => {
  it('ships a valid table', () => {
    // Assess
    expect(tierOf(bundledCountryRisk, 'GB')).toBe('low');
    expect(tierOf(bundledCountryRisk, 'BR')).toBe('medium');
    expect(tierOf(bundledCountryRisk, 'KP')).toBe('high');
    expect(tierOf(bundledCountryRisk, 'AR')).toBe('unknown');
  });

  it('rejects a table with a country in two tiers', () => {
    // Prepare
    const table = { version: 'v', tiers: { low: ['GB'], medium: [], high: ['GB'] } };

    // Act
    const act = () => parseReferenceData(CountryRiskTable, table, 'country-risk.json');

    // Assess
    expect(act).toThrow("country-risk.json is invalid: tiers.high[0]: GB is already in tier 'low'");
  });

  it.each([
    ['a missing tier', { version: 'v', tiers: { low: [], medium: [] } }, 'tiers.high'],
    ['a lower-case country', { version: 'v', tiers: { low: ['gb'], medium: [], high: [] } }, 'tiers.low[0]'],
  ])('rejects a table with %s', (_, table, path) => {
    // Act
    const act = () => parseReferenceData(CountryRiskTable, table, 'country-risk.json');

    // Assess
    expect(act).toThrow(`country-risk.json is invalid: ${path}: `);
  });
});

describe('assess-risk handler', () => {
  it('parses the input, assesses, and returns the response', async () => {
    // Prepare
    const input = { ...request({ country: 'BR', plan: 'free' }), extra: 'dropped' };

    // Act
    const result = await handler(input);

    // Assess
    expect(result).toEqual({
      riskScore: 45,
      decision: 'manual review',
      reasons: ['country-risk-medium', 'plan-free'],
    });
    expect(AssessRiskResponse.parse(result)).toEqual(result);
  });

  it('accepts the outputs of verify-identity and screen-sanctions as they are', async () => {
    // Prepare
    const applicant = {
      fullName: 'Ada Example',
      dateOfBirth: '1990-01-31',
      country: 'GB',
      documentNumber: 'AB123456',
    };
    const identity = await verifyIdentity({ userId: 'user-1', applicant, asOf: '2024-05-01T12:00:00Z' });
    const sanctions = await screenSanctions({ userId: 'user-1', applicant });

    // Act
    const result = await handler({ userId: 'user-1', country: 'GB', plan: 'team', identity, sanctions });

    // Assess
    expect(result).toEqual({ riskScore: 10, decision: 'approved', reasons: ['country-risk-low'] });
  });

  it.each([
    ['the plan is unknown', { ...request(), plan: 'gold' }, 'plan'],
    ['the identity result is missing', { ...request(), identity: undefined }, 'identity'],
    [
      'the sanctions hit is a string',
      { ...request(), sanctions: { hit: 'no', listVersion: 'v' } },
      'sanctions.hit',
    ],
    [
      'an identity check is not a string',
      { ...request(), identity: { ...verified, checks: [1] } },
      'identity.checks[0]',
    ],
    ['the country has three letters', { ...request(), country: 'GBR' }, 'country'],
  ])('rejects input where %s with InvalidInput naming the field', async (_, input, field) => {
    // Act
    const result = handler(input);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringContaining(`Invalid input for assess-risk: ${field}`),
    });
  });
});
