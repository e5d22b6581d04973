import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { LocalDynamoDb } from '../../local/dynamodb';
import type { LocalRuntime } from '../../local/runtime';
import type { JournalEvent } from '../../local/stepfunctions/journal/history';
import { ExecutionJournal } from '../../local/stepfunctions/journal/store';
import type { BeforeTask } from '../../local/stepfunctions/service';
import { MessageStore } from '../../local/storage/messages';
import { BUS, emitted } from '../support/local';
import { clients, eventually, startRuntime } from '../support/runtime';

/*
 * A graceful stop (SIGTERM, Ctrl-C: LocalRuntime.stop) loses nothing: the task call in flight finishes and
 * its result is journaled before the journals and the tables close, so the table and the history agree,
 * and the execution goes on from there at the next start without running that call again. Past the stop's
 * ceiling a call still in flight stays journaled as in flight and runs again at the next start
 * (at-least-once). Waits and callbacks do not hold a stop.
 *
 * The seam: `beforeTask` (StepFunctionsOptions), which runs inside each task call before its integration,
 * holds the call in flight until the test releases it.
 */

const TABLE = `${BUS}-versions`;
const ACCESS_MACHINE = `arn:aws:states:us-east-1:000000000000:stateMachine:${BUS}-access-change`;
const RECORD = 'Record access blocked';
const EMIT = 'Emit User Blocked';

const access = (userId: string, version: number, blocked: boolean) => ({
  Source: 'app.identity',
  DetailType: 'User Access Changed',
  Detail: JSON.stringify({ userId, version, blocked }),
  EventBusName: BUS,
});

/** A gate a task call waits at: `reached` once a call arrives, `open` lets it (and later ones) through. */
function gate() {
  let open = () => {};
  let arrive = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const reached = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  return { opened, reached, open, arrive };
}

/**
 * A `beforeTask` that notes each of `userId`'s task calls as `<label>:<state>` in `calls`, and holds the
 * calls of the state `holdAt` at `held`.
 */
function watch(
  calls: string[],
  label: string,
  userId: string,
  hold?: { state: string; at: ReturnType<typeof gate> },
): BeforeTask {
  return async ({ stateName, input }) => {
    if (!JSON.stringify(input).includes(userId)) return;
    calls.push(`${label}:${stateName}`);
    if (hold && stateName === hold.state) {
      hold.at.arrive();
      await hold.at.opened;
    }
  };
}

/** What a stopped runtime left in its data directory: one execution's journal, and one table item. */
async function onDisk(dataDir: string, executionArn: string, key: { userId: string; workflow: string }) {
  const journal = new ExecutionJournal(dataDir);
  const dynamodb = await LocalDynamoDb.start({ dataDir: join(dataDir, 'dynamodb') });
  try {
    const { Item } = await dynamodb.call<{ Item?: Record<string, Record<string, unknown>> }>('GetItem', {
      TableName: TABLE,
      Key: { userId: { S: key.userId }, workflow: { S: key.workflow } },
      ConsistentRead: true,
    });
    return {
      status: journal.find(executionArn)?.summary.status,
      events: journal.events(executionArn),
      item: Item,
    };
  } finally {
    journal.close();
    await dynamodb.stop();
  }
}

/**
 * The events of the state `name` in a journaled history: from its Entered event to the next state's in the
 * same thread (the execution, a Parallel branch).
 */
function stateEvents(events: readonly JournalEvent[], name: string): string[] {
  const entered = events.find((e) => e.type.endsWith('StateEntered') && e.details?.name === name);
  if (!entered) return [];
  const thread = events.filter((e) => e.thread === entered.thread && e.id >= entered.id);
  const next = thread.findIndex((e, i) => i > 0 && e.type.endsWith('StateEntered'));
  return thread.slice(0, next < 0 ? undefined : next).map((e) => e.type);
}

async function historyOf(runtime: LocalRuntime, executionArn: string): Promise<HistoryEvent[]> {
  const { events = [] } = await clients(runtime.url).sfn.send(
    new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }),
  );
  return events;
}

async function ended(runtime: LocalRuntime, executionArn: string) {
  const sfn = clients(runtime.url).sfn;
  return eventually(async () => {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return described.status === 'RUNNING' ? undefined : described;
  });
}

