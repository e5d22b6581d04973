import type { LocalEventBridge, PutEventsRequestEntry } from '../../eventbridge/bus';
import { StatesError } from '../engine/errors';
import type { Integration } from '.';

/**
 * `events:putEvents`: Step Functions serialises an object Detail, appends the state machine ARN and then
 * the execution ARN to each entry's Resources (the order AWS records), and fails the task with
 * `EventBridge.FailedEntry` when an entry failed, the PutEvents response as its Cause.
 */
export function putEventsIntegration(eventBridge: LocalEventBridge): Integration {
  return async ({ parameters, executionArn, stateMachineArn }) => {
    const entries = ((parameters as { Entries?: Record<string, unknown>[] }).Entries ?? []).map(
      // Each field written out, not `{ ...e, Detail, Resources }`, a shape Node 20's scavenger keeps
      // promoting (see engine/stop.ts). The bus reads these fields, and checks their types itself.
      (e): PutEventsRequestEntry => ({
        Time: e.Time as PutEventsRequestEntry['Time'],
        Source: e.Source as string,
        Resources: [...((e.Resources as string[] | undefined) ?? []), stateMachineArn, executionArn],
        DetailType: e.DetailType as string,
        Detail: typeof e.Detail === 'string' ? e.Detail : JSON.stringify(e.Detail),
        EventBusName: e.EventBusName as string,
      }),
    );
    const response = eventBridge.putEvents(entries);
    if (response.FailedEntryCount > 0)
      throw new StatesError('EventBridge.FailedEntry', JSON.stringify(response));
    return response;
  };
}
