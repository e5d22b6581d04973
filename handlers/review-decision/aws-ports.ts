import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ReviewResult, StoredReview } from './contract';
import type { RejectedEvents, ReviewStore, TaskCallbacks } from './review-decision';

/** The KYC rows of the version table (partition key userId, sort key workflow). */
export function dynamoDbReviewStore(client: DynamoDBClient, tableName: string): ReviewStore {
  const key = (userId: string) => ({ userId: { S: userId }, workflow: { S: 'kyc' } });
  return {
    async get(userId) {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: key(userId), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      const review = Item.review?.M;
      const stored: StoredReview = {
        version: Number(Item.version?.N),
        status: Item.status?.S ?? '',
        ...(review
          ? {
              review: {
                version: Number(review.version?.N),
                ...(review.token?.S ? { token: review.token.S } : {}),
                ...(review.decision?.S ? { decision: review.decision.S } : {}),
                ...(review.reviewer?.S ? { reviewer: review.reviewer.S } : {}),
              },
            }
          : {}),
      };
      return stored;
    },
    async open(userId, version, token, openedAt) {
      return conditional(
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(userId),
            UpdateExpression: 'SET #review = :review',
            ConditionExpression: '#version = :version AND #status = :inReview',
            ExpressionAttributeNames: { '#review': 'review', '#version': 'version', '#status': 'status' },
            ExpressionAttributeValues: {
              ':review': {
                M: { version: { N: String(version) }, token: { S: token }, openedAt: { S: openedAt } },
              },
              ':version': { N: String(version) },
              ':inReview': { S: 'in review' },
            },
          }),
        ),
      );
    },
    async recordDecision(userId, version, token, result: ReviewResult, at) {
      await conditional(
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(userId),
            UpdateExpression:
              'SET #review.#decision = :decision, #review.#reviewer = :reviewer, #review.#decidedAt = :at REMOVE #review.#token',
            ConditionExpression: '#review.#version = :version AND #review.#token = :token',
            ExpressionAttributeNames: {
              '#review': 'review',
              '#decision': 'decision',
              '#reviewer': 'reviewer',
              '#decidedAt': 'decidedAt',
              '#token': 'token',
              '#version': 'version',
            },
            ExpressionAttributeValues: {
              ':decision': { S: result.decision },
              ':reviewer': { S: result.reviewer },
              ':at': { S: at },
              ':version': { N: String(version) },
              ':token': { S: token },
            },
          }),
        ),
      );
    },
  };
}

/** Whether a conditional write applied: a failed condition is an answer here, not an error. */
async function conditional(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** The errors with which Step Functions says a token's task no longer waits (SendTaskSuccess API reference). */
const GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export function stepFunctionsCallbacks(client: SFNClient): TaskCallbacks {
  return {
    async succeed(token, result) {
      try {
        await client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(result) }));
        return 'sent';
      } catch (error) {
        if (error instanceof Error && GONE.has(error.name)) return 'gone';
        throw error;
      }
    },
  };
}

export function sqsRejectedEvents(client: SQSClient, queueUrl: string): RejectedEvents {
  return {
    async park(reason, event) {
      await client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ reason, event }) }),
      );
    },
  };
}
