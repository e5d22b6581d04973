import {
  type EventPattern,
  InvalidEventPatternError,
  matchesPattern,
  parsePattern,
} from '../../../local/eventbridge/pattern';

/*
 * Cases mirror the examples of the EventBridge user guide, cited by page and section:
 *   [create]   "Creating event patterns" (and its "Example events and event patterns")
 *   [null]     "Matching null values and empty strings"
 *   [arrays]   "Arrays in event patterns" / "Matching on multiple values"
 *   [content]  "Content filtering in Amazon EventBridge event patterns"
 *   [ops]      "Comparison operators for use in event patterns" (the summary table)
 * Where the guide is silent, cases cite [ruler] (the README of aws/event-ruler, the engine EventBridge runs)
 * or [aws] (a TestEventPattern result LocalStack recorded against real AWS).
 */

function envelope(detail: unknown, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '111122223333',
    time: '2017-12-22T18:43:48Z',
    region: 'us-west-1',
    resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
    detail,
    ...fields,
  };
}

function matches(pattern: string | object, event: unknown): boolean {
  return matchesPattern(parsePattern(pattern), event);
}

/** The error parsePattern throws, so a test can assert on its reason and path. */
function rejection(pattern: string | object): InvalidEventPatternError {
  try {
    parsePattern(pattern);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) {
      return error;
    }
    throw error;
  }
  throw new Error(`pattern was accepted: ${JSON.stringify(pattern)}`);
}

// [create] the Amazon EC2 event the page opens with.
const ec2Terminated = envelope({ 'instance-id': 'i-1234567890abcdef0', state: 'terminated' });

describe('exact matching', () => {
  const terminations = {
    source: ['aws.ec2'],
    'detail-type': ['EC2 Instance State-change Notification'],
    detail: { state: ['terminated'] },
  };

  it('matches the instance-termination event on source, detail-type and detail.state ([create])', () => {
    expect(matches(terminations, ec2Terminated)).toBe(true);
  });

  it('does not match when one named field has another value ([create], all fields must match)', () => {
    expect(matches(terminations, envelope({ state: 'running' }))).toBe(false);
  });

  it('ignores event fields the pattern does not name ([create], the implicit "*": "*")', () => {
    expect(
      matches({ detail: { state: ['terminated'] } }, { ...ec2Terminated, extra: { deep: [1, 2] } }),
    ).toBe(true);
  });

  it('does not match an event missing a field the pattern names ([create])', () => {
    expect(matches({ detail: { 'instance-type': ['t3.micro'] } }, ec2Terminated)).toBe(false);
  });

  it('requires the same nesting: a top-level state does not satisfy detail.state ([create])', () => {
    expect(matches({ detail: { state: ['terminated'] } }, { state: 'terminated', detail: {} })).toBe(false);
  });

  it('compares strings character by character, without case folding ([create])', () => {
    expect(matches({ source: ['AWS.EC2'] }, ec2Terminated)).toBe(false);
  });

  it('treats field names as case-sensitive ([aws] key_case_sensitive)', () => {
    expect(matches({ MY_KEY: ['my-value'] }, { my_key: 'my-value' })).toBe(false);
  });

  it('matches numbers and nested objects: risk-score 80 and trigger.risk 8 ([create] value matching, Macie)', () => {
    const macie = envelope(
      { 'notification-type': 'ALERT_CREATED', 'risk-score': 80, trigger: { 'alert-type': 'basic', risk: 8 } },
      { source: 'aws.macie', 'detail-type': 'Macie Alert' },
    );
    const pattern = {
      source: ['aws.macie'],
      'detail-type': ['Macie Alert'],
      detail: { 'risk-score': [80], trigger: { risk: [8] } },
    };
    expect(matches(pattern, macie)).toBe(true);
    expect(matches({ ...pattern, detail: { 'risk-score': [80], trigger: { risk: [9] } } }, macie)).toBe(
      false,
    );
  });

  // [create] "values ... follow JSON rules": strings are quoted, numbers are not, so the two never meet.
  it('does not match a number with its string form, nor a string with a number', () => {
    expect(matches({ detail: { count: [5] } }, envelope({ count: '5' }))).toBe(false);
    expect(matches({ detail: { count: ['5'] } }, envelope({ count: 5 }))).toBe(false);
  });

  it('matches booleans exactly ([aws] boolean)', () => {
    expect(matches({ detail: { blocked: [false] } }, envelope({ blocked: false }))).toBe(true);
    expect(matches({ detail: { blocked: [false] } }, envelope({ blocked: true }))).toBe(false);
    expect(matches({ detail: { blocked: [false] } }, envelope({ blocked: 'false' }))).toBe(false);
  });

  it('matches a string with emoji and trailing whitespace as written ([aws] string)', () => {
    const text = 'A CamelCase string with an emoji 🚀 and trailing whitespace ';
    expect(matches({ detail: { text: [text] } }, envelope({ text }))).toBe(true);
  });

  it('does not look inside a string that holds JSON ([aws] nested_json_NEG)', () => {
    expect(matches({ detail: { 'my-key': ['my-value'] } }, envelope('{"my-key": "my-value"}'))).toBe(false);
  });

  it('matches an IP address written differently, as event-ruler compares addresses ([ruler])', () => {
    expect(matches({ detail: { ip: ['2001:db8::1'] } }, envelope({ ip: '2001:0db8:0:0:0:0:0:1' }))).toBe(
      true,
    );
  });
});

describe('null and empty strings', () => {
  // [null] and [create] "Field matching": the Auto Scaling launch event.
  const launch = envelope(
    { eventVersion: '', responseElements: null },
    { source: 'aws.autoscaling', 'detail-type': 'EC2 Instance Launch Successful', resources: [] },
  );

  it('matches an empty string with [""] ([null])', () => {
    expect(matches({ detail: { eventVersion: [''] } }, launch)).toBe(true);
  });

  it('matches a null value with [null] ([null], [create] field matching)', () => {
    const pattern = {
      source: ['aws.autoscaling'],
      'detail-type': ['EC2 Instance Launch Successful'],
      detail: { responseElements: [null] },
    };
    expect(matches(pattern, launch)).toBe(true);
  });

  it('does not treat null and empty strings as interchangeable ([null] note)', () => {
    expect(matches({ detail: { responseElements: [''] } }, launch)).toBe(false);
    expect(matches({ detail: { eventVersion: [null] } }, launch)).toBe(false);
  });

  it('does not match [null] against the string "null" or a missing field ([aws] null_value_NEG)', () => {
    expect(matches({ detail: { responseElements: [null] } }, envelope({ responseElements: 'null' }))).toBe(
      false,
    );
    expect(matches({ detail: { responseElements: [null] } }, envelope({}))).toBe(false);
  });

  it('does not match [null] against an empty event array ([aws] arrays_empty_null_NEG)', () => {
    expect(matches({ resources: [null] }, launch)).toBe(false);
  });
});

