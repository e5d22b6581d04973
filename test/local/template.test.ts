// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub strings use CloudFormation's ${Name} syntax.
import { UnsupportedTemplateError } from '../../local/errors';
import { type LocalEnv, loadTemplate, type Resource } from '../../local/template';
import { thrownBy } from '../support/errors';
import { readTemplate } from '../support/synth';

const env: LocalEnv = {
  account: '111122223333',
  region: 'eu-west-2',
  endpoint: 'http://localhost:9999',
  stackName: 'Stack',
};

type TemplateResources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** A template with the named queue, bus, table, state machine and function, plus the given resources. */
function templateWith(resources: TemplateResources = {}) {
  return {
    Resources: {
      Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs' } },
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'bus' } },
      Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'versions' } },
      Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { StateMachineName: 'flow' } },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'work' } },
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/app/audit' } },
      ...resources,
    },
  };
}

/** The resolved Properties of the `Subject` resource (a log group, which passes its properties through). */
function resolve(properties: Record<string, unknown>): Record<string, unknown> {
  const resources = loadTemplate(
    templateWith({ Subject: { Type: 'AWS::Logs::LogGroup', Properties: properties } }),
    env,
  );
  return (resources.get('Subject') as Resource).properties;
}

describe('loadTemplate', () => {
  it('gives named resources their local names and ARNs', () => {
    // Prepare
    const template = templateWith();

    // Act
    const resources = loadTemplate(template, env);

    // Assess
    expect(resources.get('Queue')).toMatchObject({
      logicalId: 'Queue',
      type: 'AWS::SQS::Queue',
      ref: 'http://localhost:9999/111122223333/jobs',
      attributes: {
        Arn: 'arn:aws:sqs:eu-west-2:111122223333:jobs',
        QueueName: 'jobs',
        QueueUrl: 'http://localhost:9999/111122223333/jobs',
      },
    });
    expect(resources.get('Bus')).toMatchObject({
      ref: 'bus',
      attributes: { Arn: 'arn:aws:events:eu-west-2:111122223333:event-bus/bus', Name: 'bus' },
    });
    expect(resources.get('Table')).toMatchObject({
      ref: 'versions',
      attributes: { Arn: 'arn:aws:dynamodb:eu-west-2:111122223333:table/versions' },
    });
    expect(resources.get('Machine')).toMatchObject({
      ref: 'arn:aws:states:eu-west-2:111122223333:stateMachine:flow',
      attributes: { Arn: 'arn:aws:states:eu-west-2:111122223333:stateMachine:flow', Name: 'flow' },
    });
    expect(resources.get('Fn')).toMatchObject({
      ref: 'work',
      attributes: { Arn: 'arn:aws:lambda:eu-west-2:111122223333:function:work' },
    });
    expect(resources.get('Logs')).toMatchObject({
      ref: '/app/audit',
      attributes: { Arn: 'arn:aws:logs:eu-west-2:111122223333:log-group:/app/audit:*' },
    });
  });

  it('names an unnamed resource after the stack and its logical id', () => {
    // Prepare
    const template = { Resources: { Anonymous: { Type: 'AWS::SQS::Queue' } } };

    // Act
    const queue = loadTemplate(template, env).get('Anonymous');

    // Assess
    expect(queue?.attributes.QueueName).toBe('Stack-Anonymous');
    expect(queue?.ref).toBe('http://localhost:9999/111122223333/Stack-Anonymous');
  });

  it('resolves Ref to a resource, a pseudo parameter and a parameter default', () => {
    // Prepare
    const template = {
      Parameters: { Stage: { Default: 'dev' } },
      Resources: {
        ...templateWith().Resources,
        Subject: {
          Type: 'AWS::Logs::LogGroup',
          Properties: {
            queue: { Ref: 'Queue' },
            machine: { Ref: 'Machine' },
            account: { Ref: 'AWS::AccountId' },
            region: { Ref: 'AWS::Region' },
            partition: { Ref: 'AWS::Partition' },
            suffix: { Ref: 'AWS::URLSuffix' },
            stack: { Ref: 'AWS::StackName' },
            stackId: { Ref: 'AWS::StackId' },
            stage: { Ref: 'Stage' },
          },
        },
      },
    };

    // Act
    const properties = loadTemplate(template, env).get('Subject')?.properties;

    // Assess
    expect(properties).toEqual({
      queue: 'http://localhost:9999/111122223333/jobs',
      machine: 'arn:aws:states:eu-west-2:111122223333:stateMachine:flow',
      account: '111122223333',
      region: 'eu-west-2',
      partition: 'aws',
      suffix: 'amazonaws.com',
      stack: 'Stack',
      stackId: 'arn:aws:cloudformation:eu-west-2:111122223333:stack/Stack/local',
      stage: 'dev',
    });
  });

  it('resolves Fn::GetAtt in list and dotted-string form', () => {
    // Prepare
    const properties = {
      list: { 'Fn::GetAtt': ['Table', 'Arn'] },
      dotted: { 'Fn::GetAtt': 'Queue.QueueUrl' },
      stream: { 'Fn::GetAtt': ['Table', 'StreamArn'] },
    };

    // Act
    const resolved = resolve(properties);

    // Assess
    expect(resolved).toEqual({
      list: 'arn:aws:dynamodb:eu-west-2:111122223333:table/versions',
      dotted: 'http://localhost:9999/111122223333/jobs',
      stream: 'arn:aws:dynamodb:eu-west-2:111122223333:table/versions/stream/local',
    });
  });

  it('resolves Fn::Join with intrinsics among its parts', () => {
    // Prepare
    const properties = {
      joined: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:::', { Ref: 'Table' }]] },
      separated: { 'Fn::Join': [',', ['a', { 'Fn::GetAtt': ['Bus', 'Name'] }, 'c']] },
    };

    // Act
    const resolved = resolve(properties);

    // Assess
    expect(resolved).toEqual({ joined: 'arn:aws:states:::versions', separated: 'a,bus,c' });
  });

  it('resolves Fn::Sub in string form against refs, attributes and pseudo parameters', () => {
    // Prepare
    const properties = {
      sub: { 'Fn::Sub': '${Bus}|${Table.Arn}|${AWS::Region}:${AWS::AccountId}|${Queue.QueueName}' },
    };

    // Act
    const resolved = resolve(properties);

    // Assess
    expect(resolved.sub).toBe(
      'bus|arn:aws:dynamodb:eu-west-2:111122223333:table/versions|eu-west-2:111122223333|jobs',
    );
  });

  it('resolves Fn::Sub with a variable map, whose values may be intrinsics and shadow names', () => {
    // Prepare
    const properties = {
      sub: {
        'Fn::Sub': [
          '${Greeting}, ${Target} from ${Bus} (${Fn.Arn})',
          { Greeting: 'hello', Target: { 'Fn::GetAtt': ['Machine', 'Name'] }, Bus: 'shadowed' },
        ],
      },
    };

    // Act
    const resolved = resolve(properties);

    // Assess
    expect(resolved.sub).toBe(
      'hello, flow from shadowed (arn:aws:lambda:eu-west-2:111122223333:function:work)',
    );
  });

  it('resolves Fn::Sub escapes ${!Literal} to a literal ${Literal}', () => {
    // Prepare
    const properties = { sub: { 'Fn::Sub': '${!Literal} and ${!Bus.Arn} beside ${Bus}' } };

    // Act
    const resolved = resolve(properties);

    // Assess
    expect(resolved.sub).toBe('${Literal} and ${Bus.Arn} beside bus');
  });

  it('resolves Fn::Select over Fn::Split', () => {
    // Prepare
    const properties = {
      resource: { 'Fn::Select': [5, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Machine', 'Arn'] }] }] },
      name: { 'Fn::Select': ['1', { 'Fn::Split': ['/', { 'Fn::GetAtt': ['Bus', 'Arn'] }] }] },
      literal: { 'Fn::Select': [0, ['first', 'second']] },
      parts: { 'Fn::Split': ['|', 'a|b|c'] },
    };

    // Act
    const resolved = resolve(properties);

    // Assess
    expect(resolved).toEqual({
      resource: 'stateMachine',
      name: 'bus',
      literal: 'first',
      parts: ['a', 'b', 'c'],
    });
  });

  it('resolves intrinsics nested inside lists and objects, leaving other values alone', () => {
    // Prepare
    const properties = {
      Targets: [
        { Id: 'T0', Arn: { 'Fn::GetAtt': ['Queue', 'Arn'] }, Count: 3, Enabled: true, Nothing: null },
      ],
    };

    // Act
    const resolved = resolve(properties);

    // Assess
    expect(resolved).toEqual({
      Targets: [
        { Id: 'T0', Arn: 'arn:aws:sqs:eu-west-2:111122223333:jobs', Count: 3, Enabled: true, Nothing: null },
      ],
    });
  });

  it.each(['Custom::Foo', 'AWS::S3::Bucket'])(
    'rejects an unsupported resource type %s, naming it',
    (type) => {
      // Prepare
      const template = templateWith({ Unsupported1234: { Type: type } });

      // Act
      const error = thrownBy(() => loadTemplate(template, env));

      // Assess
      expect(error).toBeInstanceOf(UnsupportedTemplateError);
      expect(error.message).toContain(`Unsupported1234 (${type})`);
    },
  );

  it('rejects every unsupported resource at once', () => {
    // Prepare
    const template = templateWith({
      Custom: { Type: 'Custom::Foo' },
      Bucket: { Type: 'AWS::S3::Bucket' },
    });

    // Act
    const error = thrownBy(() => loadTemplate(template, env));

    // Assess
    expect(error.message).toContain('Custom (Custom::Foo)');
    expect(error.message).toContain('Bucket (AWS::S3::Bucket)');
  });

  it.each([
    ['Fn::If', ['IsProd', 'a', 'b']],
    ['Fn::ImportValue', 'SharedBusArn'],
    ['Fn::GetAZs', ''],
  ])('rejects the unknown intrinsic %s, naming where it is', (fn, arg) => {
    // Prepare
    const properties = { Tags: [{ Key: 'k', Value: { [fn]: arg } }] };

    // Act
    const error = thrownBy(() => resolve(properties));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedTemplateError);
    expect(error.message).toContain('Subject.Properties.Tags[0].Value');
    expect(error.message).toContain(fn);
  });

  it('rejects an unknown intrinsic nested inside another, naming where it is', () => {
    // Prepare
    const properties = { Name: { 'Fn::Join': ['-', ['a', { 'Fn::ImportValue': 'Shared' }]] } };

    // Act
    const error = thrownBy(() => resolve(properties));

    // Assess
    expect(error.message).toMatch(/Subject\.Properties\.Name.*Fn::ImportValue/);
  });

  it('rejects a Ref to an unknown name', () => {
    // Prepare
    const properties = { Queue: { Ref: 'MissingQueue' } };

    // Act
    const error = thrownBy(() => resolve(properties));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedTemplateError);
    expect(error.message).toContain("Subject.Properties.Queue: Ref to unknown 'MissingQueue'");
  });

  it('rejects an unknown name inside Fn::Sub', () => {
    // Prepare
    const properties = { Name: { 'Fn::Sub': 'prefix-${Missing}' } };

    // Act
    const error = thrownBy(() => resolve(properties));

    // Assess
    expect(error.message).toContain("Ref to unknown 'Missing'");
  });

  it('rejects Fn::GetAtt of an attribute the runtime does not emulate', () => {
    // Prepare
    const properties = { Arn: { 'Fn::GetAtt': ['Queue', 'RedrivePolicy'] } };

    // Act
    const error = thrownBy(() => resolve(properties));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedTemplateError);
    expect(error.message).toContain('Subject.Properties.Arn: Fn::GetAtt Queue.RedrivePolicy');
  });

  it('loads the synthesized template with its state machines, bus, queues and table', () => {
    // Prepare
    const template = readTemplate();

    // Act
    const resources = [...loadTemplate(template, env).values()];

    // Assess
    const count = (type: string) => resources.filter((r) => r.type === type).length;
    expect(count('AWS::StepFunctions::StateMachine')).toBe(3);
    expect(count('AWS::Events::EventBus')).toBe(1);
    // The three parking queues, failed executions, the webhook FIFO queue and its dead-letter queue.
    expect(count('AWS::SQS::Queue')).toBe(6);
    // The version table and the webhook ingress's idempotency table.
    expect(count('AWS::DynamoDB::Table') + count('AWS::DynamoDB::GlobalTable')).toBe(2);
    // Nothing intrinsic survives resolution.
    expect(JSON.stringify(resources.map((r) => r.properties))).not.toMatch(/"(Ref|Fn::[A-Za-z]+)"/);
  });
});
