import { createHash, randomUUID } from 'node:crypto';
import { AwsError } from './errors';

export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly sentAt: number;
  receiveCount: number;
  receiptHandle?: string;
  /** Hidden from receivers until this time (epoch ms). */
  visibleAt: number;
}

export class LocalQueue {
  readonly messages: QueueMessage[] = [];

  constructor(
    readonly name: string,
    readonly url: string,
    readonly arn: string,
    readonly visibilityTimeoutSeconds = 30,
  ) {}

  send(body: string): QueueMessage {
    if (body.length === 0)
      throw new AwsError('MissingParameter', 'The request must contain the parameter MessageBody.');
    if (Buffer.byteLength(body) > 262_144) {
      throw new AwsError(
        'InvalidParameterValue',
        'One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.',
      );
    }
    const message: QueueMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: createHash('md5').update(body).digest('hex'),
      sentAt: Date.now(),
      receiveCount: 0,
      visibleAt: 0,
    };
    this.messages.push(message);
    return message;
  }

  receive(
    max = 1,
    visibilityTimeoutSeconds = this.visibilityTimeoutSeconds,
    now = Date.now(),
  ): QueueMessage[] {
    const visible = this.messages.filter((m) => m.visibleAt <= now).slice(0, max);
    for (const m of visible) {
      m.receiveCount += 1;
      m.receiptHandle = randomUUID();
      m.visibleAt = now + visibilityTimeoutSeconds * 1000;
    }
    return visible;
  }

  delete(receiptHandle: string): void {
    const index = this.messages.findIndex((m) => m.receiptHandle === receiptHandle);
    if (index < 0)
      throw new AwsError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
      );
    this.messages.splice(index, 1);
  }

  purge(): void {
    this.messages.length = 0;
  }

  /** Message bodies parsed as JSON, oldest first, without receiving them: for tests and the viewer. */
  peek(): unknown[] {
    return this.messages.map((m) => JSON.parse(m.body));
  }
}

/** The template's queues, found by URL, ARN or name. */
export class LocalQueues {
  private readonly queues: LocalQueue[] = [];

  add(queue: LocalQueue): void {
    this.queues.push(queue);
  }

  all(): readonly LocalQueue[] {
    return this.queues;
  }

  find(urlArnOrName: string): LocalQueue {
    const queue = this.queues.find(
      (q) => q.url === urlArnOrName || q.arn === urlArnOrName || q.name === urlArnOrName,
    );
    if (!queue)
      throw new AwsError(
        'AWS.SimpleQueueService.NonExistentQueue',
        `The specified queue ${urlArnOrName} does not exist.`,
      );
    return queue;
  }
}
