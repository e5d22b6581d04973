import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { AccountRequested } from '../../events/accounts';
import { UserAccessChanged } from '../../events/identity';
import {
  cachedSecret,
  dynamoIdempotencyRecords,
  IDEMPOTENCY_RETENTION_SECONDS,
  sqsWebhookQueue,
} from '../../handlers/webhook-ingress/aws-ports';
import { QueuedWebhook } from '../../handlers/webhook-ingress/contract';
import { mapWebhook } from '../../handlers/webhook-ingress/mapping';
import { hasValidSignature, sign, signingKeyOf } from '../../handlers/webhook-ingress/standard-webhooks';
import { StandardWebhooksVerifier } from '../../handlers/webhook-ingress/verifier';
import {
  type AcceptedWebhook,
  fromFunctionUrl,
  type IdempotencyRecords,
  type IngressDeps,
  messageGroupOf,
  receiveWebhook,
  type WebhookQueue,
  type WebhookRequest,
} from '../../handlers/webhook-ingress/webhook-ingress';
import { signedPost } from '../../local/webhook';

/*
 * The rules under test are the Standard Webhooks specification's, version 1.0.0
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
 * - headers `webhook-id`, `webhook-timestamp` (integer Unix seconds), `webhook-signature`;
 * - signed content `${webhook-id}.${webhook-timestamp}.${body}`, HMAC-SHA256, base64, `v1,` prefix;
 * - several space-separated signatures (key rotation): one valid entry is enough;
 * - secrets `whsec_` + base64 of the key;
 * - refuse timestamps outside a tolerance (the spec's libraries use 5 minutes) to stop replays;
 * - payload `{type, timestamp, data}`; webhook ids are unique per message and repeat on retries, so they
 *   are the idempotency key.
 */

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NOW_MS = Date.parse('2026-03-02T09:15:00.000Z');
const NOW_SECONDS = NOW_MS / 1000;
const USER = 'user_2fK9wQ';

const signUp = {
  type: 'user.created',
  timestamp: '2026-03-02T09:14:58.123Z',
  data: {
    id: USER,
    plan: 'team',
    applicant: {
      fullName: 'Jane Applicant',
      dateOfBirth: '1990-04-01',
      country: 'GB',
      documentNumber: 'AB123456',
    },
  },
};
const block = { type: 'user.blocked', timestamp: '2026-03-02T09:20:00.000Z', data: { id: USER } };
const unblock = { type: 'user.unblocked', timestamp: '2026-03-02T09:25:00.000Z', data: { id: USER } };

/** An SQS FIFO queue as the ingress sees it: deduplicates on MessageDeduplicationId (5-minute window). */
class FakeFifoQueue implements WebhookQueue {
  readonly messages: { groupId: string; deduplicationId: string; body: string }[] = [];
  failuresLeft = 0;
  sendCalls = 0;

  async send(message: { groupId: string; deduplicationId: string; body: string }): Promise<void> {
    this.sendCalls += 1;
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw Object.assign(new Error('SQS is unavailable'), { name: 'ServiceUnavailable' });
    }
    // SQS answers a duplicate SendMessage with success and stores nothing.
    if (this.messages.some((m) => m.deduplicationId === message.deduplicationId)) return;
    this.messages.push(message);
  }
}

class FakeIdempotencyRecords implements IdempotencyRecords {
  readonly records = new Map<string, AcceptedWebhook>();
  recordFailuresLeft = 0;

  async find(webhookId: string) {
    return this.records.get(webhookId);
  }

  async record(accepted: AcceptedWebhook) {
    if (this.recordFailuresLeft > 0) {
      this.recordFailuresLeft -= 1;
      throw Object.assign(new Error('DynamoDB is unavailable'), { name: 'InternalServerError' });
    }
    this.records.set(accepted.webhookId, accepted);
  }
}

function ingress(secret = SECRET) {
  const queue = new FakeFifoQueue();
  const idempotency = new FakeIdempotencyRecords();
  const now = () => NOW_MS;
  const deps: IngressDeps = {
    verifier: new StandardWebhooksVerifier(async () => secret, now),
    idempotency,
    queue,
    now,
  };
  return { queue, idempotency, deps };
}

