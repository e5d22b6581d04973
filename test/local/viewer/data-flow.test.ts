/**
 * The advanced view's stages, worked out again from real histories. The stages are those of the Step
 * Functions developer guide's "Input and output processing" (InputPath, then Parameters; ResultSelector,
 * then ResultPath, then OutputPath) and of TestState's InspectionData (API reference: input,
 * afterInputPath, afterParameters, result, afterResultSelector, afterResultPath; afterArguments under
 * JSONata). What counts is that every state's recomputed output is the output its history recorded.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { LocalApp } from '../../../local/app';
import { StatesError } from '../../../local/stepfunctions/engine/errors';
import { type DataFlow, dataFlow, type FlowMachine } from '../../../local/viewer/data-flow';
import { runAsl } from '../../support/asl';
import { historyOf } from '../../support/history';
import { applicants, emitted, executionsOf, put, requestAccount, startApp } from '../../support/local';

/** Polls `read` until `done` holds for what it read (a generous ceiling, not a budget: 60 s). */
async function until<T>(read: () => T, done: (value: T) => boolean): Promise<T> {
  for (const deadline = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 5))) {
    const value = read();
    if (done(value) || Date.now() > deadline) return value;
  }
}

const enteredNames = (history: readonly HistoryEvent[]) => [
  ...new Set(
    history.flatMap((e) => (e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : [])),
  ),
];

/** The data flow of every state the history entered, by name. */
async function flowsOf(
  history: readonly HistoryEvent[],
  definition: FlowMachine,
  executionArn?: string,
): Promise<Map<string, DataFlow>> {
  const flows = new Map<string, DataFlow>();
  for (const name of enteredNames(history)) {
    const flow = await dataFlow({ history, name, definition, ...(executionArn ? { executionArn } : {}) });
    if (!flow) throw new Error(`no data flow for ${name}`);
    flows.set(name, flow);
  }
  return flows;
}

/** What every exited state's flow must show: its recomputed output is the recorded one. */
function expectOutputsRecomputed(flows: Map<string, DataFlow>, ended: (name: string) => boolean) {
  for (const [name, flow] of flows) {
    if (!ended(name)) continue;
    expect({ name, verdict: flow.verdict, stages: flow.stages }).toEqual(
      expect.objectContaining({ name, verdict: 'equal' }),
    );
    expect(flow.computedOutput).toEqual(flow.recordedOutput);
    // No stage differs from what the history recorded for it.
    expect(flow.stages.filter((s) => 'recorded' in s && s.recorded !== undefined)).toEqual([]);
  }
}

