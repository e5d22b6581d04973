import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { IntegrationServices } from '../../../local/stepfunctions/integrations';
import { toHistoryEvent } from '../../../local/stepfunctions/journal/history';
import { type Execution, LocalStepFunctions } from '../../../local/stepfunctions/service';
import { stateRuns } from '../../../local/viewer/state-runs';
import { checkOutput, timeLeft, tokenIn, waitingTasks } from '../../../local/viewer/waiting-tasks';

const SQS_CALLBACK = 'arn:aws:states:::sqs:sendMessage.waitForTaskToken';
const EVENTS_CALLBACK = 'arn:aws:states:::events:putEvents.waitForTaskToken';
const QUEUE = 'http://127.0.0.1:4010/000000000000/reviews';

/** The interpreter alone, its callback Tasks bound to handlers that record what they were sent. */
function interpreter() {
  const sent: Record<string, unknown>[] = [];
  const record = (parameters: unknown) => {
    sent.push(parameters as Record<string, unknown>);
    return { MessageId: `m-${sent.length}` };
  };
  const sfn = new LocalStepFunctions([], {} as IntegrationServices, {
    retryDelayMs: 0,
    waitDelayMs: 0,
    tasks: { [SQS_CALLBACK]: record, [EVENTS_CALLBACK]: () => ({ Entries: [{ EventId: 'e' }] }) },
  });
  return { sfn, sent };
}

/** The token a handler was sent in its message body (the `n`th call). */
const tokenSent = (sent: Record<string, unknown>[], n = 0) =>
  (sent[n]?.MessageBody as { taskToken?: string } | undefined)?.taskToken;

let machines = 0;
const started: { sfn: LocalStepFunctions; execution: Execution }[] = [];

function start(sfn: LocalStepFunctions, definition: object, input: unknown = {}): Execution {
  const machine = sfn.createStateMachine({
    name: `waiting-${++machines}`,
    definition: JSON.stringify(definition),
  });
  const execution = sfn.startExecution(machine.arn, JSON.stringify(input));
  started.push({ sfn, execution });
  return execution;
}

/** The history as GetExecutionHistory gives it, once `done` holds for it (polled, with a generous ceiling). */
async function historyWhen(
  execution: Execution,
  done: (history: HistoryEvent[]) => boolean,
): Promise<HistoryEvent[]> {
  for (const deadline = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 10))) {
    const history = execution.events.map((e) => toHistoryEvent(e));
    if (done(history)) return history;
    if (Date.now() > deadline) throw new Error(`not reached: ${history.map((e) => e.type).join(', ')}`);
  }
}

const count =
  (type: string, n = 1) =>
  (history: HistoryEvent[]) =>
    history.filter((e) => e.type === type).length >= n;
const eventOf = (history: HistoryEvent[], type: string) => history.find((e) => e.type === type);

/** One sqs:sendMessage.waitForTaskToken state, its token in the message body. */
const reviewMachine = (state: object = {}) => ({
  StartAt: 'Wait for review',
  States: {
    'Wait for review': {
      Type: 'Task',
      Resource: SQS_CALLBACK,
      Parameters: { QueueUrl: QUEUE, MessageBody: { 'taskToken.$': '$$.Task.Token', 'user.$': '$.user' } },
      TimeoutSeconds: 3600,
      End: true,
      ...state,
    },
  },
});

afterEach(async () => {
  for (const { sfn, execution } of started.splice(0))
    if (execution.status === 'RUNNING') await sfn.stopExecution(execution.executionArn);
});

