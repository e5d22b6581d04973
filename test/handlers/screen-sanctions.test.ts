import { type ScreeningSubject, ScreenSanctionsResponse } from '../../handlers/screen-sanctions/contract';
import { handler } from '../../handlers/screen-sanctions/handler';
import { normaliseName } from '../../handlers/screen-sanctions/normalise-name';
import {
  bundledSanctionsList,
  type SanctionsList,
  SanctionsList as SanctionsListSchema,
} from '../../handlers/screen-sanctions/sanctions-list';
import { type SanctionsScreener, screenSanctions } from '../../handlers/screen-sanctions/screen-sanctions';
import { SimulatedSanctionsScreener } from '../../handlers/screen-sanctions/simulated-sanctions-screener';
import { parseReferenceData } from '../../handlers/shared/reference-data';

const VERSION = bundledSanctionsList.version;

function subject(overrides: Partial<ScreeningSubject> = {}): ScreeningSubject {
  return { fullName: 'Ada Example', dateOfBirth: '1990-01-31', country: 'GB', ...overrides };
}

const screener = new SimulatedSanctionsScreener();
const screen = (overrides: Partial<ScreeningSubject> = {}) =>
  screenSanctions({ userId: 'user-1', applicant: subject(overrides) }, { screener });

describe('SimulatedSanctionsScreener', () => {
  it('clears an applicant on no list and outside embargoes, without a matchedEntryId', async () => {
    // Act
    const result = await screen();

    // Assess
    expect(result).toStrictEqual({ hit: false, listVersion: VERSION });
  });

  it('hits on an entry whose name and date of birth match', async () => {
    // Act
    const result = await screen({ fullName: 'Ivan Sanctioned', dateOfBirth: '1970-01-01' });

    // Assess
    expect(result).toStrictEqual({ hit: true, listVersion: VERSION, matchedEntryId: 'SIM-0001' });
  });

  it('narrows a name match by date of birth when the entry has one', async () => {
    // Act
    const other = await screen({ fullName: 'Ivan Sanctioned', dateOfBirth: '1982-03-03' });
    const none = await screen({ fullName: 'Ivan Sanctioned', dateOfBirth: '1990-01-31' });

    // Assess
    expect(other.matchedEntryId).toBe('SIM-0004');
    expect(none).toStrictEqual({ hit: false, listVersion: VERSION });
  });

  it('hits on an entry without a date of birth whatever the applicant was born', async () => {
    // Act
    const result = await screen({ fullName: 'Jane Embargo', dateOfBirth: '2001-12-24' });

    // Assess
    expect(result.matchedEntryId).toBe('SIM-0002');
  });

  it.each([
    ['upper case', 'JANE EMBARGO'],
    ['repeated and surrounding whitespace', '  jane \t  embargo '],
    ['reversed word order', 'Embargo Jane'],
    ['accents', 'Jàne Émbargo'],
    ['a comma', 'Embargo, Jane'],
  ])('matches a name written with %s', async (_, fullName) => {
    // Act
    const result = await screen({ fullName });

    // Assess
    expect(result.matchedEntryId).toBe('SIM-0002');
  });

  it.each([
    ['without accents or hyphen', 'Jose Nunez Listed'],
    ['in capitals, surname first', 'NÚÑEZ-LISTED, JOSÉ'],
  ])('matches a listed name with diacritics written %s', async (_, fullName) => {
    // Act
    const result = await screen({ fullName, dateOfBirth: '1985-06-15' });

    // Assess
    expect(result.matchedEntryId).toBe('SIM-0003');
  });

  it.each(['Soren OFlagged', "SØREN O'FLAGGED", 'Søren O’Flagged'])(
    'matches letters without a decomposition and names with apostrophes: %s',
    async (fullName) => {
      // Act
      const result = await screen({ fullName });

      // Assess
      expect(result.matchedEntryId).toBe('SIM-0005');
    },
  );

  it('does not match a name with an extra word, because matching is exact after normalisation', async () => {
    // Act
    const result = await screen({ fullName: 'Jane Mary Embargo' });

    // Assess
    expect(result.hit).toBe(false);
  });

  it('does not narrow by the countries an entry lists, since residence is easy to move', async () => {
    // Act
    const result = await screen({ fullName: 'Ivan Sanctioned', dateOfBirth: '1970-01-01', country: 'GB' });

    // Assess
    expect(result.matchedEntryId).toBe('SIM-0001');
  });

  it.each(['KP', 'ir'])(
    'hits on residence in the embargoed country %s, without an entry id',
    async (country) => {
      // Act
      const result = await screen({ country });

      // Assess
      expect(result).toStrictEqual({ hit: true, listVersion: VERSION });
    },
  );

  it('reports the matched entry when a listed person also lives in an embargoed country', async () => {
    // Act
    const result = await screen({ fullName: 'Jane Embargo', country: 'KP' });

    // Assess
    expect(result).toStrictEqual({ hit: true, listVersion: VERSION, matchedEntryId: 'SIM-0002' });
  });

  it('reports the first matching entry in list order and the version of the list it was given', async () => {
    // Prepare
    const list: SanctionsList = {
      version: 'test-7',
      entries: [
        { id: 'A', name: 'Sam Twice' },
        { id: 'B', name: 'Twice Sam' },
      ],
      embargoedCountries: [],
    };

    // Act
    const result = await new SimulatedSanctionsScreener(list).screen(subject({ fullName: 'sam twice' }));

    // Assess
    expect(result).toStrictEqual({ hit: true, listVersion: 'test-7', matchedEntryId: 'A' });
  });
});

