import type { LocalDynamoDb } from '../../dynamodb';
import { AwsError } from '../../errors';
import { StatesError } from '../engine/errors';
import type { Integration } from '.';

/**
 * Step Functions names a service error after the AWS SDK for Java's exception class, which differs from
 * the wire code for these two (DynamoDB API reference, "Error handling": `InternalServerError`,
 * `RequestLimitExceeded`); the other codes are their own class names.
 */
const EXCEPTION_CLASSES: Readonly<Record<string, string>> = {
  InternalServerError: 'InternalServerErrorException',
  RequestLimitExceeded: 'RequestLimitExceededException',
};

/** Server-side errors answer HTTP 500, the others 400, as the cause text reports. */
const SERVER_ERRORS = new Set(['InternalServerError', 'ServiceUnavailable']);

/**
 * DynamoDB's optimized integrations (getItem, putItem, updateItem, deleteItem), called in process. A
 * DynamoDB error becomes `DynamoDB.<exception class>` with the cause text Step Functions shows.
 */
export function dynamoDbIntegration(dynamodb: LocalDynamoDb, action: string): Integration {
  return async ({ parameters }) => {
    try {
      return await dynamodb.call(action, parameters);
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      const status = SERVER_ERRORS.has(error.code) ? 500 : 400;
      throw new StatesError(
        `DynamoDB.${EXCEPTION_CLASSES[error.code] ?? error.code}`,
        `${error.message} (Service: DynamoDb, Status Code: ${status}, Error Code: ${error.code}, Request ID: local)`,
      );
    }
  };
}
