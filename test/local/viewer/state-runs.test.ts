import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { LocalApp } from '../../../local/app';
import { failedState, type StateRun, stateRuns } from '../../../local/viewer/state-runs';
import { historyOf, historyOfDefinition } from '../../support/history';
import { applicants, executionsOf, put, requestAccount, startApp } from '../../support/local';

/** The history read as the page reads it with reverseOrder: newest first (paging is tested with the API). */
function newestFirst(history: HistoryEvent[], _size: number): HistoryEvent[] {
  return [...history].reverse();
}

/** Polls `read` until `done` holds for what it read (at most 2 s). */
async function until<T>(read: () => T, done: (value: T) => boolean): Promise<T> {
  for (const deadline = Date.now() + 2000; ; await new Promise((r) => setTimeout(r, 5))) {
    const value = read();
    if (done(value) || Date.now() > deadline) return value;
  }
}

const enteredNames = (history: HistoryEvent[]) =>
  new Set(
    history.flatMap((e) => (e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : [])),
  );

/**
 * Each state's run, checked for what holds for every run: exactly the entered states, the same runs from
 * the history read newest first in pages, event ids sorted and owned by one state each.
 */
function runsOf(history: HistoryEvent[]): Map<string, StateRun> {
  const runs = stateRuns(history);
  expect(new Set(runs.keys())).toEqual(enteredNames(history));
  expect(stateRuns(newestFirst(history, 7))).toEqual(runs);
  const owners = new Map<number, string>();
  for (const run of runs.values()) {
    expect(run.eventIds).toEqual([...run.eventIds].sort((a, b) => a - b));
    // A Task has an attempt once it is called: one held or stopped before its call has none yet.
    if (run.status === 'succeeded' || run.status === 'caught') expect(run.attempts.length).toBeGreaterThan(0);
    for (const id of run.eventIds) {
      expect(owners.get(id)).toBeUndefined();
      owners.set(id, run.name);
    }
  }
  return runs;
}