describe('dataFlow over the app workflows', () => {
  let app: LocalApp;
  afterEach(() => app.stop());

  const definitionOf = (stateMachineArn: string): FlowMachine =>
    JSON.parse(
      app.stepFunctions.stateMachines.get(stateMachineArn)?.definitionString ?? 'null',
    ) as FlowMachine;

  it('recomputes the recorded output of every state of an approved KYC run and of its onboarding', async () => {
    // Prepare
    app = await startApp();
    requestAccount(app, 'u-data-flow');

    // Act
    await app.settle();
    const [kyc] = executionsOf(app, 'kyc');
    const [onboarding] = executionsOf(app, 'onboarding');

    // Assess
    expect(kyc?.status).toBe('SUCCEEDED');
    expect(onboarding?.status).toBe('SUCCEEDED');
    for (const execution of [kyc, onboarding]) {
      const history = historyOf(app, execution);
      const flows = await flowsOf(
        history,
        definitionOf(execution?.stateMachineArn ?? ''),
        execution?.executionArn,
      );
      expect(flows.size).toBeGreaterThan(5);
      expectOutputsRecomputed(flows, () => true);
    }
  });

  it('recomputes a caught emit: its parameters, the error its last attempt recorded, the Catch ResultPath', async () => {
    // Prepare: every put of a User Blocked entry fails with a FailedEntry, so the emit is caught and parked.
    app = await startApp();
    app.eventBridge.faults.push({
      remaining: Number.POSITIVE_INFINITY,
      errorCode: 'InternalFailure',
      detailType: 'User Blocked',
    });
    put(app, 'app.identity', 'User Access Changed', {
      userId: 'u-data-flow-parked',
      version: 1,
      blocked: true,
    });

    // Act
    await app.settle();
    const [execution] = executionsOf(app, 'access-change');
    const history = historyOf(app, execution);
    const flows = await flowsOf(
      history,
      definitionOf(execution?.stateMachineArn ?? ''),
      execution?.executionArn,
    );

    // Assess: every state that exited, the caught one included (the second emit failed and never exited).
    const exited = new Set(history.flatMap((e) => e.stateExitedEventDetails?.name ?? []));
    expectOutputsRecomputed(flows, (name) => exited.has(name));
    const emit = flows.get('Emit User Blocked');
    // The error of its last attempt: the last TaskFailed before it exited.
    const lastFailure = history.findLast(
      (e) => e.type === 'TaskFailed' && (e.id ?? 0) < (emit?.exitedEventId ?? 0),
    )?.taskFailedEventDetails;
    expect(emit?.stages.map((s) => [s.label, s.status])).toEqual([
      ['State input', 'recorded'],
      ['After InputPath', 'unchanged'],
      ['After Parameters (what the task was called with)', 'computed'],
      ['Error output (EventBridge.FailedEntry)', 'recorded'],
      ["After the Catch's ResultPath (the state output)", 'computed'],
    ]);
    expect(lastFailure?.error).toBe('EventBridge.FailedEntry');
    expect(emit?.stages[3]?.value).toEqual({ Error: lastFailure?.error, Cause: lastFailure?.cause });
    expect(flows.get('Emit User Blocked again')?.verdict).toBe('unknown');
  });

  it('recomputes a KYC run through manual review, where the emit that waits reads its task token', async () => {
    // Prepare: a medium-risk applicant waits for a reviewer's decision.
    app = await startApp();
    requestAccount(app, 'u-data-flow-review', { ...applicants.approved, country: 'BR' });
    const announced = await until(
      () => emitted(app, 'u-data-flow-review').find((e) => e['detail-type'] === 'Manual Review Required'),
      (e) => e !== undefined,
    );
    const [kyc] = executionsOf(app, 'kyc');
    const waiting = historyOf(app, kyc);
    const definition = definitionOf(kyc?.stateMachineArn ?? '');
    const waitingName = enteredNames(waiting).at(-1) ?? '';
    const whileWaiting = await dataFlow({ history: waiting, name: waitingName, definition });
    const taskToken = String(announced?.detail.taskToken);
    const token = JSON.parse(
      waiting.findLast((e) => e.taskScheduledEventDetails)?.taskScheduledEventDetails?.parameters ?? '{}',
    );

    // Act: the reviewer approves.
    app.stepFunctions.sendTaskSuccess(taskToken, JSON.stringify({ decision: 'approved', reviewer: 'r-1' }));
    await app.settle();
    const history = historyOf(app, kyc);
    const flows = await flowsOf(history, definition, kyc?.executionArn);

    // Assess: while it waited, nothing to compare; once done, every output recomputed.
    expect(whileWaiting?.verdict).toBe('unknown');
    expect(kyc?.status).toBe('SUCCEEDED');
    expect(JSON.stringify(token)).toContain(taskToken);
    expectOutputsRecomputed(flows, () => true);
    // The parameters are the recorded ones: the token is in them, and not in the history otherwise.
    expect(flows.get(waitingName)?.stages.find((s) => s.field?.name === 'Parameters')).toMatchObject({
      status: 'recorded',
      value: token,
      note: expect.stringContaining('$$.Task.Token, which the history does not carry'),
    });
  });

  it('says which stage it cannot recompute without the execution ARN, and still recomputes the output', async () => {
    // Prepare
    app = await startApp();
    requestAccount(app, 'u-data-flow-no-arn');
    await app.settle();
    const [kyc] = executionsOf(app, 'kyc');
    const history = historyOf(app, kyc);

    // Act: no executionArn, so $$.Execution.Id (the claim's condition reads it) is not known.
    const flow = await dataFlow({
      history,
      name: 'Claim version',
      definition: definitionOf(kyc?.stateMachineArn ?? ''),
    });

    // Assess: the parameters are the recorded ones, and the view says why.
    const parameters = flow?.stages.find((s) => s.field?.name === 'Parameters');
    const scheduled = history.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails?.parameters;
    expect(parameters).toMatchObject({
      status: 'recorded',
      value: JSON.parse(scheduled ?? ''),
      note: expect.stringContaining('$$.Execution.Id, which the history does not carry'),
    });
    expect(flow?.verdict).toBe('equal');
  });
});

