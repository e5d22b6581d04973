import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalApp } from '../../local/app';
import { AwsError, UnsupportedTemplateError } from '../../local/errors';
import { thrownBy } from '../support/errors';
import { BUS, executionsOf, put, startApp, stored } from '../support/local';
import { assemblyDir, readTemplate, stackName, type Template } from '../support/synth';

type JoinPart = string | Record<string, unknown>;
type State = {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  Branches?: Definition[];
  ItemProcessor?: Definition;
  Iterator?: Definition;
};
type Definition = { States: Record<string, State> };

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A cloud assembly holding `template` beside (links to) the test run's bundled function code. */
function assemblyWith(template: Template): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-app-'));
  dirs.push(dir);
  for (const entry of readdirSync(assemblyDir).filter((e) => e.startsWith('asset.')))
    symlinkSync(join(assemblyDir, entry), join(dir, entry), 'dir');
  writeFileSync(join(dir, `${stackName}.template.json`), JSON.stringify(template));
  return dir;
}

function stateMachineId(template: Template, name: string): string {
  const entry = Object.entries(template.Resources).find(
    ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties.StateMachineName === name,
  );
  if (!entry) throw new Error(`No state machine named ${name} in the template.`);
  return entry[0];
}

/** The Fn::Join parts CDK builds a state machine's DefinitionString from. */
function definitionParts(template: Template, logicalId: string): JoinPart[] {
  const definition = template.Resources[logicalId]?.Properties.DefinitionString;
  return (definition as { 'Fn::Join': [string, JoinPart[]] })['Fn::Join'][1];
}

/** The name of the first Task state (at any depth) the predicate holds for. */
function findTask(definition: Definition, predicate: (state: State) => boolean): string | undefined {
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Task' && predicate(state)) return name;
    const nested = [...(state.Branches ?? []), state.ItemProcessor ?? state.Iterator].filter(
      (d): d is Definition => d !== undefined,
    );
    for (const d of nested) {
      const found = findTask(d, predicate);
      if (found) return found;
    }
  }
  return undefined;
}

/** The definition as the runtime sees it, with every Ref/GetAtt part replaced by a placeholder. */
function definitionOf(parts: JoinPart[]): Definition {
  return JSON.parse(
    parts.map((p) => (typeof p === 'string' ? p : p.Ref === 'AWS::Partition' ? 'aws' : 'x')).join(''),
  );
}

