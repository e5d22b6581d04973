import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../stacks/app';

/*
 * The deployed side of signed webhooks (docs/webhooks.md). Lambda function URLs with AuthType NONE are public
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html), which is why the handler's Standard Webhooks
 * signature check is the authentication; SQS FIFO queues need FifoQueue and a `.fifo` name, and their
 * dead-letter queue must be FIFO too (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html).
 */

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** The synthesized stack; app.synth() runs cdk-nag, which throws on any finding not acknowledged. */
function synth(context: Record<string, string> = {}) {
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const { stack } = buildApp(app);
  app.synth();
  return { stack, template: Template.fromStack(stack) };
}

const { stack, template } = synth();
const resources = template.toJSON().Resources as Record<string, Resource>;

function logicalId(type: string, properties: Record<string, unknown>): string {
  const ids = Object.keys(template.findResources(type, { Properties: properties }));
  if (ids.length !== 1)
    throw new Error(`Expected one ${type} with ${JSON.stringify(properties)}, found ${ids.length}`);
  return ids[0] as string;
}

/** Every statement of the policies attached to the role of the named function. */
function statementsOf(functionName: string): Statement[] {
  const fn = resources[logicalId('AWS::Lambda::Function', { FunctionName: functionName })] as Resource;
  const role = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => (r.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === role))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const X_RAY = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

describe('webhooks stack', () => {
  it('generates the signing secret in Secrets Manager under the prefix', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'onboarding-kyc/webhook-signing-secret',
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true },
    });
    // Generated at deploy time: no value in the template.
    const secret =
      resources[logicalId('AWS::SecretsManager::Secret', { Name: 'onboarding-kyc/webhook-signing-secret' })];
    expect(secret?.Properties).not.toHaveProperty('SecretString');
  });

  it('keeps webhook ids in an on-demand, encrypted table with point-in-time recovery and a TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'onboarding-kyc-webhook-ids',
      KeySchema: [{ AttributeName: 'webhookId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });

  it('queues webhooks in a FIFO queue without content-based deduplication, with a FIFO dead-letter queue and its alarm', () => {
    const dlq = logicalId('AWS::SQS::Queue', { QueueName: 'onboarding-kyc-webhooks-dlq.fifo' });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'onboarding-kyc-webhooks-dlq.fifo',
      FifoQueue: true,
      SqsManagedSseEnabled: true,
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'onboarding-kyc-webhooks.fifo',
      FifoQueue: true,
      ContentBasedDeduplication: false,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'onboarding-kyc-webhooks-dlq-not-empty',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('serves the ingress on a function URL without IAM auth, the signature being the authentication', () => {
    const ingress = logicalId('AWS::Lambda::Function', { FunctionName: 'onboarding-kyc-webhook-ingress' });
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [ingress, 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'onboarding-kyc-webhook-ingress',
      Environment: {
        Variables: {
          SIGNING_SECRET_ID: 'onboarding-kyc/webhook-signing-secret',
          IDEMPOTENCY_TABLE_NAME: {
            Ref: logicalId('AWS::DynamoDB::GlobalTable', { TableName: 'onboarding-kyc-webhook-ids' }),
          },
          WEBHOOK_QUEUE_URL: {
            Ref: logicalId('AWS::SQS::Queue', { QueueName: 'onboarding-kyc-webhooks.fifo' }),
          },
        },
      },
    });
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.values(outputs).map((o) => o.Value)).toContainEqual({
      'Fn::GetAtt': [logicalId('AWS::Lambda::Url', { AuthType: 'NONE' }), 'FunctionUrl'],
    });
  });

  it('reads the FIFO queue into the adapter with partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: {
        'Fn::GetAtt': [logicalId('AWS::SQS::Queue', { QueueName: 'onboarding-kyc-webhooks.fifo' }), 'Arn'],
      },
      FunctionName: {
        Ref: logicalId('AWS::Lambda::Function', { FunctionName: 'onboarding-kyc-webhook-adapter' }),
      },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
  });

  it('grants the ingress only what it calls: read the secret, get and put ids, send to the FIFO queue', () => {
    const secret = logicalId('AWS::SecretsManager::Secret', {
      Name: 'onboarding-kyc/webhook-signing-secret',
    });
    const table = logicalId('AWS::DynamoDB::GlobalTable', { TableName: 'onboarding-kyc-webhook-ids' });
    const queue = logicalId('AWS::SQS::Queue', { QueueName: 'onboarding-kyc-webhooks.fifo' });

    const statements = statementsOf('onboarding-kyc-webhook-ingress').filter(
      (s) => actions(s)[0] !== X_RAY[0],
    );

    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: { Ref: secret },
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: { 'Fn::GetAtt': [table, 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
      },
    ]);
  });

  it('grants the adapter only what it calls: put events on the app bus, park in the rejected-events queue, consume the FIFO queue', () => {
    const statements = statementsOf('onboarding-kyc-webhook-adapter');

    for (const statement of statements) {
      // Only X-Ray, which has no resource-level permissions, may use a wildcard.
      if (statement.Resource === '*') expect(actions(statement)).toEqual(X_RAY);
      expect(actions(statement).some((a) => a.endsWith(':*'))).toBe(false);
    }
    expect(statements.map((s) => [actions(s), s.Resource])).toEqual(
      expect.arrayContaining([
        [
          ['events:PutEvents'],
          { 'Fn::GetAtt': [logicalId('AWS::Events::EventBus', { Name: 'onboarding-kyc' }), 'Arn'] },
        ],
        [
          ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
          {
            'Fn::GetAtt': [
              logicalId('AWS::SQS::Queue', { QueueName: 'onboarding-kyc-rejected-events' }),
              'Arn',
            ],
          },
        ],
        [
          expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']),
          {
            'Fn::GetAtt': [
              logicalId('AWS::SQS::Queue', { QueueName: 'onboarding-kyc-webhooks.fifo' }),
              'Arn',
            ],
          },
        ],
      ]),
    );
    expect(statements).toHaveLength(4);
  });

  it('is cdk-nag clean, each acknowledgement of the webhook resources carrying its reason', () => {
    // Act: synth() above already ran the AwsSolutions checks; a second prefix proves the names follow it.
    const other = synth({ prefix: 'acme-onboarding' }).template;

    // Assess
    other.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'acme-onboarding/webhook-signing-secret',
    });
    other.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'acme-onboarding-webhooks.fifo' });
    other.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'acme-onboarding-webhook-ingress' });
    const acknowledged = new Map<string, string>();
    for (const construct of stack.node.findAll()) {
      if (!construct.node.path.includes('/Webhooks/')) continue;
      for (const entry of construct.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>))
          acknowledged.set(id.replace(/^Annotation::/, ''), reason);
    }
    expect([...acknowledged.keys()]).toEqual(
      expect.arrayContaining([
        'AwsSolutions-SMG4',
        'AwsSolutions-SQS3',
        'AwsSolutions-LambdaFunctionUrlAuth',
      ]),
    );
    for (const reason of acknowledged.values()) expect(reason.length).toBeGreaterThan(40);
  });
});
