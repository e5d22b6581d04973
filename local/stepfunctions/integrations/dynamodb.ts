import type { LocalDynamoDb } from '../../dynamodb';
import { AwsError } from '../../errors';
import { StatesError } from '../engine/errors';
import type { Integration } from '.';

/**
 * DynamoDB's optimized integrations (getItem, putItem, updateItem, deleteItem), called in process. A
 * DynamoDB error becomes `DynamoDB.<Code>` with the cause text Step Functions shows.
 */
export function dynamoDbIntegration(dynamodb: LocalDynamoDb, action: string): Integration {
  return async ({ parameters }) => {
    try {
      return await dynamodb.call(action, parameters);
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      throw new StatesError(
        `DynamoDB.${error.code}`,
        `${error.message} (Service: DynamoDb, Status Code: 400, Error Code: ${error.code}, Request ID: local)`,
      );
    }
  };
}