describe('multiple values and arrays', () => {
  it('matches when the field equals any value in the list: aws.ec2 or aws.fargate ([create] match values)', () => {
    const pattern = { source: ['aws.ec2', 'aws.fargate'] };
    expect(matches(pattern, ec2Terminated)).toBe(true);
    expect(matches(pattern, { ...ec2Terminated, source: 'aws.fargate' })).toBe(true);
    expect(matches(pattern, { ...ec2Terminated, source: 'aws.ecs' })).toBe(false);
  });

  it('matches PaymentType "Credit" or "Debit" ([ops] Or)', () => {
    const pattern = { PaymentType: ['Credit', 'Debit'] };
    expect(matches(pattern, { PaymentType: 'Debit' })).toBe(true);
    expect(matches(pattern, { PaymentType: 'Cash' })).toBe(false);
  });

  it('matches when the pattern list and the event array intersect ([arrays] resources example)', () => {
    const pattern = {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    };
    const autoscaling =
      'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate';
    expect(
      matches(pattern, {
        resources: [autoscaling, 'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'],
      }),
    ).toBe(true);
    expect(matches(pattern, { resources: [autoscaling] })).toBe(false);
  });

  // [arrays] "matches if any of the values in the array match", with an operator instead of a value.
  it('applies operators to each element of an event array', () => {
    expect(
      matches({ detail: { tags: [{ prefix: 'Insider' }] } }, envelope({ tags: ['Custom_Alert', 'Insider'] })),
    ).toBe(true);
  });

  it('reads nested event arrays as one list ([ruler] multi-level arrays)', () => {
    expect(matches({ detail: { codes: [3] } }, envelope({ codes: [[1, 2], [3]] }))).toBe(true);
  });

  it('matches fields inside objects of an event array ([ruler] JSON array matching, employees)', () => {
    const employees = envelope({
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    });
    expect(matches({ detail: { employees: { firstName: ['Anna'] } } }, employees)).toBe(true);
    expect(matches({ detail: { employees: { firstName: ['Anna'], lastName: ['Smith'] } } }, employees)).toBe(
      true,
    );
  });

  it('never combines fields from different elements of one array ([ruler] array-consistent matching)', () => {
    const employees = envelope({
      employees: [
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    });
    expect(matches({ detail: { employees: { firstName: ['Anna'], lastName: ['Jones'] } } }, employees)).toBe(
      false,
    );
  });

  it('matches exists inside a list of objects when one element has the field ([aws] list_within_dict)', () => {
    const event = envelope({
      automations: [{ key1: 'value1' }, { id: 'match-does-exist' }, { key2: 'value2' }],
    });
    expect(matches({ detail: { automations: { id: [{ exists: true }] } } }, event)).toBe(true);
  });
});

describe('prefix', () => {
  it('matches a time starting with 2017-10-02 ([content] prefix matching)', () => {
    const pattern = { time: [{ prefix: '2017-10-02' }] };
    expect(matches(pattern, { ...ec2Terminated, time: '2017-10-02T18:43:48Z' })).toBe(true);
    expect(matches(pattern, { ...ec2Terminated, time: '2017-10-03T18:43:48Z' })).toBe(false);
  });

  it('matches a Region in the US with "us-" ([ops] begins with)', () => {
    expect(matches({ Region: [{ prefix: 'us-' }] }, { Region: 'us-east-1' })).toBe(true);
    expect(matches({ Region: [{ prefix: 'us-' }] }, { Region: 'eu-west-1' })).toBe(false);
  });

  // [create] "exact character-by-character matching without case-folding".
  it('is case-sensitive', () => {
    expect(matches({ Region: [{ prefix: 'US-' }] }, { Region: 'us-east-1' })).toBe(false);
  });

  it('matches a service starting with EventB in any casing ([content] prefix ignoring case)', () => {
    const pattern = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
    for (const service of ['EventBridge', 'EVENTBRIDGE', 'eventb']) {
      expect(matches(pattern, envelope({ service }))).toBe(true);
    }
    expect(matches(pattern, envelope({ service: 'Event Bus' }))).toBe(false);
  });

  it('with "" matches every string, the empty string included ([aws] content_prefix_empty)', () => {
    expect(matches({ source: [{ prefix: '' }] }, ec2Terminated)).toBe(true);
    expect(matches({ detail: { name: [{ prefix: '' }] } }, envelope({ name: '' }))).toBe(true);
  });

  it('never matches numbers, booleans, null or a missing field, even with "" ([content] "for string values")', () => {
    const pattern = { detail: { value: [{ prefix: '' }] } };
    for (const value of [0, 12, true, false, null]) {
      expect(matches(pattern, envelope({ value }))).toBe(false);
    }
    expect(matches(pattern, envelope({}))).toBe(false);
  });
});

describe('suffix', () => {
  it('matches a FileName ending in .png ([content] suffix matching, [ops] ends with)', () => {
    expect(matches({ FileName: [{ suffix: '.png' }] }, { FileName: 'image.png' })).toBe(true);
    expect(matches({ FileName: [{ suffix: '.png' }] }, { FileName: 'image.jpg' })).toBe(false);
  });

  it('is case-sensitive ([aws] content_suffix_NEG)', () => {
    expect(matches({ FileName: [{ suffix: '.PNG' }] }, { FileName: 'image.png' })).toBe(false);
  });

  it('matches .png in any casing with equals-ignore-case ([content] suffix ignoring case)', () => {
    const pattern = { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } };
    expect(matches(pattern, envelope({ FileName: 'image.PNG' }))).toBe(true);
    expect(matches(pattern, envelope({ FileName: 'image.jpg' }))).toBe(false);
  });

  it('matches a service ending in tbridge in any casing ([ops] ends with, ignore case)', () => {
    const pattern = { service: [{ suffix: { 'equals-ignore-case': 'tbridge' } }] };
    expect(matches(pattern, { service: 'EVENTBRIDGE' })).toBe(true);
  });

  it('with "" matches every string but no number ([aws] content_suffix_empty)', () => {
    expect(matches({ source: [{ suffix: '' }] }, ec2Terminated)).toBe(true);
    expect(matches({ detail: { n: [{ suffix: '' }] } }, envelope({ n: 1 }))).toBe(false);
  });
});