describe('waitingTasks', () => {
  it('finds a task waiting for its token, with the token the task sent and its deadlines', async () => {
    // Prepare
    const { sfn, sent } = interpreter();
    const definition = reviewMachine({ HeartbeatSeconds: 600 });
    const execution = start(sfn, definition, { user: 'u-1' });

    // Act
    const history = await historyWhen(execution, count('TaskSubmitted'));
    const waiting = waitingTasks(history, JSON.stringify(definition));

    // Assess
    const scheduled = eventOf(history, 'TaskScheduled') as HistoryEvent;
    const submitted = eventOf(history, 'TaskSubmitted') as HistoryEvent;
    const token = tokenSent(sent);
    expect(token).toEqual(expect.any(String));
    expect(waiting).toEqual([
      {
        stateName: 'Wait for review',
        scheduledEventId: scheduled.id,
        resource: 'sqs:sendMessage.waitForTaskToken',
        scheduledAt: scheduled.timestamp,
        submittedAt: submitted.timestamp,
        timeoutSeconds: 3600,
        heartbeatSeconds: 600,
        deadline: new Date((scheduled.timestamp?.getTime() ?? 0) + 3600_000),
        heartbeatDeadline: new Date((submitted.timestamp?.getTime() ?? 0) + 600_000),
        token,
        tokenPath: 'MessageBody.taskToken',
      },
    ]);
    // The state is in progress in the graph's colours, which the page draws waiting.
    expect(stateRuns(history).get('Wait for review')?.status).toBe('in-progress');
  });

  it('finds nothing waiting once the token has been sent, and the task succeeded with the output', async () => {
    // Prepare
    const { sfn, sent } = interpreter();
    const definition = reviewMachine();
    const execution = start(sfn, definition, { user: 'u-2' });
    const before = await historyWhen(execution, count('TaskSubmitted'));
    const [task] = waitingTasks(before, definition);

    // Act
    sfn.sendTaskSuccess(task?.token as string, '{"approved":true}');
    await execution.done;
    const after = execution.events.map((e) => toHistoryEvent(e));

    // Assess
    expect(task?.token).toBe(tokenSent(sent));
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output ?? '')).toEqual({ approved: true });
    expect(waitingTasks(after, definition)).toEqual([]);
  });

  it('finds a task whose call is still in flight, not yet submitted, and so without a heartbeat deadline', async () => {
    // Prepare: the SQS call does not answer until the test lets it.
    let answer: (value: unknown) => void = () => {};
    const sfn = new LocalStepFunctions([], {} as IntegrationServices, {
      tasks: { [SQS_CALLBACK]: () => new Promise((resolve) => (answer = resolve)) },
    });
    const definition = reviewMachine({ HeartbeatSeconds: 60 });
    const execution = start(sfn, definition, { user: 'u-3' });

    // Act
    const history = await historyWhen(execution, count('TaskStarted'));
    const [task] = waitingTasks(history, definition);

    // Assess
    expect(task?.stateName).toBe('Wait for review');
    expect(task?.submittedAt).toBeUndefined();
    expect(task?.heartbeatDeadline).toBeUndefined();
    expect(task?.deadline).toEqual(expect.any(Date));
    expect(task?.token).toEqual(expect.any(String));
    answer({ MessageId: 'm' });
  });

  it('reads the token of a JSONata task from its Arguments, inside an array', async () => {
    // Prepare
    const { sfn } = interpreter();
    const definition = {
      QueryLanguage: 'JSONata',
      StartAt: 'Ask a reviewer',
      States: {
        'Ask a reviewer': {
          Type: 'Task',
          Resource: EVENTS_CALLBACK,
          Arguments: {
            Entries: [
              {
                Source: 'app.kyc',
                DetailType: 'Review Requested',
                Detail: { taskToken: '{% $states.context.Task.Token %}', userId: '{% $states.input.user %}' },
              },
            ],
          },
          End: true,
        },
      },
    };
    const execution = start(sfn, definition, { user: 'u-4' });

    // Act
    const history = await historyWhen(execution, count('TaskSubmitted'));
    const [task] = waitingTasks(history, definition);

    // Assess
    const parameters = JSON.parse(
      eventOf(history, 'TaskScheduled')?.taskScheduledEventDetails?.parameters ?? '',
    );
    expect(task?.tokenPath).toBe('Entries[0].Detail.taskToken');
    expect(task?.token).toBe(parameters.Entries[0].Detail.taskToken);
    expect(task?.resource).toBe('events:putEvents.waitForTaskToken');
    // No TimeoutSeconds: no deadline.
    expect(task?.deadline).toBeUndefined();
    expect(task?.timeoutSeconds).toBeUndefined();
  });

  it('finds a task waiting in each Map iteration, each with its own token, until its own is sent', async () => {
    // Prepare
    const { sfn, sent } = interpreter();
    const definition = {
      StartAt: 'Each user',
      States: {
        'Each user': {
          Type: 'Map',
          ItemsPath: '$.users',
          ItemProcessor: reviewMachine(),
          End: true,
        },
      },
    };
    const execution = start(sfn, definition, { users: [{ user: 'a' }, { user: 'b' }] });
    const history = await historyWhen(execution, count('TaskSubmitted', 2));

    // Act
    const waiting = waitingTasks(history, definition);
    const first = waiting[0];
    sfn.sendTaskSuccess(first?.token as string, '{}');
    const after = await historyWhen(execution, count('TaskSucceeded'));

    // Assess
    const tokens = sent.map((_, i) => tokenSent(sent, i));
    expect(waiting.map((t) => t.stateName)).toEqual(['Wait for review', 'Wait for review']);
    expect(new Set(waiting.map((t) => t.token))).toEqual(new Set(tokens));
    expect(tokens).toHaveLength(2);
    const left = waitingTasks(after, definition);
    expect(left.map((t) => t.scheduledEventId)).toEqual([waiting[1]?.scheduledEventId]);
  });

  it('finds the retry waiting, not the attempt that timed out', async () => {
    // Prepare: the first attempt times out after a second; the retry waits.
    const { sfn } = interpreter();
    const definition = reviewMachine({
      TimeoutSeconds: 1,
      Retry: [{ ErrorEquals: ['States.Timeout'], MaxAttempts: 1, IntervalSeconds: 1 }],
    });
    const execution = start(sfn, definition, { user: 'u-5' });

    // Act
    const history = await historyWhen(execution, count('TaskSubmitted', 2));
    const waiting = waitingTasks(history, definition);

    // Assess
    const scheduled = history.filter((e) => e.type === 'TaskScheduled');
    expect(history.map((e) => e.type)).toContain('TaskTimedOut');
    expect(waiting.map((t) => t.scheduledEventId)).toEqual([scheduled[1]?.id]);
    expect(waiting[0]?.timeoutSeconds).toBe(1);
  });

  it('finds nothing waiting in a stopped execution', async () => {
    // Prepare
    const { sfn } = interpreter();
    const definition = reviewMachine();
    const execution = start(sfn, definition, { user: 'u-6' });
    await historyWhen(execution, count('TaskSubmitted'));

    // Act
    await sfn.stopExecution(execution.executionArn);
    const history = execution.events.map((e) => toHistoryEvent(e));

    // Assess
    expect(execution.status).toBe('ABORTED');
    expect(waitingTasks(history, definition)).toEqual([]);
  });

  it('finds a waiting task whose token is inside a longer string, without its token', async () => {
    // Prepare: the token is part of a formatted string, which the page cannot take apart.
    const { sfn } = interpreter();
    const definition = reviewMachine({
      Parameters: { QueueUrl: QUEUE, 'MessageBody.$': "States.Format('token={}', $$.Task.Token)" },
    });
    const execution = start(sfn, definition, { user: 'u-7' });

    // Act
    const history = await historyWhen(execution, count('TaskSubmitted'));
    const [task] = waitingTasks(history, definition);

    // Assess
    expect(task?.stateName).toBe('Wait for review');
    expect(task?.token).toBeUndefined();
    expect(task?.tokenPath).toBeUndefined();
  });
});

