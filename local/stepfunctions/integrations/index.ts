import type { LocalDynamoDb } from '../../dynamodb';
import { UnsupportedTemplateError } from '../../errors';
import type { LocalEventBridge } from '../../eventbridge/bus';
import type { LocalLambdas } from '../../lambda';
import type { LocalQueues } from '../../sqs';
import type { TaskRequest } from '../engine/interpreter';
import { dynamoDbIntegration } from './dynamodb';
import { putEventsIntegration } from './events';
import { lambdaInvokeIntegration } from './lambda';
import { sendMessageIntegration } from './sqs';

/** One service integration: what a Task state's call does. A task failure is thrown as a StatesError. */
export type Integration = (request: TaskRequest) => Promise<unknown>;

export interface IntegrationServices {
  readonly dynamodb: LocalDynamoDb;
  readonly eventBridge: LocalEventBridge;
  readonly queues: LocalQueues;
  readonly lambdas: LocalLambdas;
}

/** The integrations, keyed by the resource ARN a Task names (without `.waitForTaskToken`). */
const PLUGINS: Readonly<Record<string, (services: IntegrationServices) => Integration>> = {
  'arn:aws:states:::dynamodb:getItem': (s) => dynamoDbIntegration(s.dynamodb, 'GetItem'),
  'arn:aws:states:::dynamodb:putItem': (s) => dynamoDbIntegration(s.dynamodb, 'PutItem'),
  'arn:aws:states:::dynamodb:updateItem': (s) => dynamoDbIntegration(s.dynamodb, 'UpdateItem'),
  'arn:aws:states:::dynamodb:deleteItem': (s) => dynamoDbIntegration(s.dynamodb, 'DeleteItem'),
  'arn:aws:states:::events:putEvents': (s) => putEventsIntegration(s.eventBridge),
  'arn:aws:states:::sqs:sendMessage': (s) => sendMessageIntegration(s.queues),
  'arn:aws:states:::lambda:invoke': (s) => lambdaInvokeIntegration(s.lambdas),
};

/** The integrations that support the callback pattern (developer guide, "Wait for a Callback with Task Token"). */
const CALLBACK = new Set([
  'arn:aws:states:::events:putEvents',
  'arn:aws:states:::sqs:sendMessage',
  'arn:aws:states:::lambda:invoke',
]);

/**
 * The integration for a Task's Resource. A resource with no local implementation stops startup (or
 * CreateStateMachine): it is never sent to real AWS. `.waitForTaskToken` is handled once, by the
 * interpreter, for every integration that supports it.
 */
export function integrationFor(resource: string, services: IntegrationServices, where: string): Integration {
  const base = resource.replace(/\.waitForTaskToken$/, '');
  const plugin = PLUGINS[base];
  if (!plugin || (base !== resource && !CALLBACK.has(base)))
    throw new UnsupportedTemplateError(`${where}: Task resource ${resource} has no local implementation.`);
  return plugin(services);
}