describe('equals-ignore-case', () => {
  it('matches Name "Alice" with "alice" ([ops] equals, ignore case)', () => {
    expect(matches({ Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alice' })).toBe(true);
    expect(matches({ Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alicia' })).toBe(false);
  });

  it('matches the detail-type in another casing ([aws] content_ignorecase)', () => {
    const pattern = { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] };
    expect(matches(pattern, ec2Terminated)).toBe(true);
  });

  it('with "" matches only the empty string ([aws] content_ignorecase_empty)', () => {
    expect(matches({ detail: { value: [{ 'equals-ignore-case': '' }] } }, envelope({ value: '' }))).toBe(
      true,
    );
    expect(matches({ detail: { value: [{ 'equals-ignore-case': '' }] } }, envelope({ value: 'x' }))).toBe(
      false,
    );
  });

  // [ruler] "Equals-ignore-case matches only work on string-valued fields".
  it('does not match non-strings', () => {
    expect(
      matches({ detail: { value: [{ 'equals-ignore-case': 'null' }] } }, envelope({ value: null })),
    ).toBe(false);
  });
});

describe('anything-but', () => {
  it('matches any state besides "initializing" ([content] anything-but with a string, [ops])', () => {
    const pattern = { detail: { state: [{ 'anything-but': 'initializing' }] } };
    expect(matches(pattern, envelope({ state: 'pending' }))).toBe(true);
    expect(matches(pattern, envelope({ state: 'initializing' }))).toBe(false);
  });

  it('matches any x-limit besides 123 ([content] anything-but with a number)', () => {
    const pattern = { detail: { 'x-limit': [{ 'anything-but': 123 }] } };
    expect(matches(pattern, envelope({ 'x-limit': 789 }))).toBe(true);
    expect(matches(pattern, envelope({ 'x-limit': 123 }))).toBe(false);
  });

  it('excludes every string of a list: "stopped", "overloaded" ([content] list of strings)', () => {
    const pattern = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
    expect(matches(pattern, envelope({ state: 'pending' }))).toBe(true);
    expect(matches(pattern, envelope({ state: 'overloaded' }))).toBe(false);
  });

  it('excludes every number of a list: 100, 200, 300 ([content] list of numbers)', () => {
    const pattern = { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } };
    expect(matches(pattern, envelope({ 'x-limit': 999 }))).toBe(true);
    expect(matches(pattern, envelope({ 'x-limit': 200 }))).toBe(false);
  });

  it('matches Weather other than "Raining" ([ops] anything-but)', () => {
    expect(matches({ Weather: [{ 'anything-but': ['Raining'] }] }, { Weather: 'Sunny' })).toBe(true);
    expect(matches({ Weather: [{ 'anything-but': ['Raining'] }] }, { Weather: 'Raining' })).toBe(false);
  });

  it('does not match a missing field ([aws] content_anything_but_string_missing_NEG)', () => {
    expect(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } }, envelope({}))).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': [1, 2] }] } }, envelope({}))).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, envelope({}))).toBe(
      false,
    );
  });

  // [ops] "Comparison operators only work on leaf nodes": an object or [] has no leaf at this path.
  it('does not match an object or an empty array, which hold no value', () => {
    const pattern = { detail: { state: [{ 'anything-but': 'initializing' }] } };
    expect(matches(pattern, envelope({ state: { name: 'pending' } }))).toBe(false);
    expect(matches(pattern, envelope({ state: [] }))).toBe(false);
  });

  it('matches null, booleans and numbers, which are never the excluded string ([aws] content_anything_but_string_null)', () => {
    const pattern = { detail: { state: [{ 'anything-but': 'initializing' }] } };
    for (const state of [null, true, false, 0, 42]) {
      expect(matches(pattern, envelope({ state }))).toBe(true);
    }
  });

  // [ruler] numeric anything-but only excludes numbers (mirror of [aws] content_anything_but_string_null).
  it('matches strings, booleans and null when the excluded values are numbers', () => {
    const pattern = { detail: { 'x-limit': [{ 'anything-but': [100, 200] }] } };
    for (const value of ['100', true, null]) {
      expect(matches(pattern, envelope({ 'x-limit': value }))).toBe(true);
    }
  });

  // [arrays] any element may match; the SNS guide's anything-but [100, 500] vs [100, 50] example says the same.
  it('matches an event array holding any value that is not excluded', () => {
    const pattern = { detail: { price: [{ 'anything-but': [100, 500] }] } };
    expect(matches(pattern, envelope({ price: [100, 50] }))).toBe(true);
    expect(matches(pattern, envelope({ price: [100, 500] }))).toBe(false);
  });

  it('excludes states starting with "init" ([content] anything-but prefix)', () => {
    const pattern = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    expect(matches(pattern, envelope({ state: 'post-init' }))).toBe(true);
    expect(matches(pattern, envelope({ state: 'init-prefix' }))).toBe(false);
  });

  it('excludes Regions in the US ([ops] anything-but, begins with)', () => {
    const pattern = { Region: [{ 'anything-but': { prefix: 'us-' } }] };
    expect(matches(pattern, { Region: 'eu-west-1' })).toBe(true);
    expect(matches(pattern, { Region: 'us-west-2' })).toBe(false);
  });

  it('with a prefix, matches numbers and null ([aws] content_anything_prefix_int_value, _null)', () => {
    const pattern = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    expect(matches(pattern, envelope({ state: 12 }))).toBe(true);
    expect(matches(pattern, envelope({ state: null }))).toBe(true);
  });

  it('excludes every prefix of a list ([ruler] anything-but prefix list, [aws] content_anything_prefix_list)', () => {
    const pattern = { detail: { state: [{ 'anything-but': { prefix: ['init', 'post'] } }] } };
    expect(matches(pattern, envelope({ state: 'running' }))).toBe(true);
    expect(matches(pattern, envelope({ state: 'post-init' }))).toBe(false);
  });

  it('excludes FileNames ending in .png ([ops] anything-but, ends with)', () => {
    const pattern = { FileName: [{ 'anything-but': { suffix: '.png' } }] };
    expect(matches(pattern, { FileName: 'image.jpg' })).toBe(true);
    expect(matches(pattern, { FileName: 'image.png' })).toBe(false);
    expect(matches(pattern, { FileName: null })).toBe(true);
  });

  it('excludes every suffix of a list ([ruler] anything-but suffix list)', () => {
    const pattern = { detail: { 'instance-id': [{ 'anything-but': { suffix: ['1234', '6789'] } }] } };
    expect(matches(pattern, envelope({ 'instance-id': 'i-0005' }))).toBe(true);
    expect(matches(pattern, envelope({ 'instance-id': 'i-6789' }))).toBe(false);
  });

  it('excludes "initializing" in any casing ([ops] anything-but, ignore case)', () => {
    const pattern = { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] };
    expect(matches(pattern, { state: 'pending' })).toBe(true);
    expect(matches(pattern, { state: 'INITIALIZING' })).toBe(false);
    expect(matches(pattern, { state: null })).toBe(true);
  });

  it('excludes every casing of a list ([ruler] anything-but-ignore-case list)', () => {
    const pattern = {
      detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] },
    };
    expect(matches(pattern, envelope({ state: 'running' }))).toBe(true);
    expect(matches(pattern, envelope({ state: 'STOPPED' }))).toBe(false);
  });

  it('excludes file paths that include /lib/ ([ops] anything-but using a wildcard)', () => {
    const pattern = { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] };
    expect(matches(pattern, { FilePath: '/usr/bin/node' })).toBe(true);
    expect(matches(pattern, { FilePath: '/usr/lib/node' })).toBe(false);
    expect(matches(pattern, { FilePath: 123 })).toBe(true);
  });

  it('excludes every wildcard of a list ([ruler] anything-but wildcard list)', () => {
    const pattern = {
      detail: { state: [{ 'anything-but': { wildcard: ['*/bin/*.jar', '*/bin/*.class'] } }] },
    };
    expect(matches(pattern, envelope({ state: '/opt/lib/app.jar' }))).toBe(true);
    expect(matches(pattern, envelope({ state: '/opt/bin/App.class' }))).toBe(false);
  });

  it('with wildcard "" excludes only the empty string ([aws] content_anything_wildcard_empty)', () => {
    const pattern = { detail: { FilePath: [{ 'anything-but': { wildcard: '' } }] } };
    expect(matches(pattern, envelope({ FilePath: 'dir/init/file' }))).toBe(true);
    expect(matches(pattern, envelope({ FilePath: '' }))).toBe(false);
  });
});

