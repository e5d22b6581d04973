import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SecretSource } from './verifier';
import type { AcceptedWebhook, IdempotencyRecords, WebhookQueue } from './webhook-ingress';

/**
 * How long a fetched secret is used before it is read again: short, so a rotated secret takes effect within
 * minutes (docs/webhooks.md), long enough that a burst of webhooks costs one GetSecretValue.
 */
export const SECRET_CACHE_MS = 5 * 60 * 1000;

/**
 * GetSecretValue, cached for SECRET_CACHE_MS. A failed read is not cached: the next request tries again.
 * The value is never logged or returned in a response.
 */
export function cachedSecret(
  client: SecretsManagerClient,
  secretId: string,
  now: () => number,
  cacheMs = SECRET_CACHE_MS,
): SecretSource {
  let cached: { value: string; fetchedAt: number } | undefined;
  return async () => {
    if (cached && now() - cached.fetchedAt < cacheMs) return cached.value;
    const response = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!response.SecretString)
      throw new Error(`The secret ${secretId} has no SecretString; the signing secret must be text.`);
    cached = { value: response.SecretString, fetchedAt: now() };
    return cached.value;
  };
}

/** How long an accepted id is remembered: longer than providers retry a delivery (days, not hours). */
export const IDEMPOTENCY_RETENTION_SECONDS = 7 * 24 * 3600;

/**
 * The idempotency table (partition key `webhookId`). `expiresAt` is the table's TTL attribute, in epoch
 * seconds as DynamoDB TTL requires. Reads are consistent, so a retry right after an accept sees the record.
 */
export function dynamoIdempotencyRecords(client: DynamoDBClient, tableName: string): IdempotencyRecords {
  return {
    async find(webhookId) {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { webhookId: { S: webhookId } },
          ConsistentRead: true,
        }),
      );
      if (!Item) return undefined;
      return {
        webhookId,
        payloadSha256: stringOf(Item.payloadSha256),
        acceptedAt: Number(numberOf(Item.acceptedAt)),
      };
    },
    async record(accepted: AcceptedWebhook) {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            webhookId: { S: accepted.webhookId },
            payloadSha256: { S: accepted.payloadSha256 },
            acceptedAt: { N: String(accepted.acceptedAt) },
            expiresAt: { N: String(Math.floor(accepted.acceptedAt / 1000) + IDEMPOTENCY_RETENTION_SECONDS) },
          },
        }),
      );
    },
  };
}

function stringOf(value: AttributeValue | undefined): string {
  return value && 'S' in value && value.S !== undefined ? value.S : '';
}

function numberOf(value: AttributeValue | undefined): string {
  return value && 'N' in value && value.N !== undefined ? value.N : '0';
}

/** SendMessage to the FIFO queue; resolves once SQS answered with a MessageId, i.e. stored it. */
export function sqsWebhookQueue(client: SQSClient, queueUrl: string): WebhookQueue {
  return {
    async send({ groupId, deduplicationId, body }) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body,
          MessageGroupId: groupId,
          MessageDeduplicationId: deduplicationId,
        }),
      );
    },
  };
}
