import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TriggerNotDelivered } from './contract';
import type { RejectedEvents } from './partner-adapter';

/**
 * PutEvents of one trigger onto the app bus, for the partner and the webhook adapters. One entry per call, so a failed entry is exactly one message to
 * redeliver. PutEvents answers 200 with `FailedEntryCount` when an entry was refused: that is a failure too.
 */
export function eventBridgeTriggerBus<
  Trigger extends { Source: string; DetailType: string; Detail: unknown },
>(client: EventBridgeClient, busName: string): { put(trigger: Trigger): Promise<void> } {
  return {
    async put(trigger) {
      const response = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: busName,
              Source: trigger.Source,
              DetailType: trigger.DetailType,
              Detail: JSON.stringify(trigger.Detail),
            },
          ],
        }),
      );
      if ((response.FailedEntryCount ?? 0) > 0) {
        const entry = response.Entries?.[0];
        throw new TriggerNotDelivered(
          `PutEvents did not accept the trigger: ${entry?.ErrorCode ?? 'unknown error'}: ${entry?.ErrorMessage ?? ''}`.trim(),
        );
      }
    },
  };
}

/** The rejected-events queue; the body is `{ reason, event }`, as the other handlers park events. */
export function sqsRejectedEvents(client: SQSClient, queueUrl: string): RejectedEvents {
  return {
    async park(reason, event) {
      await client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ reason, event }) }),
      );
    },
  };
}