describe('numeric', () => {
  // [content] numeric matching: c-count, d-count and x-limit must all hold.
  const pattern = {
    detail: {
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ numeric: ['=', 3.018e2] }],
    },
  };

  it('matches when every numeric field is in range ([content] numeric matching)', () => {
    expect(matches(pattern, envelope({ 'c-count': 5, 'd-count': 9, 'x-limit': 301.8 }))).toBe(true);
  });

  it('does not match when one field is out of range ([content] numeric matching)', () => {
    expect(matches(pattern, envelope({ 'c-count': 42, 'd-count': 9, 'x-limit': 301.8 }))).toBe(false);
    expect(matches(pattern, envelope({ 'c-count': 0, 'd-count': 9, 'x-limit': 301.8 }))).toBe(false);
    expect(matches(pattern, envelope({ 'c-count': 5, 'd-count': 10, 'x-limit': 301.8 }))).toBe(false);
  });

  it('matches Price = 100 by value ([ops] numeric equals)', () => {
    expect(matches({ Price: [{ numeric: ['=', 100] }] }, { Price: 100 })).toBe(true);
    expect(matches({ Price: [{ numeric: ['=', 100] }] }, { Price: 100.5 })).toBe(false);
  });

  it('matches Price more than 10 and at most 20 ([ops] numeric range)', () => {
    const range = { Price: [{ numeric: ['>', 10, '<=', 20] }] };
    expect(matches(range, { Price: 10 })).toBe(false);
    expect(matches(range, { Price: 10.000001 })).toBe(true);
    expect(matches(range, { Price: 20 })).toBe(true);
    expect(matches(range, { Price: 20.5 })).toBe(false);
  });

  // [aws] complex_many_rules num-test7: >= 200 and < 500.
  it('treats >= and < as inclusive and exclusive bounds', () => {
    const range = { n: [{ numeric: ['>=', 200, '<', 500] }] };
    expect(matches(range, { n: 200 })).toBe(true);
    expect(matches(range, { n: 500 })).toBe(false);
  });

  it('never matches a string, even one that reads as a number ([aws] numeric-string_NEG)', () => {
    expect(matches({ number: [{ numeric: ['>', 100] }] }, { number: '300' })).toBe(false);
  });

  it('never matches null, booleans or a missing field ([aws] numeric-null_NEG)', () => {
    for (const number of [null, true]) {
      expect(matches({ number: [{ numeric: ['>', 0] }] }, { number })).toBe(false);
    }
    expect(matches({ number: [{ numeric: ['>', 0] }] }, {})).toBe(false);
  });

  it('matches an integer against a decimal bound ([aws] numeric-int-float)', () => {
    expect(matches({ number: [{ numeric: ['>', 100] }] }, { number: 101 })).toBe(true);
  });

  it('works inside the documented range, -5.0e9 to +5.0e9 inclusive ([content] numeric limits)', () => {
    expect(matches({ n: [{ numeric: ['>=', -5e9, '<=', 5e9] }] }, { n: 5e9 })).toBe(true);
    expect(matches({ n: [{ numeric: ['>=', -5e9, '<=', 5e9] }] }, { n: -5e9 })).toBe(true);
  });

  it('does not match event values outside the documented range or precision ([content] numeric limits)', () => {
    expect(matches({ n: [{ numeric: ['>', 0] }] }, { n: 5e9 + 1 })).toBe(false);
    expect(matches({ n: [{ numeric: ['<', 0] }] }, { n: -1e10 })).toBe(false);
    expect(matches({ n: [{ numeric: ['>', 0] }] }, { n: 0.0000001 })).toBe(false);
  });
});

