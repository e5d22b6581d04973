import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { webhookSigningSecretName } from '../../handlers/webhook-ingress/contract';
import type { LocalRuntime } from '../../local/runtime';
import { signedPost } from '../../local/webhook';
import { BUS, executionsOf, outputOf, stored } from '../support/local';
import { eventually, startRuntime } from '../support/runtime';

const samplesDir = join(__dirname, '..', '..', 'events', 'samples', 'webhooks');
type Payload = { type: string; timestamp: string; data: Record<string, unknown> };
const sample = (file: string) => JSON.parse(readFileSync(join(samplesDir, file), 'utf8')) as Payload;

/**
 * Signed webhooks end to end on the local runtime: the provider's POST to the ingress function URL, its
 * Standard Webhooks signature checked against the secret the runtime serves, the body queued in the FIFO
 * queue (one group per user), the adapter putting the versioned trigger on the bus, the workflow ordering it
 * by version. Standard Webhooks specification, "Verifying webhook authenticity"
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md).
 */
describe('signed webhooks on the local runtime', () => {
  let runtime: LocalRuntime;
  let secret: string;
  beforeAll(async () => {
    runtime = await startRuntime();
    const secrets = new SecretsManagerClient({
      endpoint: runtime.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { SecretString } = await secrets.send(
      new GetSecretValueCommand({ SecretId: webhookSigningSecretName(BUS) }),
    );
    secret = SecretString ?? '';
  });
  afterAll(() => runtime?.stop());

  /** POSTs the payload as the provider would; `tamper` changes the request after it is signed. */
  async function post(
    payload: Payload,
    options: { id?: string; nowSeconds?: number; tamper?: (body: Buffer) => Buffer } = {},
  ): Promise<{ status: number; body: string }> {
    const request = signedPost({
      endpoint: runtime.url,
      prefix: BUS,
      id: options.id ?? `msg_${randomUUID()}`,
      body: Buffer.from(JSON.stringify(payload)),
      secret,
      nowSeconds: options.nowSeconds ?? Math.floor(Date.now() / 1000),
    });
    const response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: options.tamper ? options.tamper(request.body) : request.body,
    });
    return { status: response.status, body: await response.text() };
  }

  /** The access-change triggers the adapter put on the bus for this user. */
  const triggersOf = (userId: string) =>
    runtime.app.eventBridge.records.filter(
      (r) => r.event['detail-type'] === 'User Access Changed' && r.event.detail.userId === userId,
    );

  /** Nothing visible, in flight or delayed in the ingress's FIFO queue: the adapter has put every trigger. */
  const webhookQueueDrained = () => {
    const { visible, inFlight, delayed } = runtime.app.queues.find(`${BUS}-webhooks.fifo`).counts();
    return visible + inFlight + delayed === 0;
  };

  const accessExecutionsOf = (userId: string) =>
    executionsOf(runtime.app, 'access-change').filter((e) => JSON.parse(e.input).detail.userId === userId);

  it('starts KYC for a signed sign-up webhook', async () => {
    // Prepare
    const userId = `user_wh_${randomUUID()}`;
    const signUp = sample('user-created.json');

    // Act
    const answer = await post({ ...signUp, data: { ...signUp.data, id: userId } });

    // Assess
    expect(answer.status).toBeGreaterThanOrEqual(200);
    expect(answer.status).toBeLessThan(300);
    const kyc = await eventually(async () =>
      executionsOf(runtime.app, 'kyc').find(
        (e) => JSON.parse(e.input).detail.userId === userId && e.status !== 'RUNNING',
      ),
    );
    expect(outputOf(kyc)).toMatchObject({ outcome: 'completed', userId });
  });

  it('refuses a bad signature and a stale timestamp with 401, and delivers a replayed webhook-id once', async () => {
    // Prepare
    const userId = `user_wh_${randomUUID()}`;
    const blocked = {
      ...sample('user-blocked.json'),
      data: { ...sample('user-blocked.json').data, id: userId },
    };
    const id = `msg_${randomUUID()}`;

    // Act
    const tampered = await post(blocked, {
      tamper: (body) => Buffer.from(body.toString().replace('"user.blocked"', '"user.unblocked"')),
    });
    const stale = await post(blocked, { nowSeconds: Math.floor(Date.now() / 1000) - 6 * 60 });
    const first = await post(blocked, { id });
    const replayed = await post(blocked, { id });

    // Assess: the refusals say why; the replay is answered 2xx and changes nothing.
    expect([tampered.status, stale.status]).toEqual([401, 401]);
    expect(tampered.body).toMatch(/signature/i);
    expect(stale.body).toMatch(/timestamp/i);
    expect([first.status < 300, replayed.status < 300]).toEqual([true, true]);
    await eventually(async () => accessExecutionsOf(userId).find((e) => e.status !== 'RUNNING'));
    // Counted once the webhook queue is drained: a second delivery would have been queued before the answer.
    await eventually(async () => (webhookQueueDrained() ? true : undefined));
    expect(triggersOf(userId)).toHaveLength(1);
    expect(accessExecutionsOf(userId)).toHaveLength(1);
    expect(await stored(runtime.app, userId, 'access')).toMatchObject({ blocked: true, status: 'completed' });
  });

  it('leaves a user at the newest version after 50 webhooks sent concurrently in shuffled order', async () => {
    // Prepare: 50 changes one millisecond apart, alternating block and unblock; the newest is an unblock.
    const userId = `user_wh_${randomUUID()}`;
    const start = Date.parse('2026-03-02T10:00:00.000Z');
    const changes = Array.from(
      { length: 50 },
      (_, i): Payload => ({
        type: i % 2 === 0 ? 'user.blocked' : 'user.unblocked',
        timestamp: new Date(start + i).toISOString(),
        data: { id: userId },
      }),
    );
    const shuffled = [...changes];
    for (let i = shuffled.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j] as Payload, shuffled[i] as Payload];
    }

    // Act
    const answers = await Promise.all(shuffled.map((payload) => post(payload)));

    // Assess: every webhook accepted once, and the stored state is the newest change's.
    expect(answers.filter((a) => a.status >= 300)).toEqual([]);
    const newest = start + 49;
    await eventually(async () => {
      const ended = accessExecutionsOf(userId).filter((e) => e.status !== 'RUNNING');
      return ended.length === 50 ? ended : undefined;
    }, 170_000);
    expect(triggersOf(userId)).toHaveLength(50);
    expect(await stored(runtime.app, userId, 'access')).toMatchObject({ version: newest, blocked: false });
    const completed = accessExecutionsOf(userId).filter((e) => outputOf(e).outcome === 'completed');
    expect(Math.max(...completed.map((e) => Number(outputOf(e).version)))).toBe(newest);
  });
});