describe('LocalApp.start', () => {
  it('fails startup when a Task resource has no local implementation, naming it', async () => {
    // Prepare
    const template = readTemplate();
    const machine = stateMachineId(template, `${BUS}-access-change`);
    const parts = definitionParts(template, machine);
    const index = parts.findIndex((p) => typeof p === 'string' && p.startsWith(':states:::sqs:sendMessage"'));
    parts[index] = (parts[index] as string).replace(':states:::sqs:sendMessage"', ':states:::s3:putObject"');
    const state = findTask(definitionOf(parts), (s) => s.Resource === 'arn:aws:states:::s3:putObject');

    // Act
    const started = LocalApp.start({ assemblyDir: assemblyWith(template), retryDelayMs: 0 });

    // Assess
    expect(state).toBeDefined();
    await expect(started).rejects.toThrow(UnsupportedTemplateError);
    await expect(started).rejects.toThrow(
      `${machine} state '${state}': Task resource arn:aws:states:::s3:putObject has no local implementation.`,
    );
  });

  it('fails startup when a lambda:invoke FunctionName is not in the template', async () => {
    // Prepare
    const template = readTemplate();
    const machine = stateMachineId(template, `${BUS}-kyc`);
    const parts = definitionParts(template, machine);
    const missing = 'arn:aws:lambda:us-east-1:000000000000:function:not-deployed';
    const index = parts.findIndex((p) => typeof p !== 'string' && 'Fn::GetAtt' in p);
    const previous = parts[index - 1];
    parts[index] = missing;
    const state = findTask(definitionOf(parts), (s) => s.Parameters?.FunctionName === missing);

    // Act
    const started = LocalApp.start({ assemblyDir: assemblyWith(template), retryDelayMs: 0 });

    // Assess
    expect(previous).toMatch(/"FunctionName":"$/);
    expect(state).toBeDefined();
    await expect(started).rejects.toThrow(UnsupportedTemplateError);
    await expect(started).rejects.toThrow(
      `${machine} state '${state}': function ${missing} is not in the template.`,
    );
  });

  it('starts from an unmodified copy of the assembly', async () => {
    // Prepare
    const dir = assemblyWith(readTemplate());

    // Act
    const app = await LocalApp.start({ assemblyDir: dir, retryDelayMs: 0 });

    // Assess
    try {
      expect(app.stepFunctions.stateMachines.size).toBe(3);
    } finally {
      await app.stop();
    }
  });

  it('has the tables ready as soon as it has started', async () => {
    // Prepare: dynalite makes a created table ACTIVE a moment later (the bench once hit the gap).
    const app = await startApp();

    // Act
    const trigger = {
      id: 'e-first',
      source: 'app.identity',
      'detail-type': 'User Access Changed',
      time: '2026-01-01T00:00:00Z',
      detail: { userId: 'u-first', version: 1, blocked: true },
    };
    const execution = app.stepFunctions.startExecution(
      `arn:aws:states:us-east-1:000000000000:stateMachine:${BUS}-access-change`,
      JSON.stringify(trigger),
    );
    await execution.done;

    // Assess
    try {
      expect([execution.status, execution.error]).toEqual(['SUCCEEDED', undefined]);
    } finally {
      await app.stop();
    }
  });
});

describe('LocalStepFunctions', () => {
  let app: LocalApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(() => app.stop());

  const accessMachine = () => app.resource('AWS::StepFunctions::StateMachine', 'AccessStateMachine').ref;
  const accessInput = (userId: string) =>
    JSON.stringify({ id: `event-${userId}`, detail: { userId, version: 1, blocked: true } });

  it('gives an execution its executionArn as $$.Execution.Id and its start date as $$.Execution.StartTime', async () => {
    // Prepare
    put(app, 'app.identity', 'User Access Changed', { userId: 'u-context', version: 1, blocked: true });

    // Act
    await app.settle();

    // Assess
    const [execution] = executionsOf(app, 'access-change').filter((e) => e.input.includes('u-context'));
    expect(execution?.status).toBe('SUCCEEDED');
    const item = await stored(app, 'u-context', 'access');
    expect(item.executionArn).toBe(execution?.executionArn);
    expect(item.executionArn).toMatch(
      /^arn:aws:states:us-east-1:000000000000:execution:onboarding-kyc-access-change:/,
    );
    // $$.Execution.StartTime is the execution's start date (the engine stamps it itself, within a tick).
    const startedAt = execution?.startDate.getTime() ?? Number.NaN;
    expect(Math.abs(Date.parse(String(item.claimedAt)) - startedAt)).toBeLessThan(50);
  });

  it('names an execution and its ARN after the name it was started with', async () => {
    // Prepare
    const arn = accessMachine();

    // Act
    const execution = app.stepFunctions.startExecution(arn, accessInput('u-named'), 'named-run');
    await app.settle();

    // Assess
    expect(execution.executionArn).toBe(`${arn.replace(':stateMachine:', ':execution:')}:named-run`);
    expect(execution.status).toBe('SUCCEEDED');
  });

  it('returns the running execution for the same name and input, as an idempotent StartExecution', async () => {
    // Prepare
    const arn = accessMachine();
    const first = app.stepFunctions.startExecution(arn, accessInput('u-same-name'), 'same-input');

    // Act
    const again = app.stepFunctions.startExecution(arn, accessInput('u-same-name'), 'same-input');
    await app.settle();

    // Assess
    expect(again).toBe(first);
  });

  it('rejects StartExecution reusing a name with other input, or after the execution ended', async () => {
    // Prepare
    const arn = accessMachine();
    app.stepFunctions.startExecution(arn, accessInput('u-dup-name'), 'same-name');
    const before = app.stepFunctions.executions.size;

    // Act
    const otherInput = thrownBy(() =>
      app.stepFunctions.startExecution(arn, accessInput('u-other'), 'same-name'),
    );
    await app.settle();
    const afterEnd = thrownBy(() =>
      app.stepFunctions.startExecution(arn, accessInput('u-dup-name'), 'same-name'),
    );

    // Assess
    expect(otherInput).toMatchObject({ code: 'ExecutionAlreadyExists' });
    expect(afterEnd).toMatchObject({ code: 'ExecutionAlreadyExists' });
    expect(app.stepFunctions.executions.size).toBe(before);
  });

  it('rejects StartExecution of an unknown state machine ARN', () => {
    // Prepare
    const arn = 'arn:aws:states:us-east-1:000000000000:stateMachine:no-such-machine';

    // Act
    const act = () => app.stepFunctions.startExecution(arn, '{}');

    // Assess
    expect(act).toThrow(AwsError);
    expect(act).toThrow(expect.objectContaining({ code: 'StateMachineDoesNotExist' }));
    expect(act).toThrow(arn);
  });

  it('rejects StartExecution with input that is not JSON', () => {
    // Prepare
    const arn = accessMachine();

    // Act
    const act = () => app.stepFunctions.startExecution(arn, '{not json');

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'InvalidExecutionInput' }));
  });
});
