import { AwsError } from '../../errors';
import type { LocalQueues } from '../../sqs';
import { StatesError } from '../engine/errors';
import type { Integration } from '.';

/** `sqs:sendMessage`: an object MessageBody is sent as its JSON text; an SQS error is `SQS.<Code>`. */
export function sendMessageIntegration(queues: LocalQueues): Integration {
  return async ({ parameters }) => {
    const input = parameters as { QueueUrl?: unknown; MessageBody?: unknown };
    const body =
      typeof input.MessageBody === 'string' ? input.MessageBody : JSON.stringify(input.MessageBody);
    try {
      const m = queues.find(String(input.QueueUrl)).send(body);
      return { MessageId: m.messageId, MD5OfMessageBody: m.md5OfBody };
    } catch (error) {
      if (error instanceof AwsError) throw new StatesError(`SQS.${error.code}`, error.message);
      throw error;
    }
  };
}
