import type { DecisionEvent, ReviewOpened, ReviewOutcome, ReviewResult, StoredReview } from './contract';

/** The version table's KYC rows, for reviews. */
export interface ReviewStore {
  /** The row for (userId, kyc), read consistently; undefined when there is none. */
  get(userId: string): Promise<StoredReview | undefined>;
  /**
   * Records the waiting task's token for (userId, version), only while that version is the one in review
   * (the same version condition as every other write); false when a newer version owns the row.
   */
  open(userId: string, version: number, token: string, openedAt: string): Promise<boolean>;
  /** Records the decision and forgets the token, only if the token is still the one recorded. */
  recordDecision(
    userId: string,
    version: number,
    token: string,
    result: ReviewResult,
    at: string,
  ): Promise<void>;
}

/** Step Functions' callback API. */
export interface TaskCallbacks {
  /** SendTaskSuccess; `gone` when the task no longer waits (decided, expired, stopped: TaskTimedOut and co). */
  succeed(token: string, result: ReviewResult): Promise<'sent' | 'gone'>;
}

/** The rejected-events queue: where an event that cannot be applied is parked with the reason. */
export interface RejectedEvents {
  park(reason: string, event: unknown): Promise<void>;
}

export interface ReviewDeps {
  readonly store: ReviewStore;
  readonly tasks: TaskCallbacks;
  readonly rejected: RejectedEvents;
  readonly now: () => Date;
}

/**
 * `Manual Review Required`: record the waiting task's token for (userId, version). The state machine
 * cannot record it itself: the token exists only inside the waiting task, so whatever the task announces
 * it to records it. A newer version claimed meanwhile owns the row: nothing is recorded, and the waiting
 * execution ends superseded when its deadline comes.
 */
export async function openReview(event: ReviewOpened, deps: ReviewDeps): Promise<ReviewOutcome> {
  const { userId, version, taskToken } = event.detail;
  const opened = await deps.store.open(userId, version, taskToken, deps.now().toISOString());
  return { outcome: opened ? 'opened' : 'superseded' };
}

/**
 * Why a decision cannot be applied to what is stored, or undefined when it names the review that waits.
 * Pure: the reasons a rejected decision is parked with.
 */
export function refusal(
  decision: DecisionEvent['detail'],
  stored: StoredReview | undefined,
): string | undefined {
  const { version } = decision;
  if (!stored) return `No KYC is known for user ${decision.userId}.`;
  if (version < stored.version)
    return `Stale decision: version ${version} is not the latest; version ${stored.version} is.`;
  if (version > stored.version)
    return `No review for version ${version}: the latest version is ${stored.version}.`;
  const { review } = stored;
  if (review?.version === version && review.decision)
    return `Already decided: version ${version} was ${review.decision}${review.reviewer ? ` by ${review.reviewer}` : ''}.`;
  if (stored.status !== 'in review' || review?.version !== version || !review.token)
    return `No review is waiting for version ${version} (KYC status: ${stored.status}).`;
  return undefined;
}

/**
 * `Review Decided`: find the review that waits for (userId, version) and send it the decision. A decision
 * that cannot be applied (stale, unknown, already decided, expired) is parked in the rejected-events queue
 * with the reason: nothing is dropped silently. A declined application is a decision like an approval
 * (SendTaskSuccess); SendTaskFailure would end the wait, and no decision the handler refuses should.
 */
export async function decideReview(event: DecisionEvent, deps: ReviewDeps): Promise<ReviewOutcome> {
  const { userId, version, decision, reviewer, reason } = event.detail;
  const stored = await deps.store.get(userId);
  const refused = refusal(event.detail, stored);
  if (refused !== undefined) return reject(refused, event, deps);

  const token = stored?.review?.token as string;
  const result: ReviewResult = { decision, reviewer, reason };
  // Two decisions at once both find the token; Step Functions accepts the first, the second is `gone`.
  if ((await deps.tasks.succeed(token, result)) === 'gone')
    return reject(
      `The review of version ${version} no longer waits (decided, expired or stopped).`,
      event,
      deps,
    );
  await deps.store.recordDecision(userId, version, token, result, deps.now().toISOString());
  return { outcome: 'decided' };
}

async function reject(reason: string, event: unknown, deps: ReviewDeps): Promise<ReviewOutcome> {
  await deps.rejected.park(reason, event);
  return { outcome: 'rejected', reason };
}