describe('dataFlow over JSONPath definitions', () => {
  const task = 'arn:aws:states:::lambda:invoke';

  it('recomputes InputPath, Parameters, ResultSelector, ResultPath and OutputPath in that order', async () => {
    // Prepare
    const definition = {
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: task,
          InputPath: '$.order',
          Parameters: { 'id.$': '$.id', 'twice.$': 'States.MathAdd($.n, $.n)', 'state.$': '$$.State.Name' },
          ResultSelector: { 'total.$': '$.Payload.total' },
          ResultPath: '$.order.priced',
          OutputPath: '$.order',
          End: true,
        },
      },
    };
    const run = await runAsl(
      definition,
      { order: { id: 'o-1', n: 2 }, other: true },
      {
        tasks: { [task]: (p) => ({ Payload: { total: 42, echo: p } }) },
      },
    );

    // Act
    const flow = await dataFlow({ history: run.history, name: 'Call', definition });

    // Assess
    expect(flow?.stages.map((s) => [s.field?.name ?? s.label, s.value])).toEqual([
      ['State input', { order: { id: 'o-1', n: 2 }, other: true }],
      ['InputPath', { id: 'o-1', n: 2 }],
      ['Parameters', { id: 'o-1', twice: 4, state: 'Call' }],
      ['Task result', { Payload: { total: 42, echo: { id: 'o-1', twice: 4, state: 'Call' } } }],
      ['ResultSelector', { total: 42 }],
      ['ResultPath', { order: { id: 'o-1', n: 2, priced: { total: 42 } }, other: true }],
      ['OutputPath', { id: 'o-1', n: 2, priced: { total: 42 } }],
    ]);
    expect(flow?.verdict).toBe('equal');
    expect(run.output).toEqual(flow?.computedOutput);
  });

  it('fails the comparison when the definition says otherwise than what ran', async () => {
    // Prepare: the run used ResultPath $.r; the definition given to the view says $.s.
    const definition = {
      StartAt: 'Set',
      States: { Set: { Type: 'Pass', Result: 1, ResultPath: '$.r', End: true } },
    };
    const run = await runAsl(definition, {});
    const wrong = { ...definition, States: { Set: { ...definition.States.Set, ResultPath: '$.s' } } };

    // Act
    const flow = await dataFlow({ history: run.history, name: 'Set', definition: wrong });

    // Assess
    expect(flow).toMatchObject({ verdict: 'differs', recordedOutput: { r: 1 }, computedOutput: { s: 1 } });
  });

  it('recomputes a Map from its items, each iteration input, and each iteration output in order', async () => {
    // Prepare
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemSelector: { 'value.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'tag.$': '$.tag' },
          ItemProcessor: {
            StartAt: 'Double',
            States: {
              Double: {
                Type: 'Pass',
                Parameters: { 'doubled.$': 'States.MathAdd($.value, $.value)' },
                End: true,
              },
            },
          },
          ResultSelector: { 'all.$': '$[*].doubled' },
          ResultPath: '$.result',
          End: true,
        },
      },
    };
    const run = await runAsl(definition, { items: [1, 2, 3], tag: 't' });

    // Act
    const flow = await dataFlow({ history: run.history, name: 'Each', definition });
    const double = await dataFlow({ history: run.history, name: 'Double', definition });

    // Assess
    const value = (name: string) =>
      flow?.stages.find((s) => s.field?.name === name || s.label === name)?.value;
    expect(value('ItemsPath')).toEqual([1, 2, 3]);
    expect(value('ItemSelector')).toEqual([0, 1, 2].map((i) => ({ value: i + 1, index: i, tag: 't' })));
    expect(value('Result (each iteration output)')).toEqual([{ doubled: 2 }, { doubled: 4 }, { doubled: 6 }]);
    expect(flow).toMatchObject({
      verdict: 'equal',
      computedOutput: { items: [1, 2, 3], tag: 't', result: { all: [2, 4, 6] } },
    });
    // The Pass inside: its latest iteration.
    expect(double?.verdict).toBe('equal');
  });

  it('does not guess a stage that reads a variable: it says so, and leaves the output uncompared', async () => {
    // Prepare
    const definition = {
      StartAt: 'Remember',
      States: {
        Remember: { Type: 'Pass', Assign: { 'greeting.$': '$.hello' }, Next: 'Use' },
        Use: { Type: 'Pass', Parameters: { 'said.$': '$greeting' }, End: true },
      },
    };
    const run = await runAsl(definition, { hello: 'hi' });

    // Act
    const remember = await dataFlow({ history: run.history, name: 'Remember', definition });
    const use = await dataFlow({ history: run.history, name: 'Use', definition });

    // Assess: Assign is recomputed and equals what the Exited event says was assigned.
    expect(remember?.stages.find((s) => s.field?.name === 'Assign')).toMatchObject({
      status: 'computed',
      value: { greeting: 'hi' },
    });
    expect(remember?.verdict).toBe('equal');
    expect(use?.stages.find((s) => s.field?.name === 'Parameters')).toMatchObject({
      status: 'unavailable',
      note: expect.stringContaining('the variable $greeting, which the history does not carry'),
    });
    expect(use?.verdict).toBe('unknown');
    expect(use?.recordedOutput).toEqual({ said: 'hi' });
  });

  it('recomputes a caught Task from its error and the Catch that matched', async () => {
    // Prepare
    const definition = {
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: task,
          Catch: [
            { ErrorEquals: ['Other'], ResultPath: '$.other', Next: 'Done' },
            { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Done' },
          ],
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    };
    const run = await runAsl(
      definition,
      { a: 1 },
      {
        tasks: {
          [task]: () => {
            throw new StatesError('Boom', 'it broke');
          },
        },
      },
    );

    // Act
    const flow = await dataFlow({ history: run.history, name: 'Call', definition });

    // Assess
    expect(flow?.stages.at(-2)).toMatchObject({
      label: 'Error output (Boom)',
      value: { Error: 'Boom', Cause: 'it broke' },
    });
    expect(flow?.stages.at(-1)).toMatchObject({ field: { name: 'Catch ResultPath', value: '$.failure' } });
    expect(flow).toMatchObject({
      verdict: 'equal',
      computedOutput: { a: 1, failure: { Error: 'Boom', Cause: 'it broke' } },
    });
  });
});