describe('cidr', () => {
  it('matches addresses in 10.0.0.0/24 ([content] IP address matching)', () => {
    const pattern = { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } };
    expect(matches(pattern, envelope({ sourceIPAddress: '10.0.0.255' }))).toBe(true);
    expect(matches(pattern, envelope({ sourceIPAddress: '10.0.1.0' }))).toBe(false);
  });

  it('does not match an invalid address or a non-string ([aws] content_ip_address_NEG, _bad_type_NEG)', () => {
    const pattern = { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } };
    expect(matches(pattern, envelope({ sourceIPAddress: '10.0.0.256' }))).toBe(false);
    expect(matches(pattern, envelope({ sourceIPAddress: 123 }))).toBe(false);
  });

  it('matches IPv6 addresses, whatever their spelling ([content] "IPv4 and IPv6", [aws] content_ip_address_v6)', () => {
    const pattern = { detail: { sourceIPAddress: [{ cidr: '2001:db8:1234:1a00::/64' }] } };
    expect(matches(pattern, envelope({ sourceIPAddress: '2001:0db8:1234:1a00:0000:0000:0000:0000' }))).toBe(
      true,
    );
    expect(matches(pattern, envelope({ sourceIPAddress: '2001:db8:1234:1a00::42' }))).toBe(true);
    expect(matches(pattern, envelope({ sourceIPAddress: '2001:0db8:123f:1a01::' }))).toBe(false);
  });

  // [content] IP address matching: the address families never mix.
  it('does not match an IPv4 address against an IPv6 network', () => {
    expect(matches({ ip: [{ cidr: '::/1' }] }, { ip: '10.0.0.1' })).toBe(false);
  });

  // [content] IP address matching with a mask that splits an octet.
  it('matches a network boundary that is not a whole byte', () => {
    expect(matches({ ip: [{ cidr: '10.0.0.0/20' }] }, { ip: '10.0.15.255' })).toBe(true);
    expect(matches({ ip: [{ cidr: '10.0.0.0/20' }] }, { ip: '10.0.16.0' })).toBe(false);
  });
});

describe('exists', () => {
  it('matches an event that has detail.state ([content] exists matching, true)', () => {
    const event = envelope({ 'instance-id': 'i-abcd1111', state: 'pending' });
    expect(matches({ detail: { state: [{ exists: true }] } }, event)).toBe(true);
  });

  it('does not match an event without detail.state ([content] exists matching, true)', () => {
    expect(matches({ detail: { state: [{ exists: true }] } }, envelope({ 'c-count': { c1: 100 } }))).toBe(
      false,
    );
  });

  it('matches an event without detail.c-count ([content] exists matching, false)', () => {
    expect(
      matches(
        { detail: { 'c-count': [{ exists: false }] } },
        envelope({ state: ['initializing', 'running'] }),
      ),
    ).toBe(true);
  });

  it('with false, also matches when c-count is an object, which is not a leaf ([content] exists matching)', () => {
    const event = envelope({ state: ['initializing', 'running'], 'c-count': { c1: 100 } });
    expect(matches({ detail: { 'c-count': [{ exists: false }] } }, event)).toBe(true);
  });

  it('with true, does not match an object value: exists only sees leaves ([aws] exists_dynamodb_NEG)', () => {
    const event = { dynamodb: { presentKey: { S: 'test123' } } };
    expect(matches({ dynamodb: { presentKey: [{ exists: true }] } }, event)).toBe(false);
    expect(matches({ dynamodb: { presentKey: { S: [{ exists: true }] } } }, event)).toBe(true);
  });

  it('with true, does not match an empty array ([aws] exists_list_empty_NEG)', () => {
    expect(matches({ resources: [{ exists: true }] }, { ...ec2Terminated, resources: [] })).toBe(false);
    expect(matches({ resources: [{ exists: false }] }, { ...ec2Terminated, resources: [] })).toBe(true);
  });

  it('with true, matches a null value, and with false does not: null is a value ([ruler] null is a leaf)', () => {
    expect(
      matches({ detail: { responseElements: [{ exists: true }] } }, envelope({ responseElements: null })),
    ).toBe(true);
    expect(
      matches({ detail: { responseElements: [{ exists: false }] } }, envelope({ responseElements: null })),
    ).toBe(false);
  });

  // [content] exists is about presence: "" and false are present leaves.
  it('with true, matches an empty string and a false boolean', () => {
    expect(matches({ detail: { v: [{ exists: true }] } }, envelope({ v: '' }))).toBe(true);
    expect(matches({ detail: { v: [{ exists: true }] } }, envelope({ v: false }))).toBe(true);
  });

  it('with false, matches when an intermediate object is missing ([aws] content_exists_false)', () => {
    const event = envelope({ level1: { level2: 'l2 value' } });
    expect(matches({ detail: { level1: { level2: { level3: [{ exists: false }] } } } }, event)).toBe(true);
  });

  it('with false, does not match a present leaf ([aws] content_exists_false_NEG)', () => {
    const event = envelope({ level1: { level2: { level3: { level4: 'l4 value' } } } });
    const pattern = { detail: { level1: { level2: { level3: { level4: [{ exists: false }] } } } } };
    expect(matches(pattern, event)).toBe(false);
  });

  it('checks ProductName presence and absence ([ops] exists, does not exist)', () => {
    expect(matches({ ProductName: [{ exists: true }] }, { ProductName: 'Widget' })).toBe(true);
    expect(matches({ ProductName: [{ exists: false }] }, { Name: 'Widget' })).toBe(true);
    expect(matches({ ProductName: [{ exists: false }] }, { ProductName: 'Widget' })).toBe(false);
  });

  it('combines with other values as an OR: absent or not "roses" ([aws] or-exists, or-anything-but)', () => {
    const pattern = { homemade: { S: [{ 'anything-but': ['roses'] }, { exists: false }] } };
    expect(matches(pattern, { homemade: { N: '789' } })).toBe(true);
    expect(matches(pattern, { homemade: { S: 'ABCD' } })).toBe(true);
    expect(matches(pattern, { homemade: { S: 'roses' } })).toBe(false);
  });
});

