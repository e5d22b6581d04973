import type { LocalDynamoDb } from '../dynamodb';
import { AwsError, UnsupportedTemplateError } from '../errors';
import type { LocalEventBridge, PutEventsRequestEntry } from '../eventbridge/bus';
import type { LocalLambdas } from '../lambda';
import type { LocalQueues } from '../sqs';

/** A task error as Step Functions reports it: the name Retry/Catch match, and the Cause text. */
export class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

export interface TaskCall {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly input: Record<string, unknown>;
}

export type TaskIntegration = (call: TaskCall) => Promise<unknown>;

export interface IntegrationServices {
  readonly dynamodb: LocalDynamoDb;
  readonly eventBridge: LocalEventBridge;
  readonly queues: LocalQueues;
  readonly lambdas: LocalLambdas;
}

const DYNAMODB_ACTIONS = new Map([
  ['getItem', 'GetItem'],
  ['putItem', 'PutItem'],
  ['updateItem', 'UpdateItem'],
  ['deleteItem', 'DeleteItem'],
]);

/**
 * The optimized service integrations the app's state machines use, with Step Functions' own input and
 * error conventions. A Task resource not listed here stops startup: it is never sent to real AWS.
 */
export function integrationFor(
  resource: string,
  services: IntegrationServices,
  where: string,
): TaskIntegration {
  const dynamo = /^arn:aws:states:::dynamodb:(\w+)$/.exec(resource);
  const action = dynamo && DYNAMODB_ACTIONS.get(dynamo[1] as string);
  if (action) {
    return async ({ input }) => {
      try {
        return await services.dynamodb.call(action, input);
      } catch (error) {
        if (!(error instanceof AwsError)) throw error;
        throw new TaskError(
          `DynamoDB.${error.code}`,
          `${error.message} (Service: DynamoDb, Status Code: 400, Error Code: ${error.code}, Request ID: local)`,
        );
      }
    };
  }
  switch (resource) {
    case 'arn:aws:states:::events:putEvents':
      return async ({ input, executionArn, stateMachineArn }) => {
        const entries = (input.Entries as Record<string, unknown>[]).map(
          (e): PutEventsRequestEntry => ({
            ...e,
            // Step Functions serialises an object Detail and tells consumers which execution sent the event.
            Detail: typeof e.Detail === 'string' ? e.Detail : JSON.stringify(e.Detail),
            Resources: [...((e.Resources as string[] | undefined) ?? []), executionArn, stateMachineArn],
          }),
        );
        const response = services.eventBridge.putEvents(entries);
        if (response.FailedEntryCount > 0)
          throw new TaskError('EventBridge.FailedEntry', JSON.stringify(response));
        return response;
      };
    case 'arn:aws:states:::sqs:sendMessage':
      return async ({ input }) => {
        const body =
          typeof input.MessageBody === 'string' ? input.MessageBody : JSON.stringify(input.MessageBody);
        try {
          const m = services.queues.find(String(input.QueueUrl)).send(body);
          return { MessageId: m.messageId, MD5OfMessageBody: m.md5OfBody };
        } catch (error) {
          if (error instanceof AwsError) throw new TaskError(`SQS.${error.code}`, error.message);
          throw error;
        }
      };
    case 'arn:aws:states:::lambda:invoke':
      return async ({ input }) => {
        const payload = await services.lambdas.invoke(String(input.FunctionName), input.Payload);
        return { ExecutedVersion: '$LATEST', Payload: payload ?? null, StatusCode: 200 };
      };
    default:
      throw new UnsupportedTemplateError(`${where}: Task resource ${resource} has no local implementation.`);
  }
}
