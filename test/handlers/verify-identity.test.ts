import { HandlerError } from '../../handlers/shared/errors';
import {
  type IdentityApplicant,
  IdentityProviderUnavailable,
  type IdentityResult,
  VerifyIdentityResponse,
} from '../../handlers/verify-identity/contract';
import { handler } from '../../handlers/verify-identity/handler';
import {
  IdentityCheck,
  IdentityReason,
  isAdultOn,
  SimulatedIdentityProvider,
} from '../../handlers/verify-identity/simulated-identity-provider';
import { type IdentityProvider, verifyIdentity } from '../../handlers/verify-identity/verify-identity';

const ALL_CHECKS = [IdentityCheck.documentFormat, IdentityCheck.adult, IdentityCheck.documentAuthentic];
const AS_OF = '2024-05-01T12:00:00Z';

function applicant(overrides: Partial<IdentityApplicant> = {}): IdentityApplicant {
  return {
    fullName: 'Ada Example',
    dateOfBirth: '1990-01-31',
    country: 'GB',
    documentNumber: 'AB1234567',
    ...overrides,
  };
}

function request(overrides: Partial<IdentityApplicant> = {}, asOf = AS_OF) {
  return { userId: 'user-1', applicant: applicant(overrides), asOf };
}

const provider = new SimulatedIdentityProvider();
const verify = (overrides: Partial<IdentityApplicant> = {}, asOf = AS_OF) =>
  verifyIdentity(request(overrides, asOf), { provider });

