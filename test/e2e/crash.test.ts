import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionListItem,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { BUS } from '../support/local';
import { clients, MAIN_ARGS } from '../support/runtime';
import { assemblyDir } from '../support/synth';

/*
 * Crash recovery, end to end: the real runtime (local/main.ts) as a child process on one data directory,
 * killed with SIGKILL three times while a load of executions is waiting and retrying, restarted each time.
 * Afterwards every execution has ended as it would have without the crashes, no table write and no
 * emitted event is lost, and an event is emitted twice only where a crash interrupted its task (the
 * at-least-once re-run of an in-flight task).
 *
 * The load: (a) the app's access-change workflow for USERS users, one `User Access Changed` each, with a
 * faults file failing 30% of the `User Blocked`/`User Unblocked` emits (the emit's Retry, 1-8 s with full
 * jitter, runs across the kills); (b) a machine created through the API, persisted in the data directory,
 * with a 2 s Wait between two DynamoDB writes and then a putEvents, started CUSTOM times.
 *
 * Emitted events are read from the bus records (`/_local/events`): every accepted event is recorded there
 * before PutEvents answers, with the execution ARN in its resources, so it counts each emit exactly once
 * per accepted put. (The audit log group is in memory, and no rule+queue can be created at run time yet.)
 */

const root = join(__dirname, '..', '..');
const USERS = 150;
const CUSTOM = 48;
const PHASES = 3;
/** How long each phase lets the load run before the kill: different moments of the waits and backoffs. */
const KILL_AFTER_MS = [1_500, 700, 2_500];
const ACCESS_MACHINE = `arn:aws:states:us-east-1:000000000000:stateMachine:${BUS}-access-change`;
const TABLE = `${BUS}-versions`;
const ROLE = 'arn:aws:iam::000000000000:role/crash-test';
const CUSTOM_WORKFLOW = 'crash-test';
const FAULT_RATE = 0.3;
/** The emit's Retry: 4 retries, so an entry is parked after 5 failed attempts, and the execution fails after 5 more. */
const EMIT_ATTEMPTS = 5;

const customDefinition = {
  Comment: 'Two writes with a Wait between, then an event: the crash test load.',
  StartAt: 'First write',
  States: {
    'First write': {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:updateItem',
      Parameters: {
        TableName: TABLE,
        Key: { userId: { 'S.$': '$.userId' }, workflow: { S: CUSTOM_WORKFLOW } },
        UpdateExpression: 'ADD firstWrites :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
      },
      ResultPath: null,
      Next: 'Pause',
    },
    Pause: { Type: 'Wait', Seconds: 2, Next: 'Second write' },
    'Second write': {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:updateItem',
      Parameters: {
        TableName: TABLE,
        Key: { userId: { 'S.$': '$.userId' }, workflow: { S: CUSTOM_WORKFLOW } },
        UpdateExpression: 'ADD secondWrites :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
      },
      ResultPath: null,
      Next: 'Announce',
    },
    Announce: {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents',
      Parameters: {
        Entries: [
          {
            EventBusName: BUS,
            Source: 'test.crash',
            DetailType: 'Crash Test Finished',
            'Detail.$': '$',
          },
        ],
      },
      ResultPath: null,
      Next: 'Done',
    },
    Done: {
      Type: 'Pass',
      Parameters: { outcome: 'completed', 'userId.$': '$.userId' },
      End: true,
    },
  },
};

interface BusRecord {
  event: {
    id: string;
    source: string;
    'detail-type': string;
    resources: string[];
    detail: Record<string, unknown>;
  };
}

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
}