describe('tokenIn', () => {
  it('reads the token where a Parameters field takes $$.Task.Token, inside arrays too', () => {
    // Act
    const found = tokenIn(
      { Parameters: { Entries: [{ Detail: { 'token.$': '$$.Task.Token', note: 'x' } }] } },
      JSON.stringify({ Entries: [{ Detail: { token: 'abc', note: 'x' } }] }),
    );
    // Assess
    expect(found).toEqual({ token: 'abc', tokenPath: 'Entries[0].Detail.token' });
  });

  it('finds no token where the template has none, or the parameters are not JSON', () => {
    // Act, Assess
    expect(tokenIn({ Parameters: { 'a.$': '$.token' } }, '{"a":"abc"}')).toBeUndefined();
    expect(tokenIn({ Parameters: { 'a.$': '$$.Task.Token' } }, 'not json')).toBeUndefined();
    expect(tokenIn(undefined, '{}')).toBeUndefined();
  });
});

describe('timeLeft', () => {
  it('counts down to the second, in hours, minutes and seconds', () => {
    // Prepare
    const now = Date.parse('2026-12-01T10:00:00.000Z');
    const at = (ms: number) => new Date(now + ms);
    // Act, Assess
    expect(timeLeft(at(3600_000), now)).toBe('1 h 0 min 0 s');
    expect(timeLeft(at(3599_000), now)).toBe('59 min 59 s');
    expect(timeLeft(at(12_300), now)).toBe('13 s');
    expect(timeLeft(at(7_265_000), now)).toBe('2 h 1 min 5 s');
  });

  it('says nothing is left once the deadline has passed', () => {
    const now = Date.now();
    expect(timeLeft(new Date(now), now)).toBeUndefined();
    expect(timeLeft(new Date(now - 5000), now)).toBeUndefined();
  });
});

describe('checkOutput', () => {
  it('accepts any one JSON document', () => {
    for (const text of ['{}', '{"approved":true}', '[1,2]', '"yes"', '3', 'null'])
      expect(checkOutput(text)).toEqual({ ok: true });
  });

  it('rejects what is not JSON, with the parser message', () => {
    for (const text of ['', '{', "{'a':1}", '{} {}', 'approved']) {
      const checked = checkOutput(text);
      expect(checked.ok).toBe(false);
      if (!checked.ok) expect(checked.message).not.toBe('');
    }
  });
});
