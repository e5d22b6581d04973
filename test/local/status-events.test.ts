import type { LocalApp } from '../../local/app';
import type { BusEvent } from '../../local/eventbridge/bus';
import { executionsOf, put, queueMessages, startApp } from '../support/local';

/*
 * Step Functions' execution status change events, as the Step Functions Developer Guide's "Automating Step
 * Functions event delivery with EventBridge" documents them: source `aws.states`, detail-type
 * `Step Functions Execution Status Change`, on the default bus, the execution ARN in `resources`.
 */
describe('execution status change events', () => {
  let app: LocalApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(() => app.stop());

  const statusChanges = (executionArn: string): BusEvent[] =>
    app.eventBridge.records
      .filter((r) => r.busName === 'default' && r.event.source === 'aws.states')
      .map((r) => r.event)
      .filter((e) => e.detail.executionArn === executionArn);

  it('puts RUNNING then SUCCEEDED on the default bus, fields in the documented order', async () => {
    // Act
    put(app, 'app.identity', 'User Access Changed', { userId: 'u-status-ok', version: 1, blocked: true });
    await app.settle();

    // Assess
    const execution = executionsOf(app, 'access-change').find((e) => e.input.includes('u-status-ok'));
    expect(execution?.status).toBe('SUCCEEDED');
    const events = statusChanges(execution?.executionArn ?? '');
    expect(events.map((e) => e.detail.status)).toEqual(['RUNNING', 'SUCCEEDED']);
    const [running, succeeded] = events;
    expect(running).toMatchObject({
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      resources: [execution?.executionArn],
    });
    // The detail's fields, in the order of the Developer Guide's example.
    expect(Object.keys(succeeded?.detail ?? {})).toEqual([
      'executionArn',
      'stateMachineArn',
      'name',
      'status',
      'startDate',
      'stopDate',
      'input',
      'output',
      'inputDetails',
      'outputDetails',
      'error',
      'cause',
      'redriveCount',
      'redriveDate',
      'redriveStatus',
      'redriveStatusReason',
    ]);
    expect(running?.detail).toMatchObject({ stopDate: null, output: null, outputDetails: null });
    expect(succeeded?.detail).toMatchObject({
      executionArn: execution?.executionArn,
      stateMachineArn: execution?.stateMachineArn,
      name: execution?.name,
      status: 'SUCCEEDED',
      startDate: execution?.startDate.getTime(),
      stopDate: execution?.stopDate?.getTime(),
      input: execution?.input,
      output: execution?.output,
      inputDetails: { included: true },
      outputDetails: { included: true },
      error: null,
      cause: null,
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
    });
  });

  it('routes a FAILED execution of the app to the failed-executions queue, and a redrive gets its own RUNNING', async () => {
    // Prepare: every emit of the access workflow fails, so the execution fails with EventBridge.FailedEntry.
    const fault = {
      remaining: Number.POSITIVE_INFINITY,
      errorCode: 'ThrottlingException' as const,
      source: 'app.access',
    };
    app.eventBridge.faults.push(fault);

    // Act
    put(app, 'app.identity', 'User Access Changed', { userId: 'u-status-failed', version: 1, blocked: true });
    await app.settle();

    // Assess
    const execution = executionsOf(app, 'access-change').find((e) => e.input.includes('u-status-failed'));
    expect(execution?.status).toBe('FAILED');
    const parked = queueMessages(app, 'failed-executions') as unknown as BusEvent[];
    expect(parked.map((e) => [e.detail.executionArn, e.detail.status])).toEqual([
      [execution?.executionArn, 'FAILED'],
    ]);
    expect(parked[0]?.detail).toMatchObject({
      error: 'EventBridge.FailedEntry',
      redriveStatus: 'REDRIVABLE',
      redriveStatusReason: null,
    });

    // Act: the fault cleared, the operator redrives it.
    fault.remaining = 0;
    app.stepFunctions.redriveExecution(execution?.executionArn ?? '');
    await app.settle();

    // Assess
    const statuses = statusChanges(execution?.executionArn ?? '').map((e) => [
      e.detail.status,
      e.detail.redriveCount,
    ]);
    expect(statuses).toEqual([
      ['RUNNING', 0],
      ['FAILED', 0],
      ['RUNNING', 1],
      ['SUCCEEDED', 1],
    ]);
    expect(queueMessages(app, 'failed-executions')).toHaveLength(1);
  });

  it('writes each execution history event to the state machine log group, one stream per execution', async () => {
    put(app, 'app.identity', 'User Access Changed', { userId: 'u-status-logs', version: 1, blocked: false });
    await app.settle();
    const execution = executionsOf(app, 'access-change').find((e) => e.input.includes('u-status-logs'));
    const group = app.resource('AWS::Logs::LogGroup', 'AccessLogs').ref;
    const stream = app.logs
      .describeLogStreams(group)
      .find((s) => s.logStreamName.endsWith(`/${execution?.name}`));
    expect(stream?.logStreamName).toMatch(
      /^states\/onboarding-kyc-access-change\/\d{4}-\d\d-\d\d-\d\d-\d\d\//,
    );
    const entries = app.logs
      .getLogEvents(group, stream?.logStreamName ?? '', { startFromHead: true })
      .events.map((e) => JSON.parse(e.message));
    expect(entries.map((e) => e.type)).toEqual(execution?.events.map((e) => e.type));
    expect(entries[0]).toMatchObject({
      id: '1',
      type: 'ExecutionStarted',
      previous_event_id: '0',
      execution_arn: execution?.executionArn,
    });
    // IncludeExecutionData is false in the stack: no input or output is logged.
    expect(entries.some((e) => 'input' in e.details || 'output' in e.details)).toBe(false);
  });
});
