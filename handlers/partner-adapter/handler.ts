import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parseInput } from '../shared/parse-input';
import { eventBridgeTriggerBus, sqsRejectedEvents } from './aws-ports';
import { type SqsBatchResponse, SqsEvent } from './contract';
import { type AdapterDeps, adaptBatch } from './partner-adapter';

/**
 * The clients, made once per endpoint: once per cold start on AWS. The key is AWS_ENDPOINT_URL (the SDK's
 * standard override), so a local runtime restarted on another port in the same process gets new clients.
 */
const depsByEndpoint = new Map<string, AdapterDeps>();
function deps(): AdapterDeps {
  const endpoint = process.env.AWS_ENDPOINT_URL ?? '';
  let made = depsByEndpoint.get(endpoint);
  if (!made) {
    made = {
      bus: eventBridgeTriggerBus(new EventBridgeClient({}), required('BUS_NAME')),
      rejected: sqsRejectedEvents(new SQSClient({}), required('REJECTED_QUEUE_URL')),
    };
    depsByEndpoint.set(endpoint, made);
  }
  return made;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`partner-adapter: environment variable ${name} is not set.`);
  return value;
}

/**
 * The SQS event source mapping of the partner queue (ReportBatchItemFailures on): maps each partner event to
 * its trigger and puts it on the app bus; parks what cannot be mapped; reports only the failed puts.
 */
export const handler = async (input: unknown): Promise<SqsBatchResponse> =>
  adaptBatch(parseInput(SqsEvent, input, 'partner-adapter'), deps());
