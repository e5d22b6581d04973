import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { eventBridgeTriggerBus, sqsRejectedEvents } from '../partner-adapter/aws-ports';
import type { SqsBatchResponse } from '../partner-adapter/contract';
import { parseInput } from '../shared/parse-input';
import type { WebhookTrigger } from '../webhook-ingress/contract';
import { FifoEvent } from './contract';
import { adaptFifoBatch, type WebhookAdapterDeps } from './webhook-adapter';

const Environment = z.object({
  BUS_NAME: z.string().min(1),
  REJECTED_QUEUE_URL: z.string().min(1),
});

/** The clients, made once per endpoint (AWS_ENDPOINT_URL), as in the partner adapter. */
const depsByEndpoint = new Map<string, WebhookAdapterDeps>();
function deps(): WebhookAdapterDeps {
  const endpoint = process.env.AWS_ENDPOINT_URL ?? '';
  let made = depsByEndpoint.get(endpoint);
  if (!made) {
    const env = Environment.parse(process.env);
    made = {
      bus: eventBridgeTriggerBus<WebhookTrigger>(new EventBridgeClient({}), env.BUS_NAME),
      rejected: sqsRejectedEvents(new SQSClient({}), env.REJECTED_QUEUE_URL),
    };
    depsByEndpoint.set(endpoint, made);
  }
  return made;
}

/**
 * The SQS event source mapping of the webhook FIFO queue (ReportBatchItemFailures on): puts each queued
 * trigger on the app bus in group order and reports the failed messages and those after them in their group.
 */
export const handler = async (input: unknown): Promise<SqsBatchResponse> =>
  adaptFifoBatch(parseInput(FifoEvent, input, 'webhook-adapter'), deps());