describe('wildcard', () => {
  it('matches any .png file within the folder dir ([ops] wildcard)', () => {
    const pattern = { FileName: [{ wildcard: 'dir/*.png' }] };
    expect(matches(pattern, { FileName: 'dir/image.png' })).toBe(true);
    expect(matches(pattern, { FileName: 'dir/sub/image.png' })).toBe(true);
    expect(matches(pattern, { FileName: 'other/image.png' })).toBe(false);
    expect(matches(pattern, { FileName: 'dir/image.jpg' })).toBe(false);
  });

  it('lets * match nothing ([ruler] "zero to many")', () => {
    expect(matches({ source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleService' })).toBe(true);
    expect(matches({ source: [{ wildcard: '*' }] }, { source: '' })).toBe(true);
  });

  it('matches an event bus ARN with one wildcard per varying part ([aws] content_wildcard_simplified)', () => {
    const pattern = { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] };
    expect(
      matches(pattern, { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/myEventBus' }),
    ).toBe(true);
  });

  it('handles repeating literals after a star ([aws] content_wildcard_repeating)', () => {
    const pattern = { FileName: [{ wildcard: '/Users/*/dir/dir/dir/dir/dir/doc.txt' }] };
    expect(matches(pattern, { FileName: '/Users/ls_user/dir/dir/dir/dir/dir/doc.txt' })).toBe(true);
    expect(matches(pattern, { FileName: '/Users/ls_user/dir/dir/dir/dir/otherdir/doc.txt' })).toBe(false);
  });

  it('reads \\* as a literal star and \\\\ as a literal backslash ([content] wildcard escaping)', () => {
    expect(matches({ v: [{ wildcard: 'value\\*end' }] }, { v: 'value*end' })).toBe(true);
    expect(matches({ v: [{ wildcard: 'value\\*end' }] }, { v: 'valueXend' })).toBe(false);
    expect(matches({ v: [{ wildcard: 'a\\\\b' }] }, { v: 'a\\b' })).toBe(true);
    expect(matches({ v: [{ wildcard: 'he\\**o' }] }, { v: 'he*llo' })).toBe(true);
  });

  it('with "" matches only the empty string ([aws] content_wildcard_empty_NEG)', () => {
    expect(matches({ v: [{ wildcard: '' }] }, { v: 'x' })).toBe(false);
    expect(matches({ v: [{ wildcard: '' }] }, { v: '' })).toBe(true);
  });

  // [ruler] "Wildcard matches only work on string-valued fields".
  it('never matches non-strings', () => {
    expect(matches({ v: [{ wildcard: '*' }] }, { v: 1 })).toBe(false);
    expect(matches({ v: [{ wildcard: '*' }] }, { v: null })).toBe(false);
  });

  // [ops] wildcard: the text after the last * must end the value, as "*.png" needs.
  it('takes the last literal from the end of the value', () => {
    expect(matches({ v: [{ wildcard: '*ab' }] }, { v: 'abab' })).toBe(true);
    expect(matches({ v: [{ wildcard: 'a*a' }] }, { v: 'a' })).toBe(false);
  });
});

describe('$or', () => {
  it('matches Location "New York" or Day "Monday" ([ops] Or across fields)', () => {
    const pattern = { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] };
    expect(matches(pattern, { Location: 'Boston', Day: 'Monday' })).toBe(true);
    expect(matches(pattern, { Location: 'New York', Day: 'Friday' })).toBe(true);
    expect(matches(pattern, { Location: 'Boston', Day: 'Friday' })).toBe(false);
  });

  it('matches when any numeric branch inside detail holds ([content] complex example with $or)', () => {
    const pattern = {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    };
    expect(matches(pattern, envelope({ 'c-count': 0, 'd-count': 0, 'x-limit': 9.018e2 }))).toBe(true);
    expect(matches(pattern, envelope({ 'c-count': 0, 'd-count': 10, 'x-limit': 9.018e2 }))).toBe(false);
  });

  it('ANDs the $or with its sibling fields ([ruler] normal "Or")', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    };
    expect(matches(pattern, { source: 'aws.cloudwatch', namespace: 'AWS/ES' })).toBe(true);
    expect(matches(pattern, { source: 'aws.ec2', namespace: 'AWS/ES' })).toBe(false);
  });

  it('requires each of two $or at different levels ([ruler] parallel "Or")', () => {
    const pattern = {
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    };
    expect(
      matches(pattern, { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } }),
    ).toBe(true);
    expect(matches(pattern, { namespace: 'AWS/EC2', detail: { source: 'aws.ec2' } })).toBe(false);
  });

  it('nests an AND inside a branch, and an $or inside that ([ruler] nested "Or" and "And")', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2', 'AWS/ES'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ['Service'] },
      ],
    };
    const base = { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2' };
    expect(matches(pattern, { ...base, spaceId: 1000 })).toBe(true);
    expect(matches(pattern, { ...base, spaceId: 1001 })).toBe(false);
    expect(matches(pattern, { source: 'aws.cloudwatch', metricType: 'MetricType', spaceId: 1000 })).toBe(
      false,
    );
    expect(matches(pattern, { source: 'aws.cloudwatch', scope: 'Service' })).toBe(true);
  });
});

describe('complex patterns', () => {
  it('combines prefix, anything-but and numeric on one event ([content] complex example)', () => {
    const pattern = {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
      },
    };
    const event = envelope(
      { state: 'processing', 'c-count': 3, 'd-count': 9, 'x-limit': 999 },
      { time: '2017-10-02T16:24:49Z' },
    );
    expect(matches(pattern, event)).toBe(true);
    expect(
      matches(pattern, {
        ...event,
        detail: { state: 'processing', 'c-count': 3, 'd-count': 9, 'x-limit': 300 },
      }),
    ).toBe(false);
  });

  it('uses the last of two identical keys ([content] note on keys included more than once)', () => {
    const pattern =
      '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}';
    expect(matches(pattern, envelope({ location: 'eu-central-1' }))).toBe(true);
  });

  it('matches Location "New York" and Day "Monday" ([ops] And)', () => {
    const pattern = { Location: ['New York'], Day: ['Monday'] };
    expect(matches(pattern, { Location: 'New York', Day: 'Monday' })).toBe(true);
    expect(matches(pattern, { Location: 'New York', Day: 'Tuesday' })).toBe(false);
  });

  // [create] the project's own trigger: source and detail-type, as rules in stacks/ write them.
  it('parses once and matches many events with the compiled pattern', () => {
    const pattern: EventPattern = parsePattern({
      source: ['app.accounts'],
      'detail-type': ['Account Requested'],
    });
    const events = ['app.accounts', 'app.kyc'].map((source) => ({
      ...ec2Terminated,
      source,
      'detail-type': 'Account Requested',
    }));
    expect(events.map((event) => matchesPattern(pattern, event))).toEqual([true, false]);
    expect(pattern.json).toEqual({ source: ['app.accounts'], 'detail-type': ['Account Requested'] });
  });
});