const userId = (i: number) => `u-crash-${i}`;
const customUser = (i: number) => `c-crash-${i}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the runtime killed with SIGKILL under load', () => {
  let dataDir: string;
  let running: Running | undefined;
  const outputs: string[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'local-runtime-crash-'));
  });
  afterAll(async () => {
    if (running) await kill(running);
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts local/main.ts in one Node process, as `npm start` does, so the kill reaches the runtime itself. */
  function start(): Promise<Running> {
    // Beside the runtime's own files: it ignores what it does not know, and afterAll removes it all.
    const faultsFile = join(dataDir, 'faults.json');
    writeFileSync(
      faultsFile,
      JSON.stringify(
        ['User Blocked', 'User Unblocked'].map((detailType) => ({
          errorCode: 'InternalFailure',
          detailType,
          rate: FAULT_RATE,
        })),
      ),
    );
    const child = spawn(
      process.execPath,
      [
        ...MAIN_ARGS,
        '--assembly',
        assemblyDir,
        '--port',
        '0',
        '--data-dir',
        dataDir,
        '--faults-file',
        faultsFile,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    outputs.push('');
    const index = outputs.length - 1;
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        outputs[index] = output;
        const listening = /Listening on (http:\/\/\S+)/.exec(output);
        if (listening) resolve({ child, url: listening[1] as string, output: () => output });
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('exit', (code, signal) =>
        reject(new Error(`exited (${code ?? signal}) before listening:\n${output}`)),
      );
    });
  }

  /** SIGKILL to the runtime this test started, and its exit. */
  async function kill(r: Running): Promise<void> {
    if (r.child.exitCode !== null || r.child.signalCode !== null) return;
    const exited = new Promise((resolve) => r.child.once('exit', resolve));
    r.child.kill('SIGKILL');
    await exited;
  }

  async function localEvents(url: string): Promise<BusRecord[]> {
    const response = await fetch(`${url}/_local/events?bus=${BUS}&limit=1000`);
    return ((await response.json()) as { events: BusRecord[] }).events;
  }

  async function allExecutions(sfn: ReturnType<typeof clients>['sfn'], stateMachineArn: string) {
    const all: ExecutionListItem[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken }),
      );
      all.push(...(page.executions ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return all;
  }

  /**
   * Polls `check` until it returns a value, with a ceiling of minutes (a loaded machine is slow, not wrong);
   * at the ceiling, `last` gives what there is, for the assertions to name what is missing.
   */
  async function until<T>(check: () => Promise<T | undefined>, last: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const value = await check().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > deadline) return last();
      await sleep(500);
    }
  }

  it('ends every execution as it would have, losing no write and no event, duplicating only re-run tasks', async () => {
    const killedAt: number[] = [];
    const triggerIds = new Map<string, string>();
    const blocked = (i: number) => i % 2 === 0;
    const perPhase = (n: number, phase: number) => {
      const size = Math.ceil(n / PHASES);
      return Array.from({ length: n }, (_, i) => i).slice(phase * size, (phase + 1) * size);
    };
    let customArn = '';
    const queueBodies = { kept: [] as string[], inFlight: [] as string[], deleted: [] as string[] };

    const putTriggers = async (c: ReturnType<typeof clients>, batch: number[]) => {
      const { FailedEntryCount, Entries = [] } = await c.events.send(
        new PutEventsCommand({
          Entries: batch.map((i) => ({
            Source: 'app.identity',
            DetailType: 'User Access Changed',
            Detail: JSON.stringify({ userId: userId(i), version: 1, blocked: blocked(i) }),
            EventBusName: BUS,
          })),
        }),
      );
      expect(FailedEntryCount).toBe(0);
      for (const [n, i] of batch.entries()) triggerIds.set(userId(i), Entries[n]?.EventId as string);
    };
    /** Sends, a receive (in flight for 15 minutes) and deletes on a queue nothing else writes in this test. */
    const changeQueue = async (c: ReturnType<typeof clients>) => {
      const { QueueUrl } = await c.sqs.send(new GetQueueUrlCommand({ QueueName: `${BUS}-trigger-dlq` }));
      for (let i = 0; i < 20; i++)
        await c.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ crash: i }) }));
      const { Messages = [] } = await c.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 5, VisibilityTimeout: 900 }),
      );
      for (const m of Messages.slice(0, 3))
        await c.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
      queueBodies.deleted = Messages.slice(0, 3).map((m) => m.Body as string);
      queueBodies.inFlight = Messages.slice(3).map((m) => m.Body as string);
      const gone = new Set([...queueBodies.deleted, ...queueBodies.inFlight]);
      queueBodies.kept = Array.from({ length: 20 }, (_, i) => JSON.stringify({ crash: i })).filter(
        (b) => !gone.has(b),
      );
    };

    // Act: each phase starts the runtime on the same data directory, puts its share of the load, lets it
    // run into its waits and backoffs, and kills the process.
    for (let phase = 0; phase < PHASES; phase++) {
      running = await start();
      const c = clients(running.url);
      if (phase === 0) {
        const created = await c.sfn.send(
          new CreateStateMachineCommand({
            name: 'crash-test',
            definition: JSON.stringify(customDefinition),
            roleArn: ROLE,
          }),
        );
        customArn = created.stateMachineArn as string;
      }
      const users = perPhase(USERS, phase);
      const lastBatch = users.length - 10;
      for (let at = 0; at < lastBatch; at += 10) await putTriggers(c, users.slice(at, at + 10));
      for (const i of perPhase(CUSTOM, phase))
        await c.sfn.send(
          new StartExecutionCommand({
            stateMachineArn: customArn,
            name: `crash-${i}`,
            input: JSON.stringify({ userId: customUser(i) }),
          }),
        );
      await sleep(KILL_AFTER_MS[phase] as number);
      // Acknowledged just before the kill: the phase's last triggers, and in the first phase queue changes.
      await putTriggers(c, users.slice(lastBatch));
      if (phase === 0) await changeQueue(c);
      await kill(running);
      killedAt.push(Date.now());
      running = undefined;
    }

    // The last start: it resumes what was running and delivers what was accepted but not delivered.
    running = await start();
    const c = clients(running.url);
    const listed = async () =>
      [await allExecutions(c.sfn, ACCESS_MACHINE), await allExecutions(c.sfn, customArn)] as const;
    const [access, custom] = await until(async () => {
      const [a, b] = await listed();
      const ended = [...a, ...b].every((e) => e.status !== 'RUNNING');
      return a.length >= USERS && b.length === CUSTOM && ended ? ([a, b] as const) : undefined;
    }, listed);
    const describe = (e: ExecutionListItem) =>
      c.sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
    const history = async (executionArn: string) => {
      const events: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await c.sfn.send(
          new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
        );
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      return events;
    };
    const records = await localEvents(running.url);
    const queues = (await (await fetch(`${running.url}/_local/queues`)).json()) as {
      queues: { name: string; messages: { body: string; receiveCount: number }[] }[];
    };
    const parked = (queues.queues.find((q) => q.name === `${BUS}-undelivered-events`)?.messages ?? []).map(
      (m) => JSON.parse(m.body) as { executionArn: string },
    );
    const item = async (user: string, workflow: string) =>
      (
        await c.dynamodb.send(
          new GetItemCommand({ TableName: TABLE, Key: { userId: { S: user }, workflow: { S: workflow } } }),
        )
      ).Item;
    /** The kills that fell while an execution was running: each could re-run its task in flight. */
    const killsDuring = (d: DescribeExecutionCommandOutput) =>
      killedAt.filter((t) => t > (d.startDate?.getTime() ?? 0) && t < (d.stopDate?.getTime() ?? Infinity))
        .length;
    const emittedBy = new Map<string, BusRecord['event'][]>();
    for (const r of records)
      for (const arn of r.event.resources.filter((res) => res.includes(':execution:')))
        emittedBy.set(arn, [...(emittedBy.get(arn) ?? []), r.event]);

    // Assess: the bus records are all there (fewer than the page's 1000), and every acknowledged trigger.
    expect(records.length).toBeLessThan(1000);
    const recordIds = new Set(records.map((r) => r.event.id));
    expect([...triggerIds.values()].filter((id) => !recordIds.has(id))).toEqual([]);

    // Access change: one execution per trigger, ended as the emit's attempts say; a trigger delivered again
    // after a crash (at least once, as EventBridge) can only start an execution that ends as `duplicate`.
    const figures = {
      accessRunningAtAKill: 0,
      customRunningAtAKill: 0,
      emitDuplicates: 0,
      writeDuplicates: 0,
      redeliveredTriggers: 0,
      retriedEmits: 0,
      failed: 0,
    };
    const described = await Promise.all(access.map(describe));
    const byUser = new Map<string, DescribeExecutionCommandOutput[]>();
    for (const d of described) {
      const { detail, id } = JSON.parse(d.input ?? '{}') as { id: string; detail: { userId: string } };
      expect(id).toBe(triggerIds.get(detail.userId));
      byUser.set(detail.userId, [...(byUser.get(detail.userId) ?? []), d]);
    }
    expect(Array.from({ length: USERS }, (_, i) => userId(i)).filter((u) => !byUser.has(u))).toEqual([]);
    for (let i = 0; i < USERS; i++) {
      const executions = byUser.get(userId(i)) ?? [];
      const outcomes = executions.map((d) => JSON.parse(d.output ?? '{}').outcome as string | undefined);
      const main = executions.filter((_, n) => outcomes[n] !== 'duplicate');
      expect({ user: userId(i), main: main.length }).toEqual({ user: userId(i), main: 1 });
      figures.redeliveredTriggers += executions.length - 1;
      const d = main[0] as DescribeExecutionCommandOutput;
      if (killsDuring(d) > 0) figures.accessRunningAtAKill += 1;
      const events = await history(d.executionArn as string);
      const failedAttempts = events.filter(
        (e) => e.type === 'TaskFailed' && e.taskFailedEventDetails?.error === 'EventBridge.FailedEntry',
      ).length;
      if (failedAttempts > 0) figures.retriedEmits += 1;
      const emitted = emittedBy.get(d.executionArn as string) ?? [];
      // Parked after a first round of attempts, then failed in the second put after another round.
      if (failedAttempts >= 2 * EMIT_ATTEMPTS) {
        figures.failed += 1;
        expect(d).toMatchObject({ status: 'FAILED', error: 'EventBridge.FailedEntry' });
        const parkedHere = parked.filter((m) => m.executionArn === d.executionArn).length;
        expect(parkedHere).toBeGreaterThanOrEqual(1);
        expect(parkedHere - 1).toBeLessThanOrEqual(killsDuring(d));
        expect(emitted).toEqual([]);
      } else {
        // On a mismatch, the error, cause and history say why.
        expect({
          user: userId(i),
          status: d.status,
          output: JSON.parse(d.output ?? '{}'),
          ...(d.status === 'SUCCEEDED' ? {} : { error: d.error, cause: d.cause, events }),
        }).toEqual({
          user: userId(i),
          status: 'SUCCEEDED',
          output: expect.objectContaining({
            outcome: 'completed',
            access: blocked(i) ? 'blocked' : 'unblocked',
          }),
        });
        expect(emitted.length).toBeGreaterThanOrEqual(1);
        expect(emitted.length - 1).toBeLessThanOrEqual(killsDuring(d));
        figures.emitDuplicates += emitted.length - 1;
        for (const e of emitted)
          expect(e).toMatchObject({
            'detail-type': blocked(i) ? 'User Blocked' : 'User Unblocked',
            detail: { userId: userId(i), version: 1, triggerEventId: triggerIds.get(userId(i)) },
          });
      }
      const stored = await item(userId(i), 'access');
      expect(stored).toMatchObject({
        version: { N: '1' },
        status: { S: 'completed' },
        blocked: { BOOL: blocked(i) },
        executionArn: { S: d.executionArn },
      });
    }

    // The created machine: it survived the kills; each execution waited its 2 s once, wrote both items
    // (twice only where a kill re-ran the write in flight) and emitted its event.
    expect(custom).toHaveLength(CUSTOM);
    for (const e of custom) {
      const d = await describe(e);
      if (killsDuring(d) > 0) figures.customRunningAtAKill += 1;
      const { userId: user } = JSON.parse(d.input ?? '{}') as { userId: string };
      expect({ user, status: d.status, output: JSON.parse(d.output ?? '{}') }).toEqual({
        user,
        status: 'SUCCEEDED',
        output: { outcome: 'completed', userId: user },
      });
      const events = await history(e.executionArn as string);
      const entered = events.filter((h) => h.type === 'WaitStateEntered');
      const exited = events.filter((h) => h.type === 'WaitStateExited');
      expect([entered.length, exited.length]).toEqual([1, 1]);
      expect(
        (exited[0]?.timestamp?.getTime() ?? 0) - (entered[0]?.timestamp?.getTime() ?? 0),
      ).toBeGreaterThanOrEqual(1_990);
      const stored = await item(user, CUSTOM_WORKFLOW);
      const firstWrites = Number(stored?.firstWrites?.N ?? 0);
      const secondWrites = Number(stored?.secondWrites?.N ?? 0);
      expect(Math.min(firstWrites, secondWrites)).toBeGreaterThanOrEqual(1);
      const emitted = emittedBy.get(e.executionArn as string) ?? [];
      expect(emitted.length).toBeGreaterThanOrEqual(1);
      expect(emitted.every((ev) => ev['detail-type'] === 'Crash Test Finished')).toBe(true);
      // One task at most is in flight per execution at a kill: all re-runs together stay within the kills.
      const reRuns = firstWrites - 1 + (secondWrites - 1) + (emitted.length - 1);
      expect(reRuns).toBeLessThanOrEqual(killsDuring(d));
      figures.writeDuplicates += firstWrites - 1 + (secondWrites - 1);
      figures.emitDuplicates += emitted.length - 1;
    }

    // The queue changes acknowledged before the first kill: sent and received messages are there (the
    // received ones still in flight), the deleted ones are not.
    const { QueueUrl } = await c.sqs.send(new GetQueueUrlCommand({ QueueName: `${BUS}-trigger-dlq` }));
    const dlq = queues.queues.find((q) => q.name === `${BUS}-trigger-dlq`)?.messages ?? [];
    expect(dlq.map((m) => m.body).sort()).toEqual([...queueBodies.kept, ...queueBodies.inFlight].sort());
    expect(dlq.filter((m) => m.receiveCount === 1).map((m) => m.body)).toEqual(queueBodies.inFlight);
    const { Attributes } = await c.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(Attributes).toEqual({
      ApproximateNumberOfMessages: String(queueBodies.kept.length),
      ApproximateNumberOfMessagesNotVisible: String(queueBodies.inFlight.length),
    });

    console.log(
      `crash test: ${access.length} access-change and ${custom.length} created-machine executions, ` +
        `${killedAt.length} kills; ${JSON.stringify(figures)}`,
    );
  }, 600_000);
});