describe('normaliseName', () => {
  it.each([
    ['  Jane   EMBARGO ', 'embargo jane'],
    ['Zoë Ångström-Müller', 'angstrom muller zoe'],
    ['Łukasz Straße', 'lukasz strasse'],
    ["Siobhán O'Brien", 'obrien siobhan'],
    ['J. R. R. Example', 'example j r r'],
    ['---', ''],
  ])('normalises %j to %j', (name, expected) => {
    // Act
    const key = normaliseName(name);

    // Assess
    expect(key).toBe(expected);
  });
});

describe('sanctions list data', () => {
  it('ships a valid list with fictional entries', () => {
    // Assess
    expect(bundledSanctionsList.version).not.toBe('');
    expect(bundledSanctionsList.entries.length).toBeGreaterThan(0);
    expect(bundledSanctionsList.embargoedCountries.length).toBeGreaterThan(0);
  });

  it('rejects a list with a duplicate entry id', () => {
    // Prepare
    const list = {
      version: 'v',
      entries: [
        { id: 'X', name: 'A B' },
        { id: 'X', name: 'C D' },
      ],
      embargoedCountries: [],
    };

    // Act
    const act = () => parseReferenceData(SanctionsListSchema, list, 'sanctions-list.json');

    // Assess
    expect(act).toThrow('sanctions-list.json is invalid: entries[1].id: Duplicate entry id');
  });

  it.each([
    ['a name with no letters', { id: 'X', name: '--' }, 'entries[0].name'],
    ['a malformed date of birth', { id: 'X', name: 'A B', dateOfBirth: '1970' }, 'entries[0].dateOfBirth'],
    ['a lower-case country', { id: 'X', name: 'A B', countries: ['gb'] }, 'entries[0].countries[0]'],
  ])('rejects a list with %s', (_, entry, path) => {
    // Act
    const act = () =>
      parseReferenceData(
        SanctionsListSchema,
        { version: 'v', entries: [entry], embargoedCountries: [] },
        'l.json',
      );

    // Assess
    expect(act).toThrow(`l.json is invalid: ${path}: `);
  });
});

describe('screenSanctions', () => {
  it('screens only the applicant and returns only the fields it promises', async () => {
    // Prepare
    const seen: ScreeningSubject[] = [];
    const fake: SanctionsScreener = {
      async screen(who) {
        seen.push(who);
        return { hit: false, listVersion: 'ext-1', matchedEntryId: undefined };
      },
    };

    // Act
    const result = await screenSanctions({ userId: 'user-1', applicant: subject() }, { screener: fake });

    // Assess
    expect(seen).toEqual([subject()]);
    expect(result).toStrictEqual({ hit: false, listVersion: 'ext-1' });
  });
});

describe('screen-sanctions handler', () => {
  it('parses the input, screens, and returns the response', async () => {
    // Prepare
    const input = {
      userId: 'user-1',
      applicant: subject({ fullName: 'Ivan Sanctioned', dateOfBirth: '1970-01-01' }),
    };

    // Act
    const result = await handler(input);

    // Assess
    expect(result).toStrictEqual({ hit: true, listVersion: VERSION, matchedEntryId: 'SIM-0001' });
    expect(ScreenSanctionsResponse.parse(result)).toEqual(result);
  });

  it('accepts the full applicant of the trigger event and ignores the document number', async () => {
    // Prepare
    const input = { userId: 'user-1', applicant: { ...subject(), documentNumber: 'AB1234567' } };

    // Act
    const result = await handler(input);

    // Assess
    expect(result).toStrictEqual({ hit: false, listVersion: VERSION });
  });

  it.each([
    [
      'the date of birth is missing',
      { userId: 'u', applicant: { fullName: 'A B', country: 'GB' } },
      'applicant.dateOfBirth',
    ],
    ['the full name is empty', { userId: 'u', applicant: subject({ fullName: '' }) }, 'applicant.fullName'],
    [
      'the country has three letters',
      { userId: 'u', applicant: subject({ country: 'GBR' }) },
      'applicant.country',
    ],
    ['userId is missing', { applicant: subject() }, 'userId'],
    ['the input is null', null, '(input)'],
  ])('rejects input where %s with InvalidInput naming the field', async (_, input, field) => {
    // Act
    const result = handler(input);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringContaining(`Invalid input for screen-sanctions: ${field}`),
    });
  });
});
