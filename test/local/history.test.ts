import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { LocalApp } from '../../local/app';
import { AwsError } from '../../local/errors';
import { type JournalEvent, pageOfHistory } from '../../local/stepfunctions/journal/history';
import { historyOf, historyOfDefinition, retriesOf } from '../support/history';
import { applicants, emitted, executionsOf, put, requestAccount, startApp } from '../support/local';

const stateName = (e: HistoryEvent) => e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name;

/** The one event of a type for a state (its Entered or Exited event). */
function stateEvent(history: HistoryEvent[], type: string, name: string): HistoryEvent {
  const found = history.filter((e) => e.type === type && stateName(e) === name);
  expect(found).toHaveLength(1);
  return found[0] as HistoryEvent;
}

/** The chain of causes from an event back to (not including) `until`'s type, latest first. */
function causes(history: HistoryEvent[], from: HistoryEvent, until: string): HistoryEvent[] {
  const chain: HistoryEvent[] = [];
  for (let e: HistoryEvent | undefined = from; e && e.type !== until; ) {
    chain.push(e);
    e = history[(e.previousEventId ?? 0) - 1];
  }
  return chain;
}

describe('GetExecutionHistory events', () => {
  let app: LocalApp;
  afterEach(() => app.stop());

  it('records an approved KYC run: every state, every integration call, the Parallel branches', async () => {
    // Prepare
    app = await startApp();
    requestAccount(app, 'u-history');

    // Act
    await app.settle();
    const [kyc] = executionsOf(app, 'kyc');
    const history = historyOf(app, kyc);

    // Assess
    const machine = app.stepFunctions.findStateMachine(kyc?.stateMachineArn ?? '');
    expect(history[0]).toMatchObject({
      id: 1,
      previousEventId: 0,
      type: 'ExecutionStarted',
      executionStartedEventDetails: {
        input: kyc?.input,
        inputDetails: { truncated: false },
        roleArn: machine.roleArn,
      },
    });
    // AWS gives the first state's Entered event no cause either. The first state checks the trigger.
    expect(history[1]).toMatchObject({
      type: 'ChoiceStateEntered',
      previousEventId: 0,
      stateEnteredEventDetails: { name: 'Check trigger' },
    });
    expect(history.at(-1)).toMatchObject({
      type: 'ExecutionSucceeded',
      previousEventId: history.at(-2)?.id,
      executionSucceededEventDetails: { output: kyc?.output, outputDetails: { truncated: false } },
    });

    // Each Task state: Entered -> Scheduled -> Started -> Succeeded -> Exited, one call each.
    const entered = history.filter((e) => e.type === 'TaskStateEntered');
    expect(entered.length).toBeGreaterThan(0);
    expect(history.filter((e) => e.type === 'TaskScheduled')).toHaveLength(entered.length);
    for (const e of entered) {
      const exited = stateEvent(history, 'TaskStateExited', stateName(e) ?? '');
      expect(causes(history, exited, 'TaskStateEntered').map((x) => x.type)).toEqual([
        'TaskStateExited',
        'TaskSucceeded',
        'TaskStarted',
        'TaskScheduled',
      ]);
      expect(history[(causes(history, exited, 'TaskStateEntered').at(-1)?.previousEventId ?? 0) - 1]).toBe(e);
      expect(JSON.parse(exited.stateExitedEventDetails?.output ?? '')).toBeInstanceOf(Object);
    }

    // Both branches start from ParallelStateStarted; the Parallel ends after both.
    const parallel = stateEvent(history, 'ParallelStateEntered', 'Run identity and sanctions checks');
    const started = history.find((e) => e.type === 'ParallelStateStarted');
    expect(started?.previousEventId).toBe(parallel.id);
    const branches = ['Verify identity', 'Screen sanctions'].map((n) =>
      stateEvent(history, 'TaskStateEntered', n),
    );
    for (const b of branches) expect(b.previousEventId).toBe(started?.id);
    const lastInBranches = Math.max(
      ...['Verify identity', 'Screen sanctions'].map(
        (n) => stateEvent(history, 'TaskStateExited', n).id ?? 0,
      ),
    );
    const succeeded = history.find((e) => e.type === 'ParallelStateSucceeded');
    const exited = stateEvent(history, 'ParallelStateExited', 'Run identity and sanctions checks');
    expect(succeeded?.previousEventId).toBe(lastInBranches);
    expect(exited.previousEventId).toBe(lastInBranches);
    expect(exited.id).toBeGreaterThan(succeeded?.id ?? Number.POSITIVE_INFINITY);

    // putEvents: what was sent (one entry, as the design requires) and what EventBridge answered.
    const scheduled = history.filter((e) => e.taskScheduledEventDetails?.resourceType === 'events');
    const sent = scheduled.map((e) => {
      expect(e.taskScheduledEventDetails).toMatchObject({ resource: 'putEvents', region: 'us-east-1' });
      const { Entries } = JSON.parse(e.taskScheduledEventDetails?.parameters ?? '') as {
        Entries: Record<string, unknown>[];
      };
      expect(Entries).toHaveLength(1);
      expect(Entries[0]).toMatchObject({ Source: 'app.kyc', Detail: { userId: 'u-history', version: 1 } });
      return Entries[0]?.DetailType;
    });
    expect(sent).toEqual(['KYC Checks Completed', 'Risk Assessed', 'Account Approved']);
    const eventIds = history
      .filter((e) => e.taskSucceededEventDetails?.resource === 'putEvents')
      .map((e) => {
        const response = JSON.parse(e.taskSucceededEventDetails?.output ?? '');
        expect(response.FailedEntryCount).toBe(0);
        return response.Entries[0].EventId;
      });
    expect(eventIds).toEqual(
      emitted(app, 'u-history')
        .filter((e) => e.source === 'app.kyc')
        .map((e) => e.id),
    );
    expect(
      history.find((e) => e.taskScheduledEventDetails?.resourceType === 'lambda')?.taskScheduledEventDetails,
    ).toMatchObject({ resource: 'invoke' });
  });

  it('fails with the provider error after showing each retry as another call in the same state', async () => {
    // Prepare
    app = await startApp();
    requestAccount(app, 'u-history-unavailable', { ...applicants.approved, documentNumber: 'UNAVAILABLE' });

    // Act
    await app.settle();
    const [kyc] = executionsOf(app, 'kyc');
    const history = historyOf(app, kyc);

    // Assess
    const retries = 3;
    expect(retriesOf(kyc)).toEqual({ 'Verify identity': retries });
    const verify = stateEvent(history, 'TaskStateEntered', 'Verify identity');
    const failures = history.filter(
      (e) => e.type === 'TaskFailed' && e.taskFailedEventDetails?.error === 'IdentityProviderUnavailable',
    );
    const lastFailure = failures.at(-1) as HistoryEvent;
    // One Entered, then Scheduled/Started/Failed per attempt; a retry has no event of its own.
    expect(causes(history, lastFailure, 'TaskStateEntered').map((e) => e.type)).toEqual(
      Array.from({ length: retries + 1 }, () => ['TaskFailed', 'TaskStarted', 'TaskScheduled']).flat(),
    );
    expect(history[(causes(history, lastFailure, 'TaskStateEntered').at(-1)?.previousEventId ?? 0) - 1]).toBe(
      verify,
    );
    expect(failures[0]?.taskFailedEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke' });
    expect(history.some((e) => e.type === 'TaskStateExited' && stateName(e) === 'Verify identity')).toBe(
      false,
    );

    // Inside a branch AWS marks the failed state aborted; the Parallel and then the execution fail.
    expect(history.find((e) => e.type === 'TaskStateAborted')?.previousEventId).toBe(lastFailure.id);
    const parallelFailed = history.find((e) => e.type === 'ParallelStateFailed');
    expect(parallelFailed?.previousEventId).toBe(lastFailure.id);
    expect(history.some((e) => e.type === 'ParallelStateExited')).toBe(false);
    expect(history.at(-1)).toMatchObject({
      type: 'ExecutionFailed',
      previousEventId: parallelFailed?.id,
      executionFailedEventDetails: { error: 'IdentityProviderUnavailable', cause: kyc?.cause },
    });
  });

  it('fails in the second put after every putEvents attempt fails, showing the catch path', async () => {
    // Prepare
    app = await startApp();
    app.eventBridge.faults.push({
      remaining: Number.POSITIVE_INFINITY,
      errorCode: 'InternalFailure',
      detailType: 'User Blocked',
    });
    put(app, 'app.identity', 'User Access Changed', {
      userId: 'u-history-parked',
      version: 1,
      blocked: true,
    });

    // Act
    await app.settle();
    const [execution] = executionsOf(app, 'access-change');
    const history = historyOf(app, execution);

    // Assess
    const emit = stateEvent(history, 'TaskStateEntered', 'Emit User Blocked');
    const exited = stateEvent(history, 'TaskStateExited', 'Emit User Blocked');
    const attempts = causes(history, exited, 'TaskStateEntered').slice(1);
    expect(attempts.map((e) => e.type)).toEqual(
      Array.from({ length: 5 }, () => ['TaskFailed', 'TaskStarted', 'TaskScheduled']).flat(),
    );
    expect(history[(attempts.at(-1)?.previousEventId ?? 0) - 1]).toBe(emit);
    const failed = attempts.filter((e) => e.type === 'TaskFailed');
    for (const f of failed) {
      expect(f.taskFailedEventDetails).toMatchObject({
        resourceType: 'events',
        resource: 'putEvents',
        error: 'EventBridge.FailedEntry',
      });
      // The cause is the PutEvents response.
      expect(JSON.parse(f.taskFailedEventDetails?.cause ?? '')).toEqual({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: expect.any(String) }],
      });
    }
    // Every retry resends the same single entry.
    const parameters = attempts
      .filter((e) => e.type === 'TaskScheduled')
      .map((e) => e.taskScheduledEventDetails?.parameters);
    expect(new Set(parameters).size).toBe(1);

    // Caught: TaskFailed -> TaskStateExited (with the Catch's result) -> park -> the second put, uncaught.
    expect(JSON.parse(exited.stateExitedEventDetails?.output ?? '').emitError).toEqual({
      Error: 'EventBridge.FailedEntry',
      Cause: failed[0]?.taskFailedEventDetails?.cause,
    });
    const afterCatch = history.slice(exited.id);
    expect(
      afterCatch.map((e) => [e.type, stateName(e) ?? e.taskScheduledEventDetails?.resource ?? '']),
    ).toEqual([
      ['TaskStateEntered', 'Park undelivered User Blocked'],
      ['TaskScheduled', 'sendMessage'],
      ['TaskStarted', ''],
      ['TaskSucceeded', ''],
      ['TaskStateExited', 'Park undelivered User Blocked'],
      ['TaskStateEntered', 'Emit User Blocked again'],
      ...Array.from({ length: 5 }, () => [
        ['TaskScheduled', 'putEvents'],
        ['TaskStarted', ''],
        ['TaskFailed', ''],
      ]).flat(),
      ['ExecutionFailed', ''],
    ]);
    expect(afterCatch[0]?.previousEventId).toBe(exited.id);
    expect(history.at(-1)).toMatchObject({
      previousEventId: history.at(-2)?.id,
      executionFailedEventDetails: { error: 'EventBridge.FailedEntry', cause: execution?.cause },
    });
  });

  it('ends a stopped execution with ExecutionAborted carrying the stop error and cause', async () => {
    // Prepare: stop the run when it reaches the risk assessment.
    app = await startApp({
      beforeTask: async ({ executionArn, stateName }) => {
        if (stateName === 'Assess risk')
          await app.stepFunctions.stopExecution(executionArn, 'Stopped', 'by the test');
      },
    });
    requestAccount(app, 'u-history-stopped');

    // Act
    await app.settle();
    const [kyc] = executionsOf(app, 'kyc');
    const history = historyOf(app, kyc);

    // Assess
    expect(kyc?.status).toBe('ABORTED');
    // StopExecution, not an event, caused it: AWS gives it previousEventId 0.
    expect(history.at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      previousEventId: 0,
      executionAbortedEventDetails: { error: 'Stopped', cause: 'by the test' },
    });
    stateEvent(history, 'TaskStateEntered', 'Assess risk');
    expect(history.some((e) => stateName(e) === 'Assess risk' && e.type === 'TaskStateExited')).toBe(false);
  });
});

