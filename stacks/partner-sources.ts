import { Duration } from 'aws-cdk-lib';
import { EventBus, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { AUTH0_LOG_DETAIL_TYPE } from '../handlers/partner-adapter/contract';
import type { PartnerSources } from './config';
import { HandlerFunction } from './handler-function';

export interface PartnerSourcesProps {
  readonly prefix: string;
  readonly sources: PartnerSources;
  /** The app's bus, where the adapter puts the versioned triggers. */
  readonly bus: IEventBus;
  /** Where the adapter parks a partner event it cannot map, with the reason. */
  readonly rejected: IQueue;
  /** Makes a parking queue with its `-not-empty` alarm (the stack's own helper). */
  readonly parkingQueue: (id: string, name: string, what: string) => Queue;
}

/**
 * For each partner event source named in the CDK context: its partner event bus, a rule selecting the
 * events the adapter maps (docs/partners.md), an SQS queue with a dead-letter queue (5 receives), and one
 * adapter function reading every partner queue with partial batch failures. Partners deliver out of order
 * and more than once: the adapter only maps, and the workflows' version claim orders and deduplicates.
 */
export function addPartnerSources(scope: Construct, props: PartnerSourcesProps): void {
  const { prefix, sources } = props;
  const partners = [
    {
      id: 'Auth0',
      name: 'auth0',
      source: sources.auth0,
      // Event Streams' user updates carrying `blocked` and deletions; log streams' Management API calls.
      pattern: {
        $or: [
          {
            detail: {
              type: ['user.updated', 'com.auth0.user.updated', 'user.deleted', 'com.auth0.user.deleted'],
            },
          },
          { 'detail-type': [AUTH0_LOG_DETAIL_TYPE], detail: { data: { type: ['sapi'] } } },
        ],
      },
    },
    {
      id: 'Saasus',
      name: 'saasus',
      source: sources.saasus,
      pattern: {
        'detail-type': ['api_call'],
        detail: { event_type: ['create_saas_user', 'delete_saas_user'] },
      },
    },
  ].filter((p): p is typeof p & { source: string } => p.source !== undefined);
  if (partners.length === 0) return;

  const adapter = new HandlerFunction(scope, 'PartnerAdapter', {
    prefix,
    name: 'partner-adapter',
    environment: { BUS_NAME: props.bus.eventBusName, REJECTED_QUEUE_URL: props.rejected.queueUrl },
  }).function;
  props.bus.grantPutEventsTo(adapter);
  props.rejected.grantSendMessages(adapter);

  for (const partner of partners) {
    // A partner bus takes its name from its event source.
    const partnerBus = new EventBus(scope, `${partner.id}PartnerBus`, { eventSourceName: partner.source });
    const deadLetters = props.parkingQueue(
      `${partner.id}PartnerDeadLetterQueue`,
      `${partner.name}-partner-dlq`,
      `${partner.id} partner events the adapter failed to put on the bus 5 times`,
    );
    const queue = new Queue(scope, `${partner.id}PartnerQueue`, {
      queueName: `${prefix}-${partner.name}-partner-events`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the function's timeout (3 s), as Lambda's event source mapping guide advises.
      visibilityTimeout: Duration.seconds(18),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 },
    });
    new Rule(scope, `${partner.id}PartnerRule`, {
      eventBus: partnerBus,
      description: `${partner.id} events the partner adapter maps (docs/partners.md)`,
      eventPattern: { source: [partner.source], ...partner.pattern } as never,
      targets: [new SqsQueue(queue, { deadLetterQueue: deadLetters, retryAttempts: 8 })],
    });
    adapter.addEventSource(new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));
  }
}
