import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalRuntime } from '../../local/runtime';
import { BUS } from '../support/local';
import { AWS_CLI, aws, CLI_ENV, eventually, startRuntime } from '../support/runtime';

const samplesDir = join(__dirname, '..', '..', 'events', 'samples');
const AUDIT_LOG = `/aws/events/${BUS}-audit`;

type LogEvent = { logStreamName?: string; timestamp: number; message: string; eventId?: string };
type AuditedEvent = { id: string; source: string; 'detail-type': string; detail: Record<string, unknown> };

/*
 * CloudWatch Logs against the runtime with Debian's AWS CLI 2.9: the audit log as the audit rule writes it
 * (one log event per bus event), read with `aws logs filter-log-events` and its filter patterns, `aws logs
 * get-log-events`, `describe-log-streams` and `aws logs tail --follow` (CloudWatch Logs API reference:
 * FilterLogEvents, GetLogEvents, DescribeLogStreams); and Step Functions' status change events reaching the
 * failed-executions queue through the stack's rule on the default bus.
 */
describe('CloudWatch Logs and execution status changes with the AWS CLI', () => {
  let runtime: LocalRuntime;
  let url: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'logs-e2e-'));
    runtime = await startRuntime({ dataDir });
    url = runtime.url;
  });
  afterAll(async () => {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function ok(...args: string[]) {
    const result = await aws(url, ...args);
    if (result.code !== 0) throw new Error(`aws ${args.join(' ')} failed: ${result.stderr}`);
    return result.json ?? {};
  }

  const userEvents = async (userId: string): Promise<LogEvent[]> =>
    (
      await ok(
        'logs',
        'filter-log-events',
        '--log-group-name',
        AUDIT_LOG,
        '--filter-pattern',
        `{ $.detail.userId = "${userId}" }`,
      )
    ).events as LogEvent[];

  it("finds a user's events in the audit log with a JSON filter pattern", async () => {
    // Act: the approved applicant's sample (user-1001) runs KYC and then onboarding.
    await ok(
      'events',
      'put-events',
      '--entries',
      `file://${join(samplesDir, 'account-requested-approved.json')}`,
    );
    const found = await eventually(async () => {
      const events = await userEvents('user-1001');
      const types = events.map((e) => (JSON.parse(e.message) as AuditedEvent)['detail-type']);
      return types.includes('Account Requested') && types.includes('Account Approved') ? events : undefined;
    }, 120_000);

    // Assess: every event found is the user's, each in the stream named after its own event id.
    const audited = found.map((e) => JSON.parse(e.message) as AuditedEvent);
    expect(audited.every((e) => e.detail.userId === 'user-1001')).toBe(true);
    expect(found.map((e) => e.logStreamName)).toEqual(audited.map((e) => e.id));
    expect(await userEvents('user-9999')).toEqual([]);
  });

  it('serves describe-log-streams and get-log-events for the audit log', async () => {
    // Act
    const { logStreams } = (await ok(
      'logs',
      'describe-log-streams',
      '--log-group-name',
      AUDIT_LOG,
      '--order-by',
      'LastEventTime',
      '--descending',
    )) as { logStreams: { logStreamName: string; lastEventTimestamp: number }[] };
    const newest = logStreams[0];
    const { events } = (await ok(
      'logs',
      'get-log-events',
      '--log-group-name',
      AUDIT_LOG,
      '--log-stream-name',
      newest?.logStreamName ?? '',
      '--start-from-head',
    )) as { events: LogEvent[] };

    // Assess
    const times = logStreams.map((s) => s.lastEventTimestamp);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(events).toHaveLength(1);
    expect((JSON.parse(events[0]?.message ?? '{}') as AuditedEvent).id).toBe(newest?.logStreamName);
  });

  /** The KYC machine's log group, as its LoggingConfiguration names it, and one of its ended executions. */
  async function kycLog(): Promise<{ group: string; executionArn: string; stream: string }> {
    const machineArn = `arn:aws:states:us-east-1:000000000000:stateMachine:${BUS}-kyc`;
    const machine = (await ok(
      'stepfunctions',
      'describe-state-machine',
      '--state-machine-arn',
      machineArn,
    )) as {
      loggingConfiguration: { destinations: { cloudWatchLogsLogGroup: { logGroupArn: string } }[] };
    };
    const groupArn = machine.loggingConfiguration.destinations[0]?.cloudWatchLogsLogGroup.logGroupArn ?? '';
    const group = groupArn.split(':log-group:')[1]?.replace(/:\*$/, '') ?? '';
    const { executions } = (await ok(
      'stepfunctions',
      'list-executions',
      '--state-machine-arn',
      machineArn,
      '--status-filter',
      'SUCCEEDED',
    )) as { executions: { executionArn: string; name: string }[] };
    const execution = executions.at(-1);
    const { logStreams } = (await ok(
      'logs',
      'describe-log-streams',
      '--log-group-name',
      group,
      '--log-stream-name-prefix',
      `states/${BUS}-kyc/`,
    )) as { logStreams: { logStreamName: string }[] };
    const stream = logStreams.find((s) => s.logStreamName.endsWith(`/${execution?.name}`));
    return { group, executionArn: execution?.executionArn ?? '', stream: stream?.logStreamName ?? '' };
  }

  const streamMessages = async (group: string, stream: string) =>
    (
      (
        await ok(
          'logs',
          'get-log-events',
          '--log-group-name',
          group,
          '--log-stream-name',
          stream,
          '--start-from-head',
        )
      ).events as LogEvent[]
    ).map((e) => JSON.parse(e.message) as Record<string, unknown>);

  it("serves each execution's log stream, an entry per history event, read from its history", async () => {
    // Prepare: the approved applicant's KYC execution (the first test) and its history.
    const { group, executionArn, stream } = await kycLog();
    const { events: history } = (await ok(
      'stepfunctions',
      'get-execution-history',
      '--execution-arn',
      executionArn,
    )) as { events: { id: number; type: string }[] };

    // Act
    const entries = await streamMessages(group, stream);
    const filtered = (
      await ok('logs', 'filter-log-events', '--log-group-name', group, '--log-stream-names', stream)
    ).events as LogEvent[];

    // Assess: level ALL logs every event in order; includeExecutionData false leaves the payloads out (the
    // Step Functions developer guide, "Log levels" and "Execution data in logs").
    expect(stream).toMatch(new RegExp(`^states/${BUS}-kyc/\\d{4}(-\\d{2}){4}/`));
    expect(entries.map((e) => e.id)).toEqual(history.map((e) => String(e.id)));
    expect(entries.map((e) => e.type)).toEqual(history.map((e) => e.type));
    expect(entries.every((e) => e.execution_arn === executionArn && e.redrive_count === '0')).toBe(true);
    expect(JSON.stringify(entries)).not.toContain('"input"');
    expect(filtered.map((e) => JSON.parse(e.message).id)).toEqual(entries.map((e) => e.id));
    expect(filtered.every((e) => e.logStreamName === stream)).toBe(true);
  });

  it('describes the template log groups with their retention', async () => {
    const { logGroups } = (await ok(
      'logs',
      'describe-log-groups',
      '--log-group-name-prefix',
      '/aws/events/',
    )) as {
      logGroups: { logGroupName: string; retentionInDays?: number; arn: string }[];
    };
    expect(logGroups).toEqual([expect.objectContaining({ logGroupName: AUDIT_LOG, retentionInDays: 365 })]);
    expect(logGroups[0]?.arn).toMatch(/:log-group:\/aws\/events\/onboarding-kyc-audit:\*$/);
  });

  it('answers an invalid filter pattern with InvalidParameterException', async () => {
    const result = await aws(
      url,
      'logs',
      'filter-log-events',
      '--log-group-name',
      AUDIT_LOG,
      '--filter-pattern',
      '{ $.a = 1',
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('InvalidParameterException');
    expect(result.stderr).toContain("If a filter pattern starts with '{' it must end with '}'");
  });

  it('rejects hostile input with the errors AWS answers', async () => {
    // Prepare: CloudWatch Logs speaks JSON 1.1 (`Logs_20140328.<Action>`); a member of the wrong JSON type
    // is SerializationException, a group it does not have ResourceNotFoundException (API reference, Errors).
    const call = async (action: string, body: unknown) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `Logs_20140328.${action}` },
        body: JSON.stringify(body),
      });
      return {
        status: response.status,
        body: (await response.json()) as { __type: string; message: string },
      };
    };

    // Act
    const wrongType = await call('FilterLogEvents', { logGroupName: AUDIT_LOG, limit: 'ten' });
    const missing = await call('GetLogEvents', { logGroupName: '/nope', logStreamName: 's' });
    const tooMany = await call('DescribeLogStreams', { logGroupName: AUDIT_LOG, limit: 51 });
    const noGroup = await call('FilterLogEvents', {});

    // Assess
    expect(wrongType).toEqual({
      status: 400,
      body: expect.objectContaining({ __type: 'SerializationException' }),
    });
    expect(missing.body).toEqual({
      __type: 'ResourceNotFoundException',
      message: 'The specified log group does not exist.',
    });
    expect(tooMany.body.__type).toBe('InvalidParameterException');
    expect(noGroup.body.__type).toBe('InvalidParameterException');
  });

  it('follows the audit log with aws logs tail --follow', async () => {
    // Prepare
    const tail = spawn(
      AWS_CLI,
      ['logs', 'tail', AUDIT_LOG, '--follow', '--format', 'short', '--endpoint-url', url],
      {
        env: {
          PATH: process.env.PATH,
          ...CLI_ENV,
          // The CLI is Python: piped, its output would wait in a buffer, and --follow never exits.
          PYTHONUNBUFFERED: '1',
        },
      },
    );
    let output = '';
    let errors = '';
    tail.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    tail.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString('utf8');
    });
    try {
      // Act: an event put while the tail follows.
      const put = await ok(
        'events',
        'put-events',
        '--entries',
        JSON.stringify([
          { Source: 'test.tail', DetailType: 'Tail Followed', Detail: '{"n":1}', EventBusName: BUS },
        ]),
      );
      const eventId = (put.Entries as { EventId: string }[])[0]?.EventId ?? '';

      // Assess
      await eventually(async () => {
        if (tail.exitCode !== null) throw new Error(`aws logs tail exited: ${errors}`);
        return output.includes(eventId) ? true : undefined;
      }, 60_000);
    } finally {
      tail.kill();
    }
  });

  it("routes a failed execution's status change to the failed-executions queue", async () => {
    // Prepare: every emit of the access workflow fails, so its execution fails with EventBridge.FailedEntry.
    await fetch(`${url}/_local/faults`, {
      method: 'POST',
      body: JSON.stringify({ errorCode: 'InternalFailure', detailType: 'User Blocked' }),
    });
    try {
      // Act
      await ok(
        'events',
        'put-events',
        '--entries',
        JSON.stringify([
          {
            Source: 'app.identity',
            DetailType: 'User Access Changed',
            Detail: JSON.stringify({ userId: 'u-logs-failed', version: 1, blocked: true }),
            EventBusName: BUS,
          },
        ]),
      );
      const { QueueUrl } = await ok('sqs', 'get-queue-url', '--queue-name', `${BUS}-failed-executions`);
      const message = await eventually(async () => {
        const r = await ok('sqs', 'receive-message', '--queue-url', String(QueueUrl));
        return (r.Messages as { Body: string }[] | undefined)?.[0];
      }, 120_000);

      // Assess
      const event = JSON.parse(message.Body) as AuditedEvent;
      expect(event).toMatchObject({
        source: 'aws.states',
        'detail-type': 'Step Functions Execution Status Change',
        detail: { status: 'FAILED', error: 'EventBridge.FailedEntry' },
      });
      expect(JSON.parse(String(event.detail.input)).detail.userId).toBe('u-logs-failed');
    } finally {
      await fetch(`${url}/_local/faults`, { method: 'DELETE' });
    }
  });

  it('keeps the logs across a restart', async () => {
    // Prepare
    const before = await userEvents('user-1001');
    const kyc = await kycLog();
    const executionLogBefore = await streamMessages(kyc.group, kyc.stream);

    // Act
    await runtime.stop();
    runtime = await startRuntime({ dataDir });
    url = runtime.url;

    // Assess: the audit log from logs.db, the execution log from the execution journal.
    const after = await userEvents('user-1001');
    expect(after.map((e) => e.message)).toEqual(before.map((e) => e.message));
    expect(after.length).toBeGreaterThan(0);
    expect(await streamMessages(kyc.group, kyc.stream)).toEqual(executionLogBefore);
    expect(executionLogBefore.length).toBeGreaterThan(0);
  });
});
