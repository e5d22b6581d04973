import type { DecisionEvent, ReviewOpened, StoredReview } from '../../handlers/review-decision/contract';
import {
  decideReview,
  openReview,
  type ReviewDeps,
  refusal,
} from '../../handlers/review-decision/review-decision';

/** In-memory ports: one stored row, a task that waits for one token, and the parked events. */
function fakes(stored: StoredReview | undefined, waiting: string | null = stored?.review?.token ?? null) {
  const state = {
    stored,
    waiting,
    sent: [] as unknown[],
    parked: [] as { reason: string; event: unknown }[],
  };
  const deps: ReviewDeps = {
    store: {
      get: async () => state.stored,
      open: async (_userId, version, token) => {
        if (state.stored?.version !== version || state.stored.status !== 'in review') return false;
        state.stored = { ...state.stored, review: { version, token } };
        return true;
      },
      recordDecision: async (_userId, version, token, result) => {
        if (state.stored?.review?.version === version && state.stored.review.token === token)
          state.stored = {
            ...state.stored,
            review: { version, decision: result.decision, reviewer: result.reviewer },
          };
      },
    },
    tasks: {
      succeed: async (token, result) => {
        if (token !== state.waiting) return 'gone';
        state.waiting = null;
        state.sent.push(result);
        return 'sent';
      },
    },
    rejected: { park: async (reason, event) => void state.parked.push({ reason, event }) },
    now: () => new Date('2026-12-01T10:00:00Z'),
  };
  return { state, deps };
}

function decision(version: number, decided: 'approved' | 'declined' = 'approved'): DecisionEvent {
  return {
    version: '0',
    id: 'e-1',
    'detail-type': 'Review Decided',
    source: 'app.backoffice',
    account: '000000000000',
    time: '2026-12-01T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      userId: 'user-1',
      version,
      decision: decided,
      reviewer: 'officer-7',
      reason: 'Documents checked.',
    },
  };
}

const waitingReview: StoredReview = {
  version: 3,
  status: 'in review',
  review: { version: 3, token: 'token-3' },
};

describe('refusal', () => {
  it.each<[string, StoredReview | undefined, number, RegExp]>([
    ['an unknown user', undefined, 3, /^No KYC is known for user user-1/],
    ['an older version', waitingReview, 2, /^Stale decision: version 2 is not the latest; version 3 is/],
    ['a version not yet seen', waitingReview, 4, /^No review for version 4/],
    [
      'a review already decided',
      {
        version: 3,
        status: 'in review',
        review: { version: 3, decision: 'approved', reviewer: 'officer-1' },
      },
      3,
      /^Already decided: version 3 was approved by officer-1/,
    ],
    [
      'a KYC that is not in review',
      { version: 3, status: 'completed' },
      3,
      /^No review is waiting for version 3/,
    ],
    [
      'a review whose token is not recorded yet',
      { version: 3, status: 'in review' },
      3,
      /^No review is waiting/,
    ],
    [
      "a version whose only recorded review is an older version's",
      { version: 4, status: 'in review', review: { version: 3, token: 'token-3' } },
      4,
      /^No review is waiting for version 4/,
    ],
  ])('refuses a decision for %s, saying why', (_what, stored, version, reason) => {
    // Act
    const refused = refusal(decision(version).detail, stored);

    // Assess
    expect(refused).toMatch(reason);
  });

  it('accepts a decision for the version whose review waits', () => {
    // Act
    const refused = refusal(decision(3).detail, waitingReview);

    // Assess
    expect(refused).toBeUndefined();
  });
});

describe('decideReview', () => {
  it.each(['approved', 'declined'] as const)(
    'sends a %s decision to the waiting task with who decided and why, then records it',
    async (decided) => {
      // Prepare
      const { state, deps } = fakes(waitingReview);

      // Act
      const outcome = await decideReview(decision(3, decided), deps);

      // Assess
      expect(outcome).toEqual({ outcome: 'decided' });
      expect(state.sent).toEqual([
        { decision: decided, reviewer: 'officer-7', reason: 'Documents checked.' },
      ]);
      expect(state.stored?.review).toEqual({ version: 3, decision: decided, reviewer: 'officer-7' });
      expect(state.parked).toEqual([]);
    },
  );

  it('rejects a second decision for the same review, parking it with the reason', async () => {
    // Prepare
    const { state, deps } = fakes(waitingReview);
    await decideReview(decision(3, 'approved'), deps);

    // Act
    const outcome = await decideReview(decision(3, 'declined'), deps);

    // Assess
    expect(outcome).toEqual({ outcome: 'rejected', reason: expect.stringMatching(/^Already decided/) });
    expect(state.sent).toHaveLength(1);
    expect(state.parked).toEqual([
      { reason: expect.stringMatching(/^Already decided/), event: decision(3, 'declined') },
    ]);
  });

  it('rejects a decision whose task no longer waits (expired, or decided by a concurrent decision)', async () => {
    // Prepare: the token is recorded but Step Functions says the task is gone.
    const { state, deps } = fakes(waitingReview, null);

    // Act
    const outcome = await decideReview(decision(3), deps);

    // Assess
    expect(outcome).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/no longer waits/) });
    expect(state.parked).toHaveLength(1);
    expect(state.stored?.review?.token).toBe('token-3');
  });

  it('rejects a stale decision without sending anything', async () => {
    // Prepare
    const { state, deps } = fakes(waitingReview);

    // Act
    const outcome = await decideReview(decision(1), deps);

    // Assess
    expect(outcome).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/^Stale decision/) });
    expect(state.sent).toEqual([]);
    expect(state.parked).toHaveLength(1);
  });
});

describe('openReview', () => {
  const opened = (version: number): ReviewOpened => ({
    ...decision(version),
    'detail-type': 'Manual Review Required',
    source: 'app.kyc',
    detail: {
      userId: 'user-1',
      version,
      workflow: 'kyc',
      triggerEventId: 'e-0',
      riskScore: 45,
      reasons: ['country-risk-medium'],
      taskToken: `token-${version}`,
    },
  });

  it('records the waiting task token for the version in review', async () => {
    // Prepare
    const { state, deps } = fakes({ version: 3, status: 'in review' });

    // Act
    const outcome = await openReview(opened(3), deps);

    // Assess
    expect(outcome).toEqual({ outcome: 'opened' });
    expect(state.stored?.review?.token).toBe('token-3');
  });

  it('records nothing for a review a newer version has superseded', async () => {
    // Prepare
    const { state, deps } = fakes({ version: 4, status: 'running' });

    // Act
    const outcome = await openReview(opened(3), deps);

    // Assess
    expect(outcome).toEqual({ outcome: 'superseded' });
    expect(state.stored?.review).toBeUndefined();
  });
});
