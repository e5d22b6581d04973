import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../stacks/app';
import { EXECUTION_STATUS_CHANGE, UNSUCCESSFUL_STATUSES } from '../../stacks/execution-alerts';
import { readTemplate } from '../support/synth';

describe('the failed-executions alert', () => {
  const template = Template.fromJSON(readTemplate());
  const resources = readTemplate().Resources;
  const idOf = (type: string, prefix: string) => {
    const ids = Object.keys(resources).filter((id) => id.startsWith(prefix) && resources[id]?.Type === type);
    if (ids.length !== 1) throw new Error(`Expected one ${type} ${prefix}*, found ${ids.length}.`);
    return ids[0] as string;
  };

  it("routes the app's FAILED, TIMED_OUT and ABORTED executions from the default bus to the queue", () => {
    // Step Functions puts status changes on the default bus (Developer Guide, "Automating Step Functions
    // event delivery with EventBridge"): the rule names no bus, so it is on the default one.
    const machines = Object.keys(resources).filter(
      (id) => resources[id]?.Type === 'AWS::StepFunctions::StateMachine',
    );
    const rule = resources[idOf('AWS::Events::Rule', 'FailedExecutionsRule')];
    if (!rule) throw new Error('The failed-executions rule is missing.');
    expect(rule.Properties.EventBusName).toBeUndefined();
    expect(rule.Properties.EventPattern).toEqual({
      source: [EXECUTION_STATUS_CHANGE.source],
      'detail-type': [EXECUTION_STATUS_CHANGE.detailType],
      detail: {
        status: [...UNSUCCESSFUL_STATUSES],
        stateMachineArn: expect.arrayContaining(machines.map((id) => ({ Ref: id }))),
      },
    });
    expect(
      (rule.Properties.EventPattern as { detail: { stateMachineArn: unknown[] } }).detail.stateMachineArn,
    ).toHaveLength(machines.length);
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', 'FailedExecutionsQueue'), 'Arn'] },
      }),
    ]);
  });

  it('keeps the queue encrypted, SSL-only, and alarmed when it is not empty', () => {
    const queueId = idOf('AWS::SQS::Queue', 'FailedExecutionsQueue');
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'onboarding-kyc-failed-executions',
      SqsManagedSseEnabled: true,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'onboarding-kyc-failed-executions-not-empty',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              ArnEquals: {
                'aws:SourceArn': { 'Fn::GetAtt': [idOf('AWS::Events::Rule', 'FailedExecutionsRule'), 'Arn'] },
              },
            },
          }),
        ]),
      },
    });
  });

  it('synthesizes with cdk-nag AwsSolutions clean', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(() => buildApp(app).app.synth()).not.toThrow();
  });
});
