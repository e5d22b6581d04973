import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalRuntime } from '../../local/runtime';
import { BUS } from '../support/local';
import { aws, eventually, startRuntime } from '../support/runtime';

/*
 * KYC manual review end to end, driven with the AWS CLI as a back office would: an applicant the risk
 * assessment sends to review (country BR: medium risk) waits; `Review Decided` on the bus reaches the
 * review-decision handler (the template's function, run by the runtime), which sends the decision to the
 * waiting task; KYC goes on as the decision says.
 */
const KYC = `arn:aws:states:us-east-1:000000000000:stateMachine:${BUS}-kyc`;
const ONBOARDING = `arn:aws:states:us-east-1:000000000000:stateMachine:${BUS}-onboarding`;

type Described = { executionArn: string; status: string; input: string; output?: string; error?: string };

describe('KYC manual review through the AWS CLI', () => {
  let runtime: LocalRuntime;
  let dataDir: string;
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'review-e2e-'));
    runtime = await startRuntime({ dataDir });
  });
  afterEach(async () => {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Runs the CLI against the runtime; fails the test with stderr when it exits non-zero. */
  async function ok(...args: string[]): Promise<Record<string, unknown>> {
    const result = await aws(runtime.url, ...args);
    if (result.code !== 0) throw new Error(`aws ${args.join(' ')} failed: ${result.stderr}`);
    return result.json ?? {};
  }

  async function put(source: string, detailType: string, detail: object): Promise<void> {
    const entries = [
      { Source: source, DetailType: detailType, Detail: JSON.stringify(detail), EventBusName: BUS },
    ];
    const { FailedEntryCount } = await ok('events', 'put-events', '--entries', JSON.stringify(entries));
    expect(FailedEntryCount).toBe(0);
  }

  /** An `Account Requested` whose applicant goes to manual review (BR) or is approved at once (GB). */
  function requestAccount(userId: string, version: number, country: 'BR' | 'GB' = 'BR') {
    return put('app.accounts', 'Account Requested', {
      userId,
      version,
      plan: 'team',
      applicant: { fullName: 'Tavi Moreno', dateOfBirth: '1979-11-02', country, documentNumber: 'BR7730415' },
    });
  }

  function decide(userId: string, version: number, decision: 'approved' | 'declined') {
    return put('app.backoffice', 'Review Decided', {
      userId,
      version,
      decision,
      reviewer: 'officer-7',
      reason: decision === 'approved' ? 'Proof of address checked.' : 'Documents do not match.',
    });
  }

  /** The KYC row of the version table (read in process: polling it through the CLI is slow). */
  async function kycRow(userId: string): Promise<Record<string, Record<string, unknown>> | undefined> {
    const { Item } = await runtime.app.dynamodb.call<{ Item?: Record<string, Record<string, unknown>> }>(
      'GetItem',
      {
        TableName: `${BUS}-versions`,
        Key: { userId: { S: userId }, workflow: { S: 'kyc' } },
        ConsistentRead: true,
      },
    );
    return Item;
  }

  /** Waits until the review of (userId, version) has its task token recorded: the back office can decide. */
  async function reviewOpened(userId: string, version: number): Promise<void> {
    await eventually(async () => {
      const review = (await kycRow(userId))?.review?.M as
        | Record<string, { N?: string; S?: string }>
        | undefined;
      return review?.version?.N === String(version) && review.token?.S ? true : undefined;
    });
  }

  /** A user's executions of a machine, once none of them runs (or as they are, with `running`). */
  async function executions(machine: string, userId: string, running = false): Promise<Described[]> {
    return eventually(async () => {
      const mine = runtime.app.stepFunctions
        .listExecutions(machine, undefined, 1000, undefined)
        .items.filter((e) => JSON.parse(e.input).detail.userId === userId)
        .map((e) => ({
          ...e,
          executionArn: e.executionArn,
          status: e.status,
          input: e.input,
          output: e.output,
        }));
      return mine.length > 0 && (running || mine.every((d) => d.status !== 'RUNNING')) ? mine : undefined;
    });
  }

  async function rejectedReasons(): Promise<string[]> {
    const { Messages = [] } = (await ok(
      'sqs',
      'receive-message',
      '--queue-url',
      `${runtime.url}/000000000000/${BUS}-rejected-events`,
      '--max-number-of-messages',
      '10',
    )) as { Messages?: { Body: string }[] };
    return Messages.map((m) => JSON.parse(m.Body).reason as string);
  }

  const outputOf = (d: Described | undefined) => JSON.parse(d?.output ?? '{}') as Record<string, unknown>;
  const announced = (userId: string) =>
    runtime.app.eventBridge.records
      .map((r) => r.event)
      .filter((e) => e.detail.userId === userId && e.source === 'app.kyc')
      .map((e) => e['detail-type']);

  it('waits for the review, and an approval goes on as an automatic one: the user is onboarded', async () => {
    // Prepare
    await requestAccount('u-approved', 1);
    await reviewOpened('u-approved', 1);
    const [waiting] = await executions(KYC, 'u-approved', true);
    expect(waiting?.status).toBe('RUNNING');

    // Act
    await decide('u-approved', 1, 'approved');

    // Assess
    const [kyc] = await executions(KYC, 'u-approved');
    expect(outputOf(kyc)).toMatchObject({ outcome: 'completed', decision: 'approved' });
    expect(announced('u-approved')).toEqual([
      'KYC Checks Completed',
      'Risk Assessed',
      'Manual Review Required',
      'Account Approved',
    ]);
    const [onboarding] = await executions(ONBOARDING, 'u-approved');
    expect(outputOf(onboarding)).toMatchObject({ outcome: 'completed' });
    const row = await kycRow('u-approved');
    expect(row?.status).toEqual({ S: 'completed' });
    expect(row?.review?.M).toMatchObject({ decision: { S: 'approved' }, reviewer: { S: 'officer-7' } });
    expect(row?.review?.M).not.toHaveProperty('token');
  });

  it('declines the applicant on a declined review, and onboards nobody', async () => {
    // Prepare
    await requestAccount('u-declined', 1);
    await reviewOpened('u-declined', 1);

    // Act
    await decide('u-declined', 1, 'declined');

    // Assess
    const [kyc] = await executions(KYC, 'u-declined');
    expect(outputOf(kyc)).toMatchObject({ outcome: 'completed', decision: 'declined' });
    expect(announced('u-declined').at(-1)).toBe('Account Declined');
    expect((await kycRow('u-declined'))?.decision).toEqual({ S: 'declined' });
  });

  it('expires a review nobody decided at its deadline, announcing Manual Review Expired', async () => {
    // Prepare: the deadline shortened by a runtime option; the ASL keeps its week.
    await runtime.stop();
    runtime = await startRuntime({ dataDir, taskTimeoutMs: 1_000 });

    // Act
    await requestAccount('u-expired', 1);

    // Assess
    const [kyc] = await executions(KYC, 'u-expired');
    expect(outputOf(kyc)).toMatchObject({ outcome: 'completed', decision: 'expired' });
    expect(announced('u-expired')).toEqual([
      'KYC Checks Completed',
      'Risk Assessed',
      'Manual Review Required',
      'Manual Review Expired',
    ]);
    expect(await kycRow('u-expired')).toMatchObject({
      status: { S: 'completed' },
      decision: { S: 'expired' },
    });
    const history = runtime.app.stepFunctions.findExecution(kyc?.executionArn as string).events;
    expect(history.find((e) => e.type === 'TaskTimedOut')).toBeDefined();
    expect(JSON.stringify(history)).toContain('"timeoutInSeconds":604800');
    // A decision after the deadline is parked: nothing waits any more.
    await decide('u-expired', 1, 'approved');
    expect(await eventually(async () => (await rejectedReasons())[0])).toMatch(
      /^No review is waiting for version 1/,
    );
  });

  it('parks a decision for an old version and a second decision, each with its reason', async () => {
    // Prepare: version 2 waits for review.
    await requestAccount('u-twice', 2);
    await reviewOpened('u-twice', 2);

    // Act
    await decide('u-twice', 1, 'approved');
    await decide('u-twice', 2, 'approved');
    await executions(KYC, 'u-twice');
    await decide('u-twice', 2, 'declined');

    // Assess
    const reasons = await eventually(async () => {
      const r = await rejectedReasons();
      return r.length >= 2 ? r : undefined;
    });
    expect(reasons).toEqual([
      'Stale decision: version 1 is not the latest; version 2 is.',
      'Already decided: version 2 was approved by officer-7.',
    ]);
    const [kyc] = await executions(KYC, 'u-twice');
    expect(outputOf(kyc)).toMatchObject({ decision: 'approved' });
  });

  it('ends a review overtaken by a newer version as superseded when its decision reaches its task', async () => {
    // Prepare: version 1 waits for review; version 2 (approved at once) claims the user meanwhile.
    await requestAccount('u-overtaken', 1);
    await reviewOpened('u-overtaken', 1);
    await requestAccount('u-overtaken', 2, 'GB');
    await eventually(async () =>
      (await kycRow('u-overtaken'))?.status?.S === 'completed' ? true : undefined,
    );
    const token = runtime.app.eventBridge.records
      .map((r) => r.event)
      .find((e) => e.detail.userId === 'u-overtaken' && e['detail-type'] === 'Manual Review Required')?.detail
      .taskToken as string;

    // Act: the decision for version 1 is stale for the handler; sent to the task directly, it is too late.
    await decide('u-overtaken', 1, 'approved');
    await ok(
      'stepfunctions',
      'send-task-success',
      '--task-token',
      token,
      '--task-output',
      '{"decision": "approved", "reviewer": "officer-7", "reason": "late"}',
    );

    // Assess
    const byVersion = new Map(
      (await executions(KYC, 'u-overtaken')).map((d) => [JSON.parse(d.input).detail.version as number, d]),
    );
    expect(outputOf(byVersion.get(1))).toMatchObject({ outcome: 'superseded' });
    expect(outputOf(byVersion.get(2))).toMatchObject({ outcome: 'completed', decision: 'approved' });
    expect(announced('u-overtaken').filter((t) => t === 'Account Approved')).toHaveLength(1);
    expect(await rejectedReasons()).toEqual(['Stale decision: version 1 is not the latest; version 2 is.']);
  });

  it('keeps a review waiting across a restart, and the decision then completes it', async () => {
    // Prepare
    await requestAccount('u-restart', 1);
    await reviewOpened('u-restart', 1);
    await runtime.stop();
    runtime = await startRuntime({ dataDir });

    // Act
    await decide('u-restart', 1, 'approved');

    // Assess
    const [kyc] = await executions(KYC, 'u-restart');
    expect(outputOf(kyc)).toMatchObject({ outcome: 'completed', decision: 'approved' });
  });

  it('answers SendTaskSuccess for a token that does not exist, and output that is not JSON, with AWS errors', async () => {
    // Prepare
    await requestAccount('u-errors', 1);
    await reviewOpened('u-errors', 1);
    const token = runtime.app.eventBridge.records
      .map((r) => r.event)
      .find((e) => e.detail.userId === 'u-errors' && e['detail-type'] === 'Manual Review Required')?.detail
      .taskToken as string;

    // Act
    const unknown = await aws(
      runtime.url,
      'stepfunctions',
      'send-task-success',
      '--task-token',
      `${token.slice(0, -4)}AAAA`,
      '--task-output',
      '{}',
    );
    const notJson = await aws(
      runtime.url,
      'stepfunctions',
      'send-task-success',
      '--task-token',
      token,
      '--task-output',
      'approved',
    );

    // Assess
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/\((TaskDoesNotExist|InvalidToken)\)/);
    expect(notJson.code).not.toBe(0);
    expect(notJson.stderr).toContain('(InvalidOutput)');
    const [kyc] = await executions(KYC, 'u-errors', true);
    expect(kyc?.status).toBe('RUNNING');
  });
});
