import { AwsError } from '../../local/errors';
import { parseFilterPattern } from '../../local/logs-filter';
import { thrownBy } from '../support/errors';

/*
 * The filter pattern syntax of the CloudWatch Logs User Guide, "Filter pattern syntax for metric filters,
 * subscription filters, filter log events and Live Tail" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/
 * logs/FilterAndPatternSyntax.html): unstructured terms, and JSON patterns in braces.
 */

const event = JSON.stringify({
  source: 'app.kyc',
  'detail-type': 'Account Approved',
  detail: {
    userId: 'user-1001',
    version: 3,
    riskScore: 12.5,
    checks: ['identity', 'sanctions'],
    note: null,
    vip: true,
  },
});

const matches = (pattern: string, message = event) => parseFilterPattern(pattern)(message);

describe('parseFilterPattern: unstructured terms', () => {
  it('matches every event with an empty pattern', () => {
    expect(matches('')).toBe(true);
    expect(parseFilterPattern(undefined)('anything')).toBe(true);
  });

  it('needs every term, case-sensitively', () => {
    expect(matches('ERROR MainThread', 'ERROR in MainThread')).toBe(true);
    expect(matches('ERROR MainThread', 'ERROR in WorkerThread')).toBe(false);
    expect(matches('error', 'ERROR')).toBe(false);
  });

  it('matches a quoted phrase as one term, and needs quotes for punctuation', () => {
    expect(matches('"user-1001"')).toBe(true);
    expect(matches('"Account Approved"')).toBe(true);
    expect(matches('"Account Declined"')).toBe(false);
  });

  it('excludes the events containing a -term', () => {
    expect(matches('ERROR -Exiting', 'ERROR: retrying')).toBe(true);
    expect(matches('ERROR -Exiting', 'ERROR: Exiting')).toBe(false);
    expect(matches('-"user-1001"')).toBe(false);
  });

  it('needs one of the ?terms', () => {
    expect(matches('?ERROR ?WARN', 'WARN: disk')).toBe(true);
    expect(matches('?ERROR ?WARN', 'INFO: disk')).toBe(false);
  });

  it('rejects an unquoted term with punctuation as CloudWatch Logs does', () => {
    // Recorded from CloudWatch Logs: dougmoscrop/serverless-plugin-log-subscription#47.
    const error = thrownBy(() => parseFilterPattern('user-1001'));
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({
      code: 'InvalidParameterException',
      message: "Invalid character(s) in term 'user-1001'",
    });
  });
});

describe('parseFilterPattern: JSON patterns', () => {
  it('matches a string field, quoted or bare, with = and !=', () => {
    expect(matches('{ $.detail.userId = "user-1001" }')).toBe(true);
    expect(matches('{ $.detail.userId = "user-1002" }')).toBe(false);
    expect(matches('{$.source = app.kyc}')).toBe(true);
    expect(matches('{ $.detail.userId != "user-1002" }')).toBe(true);
  });

  it('matches wildcards in string values', () => {
    expect(matches('{ $.detail.userId = "user-*" }')).toBe(true);
    expect(matches('{ $.detail.userId = "*-1001" }')).toBe(true);
    expect(matches('{ $.detail.userId = "*100*" }')).toBe(true);
    expect(matches('{ $.detail.userId = "admin-*" }')).toBe(false);
  });

  it('compares numbers', () => {
    expect(matches('{ $.detail.version > 2 }')).toBe(true);
    expect(matches('{ $.detail.version >= 3 }')).toBe(true);
    expect(matches('{ $.detail.version < 3 }')).toBe(false);
    expect(matches('{ $.detail.riskScore <= 12.5 }')).toBe(true);
    expect(matches('{ $.detail.version = 3 }')).toBe(true);
    expect(matches('{ $.detail.version != 3 }')).toBe(false);
  });

  it('selects array elements by index', () => {
    expect(matches('{ $.detail.checks[1] = "sanctions" }')).toBe(true);
    expect(matches('{ $.detail.checks[2] = "sanctions" }')).toBe(false);
  });

  it('tests IS NULL, NOT EXISTS, IS TRUE and IS FALSE', () => {
    expect(matches('{ $.detail.note IS NULL }')).toBe(true);
    expect(matches('{ $.detail.userId IS NULL }')).toBe(false);
    expect(matches('{ $.detail.missing NOT EXISTS }')).toBe(true);
    expect(matches('{ $.detail.note NOT EXISTS }')).toBe(false);
    expect(matches('{ $.detail.vip IS TRUE }')).toBe(true);
    expect(matches('{ $.detail.vip IS FALSE }')).toBe(false);
  });

  it('combines with && and ||, && binding tighter, and parentheses', () => {
    expect(matches('{ $.detail.version > 5 || $.detail.userId = "user-1001" }')).toBe(true);
    expect(matches('{ $.detail.version > 5 && $.detail.userId = "user-1001" }')).toBe(false);
    expect(matches('{ $.source = "x" && $.detail.version > 5 || $.detail.vip IS TRUE }')).toBe(true);
    expect(matches('{ $.source = "x" && ($.detail.version > 5 || $.detail.vip IS TRUE) }')).toBe(false);
  });

  it('never matches a field that is absent, nor a message that is not JSON', () => {
    expect(matches('{ $.detail.missing != "x" }')).toBe(false);
    expect(matches('{ $.detail.missing > 1 }')).toBe(false);
    expect(matches('{ $.a = 1 }', 'a = 1')).toBe(false);
  });

  it('rejects a pattern missing its closing brace with AWS message', () => {
    // Recorded from CloudWatch Logs: jorgebastida/awslogs#210.
    expect(thrownBy(() => parseFilterPattern('{ $.a = 1'))).toMatchObject({
      code: 'InvalidParameterException',
      message: "If a filter pattern starts with '{' it must end with '}'",
    });
  });

  it.each([
    '{ }',
    '{ $.a = }',
    '{ $.a > "text" }',
    '{ $.a IS MAYBE }',
    '{ $.a = 1 && }',
    '{ ($.a = 1 }',
    '{ a = 1 }',
  ])('rejects %s as an invalid filter pattern', (pattern) => {
    // CloudWatch Logs' answer to a pattern it cannot parse: aws/aws-toolkit-jetbrains#3219.
    expect(thrownBy(() => parseFilterPattern(pattern))).toMatchObject({
      code: 'InvalidParameterException',
      message: 'Invalid filter pattern',
    });
  });
});
