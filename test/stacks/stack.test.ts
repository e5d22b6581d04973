import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../stacks/app';
import { malformedVersionedDetail, versionedDetail } from '../../stacks/patterns';
import { readTemplate } from '../support/synth';

describe('the OnboardingKyc stack', () => {
  const template = Template.fromJSON(readTemplate());

  it('synthesizes with cdk-nag AwsSolutions clean (a finding makes synth throw)', () => {
    // Bundling is skipped: nag reads the template, not the code.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(() => buildApp(app).app.synth()).not.toThrow();
  });

  it('starts each workflow from a rule that requires a string userId and a positive numeric version', () => {
    for (const [source, detailType] of [
      ['app.accounts', 'Account Requested'],
      ['app.kyc', 'Account Approved'],
      ['app.identity', 'User Access Changed'],
    ]) {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { source: [source], 'detail-type': [detailType], detail: versionedDetail },
        Targets: [
          Match.objectLike({
            Arn: { Ref: Match.stringLikeRegexp('StateMachine') },
            DeadLetterConfig: {
              Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('TriggerDeadLetterQueue'), 'Arn'] },
            },
            RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
          }),
        ],
      });
      // CDK's matcher cannot compare the pattern's `null` literal, so plain Jest equality does.
      const malformed = Object.values(template.findResources('AWS::Events::Rule')).filter(
        (r) =>
          JSON.stringify(r.Properties.EventPattern) ===
          JSON.stringify({ source: [source], 'detail-type': [detailType], detail: malformedVersionedDetail }),
      );
      expect(malformed).toHaveLength(1);
      expect(malformed[0]?.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [expect.stringMatching(/^RejectedEventsQueue/), 'Arn'] },
        }),
      ]);
    }
  });

  it('sends every event on the bus to the audit log group', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: [{ prefix: '' }] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AuditLog'), 'Arn'] } })],
    });
  });

  it('keeps versions in an on-demand table with point-in-time recovery and encryption', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'userId', KeyType: 'HASH' },
        { AttributeName: 'workflow', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });

  it('runs Standard state machines with logging at level ALL and X-Ray tracing', () => {
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    expect(Object.keys(machines)).toHaveLength(3);
    for (const machine of Object.values(machines)) {
      expect(machine.Properties).toMatchObject({
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      });
    }
  });

  it('encrypts every queue, requires TLS, and alarms when a parking queue holds a message', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    // Trigger DLQ, rejected and undelivered events, failed executions, the webhook queue and its DLQ.
    expect(Object.keys(queues)).toHaveLength(6);
    for (const queue of Object.values(queues)) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    template.resourceCountIs('AWS::SQS::QueuePolicy', Object.keys(queues).length);
    // A parking queue is one nothing reads: every queue but those an event source mapping consumes.
    const consumed = new Set(
      Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).map(
        (m) => (m.Properties.EventSourceArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0],
      ),
    );
    for (const id of Object.keys(queues).filter((q) => !consumed.has(q))) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id, 'QueueName'] } }],
      });
    }
  });

  it('lets each state machine and adapter put events only on the app bus', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const putEvents = policies.flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]).filter(
        (s) => [s.Action].flat().includes('events:PutEvents'),
      ),
    );
    // The three state machines and the webhook adapter.
    expect(putEvents.length).toBe(4);
    for (const statement of putEvents)
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Bus/), 'Arn'] });
  });

  it('lets the review-decision handler answer tasks of the KYC state machine only, and read and write the table', () => {
    const [role] = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) =>
      id.startsWith('ReviewDecisionFunction'),
    );
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
      .flatMap(
        (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
      );
    const states = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('states:')));
    expect(states).toHaveLength(1);
    expect([states[0]?.Action].flat().sort()).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskHeartbeat',
      'states:SendTaskSuccess',
    ]);
    expect(states[0]?.Resource).toEqual({ Ref: expect.stringMatching(/^KycStateMachine/) });
    const dynamodb = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    expect(dynamodb.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
  });

  it('gives the KYC execution time for its manual review to reach its deadline', () => {
    const kyc = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).find((r) =>
      JSON.stringify(r.Properties.StateMachineName).includes('-kyc'),
    );
    const definition = JSON.stringify(kyc?.Properties.DefinitionString);
    // A week's review (stacks/config.ts), plus an hour for the rest of the run.
    expect(definition).toContain('\\"TimeoutSeconds\\":604800');
    expect(definition).toContain('\\"TimeoutSeconds\\":608400');
  });
});
