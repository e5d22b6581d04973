import { CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { FunctionUrl, FunctionUrlAuthType, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { webhookSigningSecretName } from '../handlers/webhook-ingress/contract';
import { HandlerFunction } from './handler-function';

export interface WebhooksProps {
  readonly prefix: string;
  /** The app's bus, where the adapter puts the versioned triggers. */
  readonly bus: IEventBus;
  /** Where the adapter parks a queued message that is not a webhook trigger, with the reason. */
  readonly rejected: IQueue;
}

/** Receives of a message before it moves to the dead-letter queue: the partner queues' count. */
const MAX_RECEIVE_COUNT = 5;

/**
 * Signed webhooks for providers that can only call a URL (docs/webhooks.md): a function URL whose handler
 * verifies the Standard Webhooks signature with the secret from Secrets Manager, remembers accepted webhook
 * ids in a table with a TTL, and queues the trigger in a FIFO queue grouped by user; an adapter reads the
 * queue in order and puts each trigger on the app bus. Construct IDs are part of the deployed contract.
 */
export class Webhooks extends Construct {
  readonly signingSecret: Secret;
  readonly idempotencyTable: TableV2;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly ingress: IFunction;
  readonly ingressUrl: FunctionUrl;
  readonly adapter: IFunction;

  constructor(scope: Construct, id: string, { prefix, bus, rejected }: WebhooksProps) {
    super(scope, id);

    // Secrets Manager makes the value at deploy time, so no secret is in the template or the repository.
    // A provider that issues its own (`whsec_...`) secret has it stored over this one (docs/webhooks.md).
    this.signingSecret = new Secret(this, 'SigningSecret', {
      secretName: webhookSigningSecretName(prefix),
      description: 'Standard Webhooks signing secret shared with the webhook providers (docs/webhooks.md).',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    Validations.of(this.signingSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The signing secret is shared with the webhook provider, so it is rotated together with the provider (docs/webhooks.md), never by a rotation Lambda alone, which would break every delivery.',
    });

    this.idempotencyTable = new TableV2(this, 'IdempotencyTable', {
      tableName: `${prefix}-webhook-ids`,
      partitionKey: { name: 'webhookId', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      // Only webhook ids of the last week: losing them lets a replayed webhook through once more, which the
      // workflow's version claim then ends as `duplicate`. Retaining the table would only block a redeploy.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: `${prefix}-webhooks-dlq.fifo`,
      fifo: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the end of the line for webhook triggers the adapter could not put on the bus; operators read it (see the runbook).',
    });
    new Alarm(this, 'DeadLetterQueueAlarm', {
      alarmName: `${prefix}-webhooks-dlq-not-empty`,
      alarmDescription: `Webhook triggers the adapter failed to put on the bus ${MAX_RECEIVE_COUNT} times are waiting in ${prefix}-webhooks-dlq.fifo; see the runbook in the README.`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.queue = new Queue(this, 'Queue', {
      queueName: `${prefix}-webhooks.fifo`,
      fifo: true,
      // The ingress names each message by its webhook id; the body alone would merge two distinct webhooks
      // that happen to carry the same trigger.
      contentBasedDeduplication: false,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the function's timeout (3 s), as Lambda's event source mapping guide advises.
      visibilityTimeout: Duration.seconds(18),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    this.ingress = new HandlerFunction(this, 'Ingress', {
      prefix,
      name: 'webhook-ingress',
      environment: {
        SIGNING_SECRET_ID: webhookSigningSecretName(prefix),
        IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
        WEBHOOK_QUEUE_URL: this.queue.queueUrl,
      },
    }).function;
    this.signingSecret.grantRead(this.ingress);
    this.idempotencyTable.grant(this.ingress, 'dynamodb:GetItem', 'dynamodb:PutItem');
    this.queue.grantSendMessages(this.ingress);

    // No IAM auth: a webhook provider cannot sign AWS requests. The Standard Webhooks signature is the
    // authentication, checked by the handler before it reads anything but the headers, and a request
    // without a valid one is answered 401 having touched only the cached secret.
    this.ingressUrl = new FunctionUrl(this, 'IngressUrl', {
      function: this.ingress,
      authType: FunctionUrlAuthType.NONE,
    });
    Validations.of(this.ingressUrl).acknowledge({
      id: 'AwsSolutions-LambdaFunctionUrlAuth',
      reason:
        'Webhook providers cannot sign AWS requests; every request must carry a Standard Webhooks HMAC signature, which the handler verifies before anything else (docs/webhooks.md).',
    });
    new CfnOutput(this, 'IngressUrlOutput', {
      description: 'Where webhook providers POST (docs/webhooks.md).',
      value: this.ingressUrl.url,
    });

    this.adapter = new HandlerFunction(this, 'Adapter', {
      prefix,
      name: 'webhook-adapter',
      environment: { BUS_NAME: bus.eventBusName, REJECTED_QUEUE_URL: rejected.queueUrl },
    }).function;
    bus.grantPutEventsTo(this.adapter);
    rejected.grantSendMessages(this.adapter);
    this.adapter.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }),
    );
  }
}
