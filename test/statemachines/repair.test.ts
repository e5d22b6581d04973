import { randomUUID } from 'node:crypto';
import type { LocalApp } from '../../local/app';
import { AwsError } from '../../local/errors';
import { LambdaFunctionError } from '../../local/lambda';
import { emitted, executionsOf, outputOf, put, startApp, stored } from '../support/local';

/*
 * The repair of an execution that failed after its claim: one step, RedriveExecution (the runbook's
 * "Repair a failed execution"). A redrive goes on from the state that failed, behind the same fence, so
 * the table and the announced events end as if nothing had failed: every step announced once, in order.
 */

const ANNOUNCED = [
  'Profile Created',
  'Workspace Provisioned',
  'Welcome Message Requested',
  'Onboarding Completed',
];

function approve(app: LocalApp, userId: string, version: number): string {
  return put(app, 'app.kyc', 'Account Approved', {
    userId,
    version,
    workflow: 'kyc',
    triggerEventId: randomUUID(),
    riskScore: 10,
    plan: 'team',
  });
}

/** The faults a test can switch on and off, one per kind of state after the claim. */
interface Fault {
  readonly what: string;
  /** Makes the state fail on every attempt; returns what turns the fault off. */
  readonly install: (app: LocalApp) => () => void;
  /** The state the execution fails in, and the error it fails with. */
  readonly failsIn: string;
  readonly error: string;
}

const faults: Fault[] = [
  {
    what: 'a DynamoDB write',
    install: (app) => {
      const call = app.dynamodb.call.bind(app.dynamodb);
      app.dynamodb.call = (async (action: string, params: { ExpressionAttributeValues?: object }) => {
        if (
          action === 'UpdateItem' &&
          JSON.stringify(params.ExpressionAttributeValues).includes('workspace provisioned')
        )
          throw new AwsError('InternalServerError', 'Internal server error');
        return call(action, params);
      }) as typeof app.dynamodb.call;
      return () => {
        app.dynamodb.call = call;
      };
    },
    failsIn: 'Record workspace provisioned',
    error: 'DynamoDB.InternalServerErrorException',
  },
  {
    what: 'a Lambda function',
    install: (app) => {
      const invoke = app.lambdas.invoke.bind(app.lambdas);
      app.lambdas.invoke = async (name, payload) => {
        if (/provision-?workspace/i.test(name))
          throw new LambdaFunctionError('WorkspaceProviderDown', 'The workspace provider is down.');
        return invoke(name, payload);
      };
      return () => {
        app.lambdas.invoke = invoke;
      };
    },
    failsIn: 'Provision workspace',
    error: 'WorkspaceProviderDown',
  },
  {
    what: 'an emit, after its retries',
    install: (app) => {
      const fault = {
        remaining: Number.POSITIVE_INFINITY,
        errorCode: 'InternalFailure' as const,
        detailType: 'Workspace Provisioned',
      };
      app.eventBridge.faults.push(fault);
      return () => {
        fault.remaining = 0;
      };
    },
    failsIn: 'Emit Workspace Provisioned again',
    error: 'EventBridge.FailedEntry',
  },
];

describe('repairing an execution that failed after its claim', () => {
  let app: LocalApp;
  beforeEach(async () => {
    app = await startApp();
  });
  afterEach(() => app.stop());

  it.each(faults)('redrives one that failed in $what to the end, each step announced once', async (fault) => {
    // Prepare
    const userId = `u-repair-${fault.failsIn.replaceAll(' ', '-')}`;
    const removeFault = fault.install(app);
    approve(app, userId, 1);
    await app.settle();
    const [failed] = executionsOf(app, 'onboarding').filter((e) => e.input.includes(userId));
    expect(failed).toMatchObject({ status: 'FAILED', error: fault.error });
    expect(failed?.events.findLast((e) => e.type.endsWith('StateEntered'))?.details?.name).toBe(
      fault.failsIn,
    );
    expect(await stored(app, userId, 'onboarding')).toMatchObject({ version: 1, status: 'running' });

    // Act
    removeFault();
    app.stepFunctions.redriveExecution(String(failed?.executionArn));
    await app.settle();

    // Assess
    const [repaired] = executionsOf(app, 'onboarding').filter((e) => e.input.includes(userId));
    expect(repaired).toMatchObject({ status: 'SUCCEEDED', executionArn: failed?.executionArn });
    expect(outputOf(repaired ?? {})).toMatchObject({ outcome: 'completed', version: 1 });
    expect(emitted(app, userId).map((e) => e['detail-type'])).toEqual(ANNOUNCED);
    expect(await stored(app, userId, 'onboarding')).toMatchObject({
      version: 1,
      status: 'completed',
      step: 'onboarding completed',
      workspaceId: expect.any(String),
    });
  });

  it('redrives one that a newer version overtook while it was failed to superseded, announcing nothing more', async () => {
    // Prepare: version 1 fails at its DynamoDB write; version 2 then runs to the end.
    const userId = 'u-repair-overtaken';
    const removeFault = (faults[0] as Fault).install(app);
    approve(app, userId, 1);
    await app.settle();
    removeFault();
    approve(app, userId, 2);
    await app.settle();
    const byVersion = () =>
      new Map(
        executionsOf(app, 'onboarding')
          .filter((e) => e.input.includes(userId))
          .map((e) => [JSON.parse(e.input).detail.version as number, e]),
      );
    const announcedBefore = emitted(app, userId).length;

    // Act
    app.stepFunctions.redriveExecution(String(byVersion().get(1)?.executionArn));
    await app.settle();

    // Assess
    expect(outputOf(byVersion().get(1) ?? {})).toMatchObject({ outcome: 'superseded', version: 1 });
    expect(emitted(app, userId)).toHaveLength(announcedBefore);
    expect(await stored(app, userId, 'onboarding')).toMatchObject({ version: 2, status: 'completed' });
  });

  it('still ends two concurrent deliveries of one version as one completed and one duplicate', async () => {
    // Act
    const userId = 'u-repair-twice';
    const detail = {
      userId,
      version: 1,
      workflow: 'kyc',
      triggerEventId: randomUUID(),
      riskScore: 10,
      plan: 'team',
    };
    put(app, 'app.kyc', 'Account Approved', detail);
    put(app, 'app.kyc', 'Account Approved', detail);
    await app.settle();

    // Assess
    const outcomes = executionsOf(app, 'onboarding')
      .filter((e) => e.input.includes(userId))
      .map((e) => outputOf(e).outcome)
      .sort();
    expect(outcomes).toEqual(['completed', 'duplicate']);
    expect(emitted(app, userId).map((e) => e['detail-type'])).toEqual(ANNOUNCED);
  });
});