/**
 * Runs a definition with no Task states (so no services) and returns [type, previousEventId] per event,
 * to compare with histories recorded on AWS (LocalStack's AWS-validated get_execution_history snapshots
 * of the same state machines, tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios).
 */
async function shapeOf(definition: object): Promise<{ history: HistoryEvent[]; shape: [string, number][] }> {
  const history = await historyOfDefinition(definition);
  return { history, shape: history.map((e) => [e.type ?? '', e.previousEventId ?? -1]) };
}

describe('GetExecutionHistory events of Parallel and Map failures', () => {
  const refuseEachItem = {
    Type: 'Map',
    InputPath: '$.items',
    ResultPath: null,
    MaxConcurrency: 1,
    ItemProcessor: {
      ProcessorConfig: { Mode: 'INLINE' },
      StartAt: 'Refuse the item',
      States: { 'Refuse the item': { Type: 'Fail', Error: 'ItemRefused', Cause: 'refused' } },
    },
  };
  const start = { Type: 'Pass', Result: [1], ResultPath: '$.items', Next: 'Each item' };

  it('fails a Map after its retries as AWS records it', async () => {
    // Act
    const { history, shape } = await shapeOf({
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

    // Assess
    expect(shape).toEqual([
      ['ExecutionStarted', 0],
      ['PassStateEntered', 0],
      ['PassStateExited', 2],
      ['MapStateEntered', 3],
      ['MapStateStarted', 4],
      ['MapIterationStarted', 5],
      ['FailStateEntered', 6],
      ['MapIterationFailed', 7],
      ['MapStateStarted', 7],
      ['MapIterationStarted', 9],
      ['FailStateEntered', 10],
      ['MapIterationFailed', 11],
      ['MapStateStarted', 11],
      ['MapIterationStarted', 13],
      ['FailStateEntered', 14],
      ['MapIterationFailed', 15],
      ['MapStateFailed', 15],
      ['ExecutionFailed', 17],
    ]);
    expect(history[4]?.mapStateStartedEventDetails).toEqual({ length: 1 });
    expect(history[5]?.mapIterationStartedEventDetails).toEqual({ name: 'Each item', index: 0 });
    expect(history.at(-1)?.executionFailedEventDetails).toEqual({ error: 'ItemRefused', cause: 'refused' });
  });

  it('catches a failed Map as AWS records it', async () => {
    // Act
    const { history, shape } = await shapeOf({
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
    });

    // Assess
    expect(shape).toEqual([
      ['ExecutionStarted', 0],
      ['PassStateEntered', 0],
      ['PassStateExited', 2],
      ['MapStateEntered', 3],
      ['MapStateStarted', 4],
      ['MapIterationStarted', 5],
      ['FailStateEntered', 6],
      ['MapIterationFailed', 7],
      ['MapStateFailed', 7],
      ['MapStateExited', 9],
      ['PassStateEntered', 10],
      ['PassStateExited', 11],
      ['ExecutionSucceeded', 12],
    ]);
    expect(JSON.parse(history[9]?.stateExitedEventDetails?.output ?? '')).toEqual({
      Error: 'ItemRefused',
      Cause: 'refused',
    });
  });

  it('fails a Parallel after its retries as AWS records it', async () => {
    // Act
    const { shape } = await shapeOf({
      StartAt: 'Checks',
      States: {
        Checks: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Refuse', States: { Refuse: { Type: 'Fail', Error: 'Refused', Cause: 'no' } } },
          ],
          Retry: [{ ErrorEquals: ['Refused'], MaxAttempts: 2 }],
          Next: 'Done',
        },
        Done: { Type: 'Pass', End: true },
      },
    });

    // Assess
    expect(shape).toEqual([
      ['ExecutionStarted', 0],
      ['ParallelStateEntered', 0],
      ['ParallelStateStarted', 2],
      ['FailStateEntered', 3],
      ['ParallelStateStarted', 4],
      ['FailStateEntered', 5],
      ['ParallelStateStarted', 6],
      ['FailStateEntered', 7],
      ['ParallelStateFailed', 8],
      ['ExecutionFailed', 9],
    ]);
  });
});