/** The execution of `userId`'s access change, once it has started. */
function accessExecution(runtime: LocalRuntime, userId: string): Promise<string> {
  return eventually(async () => {
    for (const e of runtime.app.stepFunctions.executions.values())
      if (e.stateMachineArn === ACCESS_MACHINE && e.input.includes(userId)) return e.executionArn;
    return undefined;
  });
}

describe('stopping the runtime', () => {
  let dataDir: string;
  const started: LocalRuntime[] = [];
  const start = async (options: Parameters<typeof startRuntime>[0]) => {
    const runtime = await startRuntime({ dataDir, ...options });
    started.push(runtime);
    return runtime;
  };
  const stopped = new Set<LocalRuntime>();
  const stop = async (runtime: LocalRuntime, graceMs: number) => {
    stopped.add(runtime);
    return runtime.stop({ graceMs });
  };
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'local-runtime-stop-'));
  });
  afterEach(async () => {
    for (const runtime of started.splice(0)) if (!stopped.has(runtime)) await runtime.stop({ graceMs: 0 });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lets the task call in flight finish and journals its result, so the table and the history agree', async () => {
    // Prepare: a user's access change held in its fenced write (`Record access blocked`).
    const user = 'u-stop-graceful';
    const calls: string[] = [];
    const held = gate();
    const first = await start({ beforeTask: watch(calls, 'first', user, { state: RECORD, at: held }) });
    await clients(first.url).events.send(new PutEventsCommand({ Entries: [access(user, 1, true)] }));
    await held.reached;
    const executionArn = await accessExecution(first, user);

    // Act: stop with a generous ceiling; the write goes on only once the stop has begun.
    const stopping = stop(first, 600_000);
    await eventually(async () => (first.app.stepFunctions.isStopping ? true : undefined));
    held.open();
    const report = await stopping;

    // Assess: the write finished and was journaled, and the execution stopped before its next state.
    expect(report).toEqual({ finished: 1, inFlight: 0 });
    const disk = await onDisk(dataDir, executionArn, { userId: user, workflow: 'access' });
    expect(disk.status).toBe('RUNNING');
    expect(stateEvents(disk.events, RECORD)).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
    expect(disk.events.at(-1)?.type).toBe('TaskStateExited');
    expect(stateEvents(disk.events, EMIT)).toEqual([]);
    // The table says what the history says: the step is recorded.
    expect(disk.item).toMatchObject({
      version: { N: '1' },
      status: { S: 'completed' },
      step: { S: 'access blocked' },
      executionArn: { S: executionArn },
    });

    // Act: start again on the same data directory.
    const second = await start({ beforeTask: watch(calls, 'second', user) });

    // Assess: the execution goes on from its next state, the write is not run again, and the step is
    // announced once.
    expect(second.app.resumed).toEqual({ resumed: 1, orphans: [] });
    expect(await ended(second, executionArn)).toMatchObject({ status: 'SUCCEEDED' });
    expect(calls).toEqual(['first:Claim version', `first:${RECORD}`, `second:${EMIT}`]);
    const history = await historyOf(second, executionArn);
    expect(history.map((e) => e.id)).toEqual(history.map((_, i) => i + 1));
    expect(history.filter((e) => e.type === 'TaskScheduled')).toHaveLength(3);
    expect(history.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
    expect(emitted(second.app, user).map((e) => e['detail-type'])).toEqual(['User Blocked']);
  });

  it('stops at its ceiling with a call still in flight, journaled as in flight, and runs it again at the next start', async () => {
    // Prepare: the fenced write is held and never let go.
    const user = 'u-stop-ceiling';
    const calls: string[] = [];
    const held = gate();
    const first = await start({ beforeTask: watch(calls, 'first', user, { state: RECORD, at: held }) });
    await clients(first.url).events.send(new PutEventsCommand({ Entries: [access(user, 1, true)] }));
    await held.reached;
    const executionArn = await accessExecution(first, user);

    // Act: a ceiling the held call cannot meet.
    const report = await stop(first, 100);

    // Assess: the call is journaled as in flight (scheduled and started, no result), and the table has only
    // the claim: the two agree.
    expect(report).toEqual({ finished: 0, inFlight: 1 });
    const disk = await onDisk(dataDir, executionArn, { userId: user, workflow: 'access' });
    expect(disk.status).toBe('RUNNING');
    expect(stateEvents(disk.events, RECORD)).toEqual(['TaskStateEntered', 'TaskScheduled', 'TaskStarted']);
    expect(disk.item).toMatchObject({
      version: { N: '1' },
      status: { S: 'running' },
      step: { S: 'Claimed' },
    });

    // Act
    const second = await start({ beforeTask: watch(calls, 'second', user) });

    // Assess: the write in flight runs again (at-least-once), in the state entered once, and the execution
    // ends as it would have, announcing its step once.
    expect(second.app.resumed).toEqual({ resumed: 1, orphans: [] });
    expect(await ended(second, executionArn)).toMatchObject({ status: 'SUCCEEDED' });
    expect(calls).toEqual(['first:Claim version', `first:${RECORD}`, `second:${RECORD}`, `second:${EMIT}`]);
    const history = await historyOf(second, executionArn);
    expect(history.map((e) => e.id)).toEqual(history.map((_, i) => i + 1));
    const entered = history.filter(
      (e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === RECORD,
    );
    expect(entered).toHaveLength(1);
    expect(emitted(second.app, user).map((e) => e['detail-type'])).toEqual(['User Blocked']);
    const item = await second.app.dynamodb.call<{ Item?: Record<string, unknown> }>('GetItem', {
      TableName: TABLE,
      Key: { userId: { S: user }, workflow: { S: 'access' } },
      ConsistentRead: true,
    });
    expect(item.Item).toMatchObject({ status: { S: 'completed' }, step: { S: 'access blocked' } });
  });

  it('does not wait for a Wait or a callback, and stops a Parallel where each branch is', async () => {
    // Prepare: three branches: a write held in flight, a Wait of an hour, and a callback never sent.
    const user = 'u-stop-parallel';
    const calls: string[] = [];
    const held = gate();
    const first = await start({ beforeTask: watch(calls, 'first', user, { state: 'Slow write', at: held }) });
    const definition = {
      StartAt: 'All three',
      States: {
        'All three': {
          Type: 'Parallel',
          End: true,
          Branches: [
            {
              StartAt: 'Slow write',
              States: {
                'Slow write': {
                  Type: 'Task',
                  Resource: 'arn:aws:states:::dynamodb:updateItem',
                  Parameters: {
                    TableName: TABLE,
                    Key: { userId: { S: user }, workflow: { S: 'stop-test' } },
                    UpdateExpression: 'ADD writes :one',
                    ExpressionAttributeValues: { ':one': { N: '1' } },
                  },
                  ResultPath: null,
                  Next: 'Written',
                },
                Written: { Type: 'Pass', End: true },
              },
            },
            { StartAt: 'An hour', States: { 'An hour': { Type: 'Wait', Seconds: 3600, End: true } } },
            {
              StartAt: 'Ask for a callback',
              States: {
                'Ask for a callback': {
                  Type: 'Task',
                  Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
                  Parameters: {
                    Entries: [
                      {
                        EventBusName: BUS,
                        Source: 'test.stop',
                        DetailType: 'Callback Wanted',
                        Detail: { userId: user, 'token.$': '$$.Task.Token' },
                      },
                    ],
                  },
                  End: true,
                },
              },
            },
          ],
        },
      },
    };
    const machine = first.app.stepFunctions.createLocalStateMachine({
      name: 'stop-test',
      definition: JSON.stringify(definition),
      roleArn: 'arn:aws:iam::000000000000:role/stop-test',
      type: 'STANDARD',
    });
    const execution = first.app.stepFunctions.startExecution(machine.arn, '{}', 'stop-parallel');
    await held.reached;
    await eventually(async () => {
      const types = execution.events.map((e) => e.type);
      return types.includes('WaitStateEntered') && types.includes('TaskSubmitted') ? true : undefined;
    });

    // Act: a ceiling far beyond the test's own timeout: the stop must not wait for the hour or the callback.
    const stopping = stop(first, 3_600_000);
    await eventually(async () => (first.app.stepFunctions.isStopping ? true : undefined));
    held.open();
    const report = await stopping;

    // Assess: the write's result is journaled; the Wait and the callback stopped waiting, recording nothing;
    // the Parallel did not end.
    expect(report).toEqual({ finished: 1, inFlight: 0 });
    const disk = await onDisk(dataDir, execution.executionArn, { userId: user, workflow: 'stop-test' });
    expect(disk.status).toBe('RUNNING');
    const types = disk.events.map((e) => e.type);
    expect(stateEvents(disk.events, 'Slow write').slice(0, 4)).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
    ]);
    expect(stateEvents(disk.events, 'Written')).toEqual([]);
    expect(types.filter((t) => t === 'WaitStateExited' || t.startsWith('Parallel'))).toEqual([
      'ParallelStateEntered',
      'ParallelStateStarted',
    ]);
    expect(types.filter((t) => t === 'TaskSubmitted')).toHaveLength(1);
    expect(disk.item?.writes).toEqual({ N: '1' });

    // Act: start again.
    const second = await start({ beforeTask: watch(calls, 'second', user) });

    // Assess: the execution resumed; the write did not run again; the Wait keeps its hour; the callback
    // waits for the same token, which is still accepted.
    expect(second.app.resumed).toEqual({ resumed: 1, orphans: [] });
    await eventually(async () => {
      const resumed = second.app.stepFunctions.executions.get(execution.executionArn);
      return resumed?.events.some((e) => e.type === 'PassStateExited') ? true : undefined;
    });
    const resumed = second.app.stepFunctions.findExecution(execution.executionArn);
    expect(resumed.status).toBe('RUNNING');
    expect(calls).toEqual(['first:Slow write', 'first:Ask for a callback']);
    const token = String(emitted(second.app, user)[0]?.detail.token);
    expect(emitted(second.app, user)).toHaveLength(1);
    second.app.stepFunctions.sendTaskSuccess(token, '{"answered": true}');
    await eventually(async () =>
      resumed.events.filter((e) => e.type === 'TaskSucceeded').length === 2 ? true : undefined,
    );
    expect(resumed.status).toBe('RUNNING');
    expect(resumed.events.map((e) => e.type)).not.toContain('WaitStateExited');
  });

  it('holds a delivery to a Lambda function that starts while it stops, and makes it at the next start', async () => {
    // Prepare: a stop kept open by a held task call, and a rule whose target is a function (its handler
    // calls the runtime's API, which no longer answers during a stop).
    const user = 'u-stop-lambda';
    const held = gate();
    const first = await start({ beforeTask: watch([], 'first', user, { state: RECORD, at: held }) });
    const rule = first.app.eventBridge.rules.find(
      (r) =>
        r.targets.some((t) => t.Arn.includes(':lambda:')) &&
        Object.keys(JSON.parse(r.patternJson)).length === 2,
    );
    const pattern = JSON.parse(rule?.patternJson ?? '{}') as { source: string[]; 'detail-type': string[] };
    const functionArn = rule?.targets.find((t) => t.Arn.includes(':lambda:'))?.Arn;
    const invoke = jest.spyOn(first.app.lambdas, 'invoke');
    await clients(first.url).events.send(new PutEventsCommand({ Entries: [access(user, 1, true)] }));
    await held.reached;
    const stopping = stop(first, 600_000);
    await eventually(async () => (first.app.stepFunctions.isStopping ? true : undefined));

    // Act: an event for the function is accepted during the stop (in process: the API no longer answers).
    const put = first.app.eventBridge.putEvents([
      {
        Source: pattern.source[0],
        DetailType: pattern['detail-type'][0],
        Detail: JSON.stringify({ note: 'put while stopping' }),
        EventBusName: BUS,
      },
    ]);
    const eventId = (put.Entries[0] as { EventId: string }).EventId;
    await new Promise((resolve) => setImmediate(resolve));
    held.open();
    await stopping;

    // Assess: the function was not called; the event is kept as not delivered to all its targets.
    expect(functionArn).toBeDefined();
    expect(invoke).not.toHaveBeenCalled();
    const messages = new MessageStore(dataDir);
    const unsettled = messages.records().unsettled.map((r) => r.event.id);
    messages.close();
    expect(unsettled).toContain(eventId);

    // Act
    const second = await start({});

    // Assess: the next start delivers it to the function.
    await eventually(async () => {
      const record = second.app.eventBridge.records.find((r) => r.event.id === eventId);
      return record?.deliveries.some((d) => d.target === functionArn && d.attempts > 0) ? true : undefined;
    });
  });
});
