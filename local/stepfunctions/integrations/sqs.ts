import { AwsError } from '../../errors';
import { type LocalQueues, type MessageAttributes, type SendOptions, sendMessageResult } from '../../sqs';
import { StatesError } from '../engine/errors';
import type { Integration } from '.';

/**
 * `sqs:sendMessage`: SendMessage's parameters, with an object MessageBody sent as its JSON text; the answer
 * is SendMessage's (a FIFO queue's adds its SequenceNumber). An SQS error is `SQS.<Code>`.
 */
export function sendMessageIntegration(queues: LocalQueues): Integration {
  return async ({ parameters }) => {
    const input = parameters as {
      QueueUrl?: unknown;
      MessageBody?: unknown;
      MessageGroupId?: unknown;
      MessageDeduplicationId?: unknown;
      DelaySeconds?: unknown;
      MessageAttributes?: unknown;
    };
    const body =
      typeof input.MessageBody === 'string' ? input.MessageBody : JSON.stringify(input.MessageBody);
    const options: SendOptions = {
      ...(input.MessageGroupId === undefined ? {} : { messageGroupId: String(input.MessageGroupId) }),
      ...(input.MessageDeduplicationId === undefined
        ? {}
        : { messageDeduplicationId: String(input.MessageDeduplicationId) }),
      ...(input.DelaySeconds === undefined ? {} : { delaySeconds: Number(input.DelaySeconds) }),
      ...(input.MessageAttributes === undefined
        ? {}
        : { messageAttributes: input.MessageAttributes as MessageAttributes }),
    };
    try {
      return sendMessageResult(queues.find(String(input.QueueUrl)).send(body, options));
    } catch (error) {
      if (error instanceof AwsError) throw new StatesError(`SQS.${error.code}`, error.message);
      throw error;
    }
  };
}