describe('GetExecutionHistory paging', () => {
  /** A history of n events, as the interpreter numbers them. */
  const events = (n: number): JournalEvent[] =>
    Array.from({ length: n }, (_, i) => ({
      id: i + 1,
      previousEventId: i,
      type: 'PassStateEntered',
      timestamp: 1_700_000_000_000 + i,
    }));
  const served = (all: JournalEvent[]): HistoryEvent[] => pageOfHistory(all, { maxResults: 1000 }).events;

  /** Every page, following nextToken. */
  function walk(all: JournalEvent[], options: { maxResults?: number; reverseOrder?: boolean }) {
    const pages: HistoryEvent[][] = [];
    let nextToken: string | undefined;
    do {
      const page = pageOfHistory(all, { ...options, nextToken });
      pages.push(page.events);
      nextToken = page.nextToken;
    } while (nextToken);
    return pages;
  }

  it('pages forward and, with reverseOrder, newest first', () => {
    // Prepare
    const all = events(23);

    // Act
    const forward = walk(all, { maxResults: 5 });
    const backward = walk(all, { maxResults: 5, reverseOrder: true });

    // Assess
    expect(forward.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
    expect(forward.flat()).toEqual(served(all));
    expect(backward.flat()).toEqual(served(all).reverse());
  });

  it('returns 100 events by default (and for 0) and at most 1000', () => {
    // Prepare
    const all = events(1200);

    // Act
    const byDefault = pageOfHistory(all);
    const zero = pageOfHistory(all, { maxResults: 0 });
    const most = pageOfHistory(all, { maxResults: 1000 });

    // Assess
    expect(byDefault.events).toHaveLength(100);
    expect(byDefault.nextToken).toEqual(expect.any(String));
    expect(zero.events).toEqual(byDefault.events);
    expect(most.events).toHaveLength(1000);
    expect(() => pageOfHistory(all, { maxResults: 1001 })).toThrow(
      expect.objectContaining({ code: 'ValidationException' }),
    );
  });

  it('keeps a token valid while a running execution adds events', () => {
    // Prepare
    const first = pageOfHistory(events(8), { maxResults: 5 });

    // Act
    const next = pageOfHistory(events(12), { maxResults: 5, nextToken: first.nextToken });

    // Assess
    expect(next.events.map((e) => e.id)).toEqual([6, 7, 8, 9, 10]);
    expect(next.nextToken).toEqual(expect.any(String));
  });

  it('rejects a token it did not issue, or one for the other direction, with InvalidToken', () => {
    // Prepare
    const all = events(10);
    const { nextToken } = pageOfHistory(all, { maxResults: 3 });

    // Act
    const invalid = [
      () => pageOfHistory(all, { nextToken: 'not-a-token' }),
      () => pageOfHistory(all, { nextToken: Buffer.from('offset:3').toString('base64url') }),
      () => pageOfHistory(all, { nextToken, reverseOrder: true }),
    ];

    // Assess
    for (const call of invalid) {
      expect(call).toThrow(AwsError);
      expect(call).toThrow(expect.objectContaining({ code: 'InvalidToken' }));
    }
  });
});
