import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { TriggerNotDelivered } from '../partner-adapter/contract';
import type { WebhookTriggerBus } from './webhook-adapter';

/**
 * PutEvents of one trigger onto the app bus. One entry per call, so a failure is exactly one message to
 * redeliver. PutEvents answers 200 with `FailedEntryCount` when an entry was refused: that is a failure too.
 */
export function eventBridgeWebhookBus(client: EventBridgeClient, busName: string): WebhookTriggerBus {
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