/** A delivery as a provider sends it, signed with `secret` (or carrying `signature` as given). */
function delivery(
  payload: unknown,
  options: { id?: string; timestamp?: number; secret?: string; signature?: string; method?: string } = {},
): WebhookRequest {
  const id = options.id ?? 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
  const timestamp = String(options.timestamp ?? NOW_SECONDS);
  const body = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return {
    method: options.method ?? 'POST',
    headers: {
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': options.signature ?? sign({ id, timestamp, body }, options.secret ?? SECRET),
    },
    body,
  };
}

const bodyOf = (response: { body: string }) => JSON.parse(response.body) as Record<string, string>;
const queued = (queue: FakeFifoQueue) => queue.messages.map((m) => QueuedWebhook.parse(JSON.parse(m.body)));

describe('Standard Webhooks signatures', () => {
  it('reproduces the test vector of the Standard Webhooks reference libraries', () => {
    // Prepare: the vector the specification's libraries test against (e.g. libraries/javascript tests).
    const message = {
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: '1614265330',
      body: Buffer.from('{"test": 2432232314}'),
    };

    // Act
    const signature = sign(message, SECRET);

    // Assess
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    expect(hasValidSignature(message, signature, SECRET)).toBe(true);
  });

  it('uses a secret without the whsec_ prefix as its own UTF-8 bytes', () => {
    // Prepare: what Secrets Manager generates (48 letters and digits).
    const generated = 'q7Lm2Xv9Rt4Bn8Kc1Pw6Zs3Hd5Fg0Jy2Ua7Ve4Ni9Ob1Mx6Q';

    // Act
    const key = signingKeyOf(generated);

    // Assess
    expect(key.equals(Buffer.from(generated, 'utf8'))).toBe(true);
    expect(signingKeyOf(SECRET).equals(Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'))).toBe(true);
  });

  it('rejects a whsec_ secret whose key is not base64', () => {
    expect(() => signingKeyOf('whsec_not base64!')).toThrow(/not base64/);
  });
});

describe('webhook ingress', () => {
  it('queues a signed sign-up as Account Requested, grouped by user and deduplicated by webhook id, and answers 202', async () => {
    // Prepare
    const { queue, idempotency, deps } = ingress();

    // Act
    const response = await receiveWebhook(delivery(signUp), deps);

    // Assess
    expect(response.statusCode).toBe(202);
    expect(bodyOf(response)).toEqual({ status: 'accepted', webhookId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' });
    expect(queue.messages).toHaveLength(1);
    expect(queue.messages[0]).toMatchObject({
      groupId: USER,
      deduplicationId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    });
    expect(queued(queue)[0]).toEqual({
      webhookId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      type: 'user.created',
      trigger: {
        Source: AccountRequested.source,
        DetailType: AccountRequested.detailType,
        Detail: {
          userId: USER,
          version: Date.parse(signUp.timestamp),
          plan: 'team',
          applicant: signUp.data.applicant,
        },
      },
    });
    expect(idempotency.records.get('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W')?.acceptedAt).toBe(NOW_MS);
  });

  it('accepts a request carrying several signatures when one of them is valid (key rotation)', async () => {
    // Prepare: the old key's entry, an asymmetric entry, then the new key's.
    const { queue, deps } = ingress();
    const good = delivery(block);
    const stale = sign(
      { id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', timestamp: String(NOW_SECONDS), body: good.body },
      'whsec_b2xkLWtleS1iZWZvcmUtcm90YXRpb24=',
    );
    const request = {
      ...good,
      headers: {
        ...good.headers,
        'webhook-signature': `${stale} v1a,c2lnbmVkLXdpdGgtZWQyNTUxOQ== ${good.headers['webhook-signature']}`,
      },
    };

    // Act
    const response = await receiveWebhook(request, deps);

    // Assess
    expect(response.statusCode).toBe(202);
    expect(queue.messages).toHaveLength(1);
  });

  it('rejects a request signed with another key, or whose body was changed, with 401 and queues nothing', async () => {
    // Prepare
    const { queue, deps } = ingress();
    const tampered = delivery(block);
    const forged = { ...tampered, body: Buffer.from(JSON.stringify(unblock)) };

    // Act
    const wrongKey = await receiveWebhook(
      delivery(block, { secret: 'whsec_c29tZW9uZS1lbHNlcy1rZXk=' }),
      deps,
    );
    const changedBody = await receiveWebhook(forged, deps);
    const garbage = await receiveWebhook(delivery(block, { signature: 'v1,bm90LWEtbWFj v2,abc' }), deps);

    // Assess
    for (const response of [wrongKey, changedBody, garbage]) {
      expect(response.statusCode).toBe(401);
      expect(bodyOf(response)).toEqual({
        status: 'refused',
        reason: 'No v1 entry of webhook-signature is the signature of this request.',
      });
    }
    expect(queue.sendCalls).toBe(0);
  });

  it('rejects a request without the signature headers with 401 naming them', async () => {
    // Prepare
    const { queue, deps } = ingress();
    const request = { ...delivery(block), headers: { 'webhook-id': 'msg_1' } };

    // Act
    const response = await receiveWebhook(request, deps);

    // Assess
    expect(response.statusCode).toBe(401);
    expect(bodyOf(response).reason).toBe(
      'Missing header webhook-timestamp, webhook-signature: a Standard Webhooks request carries all three.',
    );
    expect(queue.sendCalls).toBe(0);
  });

  it('rejects a stale or future timestamp outside ±5 minutes with 401, and accepts one at the edge', async () => {
    // Prepare
    const { queue, deps } = ingress();

    // Act
    const stale = await receiveWebhook(delivery(block, { id: 'msg_a', timestamp: NOW_SECONDS - 301 }), deps);
    const future = await receiveWebhook(delivery(block, { id: 'msg_b', timestamp: NOW_SECONDS + 301 }), deps);
    const notANumber = await receiveWebhook(
      {
        ...delivery(block),
        headers: { ...delivery(block).headers, 'webhook-timestamp': '2026-03-02T09:15:00Z' },
      },
      deps,
    );
    const edge = await receiveWebhook(delivery(block, { id: 'msg_c', timestamp: NOW_SECONDS - 300 }), deps);

    // Assess
    expect(stale.statusCode).toBe(401);
    expect(bodyOf(stale).reason).toBe(
      'webhook-timestamp is 301 seconds in the past; at most 300 are allowed.',
    );
    expect(future.statusCode).toBe(401);
    expect(bodyOf(future).reason).toBe(
      'webhook-timestamp is 301 seconds in the future; at most 300 are allowed.',
    );
    expect(notANumber.statusCode).toBe(401);
    expect(bodyOf(notANumber).reason).toBe('webhook-timestamp must be a whole number of Unix seconds.');
    expect(edge.statusCode).toBe(202);
    expect(queue.messages.map((m) => m.deduplicationId)).toEqual(['msg_c']);
  });

  it('answers a replayed webhook id 200 duplicate without queueing it again', async () => {
    // Prepare: the provider retries with the same id and body and a fresh timestamp.
    const { queue, deps } = ingress();
    await receiveWebhook(delivery(block, { timestamp: NOW_SECONDS - 60 }), deps);

    // Act
    const replay = await receiveWebhook(delivery(block), deps);

    // Assess
    expect(replay.statusCode).toBe(200);
    expect(bodyOf(replay)).toEqual({ status: 'duplicate', webhookId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' });
    expect(queue.sendCalls).toBe(1);
  });

  it('rejects a webhook id accepted before with a different body with 409', async () => {
    // Prepare
    const { queue, deps } = ingress();
    await receiveWebhook(delivery(block), deps);

    // Act
    const response = await receiveWebhook(delivery(unblock), deps);

    // Assess
    expect(response.statusCode).toBe(409);
    expect(queue.messages).toHaveLength(1);
  });

  it('answers 503 when the message cannot be queued, and delivers once when the provider retries', async () => {
    // Prepare
    const { queue, idempotency, deps } = ingress();
    queue.failuresLeft = 1;

    // Act
    const first = await receiveWebhook(delivery(block), deps);
    const retry = await receiveWebhook(delivery(block), deps);

    // Assess
    expect(first.statusCode).toBe(503);
    expect(bodyOf(first).reason).toBe(
      'The webhook could not be queued now (ServiceUnavailable); retry later.',
    );
    expect(retry.statusCode).toBe(202);
    expect(queue.messages).toHaveLength(1);
    expect(idempotency.records.has('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W')).toBe(true);
  });

  it('answers 503 when the id cannot be recorded after queueing, and the retry is deduplicated by SQS', async () => {
    // Prepare: the send succeeds, the record fails: nothing was answered 2xx yet.
    const { queue, idempotency, deps } = ingress();
    idempotency.recordFailuresLeft = 1;

    // Act
    const first = await receiveWebhook(delivery(block), deps);
    const retry = await receiveWebhook(delivery(block), deps);
    const replay = await receiveWebhook(delivery(block), deps);

    // Assess
    expect(first.statusCode).toBe(503);
    expect(retry.statusCode).toBe(202);
    expect(replay.statusCode).toBe(200);
    expect(queue.sendCalls).toBe(2);
    expect(queue.messages).toHaveLength(1);
  });

  it('answers 503 when the signing secret cannot be read, so the provider retries', async () => {
    // Prepare
    const { queue, deps } = ingress();
    const unavailable: IngressDeps = {
      ...deps,
      verifier: new StandardWebhooksVerifier(async () => {
        throw Object.assign(new Error('no endpoint'), { name: 'ResourceNotFoundException' });
      }, deps.now),
    };

    // Act
    const response = await receiveWebhook(delivery(block), unavailable);

    // Assess
    expect(response.statusCode).toBe(503);
    expect(queue.sendCalls).toBe(0);
  });

  it('rejects a method other than POST with 405', async () => {
    // Prepare
    const { deps } = ingress();

    // Act
    const response = await receiveWebhook(delivery(block, { method: 'GET' }), deps);

    // Assess
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('POST');
  });

  it('rejects a signed body that is not JSON or not a Standard Webhooks payload with 400', async () => {
    // Prepare
    const { queue, deps } = ingress();

    // Act
    const notJson = await receiveWebhook(delivery('user.blocked user_2fK9wQ', { id: 'msg_a' }), deps);
    const notPayload = await receiveWebhook(
      delivery({ event: 'user.blocked', user: USER }, { id: 'msg_b' }),
      deps,
    );

    // Assess
    expect(notJson.statusCode).toBe(400);
    expect(bodyOf(notJson).reason).toBe('The body is not JSON.');
    expect(notPayload.statusCode).toBe(400);
    expect(bodyOf(notPayload).reason).toMatch(
      /^Not a Standard Webhooks payload \{type, timestamp, data\}: type: /,
    );
    expect(queue.sendCalls).toBe(0);
  });

  it('rejects a body larger than the queue can hold with 413', async () => {
    // Prepare
    const { deps } = ingress();
    const huge = { ...block, data: { id: USER, reason: 'x'.repeat(300 * 1024) } };

    // Act
    const response = await receiveWebhook(delivery(huge), deps);

    // Assess
    expect(response.statusCode).toBe(413);
  });

  it('rejects an unmappable payload with 422 and the reason, and queues nothing', async () => {
    // Prepare
    const { queue, deps } = ingress();
    const unknownType = { type: 'invoice.paid', timestamp: '2026-03-02T09:14:00Z', data: { id: 'in_1' } };
    const noApplicant = { ...signUp, data: { id: USER, plan: 'team' } };

    // Act
    const unknown = await receiveWebhook(delivery(unknownType, { id: 'msg_a' }), deps);
    const incomplete = await receiveWebhook(delivery(noApplicant, { id: 'msg_b' }), deps);

    // Assess
    expect(unknown.statusCode).toBe(422);
    expect(bodyOf(unknown).reason).toBe(
      "Webhook type 'invoice.paid' is not mapped to a trigger; mapped types: user.created, user.blocked, user.unblocked, user.updated.",
    );
    expect(incomplete.statusCode).toBe(422);
    expect(bodyOf(incomplete).reason).toBe(
      'Webhook user.created: Account Requested needs: data.applicant: Invalid input: expected object, received undefined',
    );
    expect(queue.sendCalls).toBe(0);
  });

  it('accepts added fields in the payload and in its data', async () => {
    // Prepare
    const { queue, deps } = ingress();
    const extended = {
      ...block,
      environment: 'production',
      data: { ...block.data, email: 'jane@example.com' },
    };

    // Act
    const response = await receiveWebhook(delivery(extended), deps);

    // Assess
    expect(response.statusCode).toBe(202);
    expect(queued(queue)[0]?.trigger.Detail).toEqual({
      userId: USER,
      version: Date.parse(block.timestamp),
      blocked: true,
      reason: 'Webhook user.blocked',
    });
  });

  it('rejects a webhook id SQS cannot take as a deduplication id with 400', async () => {
    // Prepare
    const { deps } = ingress();

    // Act
    const response = await receiveWebhook(delivery(block, { id: 'msg with spaces' }), deps);

    // Assess
    expect(response.statusCode).toBe(400);
  });
});

describe('webhook mapping', () => {
  it('maps blocks, unblocks and user updates with a blocked flag to User Access Changed, versioned by the payload timestamp', () => {
    // Act
    const mappings = [
      block,
      unblock,
      { type: 'user.updated', timestamp: '2026-03-02T09:30:00.5+01:00', data: { id: USER, blocked: false } },
    ].map(mapWebhook);

    // Assess
    expect(mappings.map((m) => (m.mapped ? m.trigger : m.reason))).toEqual([
      {
        Source: UserAccessChanged.source,
        DetailType: UserAccessChanged.detailType,
        Detail: { userId: USER, version: 1772443200000, blocked: true, reason: 'Webhook user.blocked' },
      },
      {
        Source: UserAccessChanged.source,
        DetailType: UserAccessChanged.detailType,
        Detail: { userId: USER, version: 1772443500000, blocked: false, reason: 'Webhook user.unblocked' },
      },
      {
        Source: UserAccessChanged.source,
        DetailType: UserAccessChanged.detailType,
        Detail: { userId: USER, version: 1772440200500, blocked: false, reason: 'Webhook user.updated' },
      },
    ]);
  });

  it('refuses a user update without a blocked flag, and a timestamp before 1970, as unmappable', () => {
    // Act
    const noFlag = mapWebhook({
      type: 'user.updated',
      timestamp: block.timestamp,
      data: { id: USER, name: 'J' },
    });
    const ancient = mapWebhook({ ...block, timestamp: '1969-12-31T23:59:59Z' });

    // Assess
    expect(noFlag).toEqual({
      mapped: false,
      malformed: false,
      reason: 'Webhook user.updated: data.blocked is absent, so this update is not an access change.',
    });
    expect(ancient).toMatchObject({ mapped: false, malformed: false });
    expect(ancient.mapped ? '' : ancient.reason).toMatch(/would not match its contract: version: /);
  });

  it('keeps one message group per user, hashing an id SQS would not take as a group id', () => {
    expect(messageGroupOf(USER)).toBe(USER);
    expect(messageGroupOf('Jane Doe ü')).toMatch(/^user-sha256-[0-9a-f]{64}$/);
    expect(messageGroupOf('Jane Doe ü')).toBe(messageGroupOf('Jane Doe ü'));
  });
});

describe('function URL requests', () => {
  it('reads the method, lower-cases header names and decodes a base64 body to the bytes sent', () => {
    // Prepare: payload format 2.0, as the function URL delivers it.
    const body = JSON.stringify(block);

    // Act
    const request = fromFunctionUrl({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/',
      headers: { 'Webhook-Id': 'msg_1', 'content-type': 'application/json' },
      requestContext: { http: { method: 'POST', path: '/' } },
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    });

    // Assess
    expect(request).toEqual({
      method: 'POST',
      headers: { 'webhook-id': 'msg_1', 'content-type': 'application/json' },
      body: Buffer.from(body),
    });
  });

  it('answers 400 to an input that is not a function URL request', () => {
    expect(fromFunctionUrl({ Records: [] })).toMatchObject({ statusCode: 400 });
  });
});

describe('the signing secret cache', () => {
  it('reads the secret once per cache period and again after it, and does not cache a failure', async () => {
    // Prepare
    let now = 0;
    let calls = 0;
    let fail = true;
    const client = {
      send: async () => {
        calls += 1;
        if (fail) {
          fail = false;
          throw new Error('throttled');
        }
        return { SecretString: SECRET };
      },
    } as unknown as SecretsManagerClient;
    const secret = cachedSecret(client, 'onboarding-kyc/webhook-signing-secret', () => now, 1000);

    // Act / Assess
    await expect(secret()).rejects.toThrow('throttled');
    await expect(secret()).resolves.toBe(SECRET);
    now = 999;
    await expect(secret()).resolves.toBe(SECRET);
    expect(calls).toBe(2);
    now = 1000;
    await secret();
    expect(calls).toBe(3);
  });
});

describe('the samples and the signer script', () => {
  const samplesDir = join(__dirname, '..', '..', 'events', 'samples', 'webhooks');
  const samples = readdirSync(samplesDir).filter((f) => f.endsWith('.json'));

  it('maps every sample in events/samples/webhooks to a trigger for the same user, in version order', () => {
    // Act
    const [blocked, created, unblocked] = [...samples].sort().map((file) => {
      const mapping = mapWebhook(JSON.parse(readFileSync(join(samplesDir, file), 'utf8')));
      if (!mapping.mapped) throw new Error(`${file}: ${mapping.reason}`);
      return mapping.trigger;
    });

    // Assess
    expect([...samples].sort()).toEqual(['user-blocked.json', 'user-created.json', 'user-unblocked.json']);
    expect(created?.DetailType).toBe(AccountRequested.detailType);
    expect(blocked?.Detail).toMatchObject({ userId: created?.Detail.userId, blocked: true });
    expect(unblocked?.Detail).toMatchObject({ userId: created?.Detail.userId, blocked: false });
    expect(created?.Detail.version).toBeLessThan(blocked?.Detail.version ?? 0);
    expect(blocked?.Detail.version).toBeLessThan(unblocked?.Detail.version ?? 0);
  });

  it('signs a sample as the ingress verifies it and posts it to the function URL path', async () => {
    // Prepare: what Secrets Manager generates (no whsec_ prefix).
    const secret = 'q7Lm2Xv9Rt4Bn8Kc1Pw6Zs3Hd5Fg0Jy2Ua7Ve4Ni9Ob1Mx6Q';
    const body = readFileSync(join(samplesDir, 'user-blocked.json'));
    const { queue, deps } = ingress(secret);

    // Act
    const post = signedPost({
      endpoint: 'http://127.0.0.1:4010/',
      prefix: 'onboarding-kyc',
      id: 'msg_sample_1',
      body,
      secret,
      nowSeconds: NOW_SECONDS,
    });
    const response = await receiveWebhook({ method: 'POST', headers: post.headers, body: post.body }, deps);

    // Assess
    expect(post.url).toBe('http://127.0.0.1:4010/lambda-url/onboarding-kyc-webhook-ingress/');
    expect(post.headers).toMatchObject({
      'webhook-id': 'msg_sample_1',
      'webhook-timestamp': String(NOW_SECONDS),
    });
    expect(response.statusCode).toBe(202);
    expect(queue.messages).toHaveLength(1);
  });
});

describe('the AWS ports', () => {
  /** A client that records each command's input and answers with `answer`. */
  function recordingClient<Client>(answer: (input: Record<string, unknown>) => unknown = () => ({})) {
    const inputs: Record<string, unknown>[] = [];
    const client = {
      send: async (command: { input: Record<string, unknown> }) => {
        inputs.push(command.input);
        return answer(command.input);
      },
    } as unknown as Client;
    return { client, inputs };
  }

  it('records an accepted id with its TTL in epoch seconds and reads it back consistently', async () => {
    // Prepare
    const { client, inputs } = recordingClient<DynamoDBClient>((input) =>
      'Key' in input
        ? {
            Item: {
              webhookId: { S: 'msg_1' },
              payloadSha256: { S: 'ab' },
              acceptedAt: { N: String(NOW_MS) },
            },
          }
        : {},
    );
    const records = dynamoIdempotencyRecords(client, 'onboarding-kyc-webhook-ids');

    // Act
    await records.record({ webhookId: 'msg_1', payloadSha256: 'ab', acceptedAt: NOW_MS });
    const found = await records.find('msg_1');

    // Assess
    expect(inputs[0]).toEqual({
      TableName: 'onboarding-kyc-webhook-ids',
      Item: {
        webhookId: { S: 'msg_1' },
        payloadSha256: { S: 'ab' },
        acceptedAt: { N: String(NOW_MS) },
        expiresAt: { N: String(NOW_SECONDS + IDEMPOTENCY_RETENTION_SECONDS) },
      },
    });
    expect(inputs[1]).toEqual({
      TableName: 'onboarding-kyc-webhook-ids',
      Key: { webhookId: { S: 'msg_1' } },
      ConsistentRead: true,
    });
    expect(found).toEqual({ webhookId: 'msg_1', payloadSha256: 'ab', acceptedAt: NOW_MS });
  });

  it('sends to the FIFO queue with the group and deduplication ids', async () => {
    // Prepare
    const { client, inputs } = recordingClient<SQSClient>(() => ({ MessageId: 'm1' }));
    const queue = sqsWebhookQueue(client, 'http://127.0.0.1:4010/000000000000/onboarding-kyc-webhooks.fifo');

    // Act
    await queue.send({ groupId: USER, deduplicationId: 'msg_1', body: '{}' });

    // Assess
    expect(inputs).toEqual([
      {
        QueueUrl: 'http://127.0.0.1:4010/000000000000/onboarding-kyc-webhooks.fifo',
        MessageBody: '{}',
        MessageGroupId: USER,
        MessageDeduplicationId: 'msg_1',
      },
    ]);
  });
});