describe('SimulatedIdentityProvider', () => {
  it('verifies an adult with a well-formed, authentic document', async () => {
    // Act
    const result = await verify();

    // Assess
    expect(result).toEqual({ verified: true, checks: ALL_CHECKS, reasons: [] });
  });

  it.each(['ABC123', 'ABCDEF123456', '000000'])(
    'accepts the well-formed document number %s',
    async (documentNumber) => {
      // Act
      const result = await verify({ documentNumber });

      // Assess
      expect(result.verified).toBe(true);
    },
  );

  it.each([
    ['too short', 'AB123'],
    ['too long', 'ABCDEF1234567'],
    ['lower case', 'ab1234567'],
    ['with a space', 'AB 123456'],
    ['with a hyphen', 'AB-123456'],
    ['with surrounding spaces', ' AB123456 '],
  ])('fails document-format for a number %s, and skips the authenticity check', async (_, documentNumber) => {
    // Act
    const result = await verify({ documentNumber });

    // Assess
    expect(result).toEqual({
      verified: false,
      checks: [IdentityCheck.adult],
      reasons: [IdentityReason.documentNumberMalformed],
    });
  });

  it('fails adult for an applicant who turns 18 the day after asOf', async () => {
    // Act
    const result = await verify({ dateOfBirth: '2006-05-02' });

    // Assess
    expect(result).toEqual({
      verified: false,
      checks: [IdentityCheck.documentFormat, IdentityCheck.documentAuthentic],
      reasons: [IdentityReason.applicantUnder18],
    });
  });

  it('passes adult on the 18th birthday', async () => {
    // Act
    const result = await verify({ dateOfBirth: '2006-05-01' });

    // Assess
    expect(result.checks).toContain(IdentityCheck.adult);
  });

  it('fails adult for a birth date after asOf', async () => {
    // Act
    const result = await verify({ dateOfBirth: '2030-01-01' });

    // Assess
    expect(result.reasons).toEqual([IdentityReason.applicantUnder18]);
  });

  it('fails authenticity for a document number starting with FORGED', async () => {
    // Act
    const result = await verify({ documentNumber: 'FORGED1234' });

    // Assess
    expect(result).toEqual({
      verified: false,
      checks: [IdentityCheck.documentFormat, IdentityCheck.adult],
      reasons: [IdentityReason.documentNotAuthentic],
    });
  });

  it('passes authenticity when FORGED appears later in the number', async () => {
    // Act
    const result = await verify({ documentNumber: 'ABFORGED12' });

    // Assess
    expect(result.verified).toBe(true);
  });

  it('reports every failed check at once', async () => {
    // Act
    const result = await verify({ documentNumber: 'FORGED1234', dateOfBirth: '2010-01-01' });

    // Assess
    expect(result).toEqual({
      verified: false,
      checks: [IdentityCheck.documentFormat],
      reasons: [IdentityReason.applicantUnder18, IdentityReason.documentNotAuthentic],
    });
  });

  it('rejects with the retryable IdentityProviderUnavailable for the document number UNAVAILABLE', async () => {
    // Act
    const result = verify({ documentNumber: 'UNAVAILABLE' });

    // Assess
    await expect(result).rejects.toBeInstanceOf(IdentityProviderUnavailable);
    await expect(result).rejects.toBeInstanceOf(HandlerError);
    await expect(result).rejects.toMatchObject({ name: 'IdentityProviderUnavailable', retryable: true });
    expect(IdentityProviderUnavailable.errorName).toBe('IdentityProviderUnavailable');
  });

  it('gives the same result whatever the wall clock says, because it ages the applicant at asOf', async () => {
    // Prepare
    jest.useFakeTimers({ now: new Date('2040-01-01T00:00:00Z') });

    try {
      // Act
      const result = await verify({ dateOfBirth: '2010-01-01' });

      // Assess
      expect(result.reasons).toEqual([IdentityReason.applicantUnder18]);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('isAdultOn', () => {
  it.each([
    ['the day before the 18th birthday', '2006-05-01', '2024-04-30T23:59:59Z', false],
    ['the 18th birthday', '2006-05-01', '2024-05-01T00:00:00Z', true],
    ['29 February, on 28 February of a non-leap 18th year', '2004-02-29', '2022-02-28T23:59:59Z', false],
    ['29 February, on 1 March of a non-leap 18th year', '2004-02-29', '2022-03-01T00:00:00Z', true],
    ['the day after the 18th birthday', '2006-05-01', '2024-05-02T00:00:00Z', true],
    [
      'an instant whose UTC date is the day before the birthday',
      '2006-05-01',
      '2024-05-01T01:00:00+02:00',
      false,
    ],
    ['a birth date in the future', '2030-01-01', '2024-05-01T00:00:00Z', false],
  ])('answers for %s', (_, dateOfBirth, asOf, expected) => {
    // Act
    const adult = isAdultOn(dateOfBirth, new Date(asOf));

    // Assess
    expect(adult).toBe(expected);
  });
});

describe('verifyIdentity', () => {
  it('asks the provider as of the request time and returns only the fields it promises', async () => {
    // Prepare
    const calls: [IdentityApplicant, Date][] = [];
    const fake: IdentityProvider = {
      async verify(who, asOf) {
        calls.push([who, asOf]);
        const answer: IdentityResult & { providerScore: number } = {
          verified: true,
          checks: ['liveness'],
          reasons: [],
          providerScore: 0.97,
        };
        return answer;
      },
    };

    // Act
    const result = await verifyIdentity(request(), { provider: fake });

    // Assess
    expect(calls).toEqual([[applicant(), new Date(AS_OF)]]);
    expect(result).toStrictEqual({ verified: true, checks: ['liveness'], reasons: [] });
  });
});

describe('verify-identity handler', () => {
  it('parses the input, verifies, and returns the response', async () => {
    // Prepare
    const input = { ...request(), unexpected: 'dropped' };

    // Act
    const result = await handler(input);

    // Assess
    expect(result).toEqual({ verified: true, checks: ALL_CHECKS, reasons: [] });
    expect(VerifyIdentityResponse.parse(result)).toEqual(result);
  });

  it('accepts asOf with a UTC offset and with fractional seconds', async () => {
    // Act
    const withOffset = await handler(request({}, '2024-05-01T12:00:00+02:00'));
    const withMillis = await handler(request({}, '2024-05-01T12:00:00.123Z'));

    // Assess
    expect(withOffset.verified).toBe(true);
    expect(withMillis.verified).toBe(true);
  });

  it.each([
    ['asOf is missing', { userId: 'user-1', applicant: applicant() }, 'asOf'],
    ['asOf is a date without a time', request({}, '2024-05-01'), 'asOf: Invalid ISO datetime'],
    ['userId is empty', { ...request(), userId: '' }, 'userId'],
    ['the date of birth is not a date', request({ dateOfBirth: '31/01/1990' }), 'applicant.dateOfBirth'],
    ['the country has three letters', request({ country: 'GBR' }), 'applicant.country'],
    ['the document number is empty', request({ documentNumber: '' }), 'applicant.documentNumber'],
    ['the applicant is missing', { userId: 'user-1', asOf: AS_OF }, 'applicant'],
    ['the input is not an object', 'user-1', '(input)'],
  ])('rejects input where %s with InvalidInput naming the field', async (_, input, field) => {
    // Act
    const result = handler(input);

    // Assess
    await expect(result).rejects.toBeInstanceOf(HandlerError);
    await expect(result).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringContaining(`Invalid input for verify-identity: ${field}`),
    });
  });

  it('rejects with IdentityProviderUnavailable when the provider is down', async () => {
    // Act
    const result = handler(request({ documentNumber: 'UNAVAILABLE' }));

    // Assess
    await expect(result).rejects.toMatchObject({ name: IdentityProviderUnavailable.errorName });
  });
});
