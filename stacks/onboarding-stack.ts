import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SfnStateMachine, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { ZodType } from 'zod';
import { AccountRequested } from '../events/accounts';
import type { EventContract } from '../events/contract';
import { UserAccessChanged } from '../events/identity';
import { AccountApproved, ManualReviewRequired } from '../events/kyc';
import { ReviewDecided } from '../events/review';
import { AccessWorkflow } from '../statemachines/access';
import { KycWorkflow } from '../statemachines/kyc';
import { OnboardingWorkflow } from '../statemachines/onboarding';
import { BusArchive } from './archive';
import { addAuditLog } from './audit-log';
import { EventCatalogue } from './catalogue';
import type { AppConfig } from './config';
import { addExecutionAlerts } from './execution-alerts';
import { HandlerFunction } from './handler-function';
import { addPartnerSources } from './partner-sources';
import { malformedVersionedDetail, versionedDetail } from './patterns';
import { Webhooks } from './webhooks';

export interface OnboardingStackProps extends StackProps {
  readonly config: AppConfig;
}

/**
 * The whole app: the bus, one rule per trigger, the version table, the KYC handlers, three state machines,
 * the queues where anything that could not be processed is parked, each with an alarm, and the audit log.
 */
export class OnboardingStack extends Stack {
  readonly bus: EventBus;
  readonly table: TableV2;
  readonly stateMachines: Record<'kyc' | 'onboarding' | 'access', StateMachine>;

  constructor(scope: Construct, id: string, props: OnboardingStackProps) {
    super(scope, id, props);
    const { prefix, busName, reviewTimeout } = props.config;

    this.bus = new EventBus(this, 'Bus', { eventBusName: busName });

    const parkingQueue = (id: string, name: string, what: string) => {
      const queue = new Queue(this, id, {
        queueName: `${prefix}-${name}`,
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        // SQS's largest message (1 MiB): a parked event is up to 256 KiB of event plus the envelope,
        // error and cause around it, which the 256 KiB default could not hold.
        maxMessageSizeBytes: 1_048_576,
      });
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: `This queue is itself the end of the line for ${what}; operators read it (see the runbook).`,
      });
      new Alarm(this, `${id}Alarm`, {
        alarmName: `${prefix}-${name}-not-empty`,
        alarmDescription: `${what} are waiting in ${prefix}-${name}; see the runbook in the README.`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      return queue;
    };
    const triggerDlq = parkingQueue(
      'TriggerDeadLetterQueue',
      'trigger-dlq',
      'Trigger events a rule could not deliver',
    );
    const rejected = parkingQueue('RejectedEventsQueue', 'rejected-events', 'Malformed trigger events');
    const undelivered = parkingQueue(
      'UndeliveredEventsQueue',
      'undelivered-events',
      'Events a workflow could not emit',
    );

    this.table = new TableV2(this, 'VersionTable', {
      tableName: `${prefix}-versions`,
      partitionKey: { name: 'userId', type: AttributeType.STRING },
      sortKey: { name: 'workflow', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const handler = (id: string, name: string) => new HandlerFunction(this, id, { prefix, name }).function;
    const shared = { table: this.table, bus: this.bus, undelivered, rejected };
    const kyc = new KycWorkflow(this, 'Kyc', {
      ...shared,
      stateMachineName: `${prefix}-kyc`,
      verifyIdentity: handler('VerifyIdentity', 'verify-identity'),
      screenSanctions: handler('ScreenSanctions', 'screen-sanctions'),
      assessRisk: handler('AssessRisk', 'assess-risk'),
      reviewTimeout,
    });
    const onboarding = new OnboardingWorkflow(this, 'Onboarding', {
      ...shared,
      stateMachineName: `${prefix}-onboarding`,
      provisionWorkspace: handler('ProvisionWorkspace', 'provision-workspace'),
    });
    const access = new AccessWorkflow(this, 'Access', {
      ...shared,
      stateMachineName: `${prefix}-access-change`,
    });
    this.stateMachines = {
      kyc: kyc.stateMachine,
      onboarding: onboarding.stateMachine,
      access: access.stateMachine,
    };

    const trigger = (
      id: string,
      contract: EventContract<string, string, ZodType>,
      stateMachine: StateMachine,
    ) => {
      new Rule(this, `${id}Rule`, {
        eventBus: this.bus,
        description: `${contract.source} / ${contract.detailType} starts ${stateMachine.node.path}`,
        eventPattern: {
          source: [contract.source],
          detailType: [contract.detailType],
          detail: versionedDetail,
        },
        targets: [
          new SfnStateMachine(stateMachine, {
            deadLetterQueue: triggerDlq,
            retryAttempts: 8,
            maxEventAge: Duration.hours(2),
          }),
        ],
      });
      new Rule(this, `${id}MalformedRule`, {
        eventBus: this.bus,
        description: `${contract.source} / ${contract.detailType} without a string userId and a positive version`,
        eventPattern: {
          source: [contract.source],
          detailType: [contract.detailType],
          detail: malformedVersionedDetail,
        },
        targets: [new SqsQueue(rejected, { deadLetterQueue: triggerDlq, retryAttempts: 8 })],
      });
    };
    trigger('AccountRequested', AccountRequested, this.stateMachines.kyc);
    trigger('AccountApproved', AccountApproved, this.stateMachines.onboarding);
    trigger('UserAccessChanged', UserAccessChanged, this.stateMachines.access);

    // Manual review: the handler records the waiting task's token when the review is announced, and sends
    // the back office's decision to it. It may answer tasks of the KYC state machine only.
    const reviewDecision = new HandlerFunction(this, 'ReviewDecision', {
      prefix,
      name: 'review-decision',
      environment: { TABLE_NAME: this.table.tableName, REJECTED_QUEUE_URL: rejected.queueUrl },
    }).function;
    this.table.grant(reviewDecision, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    rejected.grantSendMessages(reviewDecision);
    kyc.stateMachine.grantTaskResponse(reviewDecision);
    for (const [id, c] of [
      ['ManualReviewRequired', ManualReviewRequired],
      ['ReviewDecided', ReviewDecided],
    ] as const) {
      new Rule(this, `${id}Rule`, {
        eventBus: this.bus,
        description: `${c.source} / ${c.detailType} goes to the review-decision handler`,
        eventPattern: { source: [c.source], detailType: [c.detailType] },
        targets: [new LambdaFunction(reviewDecision, { deadLetterQueue: triggerDlq, retryAttempts: 8 })],
      });
    }

    addPartnerSources(this, {
      prefix,
      sources: props.config.partnerSources,
      bus: this.bus,
      rejected,
      parkingQueue,
    });

    // Signed webhooks: function URL -> FIFO queue -> adapter -> bus (docs/webhooks.md).
    new Webhooks(this, 'Webhooks', { prefix, bus: this.bus, rejected });

    addAuditLog(this, { prefix, bus: this.bus });

    // What happened on the bus, kept for replays (README, "For downstream teams").
    new BusArchive(this, 'BusArchive', { prefix, bus: this.bus, retention: props.config.archiveRetention });

    // The event catalogue for downstream teams, from the definitions in events/.
    new EventCatalogue(this, 'EventCatalogue', { prefix });

    // A failed, timed out or aborted execution reaches an alarmed queue, from Step Functions' own events.
    addExecutionAlerts(this, { prefix, stateMachines: Object.values(this.stateMachines), parkingQueue });
  }
}