describe('stateRuns from the local runtime', () => {
  let app: LocalApp;
  afterEach(() => app.stop());

  it('marks every state an approved KYC run entered succeeded, and leaves the other paths out', async () => {
    // Prepare
    app = await startApp();
    requestAccount(app, 'u-viewer');

    // Act
    await app.settle();
    const [kyc] = executionsOf(app, 'kyc');
    const history = historyOf(app, kyc);
    const runs = runsOf(history);

    // Assess
    expect([...runs.values()].filter((r) => r.status !== 'succeeded')).toEqual([]);
    for (const name of ['Verify identity', 'Screen sanctions', 'Decide', 'Record approval', 'Approved'])
      expect(runs.get(name)?.status).toBe('succeeded');
    for (const name of ['Record decline', 'Record manual review', 'Unknown decision', 'Superseded'])
      expect(runs.has(name)).toBe(false);
    const claim = runs.get('Claim version');
    expect(claim?.input).toBe(kyc?.input);
    expect(claim?.attempts).toHaveLength(1);
    expect(claim?.error).toBeUndefined();
    expect(runs.get('Approved')?.output).toBe(kyc?.output);
    // Every state event of the history belongs to a state.
    const owned = new Set([...runs.values()].flatMap((r) => r.eventIds));
    const stateEvents = history.filter((e) => !e.type?.startsWith('Execution'));
    expect(stateEvents.filter((e) => !owned.has(e.id ?? 0))).toEqual([]);
    expect(failedState(history, runs)).toBeUndefined();
  });

  it('fails a Task whose retries run out, with every attempt and its error', async () => {
    // Prepare: the simulated identity provider is unavailable for this document number.
    app = await startApp();
    requestAccount(app, 'u-viewer-unavailable', { ...applicants.approved, documentNumber: 'UNAVAILABLE' });

    // Act
    await app.settle();
    const [kyc] = executionsOf(app, 'kyc');
    const history = historyOf(app, kyc);
    const runs = runsOf(history);

    // Assess
    const verify = runs.get('Verify identity');
    expect(verify).toMatchObject({ status: 'failed', error: 'IdentityProviderUnavailable' });
    expect(verify?.aborted).toBeUndefined();
    expect(verify?.attempts).toHaveLength(4); // the first call and three retries
    for (const attempt of verify?.attempts ?? [])
      expect(attempt).toMatchObject({
        error: 'IdentityProviderUnavailable',
        endedEventId: expect.any(Number),
      });
    expect(verify?.cause).toBe(kyc?.cause);
    // Its branch failed the Parallel, and the Parallel the execution.
    expect(runs.get('Run identity and sanctions checks')).toMatchObject({
      status: 'failed',
      error: 'IdentityProviderUnavailable',
    });
    expect(runs.has('Record checks completed')).toBe(false);
    // The page opens on the Task that failed, not on the Parallel around it.
    expect(failedState(history, runs)).toBe('Verify identity');
  });

  it('shows an emit whose every attempt failed as caught, the park succeeded and the second put failed', async () => {
    // Prepare: every put of a User Blocked entry fails with a FailedEntry.
    app = await startApp();
    app.eventBridge.faults.push({
      remaining: Number.POSITIVE_INFINITY,
      errorCode: 'InternalFailure',
      detailType: 'User Blocked',
    });
    put(app, 'app.identity', 'User Access Changed', { userId: 'u-viewer-parked', version: 1, blocked: true });

    // Act
    await app.settle();
    const [execution] = executionsOf(app, 'access-change');
    const history = historyOf(app, execution);
    const runs = runsOf(history);

    // Assess
    const emit = runs.get('Emit User Blocked');
    expect(emit).toMatchObject({ status: 'caught', error: 'EventBridge.FailedEntry' });
    expect(JSON.parse(emit?.cause ?? '')).toMatchObject({ FailedEntryCount: 1 });
    expect(emit?.attempts).toHaveLength(5);
    for (const attempt of emit?.attempts ?? []) expect(attempt.error).toBe('EventBridge.FailedEntry');
    expect(JSON.parse(emit?.output ?? '').emitError).toMatchObject({ Error: 'EventBridge.FailedEntry' });
    expect(runs.get('Park undelivered User Blocked')?.status).toBe('succeeded');
    expect(runs.get('Emit User Blocked again')).toMatchObject({
      status: 'failed',
      error: 'EventBridge.FailedEntry',
      cause: execution?.cause,
    });
    expect(runs.get('Emit User Blocked again')?.attempts).toHaveLength(5);
    expect(runs.has('Emit User Unblocked')).toBe(false);
    expect(failedState(history, runs)).toBe('Emit User Blocked again');
  });

  it('shows the state a running execution is in as in progress', async () => {
    // Prepare: hold the risk assessment until the test has looked.
    let reached!: () => void;
    const atRisk = new Promise<void>((resolve) => {
      reached = resolve;
    });
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    app = await startApp({
      beforeTask: async ({ stateName }) => {
        if (stateName !== 'Assess risk') return;
        reached();
        await held;
      },
    });
    requestAccount(app, 'u-viewer-running');

    // Act: the engine logs the state's entry a moment after its task is called.
    await atRisk;
    const [kyc] = executionsOf(app, 'kyc');
    const history = await until(
      () => historyOf(app, kyc),
      (h) => enteredNames(h).has('Assess risk'),
    );
    release();
    await app.settle();
    const runs = runsOf(history);

    // Assess
    expect(runs.get('Assess risk')).toMatchObject({ status: 'in-progress', input: expect.any(String) });
    expect(runs.get('Assess risk')?.output).toBeUndefined();
    expect(runs.get('Emit KYC Checks Completed')?.status).toBe('succeeded');
    expect([...runs.values()].filter((r) => r.status !== 'succeeded').map((r) => r.name)).toEqual([
      'Assess risk',
    ]);
    expect(runs.has('Decide')).toBe(false);
    expect(failedState(history, runs)).toBeUndefined();
    expect(stateRuns(historyOf(app, kyc)).get('Assess risk')?.status).toBe('succeeded');
  });

  it('shows the state a stopped execution was in as failed, aborted, with the stop error', async () => {
    // Prepare: stop the run when it reaches the risk assessment.
    app = await startApp({
      beforeTask: async ({ executionArn, stateName }) => {
        if (stateName === 'Assess risk')
          await app.stepFunctions.stopExecution(executionArn, 'Stopped', 'by the test');
      },
    });
    requestAccount(app, 'u-viewer-stopped');

    // Act
    await app.settle();
    const [kyc] = executionsOf(app, 'kyc');
    const history = historyOf(app, kyc);
    const runs = runsOf(history);

    // Assess
    expect(kyc?.status).toBe('ABORTED');
    expect(runs.get('Assess risk')).toMatchObject({
      status: 'failed',
      aborted: true,
      error: 'Stopped',
      cause: 'by the test',
    });
    expect(runs.get('Record checks completed')?.status).toBe('succeeded');
    // Nothing failed by itself: the page opens on the state that was cut short.
    expect(failedState(history, runs)).toBe('Assess risk');
  });
});