describe('invalid patterns', () => {
  // [aws] TestEventPattern answers InvalidEventPatternException "Event pattern is not valid. Reason: ...".
  it('rejects with the AWS error name, what is wrong, and where', () => {
    const error = rejection({ detail: { state: [{ prefix: 1 }] } });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InvalidEventPatternException');
    expect(error.reason).toBe('prefix match pattern must be a string');
    expect(error.path).toBe('detail.state[0].prefix');
    expect(error.message).toBe(
      'Event pattern is not valid. Reason: prefix match pattern must be a string (at detail.state[0].prefix)',
    );
  });

  it.each([
    ['text that is not JSON', 'this is valid json but not a dict', /Reason: .*JSON/],
    ['JSON that is not an object', '["not", "a", "dict"]', /Filter is not an object/],
    ['an empty pattern', '{}', /Empty objects are not allowed/],
    ['an empty nested object', { detail: {} }, /Empty objects are not allowed \(at detail\)/],
    [
      'a leaf that is not a list ([aws] string_nolist_EXC)',
      { string: 'my-value' },
      /"string" must be an object or an array/,
    ],
    [
      'a number leaf that is not a list ([aws] int_nolist_EXC)',
      { int: 42 },
      /"int" must be an object or an array/,
    ],
    [
      'an empty value list ([aws] arrays_empty_EXC)',
      { resources: [] },
      /Empty arrays are not allowed \(at resources\)/,
    ],
    [
      'a list inside a value list',
      { a: [['x']] },
      /Match value must be String, number, true, false, or null/,
    ],
    ['a value that is not JSON', { a: [undefined] }, /Value is not JSON/],
    ['an unknown operator', { a: [{ contains: 'x' }] }, /Unrecognized match type contains \(at a\[0\]\)/],
    [
      'an operator in the wrong case ([aws] operator_case_sensitive_EXC)',
      { a: [{ EXISTS: true }] },
      /Unrecognized match type EXISTS/,
    ],
    ['an operator object with two keys', { a: [{ prefix: 'x', suffix: 'y' }] }, /Only one key allowed/],
    ['an operator object with no key', { a: [{}] }, /Match expression name not found/],
  ])('rejects %s', (_name, pattern, reason) => {
    expect(rejection(pattern).message).toMatch(reason);
  });

  it.each([
    [
      'a prefix that is a number ([aws] content_prefix_int_EXC)',
      { time: [{ prefix: 123 }] },
      'prefix match pattern must be a string',
    ],
    [
      'a prefix that is a list ([aws] content_prefix_list_EXC)',
      { time: [{ prefix: ['2022'] }] },
      'prefix match pattern must be a string',
    ],
    [
      'a suffix that is a number ([aws] content_suffix_int_EXC)',
      { f: [{ suffix: 123 }] },
      'suffix match pattern must be a string',
    ],
    [
      'a prefix object other than equals-ignore-case',
      { f: [{ prefix: { suffix: 'x' } }] },
      'Unsupported prefix pattern: suffix',
    ],
    [
      'an equals-ignore-case list ([aws] content_ignorecase_EXC)',
      { f: [{ 'equals-ignore-case': ['x'] }] },
      'equals-ignore-case match pattern must be a string',
    ],
    [
      'an equals-ignore-case object ([aws] content_ignorecase_list_EXC)',
      { f: [{ 'equals-ignore-case': { prefix: 'ec2' } }] },
      'equals-ignore-case match pattern must be a string',
    ],
    [
      'exists that is not a boolean',
      { f: [{ exists: 'true' }] },
      'exists match pattern must be either true or false.',
    ],
  ])('rejects %s', (_name, pattern, reason) => {
    expect(rejection(pattern).reason).toBe(reason);
  });

  it.each([
    [
      'anything-but null ([aws] content_anything_but_string_null_type_EXC)',
      null,
      'Value of anything-but must be an array or single string/number value.',
    ],
    ['anything-but true', true, 'Value of anything-but must be an array or single string/number value.'],
    [
      'a list holding null ([aws] content_anything_but_string_list_null_type_EXC)',
      ['stopped', null],
      'Inside anything but list, start|null|boolean is not supported.',
    ],
    [
      'a mixed list of strings and numbers',
      ['stopped', 1],
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    ],
    [
      'an empty list',
      [],
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    ],
    [
      'an empty prefix ([aws] content_anything_prefix_empty_EXC)',
      { prefix: '' },
      'Null prefix/suffix not allowed',
    ],
    [
      'an empty suffix ([aws] content_anything_suffix_empty_EXC)',
      { suffix: '' },
      'Null prefix/suffix not allowed',
    ],
    ['an empty prefix in a list', { prefix: ['init', ''] }, 'Null prefix/suffix not allowed'],
    [
      'a number prefix ([aws] content_anything_prefix_int_EXC)',
      { prefix: 123 },
      'prefix/suffix match pattern must be a string',
    ],
    [
      'a number in a suffix list ([aws] content_anything_suffix_list_type_EXC)',
      { suffix: [123, '.txt'] },
      'prefix/suffix match pattern must be a string',
    ],
    [
      'a prefix ignoring case ([aws] content_anything_prefix_ignorecase_EXC)',
      { prefix: { 'equals-ignore-case': 'file' } },
      'Value of anything-but must be an array or single string/number value.',
    ],
    [
      'a number equals-ignore-case ([aws] content_anything_but_ignorecase_EXC)',
      { 'equals-ignore-case': 123 },
      'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
    ],
    [
      'a number wildcard ([aws] content_anything_wildcard_type_EXC)',
      { wildcard: 123 },
      'wildcard match pattern must be a string',
    ],
    ['an unsupported nested operator', { numeric: ['>', 1] }, 'Unsupported anything-but pattern: numeric'],
    [
      'a nested object with two operators',
      { prefix: 'a', suffix: 'b' },
      'Only one key allowed in match expression',
    ],
  ])('rejects anything-but with %s', (_name, operand, reason) => {
    expect(rejection({ detail: { state: [{ 'anything-but': operand }] } }).reason).toBe(reason);
  });

  it.each([
    [
      'a value that is not a list ([aws] content_numeric_number_EXC)',
      10,
      'Value of numeric must be an array.',
    ],
    ['an empty list', [], 'Invalid member in numeric match: empty array'],
    ['a number where the operator goes', [5, '>'], 'Invalid member in numeric match: 5'],
    ['an unknown operator', ['!=', 5], 'Unrecognized numeric range operator: !='],
    ['an operand that is a string', ['>', '5'], 'Value of > must be numeric'],
    [
      'a missing upper operand ([aws] content_numeric_syntax_EXC)',
      ['>', 0, '<'],
      'Value of < must be numeric',
    ],
    ['two lower bounds ([aws] content_numeric_EXC)', ['>', 0, '>', 0], 'Bad numeric range operator: >'],
    ['an upper bound first', ['<', 10, '>', 0], 'Too many elements in numeric expression'],
    ['terms after "="', ['=', 1, '<', 2], 'Too many elements in numeric expression'],
    ['terms after a range', ['>', 0, '<', 5, '<', 6], 'Too many terms in numeric range expression'],
    ['a bottom above the top', ['>', 5, '<', 1], 'Bottom must be less than top'],
    ['an empty range', ['>=', 5, '<=', 5], 'Bottom must be less than top'],
    [
      'a value above +5.0e9 ([content] numeric limits)',
      ['<', 5000000001],
      'Value must be between -5000000000 and 5000000000, inclusive',
    ],
    [
      'a value below -5.0e9 ([content] numeric limits)',
      ['>', -6e9],
      'Value must be between -5000000000 and 5000000000, inclusive',
    ],
    [
      'seven decimals ([content] numeric limits)',
      ['>', 0.1234567],
      'Only values upto 6 decimals are supported',
    ],
  ])('rejects numeric with %s', (_name, operand, reason) => {
    expect(rejection({ detail: { n: [{ numeric: operand }] } }).reason).toBe(reason);
  });

  it.each([
    ['no slash ([aws] content_ip_address_EXC)', 'bad-filter', "Malformed CIDR, one '/' required"],
    [
      'a mask that is not a number ([aws] content_ip_address_bad_mask_EXC)',
      'bad-/64filter',
      'Malformed CIDR, mask bits must be an integer',
    ],
    [
      'an address that is not one ([aws] content_ip_address_bad_ip_EXC)',
      'xx.11.xx/8',
      'Nonstandard IP address: xx.11.xx',
    ],
    [
      'an IPv6 address that is not one ([aws] content_ip_address_v6_bad_ip_EXC)',
      'xxxx:db8:1234:1a00::/64',
      'Nonstandard IP address: xxxx:db8:1234:1a00::',
    ],
    ['an octet above 255', '10.0.0.256/24', 'Invalid IP address: 10.0.0.256'],
    ['a negative mask', '10.0.0.0/-1', 'Malformed CIDR, mask bits must not be negative'],
    ['an IPv4 mask of 32 ([ruler] mask bits must be < 32)', '10.0.0.1/32', 'IPv4 mask bits must be < 32'],
    ['an IPv6 mask of 128', '::1/128', 'IPv6 mask bits must be < 128'],
  ])('rejects cidr with %s', (_name, cidr, reason) => {
    expect(rejection({ detail: { ip: [{ cidr }] } }).reason).toBe(reason);
  });

  it('rejects cidr that is not a string, in AWS words ([aws] content_ip_address_type_EXC)', () => {
    expect(rejection({ ip: [{ cidr: ['bad-type'] }] }).reason).toBe('prefix match pattern must be a string');
  });

  it.each([
    ['a number ([aws] content_wildcard_int_EXC)', 123, 'wildcard match pattern must be a string'],
    ['a list ([aws] content_wildcard_list_EXC)', ['a*'], 'wildcard match pattern must be a string'],
    [
      'consecutive stars ([aws] content_wildcard_repeating_star_EXC)',
      'arn:aws:events:us-east-1:**:event-bus/*',
      'Consecutive wildcard characters at pos 26',
    ],
    ['a backslash escaping a letter', 'a\\b', 'Invalid escape character at pos 2'],
    ['a trailing backslash', 'a\\', 'Invalid escape character at pos 2'],
  ])('rejects wildcard with %s', (_name, wildcard, reason) => {
    expect(rejection({ EventBusArn: [{ wildcard }] }).reason).toBe(reason);
  });

  it.each([
    ['a value that is not a list', { $or: { a: ['x'] } }, 'It must be an Array followed with $or.'],
    ['an empty list', { $or: [] }, 'There must have at least 2 Objects in $or relationship.'],
    ['a single branch', { $or: [{ a: ['x'] }] }, 'There must have at least 2 Objects in $or relationship.'],
    [
      'a branch that is not an object',
      { $or: [{ a: ['x'] }, ['b']] },
      'Only JSON object is allowed in array of $or relationship.',
    ],
    ['an empty branch', { $or: [{ a: ['x'] }, {}] }, 'Empty objects are not allowed'],
    [
      'an operator name as a field inside a branch',
      { $or: [{ numeric: [123] }, { prefix: ['abc'] }] },
      'numeric is Ruler reserved fieldName which cannot be used inside $or.',
    ],
  ])('rejects $or with %s', (_name, pattern, reason) => {
    expect(rejection(pattern).reason).toBe(reason);
  });

  // [content] $or nested in detail, as in the complex example with $or.
  it('names the $or branch in the path of a nested error', () => {
    expect(rejection({ detail: { $or: [{ a: ['x'] }, { b: [{ prefix: 1 }] }] } }).path).toBe(
      'detail.$or[1].b[0].prefix',
    );
  });

  // [ruler] the reserved-name rule applies inside $or only.
  it('allows operator names as ordinary field names outside $or', () => {
    expect(matches({ detail: { prefix: ['x'] } }, envelope({ prefix: 'x' }))).toBe(true);
  });
});
