import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../stacks/app';

const AUTH0 = 'aws.partner/auth0.com/acme/user-stream';
const SAASUS = 'aws.partner/saasus.io/7f3a/event';

/** The stack synthesized with these CDK context values (bundling skipped: the template is what counts). */
function synth(context: Record<string, string>) {
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const { stack } = buildApp(app);
  // cdk-nag runs at synth and throws on a finding.
  app.synth();
  return Template.fromStack(stack);
}

/** The event source mappings of the partner adapter (the webhook adapter has its own, always). */
function partnerMappings(template: Template) {
  return template.findResources('AWS::Lambda::EventSourceMapping', {
    Properties: { FunctionName: { Ref: Match.stringLikeRegexp('^PartnerAdapter') } },
  });
}

describe('partner event sources', () => {
  it('creates nothing for partners unless the context names their sources', () => {
    // Act
    const template = synth({});

    // Assess
    expect(Object.keys(partnerMappings(template))).toHaveLength(0);
    expect(JSON.stringify(template.toJSON())).not.toContain('aws.partner/');
  });

  it('creates, per source, a partner bus, a rule into a queue with a dead-letter queue, and one adapter reading them', () => {
    // Act: cdk-nag clean with both partners.
    const template = synth({ auth0EventSource: AUTH0, saasusEventSource: SAASUS });

    // Assess
    for (const source of [AUTH0, SAASUS]) {
      template.hasResourceProperties('AWS::Events::EventBus', { Name: source, EventSourceName: source });
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({ source: [source] }),
        Targets: [
          Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('PartnerQueue'), 'Arn'] } }),
        ],
      });
    }
    for (const name of ['auth0', 'saasus']) {
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `onboarding-kyc-${name}-partner-events`,
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `onboarding-kyc-${name}-partner-dlq-not-empty`,
      });
    }
    const mappings = Object.values(partnerMappings(template));
    expect(mappings).toHaveLength(2);
    for (const mapping of mappings)
      expect(mapping.Properties).toMatchObject({
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'onboarding-kyc-partner-adapter',
      Environment: { Variables: { BUS_NAME: Match.anyValue(), REJECTED_QUEUE_URL: Match.anyValue() } },
    });
  });

  it('refuses a context value that is not a partner event source of that partner', () => {
    // Act
    const act = () => synth({ auth0EventSource: 'aws.partner/saasus.io/7f3a/event' });

    // Assess
    expect(act).toThrow(
      /Context 'auth0EventSource' must be a partner event source name aws\.partner\/auth0\.com\//,
    );
  });
});
