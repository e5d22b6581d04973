import { UnsupportedTemplateError } from '../../../local/errors';
import type { BusEvent, LocalRule, Target } from '../../../local/eventbridge/bus';
import { parsePattern } from '../../../local/eventbridge/pattern';
import {
  checkTargetInput,
  InputTransformationError,
  PREDEFINED_VARIABLES,
  targetInput,
} from '../../../local/eventbridge/transform';
import { thrownBy } from '../../support/errors';

const WHERE = 'ExampleRule target Queue';
const INGESTED_AT = new Date('2015-11-11T21:29:55.123Z');

function ruleNamed(name: string, arn: string): LocalRule {
  const patternJson = JSON.stringify({ source: ['aws.ec2'] });
  return {
    name,
    arn,
    busName: 'default',
    pattern: parsePattern(patternJson),
    patternJson,
    state: 'ENABLED',
    targets: [],
  };
}

/** The rule of the user guide's "Including reserved variables" examples. */
const EXAMPLE_RULE = ruleNamed('example', 'arn:aws:events:us-east-2:123456789012:rule/example');

function target(input: Pick<Target, 'Input' | 'InputPath' | 'InputTransformer'> = {}): Target {
  return { Id: 'Queue', Arn: 'arn:aws:sqs:us-east-1:123456789012:queue', ...input };
}

function transformer(InputTemplate: string, InputPathsMap?: Record<string, string>): Target {
  return target({ InputTransformer: InputPathsMap ? { InputPathsMap, InputTemplate } : { InputTemplate } });
}

/** Validates the target as startup does, then transforms `event` for it. */
function deliver(t: Target, event: BusEvent, rule = EXAMPLE_RULE): string {
  checkTargetInput(t, WHERE);
  return targetInput(t, event, rule, INGESTED_AT);
}

function event(fields: Partial<BusEvent>): BusEvent {
  return {
    version: '0',
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'Test Event',
    source: 'test.source',
    account: '123456789012',
    time: '2015-11-11T21:29:54Z',
    region: 'us-east-1',
    resources: [],
    detail: {},
    ...fields,
  };
}

// User guide, "Amazon EventBridge input transformation" › "Input transform examples":
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html#eb-transform-input-examples
const EC2_EVENT = event({
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
});
const EC2_INPUT_PATHS = {
  timestamp: '$.time',
  instance: '$.detail.instance-id',
  state: '$.detail.state',
  resource: '$.resources[0]',
};

