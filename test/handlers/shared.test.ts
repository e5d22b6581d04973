import { z } from 'zod';
import { HandlerError, InvalidInput } from '../../handlers/shared/errors';
import { formatPath, parseInput } from '../../handlers/shared/parse-input';
import { parseReferenceData } from '../../handlers/shared/reference-data';

const Request = z.object({
  userId: z.string().min(1),
  applicant: z.object({ dateOfBirth: z.iso.date() }),
  tags: z.array(z.string()).optional(),
});

describe('parseInput', () => {
  it('returns the parsed input without fields the schema does not know', () => {
    // Prepare
    const input = { userId: 'u-1', applicant: { dateOfBirth: '1990-01-31', extra: true }, unknown: 1 };

    // Act
    const parsed = parseInput(Request, input, 'test-fn');

    // Assess
    expect(parsed).toEqual({ userId: 'u-1', applicant: { dateOfBirth: '1990-01-31' } });
  });

  it('rejects invalid input with a named, non-retryable InvalidInput listing every problem by path', () => {
    // Prepare
    const input = { userId: '', applicant: { dateOfBirth: '1990-02-30' }, tags: ['ok', 7] };

    // Act
    const act = () => parseInput(Request, input, 'test-fn');

    // Assess
    expect(act).toThrow(InvalidInput);
    const error = catchError(act);
    expect(error).toBeInstanceOf(HandlerError);
    expect(error).toMatchObject({ name: 'InvalidInput', retryable: false, functionName: 'test-fn' });
    expect(error.message).toBe(
      'Invalid input for test-fn: userId: Too small: expected string to have >=1 characters; ' +
        'applicant.dateOfBirth: Invalid ISO date; tags[1]: Invalid input: expected string, received number',
    );
    expect(error.cause).toBeInstanceOf(z.ZodError);
  });

  it('rejects invalid input without repeating the values, which may be personal data', () => {
    // Prepare
    const input = { userId: 'jane.doe@example.com', applicant: { dateOfBirth: '1990-13-45' } };

    // Act
    const error = catchError(() => parseInput(Request, input, 'test-fn'));

    // Assess
    expect(error.message).toContain('applicant.dateOfBirth');
    expect(error.message).not.toContain('1990-13-45');
    expect(error.message).not.toContain('jane.doe');
  });

  it.each([
    ['a string', 'not an object'],
    ['null', null],
    ['undefined', undefined],
  ])('rejects %s as input with the problem at (input)', (_, input) => {
    // Act
    const error = catchError(() => parseInput(Request, input, 'test-fn'));

    // Assess
    expect(error.message).toMatch(/^Invalid input for test-fn: \(input\): Invalid input: expected object/);
  });

  it('rejects input with many problems with a message that lists ten and counts the rest', () => {
    // Prepare
    const Wide = z.object(Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`f${i}`, z.string()])));

    // Act
    const error = catchError(() => parseInput(Wide, {}, 'test-fn'));

    // Assess
    expect(error.message).toContain('f9: ');
    expect(error.message).not.toContain('f10: ');
    expect(error.message).toMatch(/; and 3 more$/);
    expect(error.issues).toHaveLength(13);
  });
});

describe('formatPath', () => {
  it.each([
    [[], '(input)'],
    [['applicant', 'fullName'], 'applicant.fullName'],
    [['checks', 0], 'checks[0]'],
    [['entries', 2, 'id'], 'entries[2].id'],
  ])('formats %j as %s', (path, expected) => {
    // Act
    const formatted = formatPath(path);

    // Assess
    expect(formatted).toBe(expected);
  });
});

describe('parseReferenceData', () => {
  it('returns valid data', () => {
    // Act
    const data = parseReferenceData(z.object({ version: z.string() }), { version: 'v1' }, 'data.json');

    // Assess
    expect(data).toEqual({ version: 'v1' });
  });

  it('rejects invalid data with an error naming the file and the problem', () => {
    // Act
    const act = () => parseReferenceData(z.object({ version: z.string() }), {}, 'handlers/x/data.json');

    // Assess
    expect(act).toThrow(
      'handlers/x/data.json is invalid: version: Invalid input: expected string, received undefined',
    );
  });
});

function catchError(act: () => unknown): InvalidInput {
  try {
    act();
  } catch (error) {
    if (error instanceof InvalidInput) return error;
    throw error;
  }
  throw new Error('Expected InvalidInput to be thrown');
}
