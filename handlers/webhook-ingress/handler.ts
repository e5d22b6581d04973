import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { cachedSecret, dynamoIdempotencyRecords, sqsWebhookQueue } from './aws-ports';
import type { FunctionUrlResponse } from './contract';
import { StandardWebhooksVerifier } from './verifier';
import { fromFunctionUrl, type IngressDeps, receiveWebhook } from './webhook-ingress';

const Environment = z.object({
  /** The signing secret's name or ARN (`<prefix>/webhook-signing-secret`). */
  SIGNING_SECRET_ID: z.string().min(1),
  IDEMPOTENCY_TABLE_NAME: z.string().min(1),
  WEBHOOK_QUEUE_URL: z.string().min(1),
});

/**
 * The clients (and the secret's cache), made once per endpoint: once per cold start on AWS. The key is
 * AWS_ENDPOINT_URL (the SDK's standard override), so a local runtime restarted on another port in the same
 * process gets new clients, as in the partner adapter.
 */
const depsByEndpoint = new Map<string, IngressDeps>();
function deps(): IngressDeps {
  const endpoint = process.env.AWS_ENDPOINT_URL ?? '';
  let made = depsByEndpoint.get(endpoint);
  if (!made) {
    const env = Environment.parse(process.env);
    const now = () => Date.now();
    made = {
      verifier: new StandardWebhooksVerifier(
        cachedSecret(new SecretsManagerClient({}), env.SIGNING_SECRET_ID, now),
        now,
      ),
      idempotency: dynamoIdempotencyRecords(new DynamoDBClient({}), env.IDEMPOTENCY_TABLE_NAME),
      queue: sqsWebhookQueue(new SQSClient({}), env.WEBHOOK_QUEUE_URL),
      now,
    };
    depsByEndpoint.set(endpoint, made);
  }
  return made;
}

/**
 * The function URL (payload format 2.0): verify, deduplicate, queue, answer. Every outcome is an HTTP answer
 * with a JSON reason; nothing is thrown at the caller (a thrown error would be a bare 502).
 */
export const handler = async (input: unknown): Promise<FunctionUrlResponse> => {
  const request = fromFunctionUrl(input);
  return 'statusCode' in request ? request : receiveWebhook(request, deps());
};