// API reference, PutTargets ("Input, InputPath, and InputTransformer are mutually exclusive and optional
// parameters of a target") and Target (Input: "Valid JSON text passed to the target"):
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html
describe('targetInput without a transformer', () => {
  it('passes the entire event as JSON when no input setting is given', () => {
    expect(JSON.parse(deliver(target(), EC2_EVENT))).toEqual(EC2_EVENT);
  });

  it('passes the constant Input text unchanged', () => {
    const input = '{ "constant": [1, 2, 3] }';
    expect(deliver(target({ Input: input }), EC2_EVENT)).toBe(input);
  });

  it.each([
    ['$.detail', { 'instance-id': 'i-0123456789', state: 'RUNNING' }],
    ['$.detail.state', 'RUNNING'],
    ['$.resources[0]', 'arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
    ['$', EC2_EVENT],
  ])('passes only the part of the event at InputPath %s', (path, expected) => {
    expect(JSON.parse(deliver(target({ InputPath: path }), EC2_EVENT))).toEqual(expected);
  });

  it('passes null when InputPath matches nothing', () => {
    expect(deliver(target({ InputPath: '$.detail.missing' }), EC2_EVENT)).toBe('null');
  });
});

// User guide, "Amazon EventBridge input transformation" › "Input transform examples": the EC2 event, the
// InputPathsMap { timestamp, instance, state, resource } and the template → output table.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html#eb-transform-input-examples
describe('InputTransformer: the user guide example table', () => {
  const ec2 = (template: string) => deliver(transformer(template, EC2_INPUT_PATHS), EC2_EVENT);

  it('fills a simple string template', () => {
    expect(ec2('"instance <instance> is in <state>"')).toBe('"instance i-0123456789 is in RUNNING"');
  });

  it('keeps escaped quotes of a string template', () => {
    expect(ec2('"instance \\"<instance>\\" is in <state>"')).toBe(
      '"instance \\"i-0123456789\\" is in RUNNING"',
    );
  });

  it('puts string values in quotes for bare placeholders of a simple JSON template', () => {
    const template = '{\n  "instance" : <instance>,\n  "state": <state>\n}';
    expect(ec2(template)).toBe('{\n  "instance" : "i-0123456789",\n  "state": "RUNNING"\n}');
  });

  it('fills a JSON template with strings and variables', () => {
    const template =
      '{\n "instance" : <instance>,\n "state": "<state>",\n "instanceStatus": "instance \\"<instance>\\" is in <state>"\n}';
    expect(ec2(template)).toBe(
      '{\n "instance" : "i-0123456789",\n "state": "RUNNING",\n "instanceStatus": "instance \\"i-0123456789\\" is in RUNNING"\n}',
    );
  });

  it('fills a JSON template with a mix of variables and static information', () => {
    const template =
      '{\n  "instance" : <instance>,\n  "state": [ 9, <state>, true ],\n  "Transformed" : "Yes"\n}';
    expect(JSON.parse(ec2(template))).toEqual({
      instance: 'i-0123456789',
      state: [9, 'RUNNING', true],
      Transformed: 'Yes',
    });
  });

  it('includes reserved variables in a JSON template', () => {
    const template =
      '{\n  "instance" : <instance>,\n  "state": <state>,\n  "ruleArn" : <aws.events.rule-arn>,\n  "ruleName" : <aws.events.rule-name>,\n  "originalEvent" : <aws.events.event.json>\n}';
    expect(JSON.parse(ec2(template))).toEqual({
      instance: 'i-0123456789',
      state: 'RUNNING',
      ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example',
      ruleName: 'example',
      originalEvent: EC2_EVENT,
    });
  });

  it('includes reserved variables in a string template', () => {
    expect(ec2('"<aws.events.rule-name> triggered"')).toBe('"example triggered"');
  });

  it('reads an array item with brackets and an index', () => {
    expect(ec2('"<resource>"')).toBe('"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"');
  });

  // The table's "Amazon CloudWatch log group" row prints `"timestamp" : 2015-11-11T21:29:54Z` and unescaped
  // quotes, which is not JSON (it shows the log line, not the target input). The "Simple JSON" row's rule
  // applies: a bare placeholder holding a string is quoted, and the template's escapes stay as written.
  it('fills the CloudWatch log group template as valid JSON', () => {
    const template =
      '{\n  "timestamp" : <timestamp>,\n  "message": "instance \\"<instance>\\" is in <state>"\n}';
    expect(JSON.parse(ec2(template))).toEqual({
      timestamp: '2015-11-11T21:29:54Z',
      message: 'instance "i-0123456789" is in RUNNING',
    });
  });
});

// API reference, InputTransformer › InputTemplate examples (`$.detail.instance`, `$.detail.status`):
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html
describe('InputTransformer: the API reference examples', () => {
  const paths = { instance: '$.detail.instance', status: '$.detail.status' };
  const instanceEvent = event({ detail: { instance: 'i-0123456789', status: 'RUNNING' } });
  const fill = (template: string) => deliver(transformer(template, paths), instanceEvent);

  it('fills a plain text template', () => {
    expect(fill('<instance> is in state <status>')).toBe('i-0123456789 is in state RUNNING');
  });

  it('keeps quote marks of a plain text template', () => {
    expect(fill('<instance> is in state "<status>"')).toBe('i-0123456789 is in state "RUNNING"');
  });

  it('fills a JSON template with variables in quotes or out', () => {
    const output = fill('{"myInstance": <instance>,"myStatus": "<instance> is in state \\"<status>\\""}');
    expect(output).toBe(
      '{"myInstance": "i-0123456789","myStatus": "i-0123456789 is in state \\"RUNNING\\""}',
    );
  });
});

// User guide, "Tutorial: Use input transformers to transform events in EventBridge":
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-input-transformer-tutorial.html
describe('InputTransformer: the user guide tutorial', () => {
  it('fills the detail-type variable', () => {
    const t = transformer('"This event was of <detail-type> type."', { 'detail-type': '$.detail-type' });
    const output = deliver(t, event({ 'detail-type': 'customerCreated', source: 'TestEvent' }));
    expect(output).toBe('"This event was of customerCreated type."');
  });
});

// User guide, "Amazon EventBridge input transformation" › "Predefined variables":
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html#eb-transform-input-predefined
// The shape of <aws.events.event> (no `detail`, `detailType`, ingestion `time`) is the one AWS sent in LocalStack's
// recorded test `test_input_transformer_predefined_variables` (tests/aws/services/events/test_events_inputs.py).
describe('InputTransformer: predefined variables', () => {
  const busRule = ruleNamed('my-rule', 'arn:aws:events:us-east-1:123456789012:rule/my-bus/my-rule');

  it('lists the five predefined variables', () => {
    expect(PREDEFINED_VARIABLES).toEqual([
      'aws.events.rule-arn',
      'aws.events.rule-name',
      'aws.events.event.ingestion-time',
      'aws.events.event',
      'aws.events.event.json',
    ]);
  });

  it('fills the rule ARN, rule name and ingestion time in a string without an InputPathsMap', () => {
    const t = transformer(
      '"Message containing all pre defined variables <aws.events.rule-arn> <aws.events.rule-name> <aws.events.event.ingestion-time>"',
    );
    expect(deliver(t, EC2_EVENT, busRule)).toBe(
      '"Message containing all pre defined variables arn:aws:events:us-east-1:123456789012:rule/my-bus/my-rule my-rule 2015-11-11T21:29:55.123Z"',
    );
  });

  it('puts the event without detail and the full event as JSON values', () => {
    const t = transformer(
      '{"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>}',
    );
    expect(JSON.parse(deliver(t, EC2_EVENT, busRule))).toEqual({
      originalEvent: {
        id: EC2_EVENT.id,
        account: '123456789012',
        detailType: 'EC2 Instance State-change Notification',
        time: '2015-11-11T21:29:55.123Z',
        source: 'aws.ec2',
        region: 'us-east-1',
        resources: EC2_EVENT.resources,
        version: '0',
      },
      originalEventJson: EC2_EVENT,
    });
  });

  it('fills the ingestion time with the time of the call when none is given', () => {
    const t = transformer('"<aws.events.event.ingestion-time>"');
    checkTargetInput(t, WHERE);
    const before = Date.now();
    const time = Date.parse(JSON.parse(targetInput(t, EC2_EVENT, EXAMPLE_RULE)) as string);
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
  });
});

// Values the user guide does not show, as AWS produced them in LocalStack's tests recorded against AWS
// (tests/aws/services/events/test_events_inputs.py and .snapshot.json, TestInputTransformer), with the
// guide's rule that "EventBridge doesn't escape values extracted by Input Path" (Common issues):
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html#eb-transform-input-issues
describe('InputTransformer: values of every JSON type', () => {
  const accountEvent = event({
    source: 'core.update-account-command',
    'detail-type': 'core.update-account-command',
    detail: {
      command: 'update-account',
      payload: { acc_id: '0a787ecb-4015', sf_id: 'baz' },
      listsingle: ['HIGH'],
      listmulti: ['ACTIVE', 'INACTIVE'],
      valid: true,
      note: 'say "hi"\nbye',
    },
  });
  const paths = {
    userId: '$.detail.payload.acc_id',
    payload: '$.detail.payload',
    systemstring: '$.detail.awsAccountId',
    listsingle: '$.detail.listsingle',
    listmulti: '$.detail.listmulti',
    valid: '$.detail.valid',
    note: '$.detail.note',
    'detail-type': '$.detail-type',
    timestamp: '$.time',
    command: '$.detail.command',
    missing: '$.detail.notinmessage',
  };
  const fill = (template: string) => deliver(transformer(template, paths), accountEvent);

  it.each([
    [
      '"Payload of <payload> with path users-service/users/<userId> and <userId>"',
      '"Payload of {acc_id:0a787ecb-4015,sf_id:baz} with path users-service/users/0a787ecb-4015 and 0a787ecb-4015"',
    ],
    ['"<listsingle> single list item"', '"[HIGH] single list item"'],
    ['"<listmulti> multiple list items"', '"[ACTIVE,INACTIVE] multiple list items"'],
    ['"Command is <valid>!"', '"Command is true!"'],
    [
      '"<listsingle> single list item <listmulti> multiple list items <systemstring> system account id <payload> payload <userId> user id"',
      '"[HIGH] single list item [ACTIVE,INACTIVE] multiple list items  system account id {acc_id:0a787ecb-4015,sf_id:baz} payload 0a787ecb-4015 user id"',
    ],
    [
      '"Event of <detail-type> type, at time <timestamp>, info extracted from detail <missing>"',
      '"Event of core.update-account-command type, at time 2015-11-11T21:29:54Z, info extracted from detail "',
    ],
    [
      '"{[/Check with special starting characters for event of <detail-type> type"',
      '"{[/Check with special starting characters for event of core.update-account-command type"',
    ],
    ['"<note>"', '"say "hi"\nbye"'],
  ])('fills the string template %s', (template, expected) => {
    expect(fill(template)).toBe(expected);
  });

  it.each([
    [
      '{"method": "PUT", "path": "users-service/users/<userId>", "bod": <payload>}',
      {
        method: 'PUT',
        path: 'users-service/users/0a787ecb-4015',
        bod: { acc_id: '0a787ecb-4015', sf_id: 'baz' },
      },
    ],
    ['{"id" : <userId>}', { id: '0a787ecb-4015' }],
    ['{"id" : "<userId>"}', { id: '0a787ecb-4015' }],
    [
      '{"method": "PUT", "path": "users-service/users/<userId>", "bod": [<userId>, "hardcoded"]}',
      { method: 'PUT', path: 'users-service/users/0a787ecb-4015', bod: ['0a787ecb-4015', 'hardcoded'] },
    ],
    [
      '{"method": "PUT", "nested": {"level1": {"level2": {"level3": "users-service/users/<userId>"} } }, "bod": "<userId>"}',
      {
        method: 'PUT',
        nested: { level1: { level2: { level3: 'users-service/users/0a787ecb-4015' } } },
        bod: '0a787ecb-4015',
      },
    ],
    ['{"singlelistitem": <listsingle>}', { singlelistitem: ['HIGH'] }],
    [
      '{"multi_replacement": "users/<userId>/second/<userId>"}',
      { multi_replacement: 'users/0a787ecb-4015/second/0a787ecb-4015' },
    ],
    [
      '{"detailType": <detail-type>,  "time": <timestamp>, "command": <command>}',
      { detailType: 'core.update-account-command', time: '2015-11-11T21:29:54Z', command: 'update-account' },
    ],
    [
      '{"detailType": <detail-type>,  "time": <timestamp>, "command": <missing>}',
      { detailType: 'core.update-account-command', time: '2015-11-11T21:29:54Z', command: '' },
    ],
    ['{"valid": <valid>, "text": "<valid>", "gone": "<missing>"}', { valid: true, text: 'true', gone: '' }],
    ['{"note": <note>}', { note: 'say "hi"\nbye' }],
  ])('fills the JSON template %s', (template, expected) => {
    expect(JSON.parse(fill(template))).toEqual(expected);
  });

  it.each([
    '{"not_valid": "users-service/users/<payload>", "bod": <payload>}',
    '{"payload": "<payload>"}',
    '{"singlelistitem": "<listsingle>"}',
    '{"note": "<note>"}',
  ])('fails the delivery when the JSON template %s comes out invalid', (template) => {
    // Prepare
    const t = transformer(template, paths);
    checkTargetInput(t, WHERE);

    // Act
    const error = thrownBy(() => targetInput(t, accountEvent, EXAMPLE_RULE, INGESTED_AT));

    // Assess
    expect(error).toBeInstanceOf(InputTransformationError);
    expect(error.message).toMatch(/invalid JSON/);
  });
});

// User guide, "Amazon EventBridge input transformation" (note on supported JSON Path syntax: dot notation,
// dashes, underscores, alphanumeric characters, array indices, wildcards, forward slashes) and API reference
// InputTransformer ("You must use JSON dot notation, not bracket notation"):
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
describe('JSONPath in InputPath and InputPathsMap', () => {
  const pathEvent = event({
    resources: ['arn:one', 'arn:two'],
    detail: { 'instance-id': 'i-1', snake_case: 2, 'a/b': 'slash', list: [{ id: 'x' }, { id: 'y' }], n0: 0 },
  });

  it.each([
    ['$.detail.instance-id', 'i-1'],
    ['$.detail.snake_case', 2],
    ['$.detail.a/b', 'slash'],
    ['$.detail.n0', 0],
    ['$.resources[1]', 'arn:two'],
    ['$.detail.list[0].id', 'x'],
    ['$.resources[*]', ['arn:one', 'arn:two']],
    ['$.detail.list[*].id', ['x', 'y']],
    ['$.detail.list.*.id', ['x', 'y']],
    ['$.detail.nothing[*]', []],
  ])('reads %s the same way for InputPath and InputPathsMap', (path, expected) => {
    expect(JSON.parse(deliver(target({ InputPath: path }), pathEvent))).toEqual(expected);
    expect(JSON.parse(deliver(transformer('{"v": <v>}', { v: path }), pathEvent))).toEqual({ v: expected });
  });

  it.each([['$.resources[2]'], ['$.detail.list.id'], ['$.detail.instance-id.more'], ['$.resources.0']])(
    'finds nothing at %s',
    (path) => {
      expect(deliver(target({ InputPath: path }), pathEvent)).toBe('null');
      expect(deliver(transformer('"[<v>]"', { v: path }), pathEvent)).toBe('"[]"');
    },
  );

  it.each([
    ['detail.state', /starts with "\$"/],
    ['$..state', /recursive descent/],
    ["$['detail']", /bracket notation/],
    ['$.resources[-1]', /array index/],
    ['$.resources[01]', /array index/],
    ['$.detail.a b', /unexpected " "/],
    ['$.detail[?(@.x)]', /array index/],
    ['$.detail.user:id', /unexpected ":"/],
  ])('rejects the path %s at startup', (path, reason) => {
    for (const t of [target({ InputPath: path }), transformer('"<v>"', { v: path })]) {
      const error = thrownBy(() => checkTargetInput(t, WHERE));
      expect(error).toBeInstanceOf(UnsupportedTemplateError);
      expect(error.message).toMatch(reason);
      expect(error.message).toContain(WHERE);
    }
  });

  it('rejects a path over 256 characters at startup', () => {
    const path = `$.${'a'.repeat(255)}`;
    for (const t of [target({ InputPath: path }), transformer('"<v>"', { v: path })]) {
      expect(thrownBy(() => checkTargetInput(t, WHERE)).message).toMatch(
        /257 characters long; the limit is 256/,
      );
    }
  });
});

// API reference, PutTargets / Target / InputTransformer constraints (at most one of the three settings; Input
// and InputTemplate at most 8192 characters; InputPathsMap at most 100 entries, keys [A-Za-z0-9_-]+ of 1–256
// characters; a placeholder cannot be an object key), the user guide's predefined variables ("reserved, and
// you can't create variables with these names"; aws.events.event[.json] "can only be used as a value for a
// JSON field"), and the PutTargets errors AWS returned in LocalStack's recorded tests
// (test_put_event_input_path_and_input_transformer, test_put_events_with_input_transformer_missing_keys):
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html#eb-transform-input-predefined
describe('checkTargetInput', () => {
  const rejection = (t: Target): Error => {
    const error = thrownBy(() => checkTargetInput(t, WHERE));
    expect(error).toBeInstanceOf(UnsupportedTemplateError);
    expect(error.message.startsWith(`${WHERE}: `)).toBe(true);
    return error;
  };

  it.each([
    ['a whole-event target', target()],
    ['the user guide examples', transformer('{"i": <instance>, "e": <aws.events.event>}', EC2_INPUT_PATHS)],
    [
      '100 InputPathsMap entries',
      transformer('"<k99>"', Object.fromEntries(range(100).map((i) => [`k${i}`, '$.id']))),
    ],
    ['a 256-character key', transformer('"x"', { ['k'.repeat(256)]: '$.id' })],
    ['a template of 8192 characters', transformer(`"${'x'.repeat(8190)}"`)],
    ['unused InputPathsMap entries', transformer('"constant"', { unused: '$.detail' })],
    ['an Input of a JSON string', target({ Input: '"text"' })],
  ])('accepts %s', (_label, t) => {
    expect(() => checkTargetInput(t, WHERE)).not.toThrow();
  });

  it.each([
    ['Input and InputPath', { Input: '{}', InputPath: '$.detail' }],
    ['InputPath and InputTransformer', { InputPath: '$.detail', InputTransformer: { InputTemplate: '"x"' } }],
    ['all three', { Input: '{}', InputPath: '$', InputTransformer: { InputTemplate: '"x"' } }],
  ])('rejects a target that sets %s', (_label, input) => {
    expect(rejection(target(input)).message).toMatch(/only one of Input, InputPath, or InputTransformer/);
  });

  it('rejects an InputPathsMap with more than 100 entries', () => {
    const paths = Object.fromEntries(range(101).map((i) => [`k${i}`, '$.id']));
    expect(rejection(transformer('"<k0>"', paths)).message).toMatch(/101 entries; the limit is 100/);
  });

  it.each([['bad key'], ['a.b'], [''], ['k'.repeat(257)], ['naïve']])(
    'rejects the InputPathsMap key "%s"',
    (key) => {
      expect(rejection(transformer('"x"', { [key]: '$.id' })).message).toMatch(/key .* is not valid/);
    },
  );

  it.each(PREDEFINED_VARIABLES.map((name) => [name]))(
    'rejects an InputPathsMap entry for reserved %s',
    (name) => {
      expect(rejection(transformer('"x"', { [name]: '$.id' })).message).toMatch(
        /reserved predefined variable/,
      );
    },
  );

  it('rejects an InputPathsMap value that is not a string', () => {
    const t = target({ InputTransformer: { InputPathsMap: { n: 1 }, InputTemplate: '"<n>"' } });
    expect(rejection(t).message).toMatch(/must be a JSONPath string/);
  });

  it('rejects a placeholder with no InputPathsMap entry that is not a predefined variable', () => {
    const t = transformer('"Event of <detail-type> type, with not defined key <notdefinedkey>"', {
      'detail-type': '$.detail-type',
    });
    expect(rejection(t).message).toMatch(/contains invalid placeholder notdefinedkey/);
  });

  it('rejects a misspelt predefined variable', () => {
    expect(rejection(transformer('"<aws.events.rule-id>"')).message).toMatch(
      /invalid placeholder aws.events.rule-id/,
    );
  });

  it.each([
    ['a string template', '"<aws.events.event.json>"'],
    ['a plain text template', 'event: <aws.events.event>'],
    ['a string of a JSON template', '{"event": "<aws.events.event.json>"}'],
  ])('rejects the whole event inside %s', (_label, template) => {
    expect(rejection(transformer(template)).message).toMatch(/can only be the value of a field/);
  });

  it.each([
    ['bare', '{<instance>: 1}'],
    ['quoted', '{"<instance>": 1}'],
    ['nested', '{"a": {"b-<instance>": 1}}'],
  ])('rejects a %s placeholder used as an object key', (_label, template) => {
    expect(rejection(transformer(template, EC2_INPUT_PATHS)).message).toMatch(/placeholder as an object key/);
  });

  it.each([['{"a": <instance>,}'], ['{"a": <instance> <state>}'], ['{instance} is <state>']])(
    'rejects the JSON object template %s that cannot be valid JSON',
    (template) => {
      expect(rejection(transformer(template, EC2_INPUT_PATHS)).message).toMatch(
        /not a valid JSON object template/,
      );
    },
  );

  it.each([
    ['no InputTemplate', { InputPathsMap: { a: '$.id' } }],
    ['an empty InputTemplate', { InputTemplate: '' }],
    ['an InputTemplate over 8192 characters', { InputTemplate: `"${'x'.repeat(8191)}"` }],
  ])('rejects an InputTransformer with %s', (_label, value) => {
    expect(rejection(target({ InputTransformer: value })).message).toMatch(
      /InputTemplate must be a string of 1 to 8192/,
    );
  });

  it.each([
    ['a string', 'template'],
    ['null', null],
    ['an array', []],
  ])('rejects an InputTransformer that is %s', (_label, value) => {
    expect(rejection(target({ InputTransformer: value })).message).toMatch(/must be an object/);
  });

  it('rejects an InputPathsMap that is not an object', () => {
    const t = target({ InputTransformer: { InputPathsMap: ['$.id'], InputTemplate: '"x"' } });
    expect(rejection(t).message).toMatch(/InputPathsMap must be an object/);
  });

  it.each([['text'], ['{"a":'], ['']])('rejects the Input %j that is not JSON text', (input) => {
    expect(rejection(target({ Input: input })).message).toMatch(/Input must be valid JSON text/);
  });

  it('rejects an Input over 8192 characters', () => {
    expect(rejection(target({ Input: `"${'x'.repeat(8191)}"` })).message).toMatch(/at most 8192/);
  });
});

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