describe('stateRuns of Parallel and Map failures', () => {
  const refuseEachItem = {
    Type: 'Map',
    ItemsPath: '$.items',
    ResultPath: null,
    MaxConcurrency: 1,
    ItemProcessor: {
      ProcessorConfig: { Mode: 'INLINE' },
      StartAt: 'Refuse the item',
      States: { 'Refuse the item': { Type: 'Fail', Error: 'ItemRefused', Cause: 'refused' } },
    },
  };
  const start = { Type: 'Pass', Result: [1, 2], ResultPath: '$.items', Next: 'Each item' };
  /** A Parallel whose second branch fails while the first waits, caught and handled by `handler`. */
  const refusingChecks = (handler: string) => ({
    Type: 'Parallel',
    Branches: [
      { StartAt: 'Linger', States: { Linger: { Type: 'Wait', Seconds: 30, End: true } } },
      { StartAt: 'Refuse', States: { Refuse: { Type: 'Fail', Error: 'Refused', Cause: 'no' } } },
    ],
    Catch: [{ ErrorEquals: ['States.ALL'], Next: handler }],
    End: true,
  });

  it('fails a retried Map once per attempt, and the Fail inside it with the execution error', async () => {
    // Act
    const history = await historyOfDefinition({
      StartAt: 'Start',
      States: {
        Start: start,
        'Each item': {
          ...refuseEachItem,
          Retry: [{ ErrorEquals: ['ItemRefused'], MaxAttempts: 2 }],
          Next: 'Done',
        },
        Done: { Type: 'Pass', End: true },
      },
    });
    const runs = runsOf(history);

    // Assess
    const map = runs.get('Each item');
    expect(map).toMatchObject({ status: 'failed', error: 'ItemRefused', cause: 'refused' });
    expect(map?.attempts).toHaveLength(3);
    expect(runs.get('Refuse the item')).toMatchObject({ status: 'failed', error: 'ItemRefused' });
    expect(runs.has('Done')).toBe(false);
    // The Fail in the iteration, not the Map around it.
    expect(failedState(history, runs)).toBe('Refuse the item');
  });

  it('shows a caught Map as caught and the Fail in its iteration as failed, from the Catch result', async () => {
    // Act
    const runs = runsOf(
      await historyOfDefinition({
        StartAt: 'Start',
        States: {
          Start: start,
          'Each item': {
            ...refuseEachItem,
            Catch: [{ ErrorEquals: ['ItemRefused'], Next: 'Caught' }],
            Next: 'Done',
          },
          Caught: { Type: 'Pass', End: true },
          Done: { Type: 'Pass', End: true },
        },
      }),
    );

    // Assess
    expect(runs.get('Each item')).toMatchObject({ status: 'caught', error: 'ItemRefused', cause: 'refused' });
    expect(runs.get('Refuse the item')).toMatchObject({ status: 'failed', error: 'ItemRefused' });
    expect(runs.get('Caught')?.status).toBe('succeeded');
    expect(runs.has('Done')).toBe(false);
  });

  it('fails the branch state of a caught Parallel and aborts the Wait running beside it', async () => {
    // Act
    const history = await historyOfDefinition({
      StartAt: 'Checks',
      States: { Checks: refusingChecks('Handled'), Handled: { Type: 'Succeed' } },
    });
    const runs = runsOf(history);

    // Assess
    expect(runs.get('Checks')).toMatchObject({ status: 'caught', error: 'Refused', cause: 'no' });
    expect(runs.get('Refuse')).toMatchObject({ status: 'failed', error: 'Refused' });
    expect(runs.get('Refuse')?.aborted).toBeUndefined();
    expect(runs.get('Linger')).toMatchObject({ status: 'failed', aborted: true });
    expect(runs.get('Handled')?.status).toBe('succeeded');
    // The execution succeeded: a failure it caught is not where it ended.
    expect(failedState(history, runs)).toBeUndefined();
  });

  it('ends a run that failed after catching a branch failure in its own Fail, not in the branch', async () => {
    // Act
    const history = await historyOfDefinition({
      StartAt: 'Checks',
      States: {
        Checks: refusingChecks('Give up'),
        'Give up': { Type: 'Fail', Error: 'GaveUp', Cause: 'the checks were refused' },
      },
    });
    const runs = runsOf(history);

    // Assess: two states failed by themselves; the execution failed in the one entered last.
    expect(runs.get('Refuse')).toMatchObject({ status: 'failed', error: 'Refused' });
    expect(runs.get('Give up')).toMatchObject({ status: 'failed', error: 'GaveUp' });
    expect(failedState(history, runs)).toBe('Give up');
  });
});
