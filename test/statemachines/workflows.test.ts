import type { LocalApp } from '../../local/app';
import { retriesOf } from '../support/history';
import {
  applicants,
  emitted,
  executionsOf,
  outputOf,
  put,
  queueMessages,
  startApp,
  stored,
} from '../support/local';

/** Polls `find` until it returns something (a generous ceiling: never a tight wall-clock budget). */
async function until<T>(find: () => T | undefined, ceilingMs = 60_000): Promise<T> {
  const deadline = Date.now() + ceilingMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('Timed out waiting for a condition.');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('workflows run from the synthesized template', () => {
  let app: LocalApp;
  beforeEach(async () => {
    app = await startApp();
  });
  afterEach(() => app.stop());

  const requestAccount = (userId: string, applicant: object, plan = 'team', version = 1) =>
    put(app, 'app.accounts', 'Account Requested', { userId, version, plan, applicant });

  it('approves a low-risk applicant and onboards them', async () => {
    // Prepare
    const eventId = requestAccount('u-approved', applicants.approved);

    // Act
    await app.settle();

    // Assess
    const [kyc] = executionsOf(app, 'kyc');
    expect(kyc?.status).toBe('SUCCEEDED');
    expect(outputOf(kyc ?? {})).toEqual({
      outcome: 'completed',
      workflow: 'kyc',
      userId: 'u-approved',
      version: 1,
      triggerEventId: eventId,
      decision: 'approved',
    });
    const [onboarding] = executionsOf(app, 'onboarding');
    expect(onboarding?.status).toBe('SUCCEEDED');
    expect(outputOf(onboarding ?? {})).toMatchObject({
      outcome: 'completed',
      workflow: 'onboarding',
      version: 1,
    });

    const events = emitted(app, 'u-approved');
    expect(events.map((e) => `${e.source} ${e['detail-type']}`)).toEqual([
      'app.kyc KYC Checks Completed',
      'app.kyc Risk Assessed',
      'app.kyc Account Approved',
      'app.onboarding Profile Created',
      'app.onboarding Workspace Provisioned',
      'app.onboarding Welcome Message Requested',
      'app.onboarding Onboarding Completed',
    ]);
    expect(events[0]?.detail).toEqual({
      userId: 'u-approved',
      version: 1,
      workflow: 'kyc',
      triggerEventId: eventId,
      identityVerified: true,
      sanctionsHit: false,
    });
    expect(events[2]?.detail).toMatchObject({ riskScore: 10, plan: 'team' });
    // Applicant data never leaves the KYC execution.
    for (const e of events) expect(JSON.stringify(e.detail)).not.toMatch(/Ada|Lovelace|AB123456|1990-12-10/);

    expect(await stored(app, 'u-approved', 'kyc')).toMatchObject({
      version: 1,
      status: 'completed',
      decision: 'approved',
    });
    expect(await stored(app, 'u-approved', 'onboarding')).toMatchObject({
      version: 1,
      status: 'completed',
      step: 'onboarding completed',
      workspaceId: events[4]?.detail.workspaceId,
    });
  });

  it('declines an applicant on the sanctions list and does not onboard them', async () => {
    // Prepare
    requestAccount('u-sanctioned', { ...applicants.approved, fullName: 'Jane Embargo' });

    // Act
    await app.settle();

    // Assess
    expect(outputOf(executionsOf(app, 'kyc')[0] ?? {})).toMatchObject({
      outcome: 'completed',
      decision: 'declined',
    });
    expect(executionsOf(app, 'onboarding')).toHaveLength(0);
    const events = emitted(app, 'u-sanctioned');
    expect(events.map((e) => e['detail-type'])).toEqual([
      'KYC Checks Completed',
      'Risk Assessed',
      'Account Declined',
    ]);
    expect(events[0]?.detail).toMatchObject({ identityVerified: true, sanctionsHit: true });
    expect(events[2]?.detail.reasons).toEqual(['sanctions-hit']);
    expect(await stored(app, 'u-sanctioned', 'kyc')).toMatchObject({
      status: 'completed',
      decision: 'declined',
    });
  });

  it('sends a medium-risk applicant to manual review, waits, and goes on as the decision sent to its task says', async () => {
    // Prepare
    requestAccount('u-review', { ...applicants.approved, country: 'BR' });
    const announced = await until(() =>
      emitted(app, 'u-review').find((e) => e['detail-type'] === 'Manual Review Required'),
    );
    const [kyc] = executionsOf(app, 'kyc');
    expect(kyc?.status).toBe('RUNNING');
    expect(await stored(app, 'u-review', 'kyc')).toMatchObject({
      status: 'in review',
      decision: 'manual review',
    });

    // Act: what the review-decision handler does with an officer's approval.
    const decision = { decision: 'approved', reviewer: 'officer-1', reason: 'Proof of address checked.' };
    app.stepFunctions.sendTaskSuccess(String(announced.detail.taskToken), JSON.stringify(decision));
    await app.settle();

    // Assess
    expect(announced.detail).toMatchObject({ riskScore: 40, reasons: ['country-risk-medium'] });
    expect(outputOf(executionsOf(app, 'kyc')[0] ?? {})).toMatchObject({
      outcome: 'completed',
      decision: 'approved',
    });
    expect(emitted(app, 'u-review').map((e) => e['detail-type'])).toEqual([
      'KYC Checks Completed',
      'Risk Assessed',
      'Manual Review Required',
      'Account Approved',
      'Profile Created',
      'Workspace Provisioned',
      'Welcome Message Requested',
      'Onboarding Completed',
    ]);
    expect(await stored(app, 'u-review', 'kyc')).toMatchObject({ status: 'completed', decision: 'approved' });
    expect(await stored(app, 'u-review', 'onboarding')).toMatchObject({ status: 'completed' });
  });

  it('retries an unavailable identity provider and then fails with its named error', async () => {
    // Prepare
    requestAccount('u-unavailable', { ...applicants.approved, documentNumber: 'UNAVAILABLE' });

    // Act
    await app.settle();

    // Assess
    const [kyc] = executionsOf(app, 'kyc');
    expect(kyc?.status).toBe('FAILED');
    expect(kyc?.error).toBe('IdentityProviderUnavailable');
    expect(retriesOf(kyc)).toEqual({ 'Verify identity': 3 });
    expect(emitted(app, 'u-unavailable')).toHaveLength(0);
  });

  it('rejects a trigger whose applicant fails validation into the rejected-events queue', async () => {
    // Prepare: userId and version are valid, so the rule starts KYC; the applicant is not.
    requestAccount('u-invalid', { ...applicants.approved, dateOfBirth: 'yesterday' });

    // Act
    await app.settle();

    // Assess
    expect(outputOf(executionsOf(app, 'kyc')[0] ?? {})).toMatchObject({
      outcome: 'rejected',
      userId: 'u-invalid',
    });
    const [message] = queueMessages(app, 'rejected-events');
    expect(message).toMatchObject({
      reason: 'InvalidInput',
      event: { source: 'app.accounts', detail: { userId: 'u-invalid' } },
    });
    expect(await stored(app, 'u-invalid', 'kyc')).toMatchObject({ status: 'rejected' });
    expect(emitted(app, 'u-invalid')).toHaveLength(0);
  });

  it('blocks and unblocks a user', async () => {
    // Prepare
    put(app, 'app.identity', 'User Access Changed', { userId: 'u-access', version: 1, blocked: true });
    await app.settle();
    put(app, 'app.identity', 'User Access Changed', { userId: 'u-access', version: 2, blocked: false });

    // Act
    await app.settle();

    // Assess
    expect(executionsOf(app, 'access-change').map((e) => outputOf(e).access)).toEqual([
      'blocked',
      'unblocked',
    ]);
    expect(emitted(app, 'u-access').map((e) => `${e['detail-type']} v${e.detail.version}`)).toEqual([
      'User Blocked v1',
      'User Unblocked v2',
    ]);
    expect(await stored(app, 'u-access', 'access')).toMatchObject({
      version: 2,
      blocked: false,
      status: 'completed',
    });
  });

  it('parks a trigger without a string userId or a version in the rejected-events queue, starting nothing', async () => {
    // Prepare: what the rule itself can refuse (stacks/patterns.ts).
    const malformed = [
      { version: 1, blocked: true },
      { userId: 'u-x', blocked: true },
      { userId: 42, version: 1, blocked: true },
      { userId: null, version: 1, blocked: true },
      { userId: 'u-x', version: { n: 1 }, blocked: true },
    ];

    // Act
    for (const detail of malformed) put(app, 'app.identity', 'User Access Changed', detail);
    await app.settle();

    // Assess
    expect(app.stepFunctions.executions.size).toBe(0);
    const parked = queueMessages(app, 'rejected-events');
    expect(parked.map((m) => m.detail)).toEqual(malformed);
  });

  it('refuses an empty userId or a version that is not a positive number in its first state, claiming nothing', async () => {
    // Prepare: what no pattern can refuse ("" is a string; numeric matching stops at 5.0e9, so the rule only
    // asks that a version exists), so the workflow's first state does.
    const malformed = [
      { userId: '', version: 1, blocked: true },
      { userId: 'u-zero', version: 0, blocked: true },
      { userId: 'u-negative', version: -2, blocked: true },
      { userId: 'u-string', version: '3', blocked: true },
      { userId: 'u-null', version: null, blocked: true },
      { userId: 'u-true', version: true, blocked: true },
    ];

    // Act
    for (const detail of malformed) put(app, 'app.identity', 'User Access Changed', detail);
    await app.settle();

    // Assess: each execution ends `rejected` with its trigger parked and the reason; no version is stored.
    const executions = executionsOf(app, 'access-change');
    expect(executions.map((e) => [e.status, outputOf(e).outcome])).toEqual(
      malformed.map(() => ['SUCCEEDED', 'rejected']),
    );
    const parked = queueMessages(app, 'rejected-events');
    expect(parked.map((m) => m.reason)).toEqual(malformed.map(() => 'MalformedTrigger'));
    expect(parked.map((m) => (m.event as { detail: unknown }).detail)).toEqual(
      expect.arrayContaining(malformed),
    );
    // (DynamoDB refuses an empty string as a key, so the empty userId has nothing to look up.)
    for (const { userId } of malformed.slice(1)) expect(await stored(app, userId, 'access')).toEqual({});
    expect(emitted(app)).toHaveLength(0);
  });

  it("takes a version beyond numeric matching: a partner's change time in milliseconds", async () => {
    // Prepare: EventBridge numeric matching stops at 5.0e9; Auth0's updated_at in ms is about 1.8e12.
    const older = Date.parse('2026-12-01T10:00:00.000Z');
    put(app, 'app.identity', 'User Access Changed', {
      userId: 'u-partner',
      version: older + 1,
      blocked: false,
    });
    await app.settle();

    // Act: the older block arrives late.
    put(app, 'app.identity', 'User Access Changed', { userId: 'u-partner', version: older, blocked: true });
    await app.settle();

    // Assess
    expect(executionsOf(app, 'access-change').map((e) => outputOf(e).outcome)).toEqual([
      'completed',
      'stale',
    ]);
    expect(await stored(app, 'u-partner', 'access')).toMatchObject({ version: older + 1, blocked: false });
  });
});
