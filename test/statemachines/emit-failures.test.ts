import type { LocalApp } from '../../local/app';
import { retriesOf } from '../support/history';
import { emitted, executionsOf, outputOf, put, queueMessages, startApp, stored } from '../support/local';

describe('emitting events through putEvents', () => {
  let app: LocalApp;
  beforeEach(async () => {
    app = await startApp();
  });
  afterEach(() => app.stop());

  it('retries a FailedEntry and delivers the event exactly once', async () => {
    // Prepare
    app.eventBridge.faults.push({ remaining: 1, errorCode: 'InternalFailure', detailType: 'User Blocked' });

    // Act
    put(app, 'app.identity', 'User Access Changed', { userId: 'u-retry', version: 1, blocked: true });
    await app.settle();

    // Assess
    const [execution] = executionsOf(app, 'access-change');
    expect(execution?.status).toBe('SUCCEEDED');
    expect(retriesOf(execution)).toEqual({ 'Emit User Blocked': 1 });
    expect(emitted(app, 'u-retry').map((e) => e['detail-type'])).toEqual(['User Blocked']);
    expect(queueMessages(app, 'undelivered-events')).toHaveLength(0);
  });

  it('tells consumers which execution and state machine sent each event', async () => {
    // Act
    put(app, 'app.identity', 'User Access Changed', { userId: 'u-resources', version: 1, blocked: false });
    await app.settle();

    // Assess
    const [execution] = executionsOf(app, 'access-change');
    // Step Functions appends the state machine ARN, then the execution ARN (the order recorded on AWS:
    // LocalStack's tests/aws/services/stepfunctions/v2/services/test_events_task_service.snapshot.json).
    expect(emitted(app, 'u-resources')[0]?.resources).toEqual([
      execution?.stateMachineArn,
      execution?.executionArn,
    ]);
  });

  it('fails after parking the entry when every attempt fails, and a redrive puts the event and finishes', async () => {
    // Prepare
    const fault = {
      remaining: Number.POSITIVE_INFINITY,
      errorCode: 'ThrottlingException' as const,
      source: 'app.access',
    };
    app.eventBridge.faults.push(fault);

    // Act
    const eventId = put(app, 'app.identity', 'User Access Changed', {
      userId: 'u-parked',
      version: 1,
      blocked: true,
    });
    await app.settle();

    // Assess
    const [execution] = executionsOf(app, 'access-change');
    expect(execution?.status).toBe('FAILED');
    expect(execution?.error).toBe('EventBridge.FailedEntry');
    const cause = JSON.parse(execution?.cause ?? '{}');
    expect(cause).toEqual({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: expect.any(String) }],
    });
    expect(retriesOf(execution)).toEqual({ 'Emit User Blocked': 4, 'Emit User Blocked again': 4 });
    expect(emitted(app, 'u-parked')).toHaveLength(0);

    const [parked] = queueMessages(app, 'undelivered-events');
    expect(parked).toMatchObject({
      error: 'EventBridge.FailedEntry',
      executionArn: execution?.executionArn,
      state: 'Emit User Blocked',
      entry: {
        EventBusName: 'onboarding-kyc',
        Source: 'app.access',
        DetailType: 'User Blocked',
        Detail: { userId: 'u-parked', version: 1, workflow: 'access', triggerEventId: eventId },
      },
    });
    expect(JSON.parse(String(parked?.cause))).toEqual(cause);
    // The step was recorded before the emit: the table says what happened even though the event is parked.
    expect(await stored(app, 'u-parked', 'access')).toMatchObject({ blocked: true });
    expect(outputOf(execution ?? {})).toBeNull();

    // Act: the runbook's repair, once the bus takes events again.
    fault.remaining = 0;
    app.stepFunctions.redriveExecution(String(execution?.executionArn));
    await app.settle();

    // Assess
    const [redriven] = executionsOf(app, 'access-change');
    expect(redriven).toMatchObject({ status: 'SUCCEEDED', executionArn: execution?.executionArn });
    expect(outputOf(redriven ?? {})).toMatchObject({ outcome: 'completed', userId: 'u-parked' });
    expect(emitted(app, 'u-parked').map((e) => e['detail-type'])).toEqual(['User Blocked']);
    expect(await stored(app, 'u-parked', 'access')).toMatchObject({ status: 'completed', blocked: true });
  });
});
