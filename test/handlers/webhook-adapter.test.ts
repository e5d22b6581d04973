import { UserAccessChanged } from '../../events/identity';
import { TriggerNotDelivered } from '../../handlers/partner-adapter/contract';
import { InvalidInput } from '../../handlers/shared/errors';
import type { FifoEvent, FifoRecord } from '../../handlers/webhook-adapter/contract';
import { handler } from '../../handlers/webhook-adapter/handler';
import { adaptFifoBatch, type WebhookAdapterDeps } from '../../handlers/webhook-adapter/webhook-adapter';
import type { QueuedWebhook, WebhookTrigger } from '../../handlers/webhook-ingress/contract';

/*
 * The adapter reads the webhook FIFO queue through Lambda's event source mapping with ReportBatchItemFailures.
 * For a FIFO queue Lambda's guide asks the function to report the failed message and the unprocessed ones after
 * it (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html); here that holds per message
 * group. The messages are what the ingress queues for Standard Webhooks payloads
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md).
 */

function access(userId: string, version: number, blocked: boolean): WebhookTrigger {
  return {
    Source: UserAccessChanged.source,
    DetailType: UserAccessChanged.detailType,
    Detail: { userId, version, blocked, reason: blocked ? 'Webhook user.blocked' : 'Webhook user.unblocked' },
  };
}

function record(messageId: string, group: string | undefined, body: QueuedWebhook | string): FifoRecord {
  return {
    messageId,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(group === undefined ? {} : { attributes: { MessageGroupId: group } }),
  };
}

function queued(webhookId: string, trigger: WebhookTrigger): QueuedWebhook {
  return { webhookId, type: 'user.updated', trigger };
}

/** A bus that records puts and fails those the test names. */
function fakes(failing: (trigger: WebhookTrigger) => boolean = () => false) {
  const put: WebhookTrigger[] = [];
  const parked: { reason: string; event: unknown }[] = [];
  let parkFails = false;
  const deps: WebhookAdapterDeps = {
    bus: {
      async put(trigger) {
        if (failing(trigger))
          throw new TriggerNotDelivered('PutEvents did not accept the trigger: ThrottlingException');
        put.push(trigger);
      },
    },
    rejected: {
      async park(reason, event) {
        if (parkFails) throw new Error('SQS is unavailable');
        parked.push({ reason, event });
      },
    },
  };
  return { put, parked, deps, failParking: () => (parkFails = true) };
}

describe('webhook adapter', () => {
  it("puts each queued trigger on the bus in its group's order and reports no failures", async () => {
    // Prepare
    const { put, deps } = fakes();
    const event: FifoEvent = {
      Records: [
        record('m1', 'user_a', queued('msg_1', access('user_a', 1, true))),
        record('m2', 'user_b', queued('msg_2', access('user_b', 5, true))),
        record('m3', 'user_a', queued('msg_3', access('user_a', 2, false))),
      ],
    };

    // Act
    const response = await adaptFifoBatch(event, deps);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(put.filter((t) => t.Detail.userId === 'user_a').map((t) => t.Detail.version)).toEqual([1, 2]);
    expect(put).toHaveLength(3);
  });

  it('fails a message whose put failed and every later message of its group, and lets other groups through', async () => {
    // Prepare: user_a's second message cannot be put.
    const { put, deps } = fakes((t) => t.Detail.userId === 'user_a' && t.Detail.version === 2);
    const event: FifoEvent = {
      Records: [
        record('a1', 'user_a', queued('msg_a1', access('user_a', 1, true))),
        record('b1', 'user_b', queued('msg_b1', access('user_b', 1, true))),
        record('a2', 'user_a', queued('msg_a2', access('user_a', 2, false))),
        record('b2', 'user_b', queued('msg_b2', access('user_b', 2, false))),
        record('a3', 'user_a', queued('msg_a3', access('user_a', 3, true))),
      ],
    };

    // Act
    const response = await adaptFifoBatch(event, deps);

    // Assess: a3 was never tried, so it cannot overtake a2 when SQS delivers the group again.
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'a2' }, { itemIdentifier: 'a3' }] });
    expect(put.map((t) => `${t.Detail.userId}@${t.Detail.version}`)).toEqual(
      expect.arrayContaining(['user_a@1', 'user_b@1', 'user_b@2']),
    );
    expect(put).toHaveLength(3);
  });

  it('treats messages without a group attribute as one group, keeping their order', async () => {
    // Prepare
    const { put, deps } = fakes((t) => t.Detail.userId === 'user_a');
    const event: FifoEvent = {
      Records: [
        record('a1', undefined, queued('msg_a1', access('user_a', 1, true))),
        record('b1', undefined, queued('msg_b1', access('user_b', 1, true))),
      ],
    };

    // Act
    const response = await adaptFifoBatch(event, deps);

    // Assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['a1', 'b1']);
    expect(put).toEqual([]);
  });

  it('parks a message that is not a queued webhook with the reason and does not hold up its group', async () => {
    // Prepare
    const { put, parked, deps } = fakes();
    const event: FifoEvent = {
      Records: [
        record('x1', 'user_a', 'not json'),
        record(
          'x2',
          'user_a',
          JSON.stringify({ webhookId: 'msg_x', type: 'user.blocked', trigger: { Source: 'x' } }),
        ),
        record('a1', 'user_a', queued('msg_a1', access('user_a', 1, true))),
      ],
    };

    // Act
    const response = await adaptFifoBatch(event, deps);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(parked.map((p) => p.reason)).toEqual([
      'The message body is not JSON, so it is not a queued webhook.',
      expect.stringMatching(/^Not a queued webhook: trigger\.DetailType: /),
    ]);
    expect(parked[0]?.event).toBe('not json');
    expect(put).toHaveLength(1);
  });

  it('fails a message it could not park, and the later messages of its group', async () => {
    // Prepare
    const { put, deps, failParking } = fakes();
    failParking();
    const event: FifoEvent = {
      Records: [
        record('x1', 'user_a', 'not json'),
        record('a1', 'user_a', queued('msg_a1', access('user_a', 1, true))),
      ],
    };

    // Act
    const response = await adaptFifoBatch(event, deps);

    // Assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['x1', 'a1']);
    expect(put).toEqual([]);
  });

  it('rejects an input that is not an SQS event with InvalidInput', async () => {
    await expect(handler({ detail: {} })).rejects.toBeInstanceOf(InvalidInput);
  });
});