describe('dataFlow over JSONata definitions', () => {
  const task = 'arn:aws:states:::lambda:invoke';

  it('recomputes Arguments, the result, Output and Assign', async () => {
    // Prepare
    const definition = {
      QueryLanguage: 'JSONata',
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: task,
          Arguments: {
            sum: '{% $states.input.a + $states.input.b %}',
            name: '{% $states.context.State.Name %}',
          },
          Output: { total: '{% $states.result.Payload.sum %}', was: '{% $states.input %}' },
          Assign: { last: '{% $states.result.Payload.sum %}' },
          Next: 'Shape',
        },
        Shape: { Type: 'Pass', Output: '{% $merge([$states.input, {"shaped": true}]) %}', End: true },
      },
    };
    const run = await runAsl(definition, { a: 2, b: 3 }, { tasks: { [task]: (p) => ({ Payload: p }) } });

    // Act
    const call = await dataFlow({ history: run.history, name: 'Call', definition });
    const shape = await dataFlow({ history: run.history, name: 'Shape', definition });

    // Assess
    expect(call?.language).toBe('JSONata');
    expect(call?.stages.map((s) => [s.field?.name ?? s.label, s.status, s.value])).toEqual([
      ['State input', 'recorded', { a: 2, b: 3 }],
      ['Arguments', 'computed', { sum: 5, name: 'Call' }],
      ['Task result', 'recorded', { Payload: { sum: 5, name: 'Call' } }],
      ['Output', 'computed', { total: 5, was: { a: 2, b: 3 } }],
      ['Assign', 'computed', { last: 5 }],
    ]);
    expect(call?.verdict).toBe('equal');
    expect(shape).toMatchObject({
      verdict: 'equal',
      computedOutput: { total: 5, was: { a: 2, b: 3 }, shaped: true },
    });
  });

  it('does not guess an Output that reads a variable', async () => {
    // Prepare
    const definition = {
      QueryLanguage: 'JSONata',
      StartAt: 'Remember',
      States: {
        Remember: { Type: 'Pass', Assign: { seen: '{% $states.input.x %}' }, Next: 'Use' },
        Use: {
          Type: 'Pass',
          Output: '{% ($double := function($v) { $v * 2 }; $double($seen)) %}',
          End: true,
        },
      },
    };
    const run = await runAsl(definition, { x: 4 });

    // Act
    const use = await dataFlow({ history: run.history, name: 'Use', definition });

    // Assess: $double is its own, $seen is the workflow's.
    expect(use?.stages.find((s) => s.field?.name === 'Output')).toMatchObject({
      status: 'unavailable',
      note: expect.stringContaining('the variable $seen, which'),
    });
    expect(use?.verdict).toBe('unknown');
    expect(run.output).toBe(8);
  });
});
