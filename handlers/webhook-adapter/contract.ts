import { z } from 'zod';

/**
 * One message of the webhook FIFO queue as Lambda's event source mapping delivers it. `MessageGroupId` (the
 * user) is in `attributes` for a FIFO queue; the body is a QueuedWebhook (handlers/webhook-ingress/contract.ts).
 */
export const FifoRecord = z.object({
  messageId: z.string().min(1),
  body: z.string(),
  attributes: z.object({ MessageGroupId: z.string().optional() }).optional(),
});
export type FifoRecord = z.infer<typeof FifoRecord>;

export const FifoEvent = z.object({ Records: z.array(FifoRecord) });
export type FifoEvent = z.infer<typeof FifoEvent>;
