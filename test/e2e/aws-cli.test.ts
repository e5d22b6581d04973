import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalRuntime } from '../../local/runtime';
import { BUS } from '../support/local';
import { aws, eventually, startRuntime } from '../support/runtime';

const samplesDir = join(__dirname, '..', '..', 'events', 'samples');
const machineArn = (workflow: string) =>
  `arn:aws:states:us-east-1:000000000000:stateMachine:${BUS}-${workflow}`;

type Received = {
  Body: string;
  ReceiptHandle: string;
  MessageAttributes?: Record<string, { StringValue: string }>;
};
type Described = {
  executionArn: string;
  status: string;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
};

/**
 * The local runtime driven by Debian's AWS CLI, as a user would: put the samples, list and describe
 * executions, read their history and the parking queues.
 */
describe('the local runtime through the AWS CLI', () => {
  let runtime: LocalRuntime;
  let url: string;
  let scratch: string;
  beforeAll(async () => {
    runtime = await startRuntime();
    url = runtime.url;
    scratch = mkdtempSync(join(tmpdir(), 'aws-cli-e2e-'));
  });
  afterAll(async () => {
    await runtime.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Runs the CLI and fails the test with its stderr when it exits non-zero. */
  async function ok(...args: string[]) {
    const result = await aws(url, ...args);
    if (result.code !== 0) throw new Error(`aws ${args.join(' ')} failed: ${result.stderr}`);
    return result.json ?? {};
  }

  /** Every execution of a workflow, described with the CLI, once none of them is running. */
  async function settledExecutions(workflow: string, count: number): Promise<Described[]> {
    return eventually(async () => {
      const listed = (
        await ok('stepfunctions', 'list-executions', '--state-machine-arn', machineArn(workflow))
      ).executions as { executionArn: string; status: string }[];
      if (listed.length < count || listed.some((e) => e.status === 'RUNNING')) return undefined;
      return Promise.all(
        listed.map(
          async (e) =>
            (await ok(
              'stepfunctions',
              'describe-execution',
              '--execution-arn',
              e.executionArn,
            )) as unknown as Described,
        ),
      );
    }, 120_000);
  }

  /** Writes PutEvents entries to a scratch file, for `--entries file://…`. */
  function entriesFile(name: string, entries: object[]): string {
    const file = join(scratch, name);
    writeFileSync(file, JSON.stringify(entries));
    return file;
  }

  /** One `aws sqs receive-message` (up to 10, with every message attribute) from a template queue. */
  async function receive(queue: string): Promise<{ queueUrl: string; messages: Received[] }> {
    const { QueueUrl } = await ok('sqs', 'get-queue-url', '--queue-name', `${BUS}-${queue}`);
    const queueUrl = String(QueueUrl);
    const r = await ok(
      'sqs',
      'receive-message',
      '--queue-url',
      queueUrl,
      '--max-number-of-messages',
      '10',
      '--message-attribute-names',
      'All',
    );
    return { queueUrl, messages: (r.Messages ?? []) as Received[] };
  }

  /** Waits until the review of the user's version 1 has its task token recorded in the version table. */
  async function reviewOpened(userId: string): Promise<void> {
    await eventually(async () => {
      const { Item } = (await ok(
        'dynamodb',
        'get-item',
        '--table-name',
        `${BUS}-versions`,
        '--consistent-read',
        '--key',
        JSON.stringify({ userId: { S: userId }, workflow: { S: 'kyc' } }),
      )) as { Item?: { review?: { M?: { token?: unknown } } } };
      return Item?.review?.M?.token ? true : undefined;
    });
  }

  const userOf = (e: Described) => JSON.parse(e.input).detail.userId as string;
  const outputOf = (e: Described) => JSON.parse(e.output ?? '{}') as Record<string, unknown>;

  it('runs every sample put with aws events put-events to its documented end', async () => {
    // Act: one put-events per sample file, as the README shows; the block and unblock of user-3001 in order.
    const files = readdirSync(samplesDir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    for (const file of files) {
      const response = await ok('events', 'put-events', '--entries', `file://${join(samplesDir, file)}`);
      expect(response.FailedEntryCount).toBe(0);
      if (file === 'user-blocked.json') await settledExecutions('access-change', 4);
      // The back office decides once the review is open, as a person would: its task token is recorded.
      if (file === 'account-requested-manual-review.json') await reviewOpened('user-1003');
    }
    const kyc = await settledExecutions('kyc', 3);
    const onboarding = await settledExecutions('onboarding', 3);
    const access = await settledExecutions('access-change', 5);

    // Assess
    const decisionOf = (user: string) => outputOf(kyc.find((e) => userOf(e) === user) as Described).decision;
    expect(decisionOf('user-1001')).toBe('approved');
    expect(decisionOf('user-1002')).toBe('declined');
    // Reviewed: the approval decides; the decline that follows is parked as already decided.
    expect(decisionOf('user-1003')).toBe('approved');
    expect(onboarding.map(userOf).sort()).toEqual(['user-1001', 'user-1003', 'user-2001']);
    const rejected = await eventually(async () => {
      const { messages } = await receive('rejected-events');
      return messages.length > 0 ? messages : undefined;
    });
    expect(rejected.map((m) => JSON.parse(m.Body).reason)).toEqual([
      'Already decided: version 1 was approved by officer-7.',
    ]);
    expect(onboarding.every((e) => e.status === 'SUCCEEDED' && outputOf(e).outcome === 'completed')).toBe(
      true,
    );
    const race = access.filter((e) => userOf(e) === 'user-4001');
    expect(race).toHaveLength(3);
    expect(race.every((e) => e.status === 'SUCCEEDED')).toBe(true);
    const item = await ok(
      'dynamodb',
      'get-item',
      '--table-name',
      `${BUS}-versions`,
      '--consistent-read',
      '--key',
      JSON.stringify({ userId: { S: 'user-4001' }, workflow: { S: 'access' } }),
    );
    expect(item.Item).toMatchObject({ version: { N: '3' }, blocked: { BOOL: false } });
    const user3001 = access.filter((e) => userOf(e) === 'user-3001').map((e) => outputOf(e).outcome);
    expect(user3001).toEqual(['completed', 'completed']);

    // The history of the approved KYC run, read with the CLI.
    const approved = kyc.find((e) => userOf(e) === 'user-1001') as Described;
    const history = await ok(
      'stepfunctions',
      'get-execution-history',
      '--execution-arn',
      approved.executionArn,
    );
    const events = history.events as {
      type: string;
      id: number;
      previousEventId: number;
      stateEnteredEventDetails?: { name: string };
    }[];
    expect(events[0]).toMatchObject({ type: 'ExecutionStarted', id: 1, previousEventId: 0 });
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    expect(
      events.filter((e) => e.type === 'TaskStateEntered').map((e) => e.stateEnteredEventDetails?.name),
    ).toEqual(
      expect.arrayContaining(['Claim version', 'Emit KYC Checks Completed', 'Emit Account Approved']),
    );
  }, 240_000); // each CLI call starts a Python process: slow on a loaded 2-core machine

  it('parks a malformed trigger in the rejected-events queue, read with aws sqs receive-message', async () => {
    // Prepare
    const entries = entriesFile('malformed.json', [
      {
        Source: 'app.identity',
        DetailType: 'User Access Changed',
        Detail: '{"userId":"u-nov"}',
        EventBusName: BUS,
      },
    ]);

    // Act
    await ok('events', 'put-events', '--entries', `file://${entries}`);
    const { queueUrl, received } = await eventually(async () => {
      const { queueUrl, messages } = await receive('rejected-events');
      const received = messages.find((m) => JSON.parse(m.Body).detail?.userId === 'u-nov');
      return received && { queueUrl, received };
    });
    await ok('sqs', 'delete-message', '--queue-url', queueUrl, '--receipt-handle', received.ReceiptHandle);

    // Assess
    expect(JSON.parse(received.Body)).toMatchObject({ source: 'app.identity', detail: { userId: 'u-nov' } });
  });

  it('dead-letters a trigger whose execution cannot start, read with aws sqs receive-message', async () => {
    // Prepare: a Detail under PutEvents' 256 KiB whose whole event is over the execution input limit.
    const detail = JSON.stringify({ userId: 'u-big', version: 1, blocked: true, pad: 'x'.repeat(261_900) });
    const entries = entriesFile('oversized.json', [
      { Source: 'app.identity', DetailType: 'User Access Changed', Detail: detail, EventBusName: BUS },
    ]);

    // Act
    const put = await ok('events', 'put-events', '--entries', `file://${entries}`);
    const received = await eventually(async () => (await receive('trigger-dlq')).messages[0]);

    // Assess: the event, and why it is there in the attributes the runbook reads.
    expect(put.FailedEntryCount).toBe(0);
    expect(JSON.parse(received.Body)).toMatchObject({ detail: { userId: 'u-big' } });
    const attribute = (name: string) => received.MessageAttributes?.[name]?.StringValue;
    expect(attribute('RULE_ARN')).toMatch(/:rule\/OnboardingKyc-UserAccessChangedRule/);
    expect(attribute('TARGET_ARN')).toBe(machineArn('access-change'));
    expect(attribute('ERROR_CODE')).toBe('SDK_CLIENT_ERROR');
    expect(attribute('ERROR_MESSAGE')).toContain('InvalidExecutionInput');
    expect(attribute('RETRY_ATTEMPTS')).toBe('0');
  });

  it('parks an undelivered event and fails the execution, read with aws sqs receive-message', async () => {
    // Prepare
    await fetch(`${url}/_local/faults`, {
      method: 'POST',
      body: JSON.stringify({ errorCode: 'InternalFailure', detailType: 'User Blocked' }),
    });

    const entries = entriesFile('undelivered.json', [
      {
        Source: 'app.identity',
        DetailType: 'User Access Changed',
        Detail: JSON.stringify({ userId: 'u-undelivered', version: 1, blocked: true }),
        EventBusName: BUS,
      },
    ]);

    try {
      // Act
      await ok('events', 'put-events', '--entries', `file://${entries}`);
      const failed = await eventually(async () => {
        const r = await ok(
          'stepfunctions',
          'list-executions',
          '--state-machine-arn',
          machineArn('access-change'),
          '--status-filter',
          'FAILED',
        );
        return (r.executions as { executionArn: string }[])[0];
      });
      const described = await ok(
        'stepfunctions',
        'describe-execution',
        '--execution-arn',
        failed.executionArn,
      );
      const { messages } = await receive('undelivered-events');

      // Assess
      expect(described).toMatchObject({ status: 'FAILED', error: 'EventBridge.FailedEntry' });
      const parked = messages.map((m) => JSON.parse(m.Body));
      expect(parked).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ executionArn: failed.executionArn, error: 'EventBridge.FailedEntry' }),
        ]),
      );
    } finally {
      await fetch(`${url}/_local/faults`, { method: 'DELETE' });
    }
  });

  it('answers bad input with the exact AWS error names the CLI reports', async () => {
    // Prepare
    const sample = JSON.parse(readFileSync(join(samplesDir, 'user-blocked.json'), 'utf8'));
    const tooMany = entriesFile(
      'eleven.json',
      Array.from({ length: 11 }, () => sample[0]),
    );
    const perEntry = entriesFile('per-entry.json', [
      { DetailType: 'x', Detail: '{}', EventBusName: BUS },
      { Source: 's', DetailType: 'x', Detail: '"text"', EventBusName: BUS },
      { Source: 's', DetailType: 'x', Detail: '{}', EventBusName: 'nope' },
    ]);

    // Act
    const [eleven, entries, missingExecution, badArn, missingQueue, unknownOperation] = await Promise.all([
      aws(url, 'events', 'put-events', '--entries', `file://${tooMany}`),
      aws(url, 'events', 'put-events', '--entries', `file://${perEntry}`),
      aws(
        url,
        'stepfunctions',
        'describe-execution',
        '--execution-arn',
        `${machineArn('kyc').replace(':stateMachine:', ':execution:')}:nope`,
      ),
      aws(url, 'stepfunctions', 'describe-execution', '--execution-arn', 'arn:nope'),
      aws(url, 'sqs', 'get-queue-url', '--queue-name', 'no-such-queue'),
      aws(url, 'events', 'create-event-bus', '--name', 'another'),
    ]);

    // Assess
    expect(eleven.stderr).toContain('(ValidationException)');
    expect((entries.json as { Entries: { ErrorCode: string }[] }).Entries.map((e) => e.ErrorCode)).toEqual([
      'InvalidArgument',
      'MalformedDetail',
      'InvalidArgument',
    ]);
    expect(missingExecution.stderr).toContain('(ExecutionDoesNotExist)');
    expect(badArn.stderr).toContain('(InvalidArn)');
    expect(missingQueue.stderr).toContain('(AWS.SimpleQueueService.NonExistentQueue)');
    expect(unknownOperation.stderr).toContain('(UnknownOperationException)');
  });
});
