import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ManualReviewRequired } from '../../events/kyc';
import { issuesOf, parseInput } from '../shared/parse-input';
import { dynamoDbReviewStore, sqsRejectedEvents, stepFunctionsCallbacks } from './aws-ports';
import { DecisionEvent, ReviewOpened, type ReviewOutcome } from './contract';
import { decideReview, openReview, type ReviewDeps } from './review-decision';

/**
 * The clients, made once per endpoint: once per cold start on AWS. The key is AWS_ENDPOINT_URL (the SDK's
 * standard override), so a local runtime restarted on another port in the same process gets new clients.
 */
const depsByEndpoint = new Map<string, ReviewDeps>();
function deps(): ReviewDeps {
  const endpoint = process.env.AWS_ENDPOINT_URL ?? '';
  let made = depsByEndpoint.get(endpoint);
  if (!made) {
    made = {
      store: dynamoDbReviewStore(new DynamoDBClient({}), required('TABLE_NAME')),
      tasks: stepFunctionsCallbacks(new SFNClient({})),
      rejected: sqsRejectedEvents(new SQSClient({}), required('REJECTED_QUEUE_URL')),
      now: () => new Date(),
    };
    depsByEndpoint.set(endpoint, made);
  }
  return made;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`review-decision: environment variable ${name} is not set.`);
  return value;
}

/**
 * Two rules invoke this function: `Manual Review Required` (record the waiting task's token) and
 * `Review Decided` (send the decision to the waiting task). A decision that does not match its contract is
 * parked with the problems, like any decision that cannot be applied.
 */
export const handler = async (input: unknown): Promise<ReviewOutcome> => {
  const event = input as { source?: unknown; 'detail-type'?: unknown };
  if (
    event?.source === ManualReviewRequired.source &&
    event['detail-type'] === ManualReviewRequired.detailType
  )
    return openReview(parseInput(ReviewOpened, input, 'review-decision'), deps());
  const decision = DecisionEvent.safeParse(input);
  if (!decision.success) {
    const problems = issuesOf(decision.error).map((i) => `${i.path}: ${i.message}`);
    const reason = `Not a valid Review Decided event: ${problems.join('; ')}`;
    await deps().rejected.park(reason, input);
    return { outcome: 'rejected', reason };
  }
  return decideReview(decision.data, deps());
};
