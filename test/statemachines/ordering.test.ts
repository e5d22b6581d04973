import type { LocalApp } from '../../local/app';
import { applicants, emitted, executionsOf, outputOf, put, startApp, stored } from '../support/local';

const access = (app: LocalApp, userId: string, version: number, blocked: boolean) =>
  put(app, 'app.identity', 'User Access Changed', { userId, version, blocked });

describe('ordering and idempotency', () => {
  let app: LocalApp;
  afterEach(() => app.stop());

  it('ends an older version as stale without emitting anything', async () => {
    // Prepare
    app = await startApp();
    access(app, 'u-stale', 3, false);
    await app.settle();

    // Act
    access(app, 'u-stale', 2, true);
    await app.settle();

    // Assess
    const [, late] = executionsOf(app, 'access-change');
    expect(late?.status).toBe('SUCCEEDED');
    expect(outputOf(late ?? {})).toMatchObject({ outcome: 'stale', version: 2, storedVersion: 3 });
    expect(emitted(app, 'u-stale').map((e) => e.detail.version)).toEqual([3]);
    expect(await stored(app, 'u-stale', 'access')).toMatchObject({ version: 3, blocked: false });
  });

  it('ends a redelivered version as duplicate without emitting anything', async () => {
    // Prepare
    app = await startApp();
    access(app, 'u-dup', 3, true);
    await app.settle();

    // Act
    access(app, 'u-dup', 3, true);
    await app.settle();

    // Assess
    const outcomes = executionsOf(app, 'access-change').map((e) => outputOf(e).outcome);
    expect(outcomes).toEqual(['completed', 'duplicate']);
    expect(emitted(app, 'u-dup')).toHaveLength(1);
  });

  it('stops an execution overtaken by a newer version as superseded, emitting nothing more', async () => {
    // Prepare: while v3's KYC is between its checks and recording them, v4 claims the same user.
    let overtaken = false;
    app = await startApp({
      beforeTask: async ({ stateName }) => {
        if (stateName !== 'Record checks completed' || overtaken) return;
        overtaken = true;
        put(app, 'app.accounts', 'Account Requested', {
          userId: 'u-race',
          version: 4,
          plan: 'team',
          applicant: applicants.approved,
        });
        // Wait until v4's claim is stored.
        while ((await stored(app, 'u-race', 'kyc')).version !== 4) await new Promise((r) => setTimeout(r, 5));
      },
    });

    // Act
    put(app, 'app.accounts', 'Account Requested', {
      userId: 'u-race',
      version: 3,
      plan: 'team',
      applicant: applicants.approved,
    });
    await app.settle();

    // Assess
    const byVersion = new Map(executionsOf(app, 'kyc').map((e) => [outputOf(e).version, outputOf(e)]));
    expect(byVersion.get(3)).toMatchObject({ outcome: 'superseded' });
    expect(byVersion.get(4)).toMatchObject({ outcome: 'completed', decision: 'approved' });
    const kycEvents = emitted(app, 'u-race').filter((e) => e.source === 'app.kyc');
    expect(kycEvents.every((e) => e.detail.version === 4)).toBe(true);
    expect(kycEvents).toHaveLength(3);
    expect(await stored(app, 'u-race', 'kyc')).toMatchObject({ version: 4, status: 'completed' });
  });

  it('keeps a user unblocked when a late blocked v2 is redelivered after unblocked v3 (the Auth0 race)', async () => {
    // Prepare
    app = await startApp();

    // Act: the order the consumer sees: blocked v2, unblocked v3, then blocked v2 again.
    access(app, 'u-auth0', 2, true);
    await app.settle();
    access(app, 'u-auth0', 3, false);
    await app.settle();
    access(app, 'u-auth0', 2, true);
    await app.settle();

    // Assess
    expect(executionsOf(app, 'access-change').map((e) => outputOf(e).outcome)).toEqual([
      'completed',
      'completed',
      'stale',
    ]);
    const events = emitted(app, 'u-auth0');
    expect(events.map((e) => `${e['detail-type']} v${e.detail.version}`)).toEqual([
      'User Blocked v2',
      'User Unblocked v3',
    ]);
    expect(events.at(-1)?.detail).toMatchObject({ workflow: 'access', version: 3 });
    expect(await stored(app, 'u-auth0', 'access')).toMatchObject({ version: 3, blocked: false });
  });
});
