import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  TestStateCommand,
  UpdateStateMachineCommand,
  ValidateStateMachineDefinitionCommand,
} from '@aws-sdk/client-sfn';
import { ListQueuesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { LocalRuntime } from '../../local/runtime';
import { rejectionOf } from '../support/errors';
import { clients, eventually, startRuntime } from '../support/runtime';

const ROLE = 'arn:aws:iam::000000000000:role/local-tests';
const pass = (arg: string) =>
  JSON.stringify({
    Comment: 'BASE_PASS_RESULT',
    StartAt: 'State_1',
    States: { State_1: { Type: 'Pass', Result: { Arg1: arg }, End: true } },
  });
const sdkConfig = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
let unique = 0;
const newName = (prefix: string) => `${prefix}-${Date.now()}-${unique++}`;

describe('the Step Functions API over state machines created at run time', () => {
  let runtime: LocalRuntime;
  let c: ReturnType<typeof clients>;
  beforeAll(async () => {
    runtime = await startRuntime();
    // StartSyncExecution and TestState go to a `sync-` host prefix in AWS, which 127.0.0.1 cannot take: a
    // client pointed at the local runtime turns the prefix off (as LocalStack's tests do).
    c = {
      ...clients(runtime.url),
      sfn: new SFNClient({ ...sdkConfig(runtime.url), disableHostPrefix: true }),
    };
  });
  afterAll(() => runtime.stop());

  async function create(name: string, definition = pass('argument1'), type?: 'STANDARD' | 'EXPRESS') {
    return c.sfn.send(
      new CreateStateMachineCommand({ name, definition, roleArn: ROLE, ...(type ? { type } : {}) }),
    );
  }

  /** A machine of the CDK app's template. */
  async function templateMachineArn(): Promise<string> {
    const { stateMachines = [] } = await c.sfn.send(new ListStateMachinesCommand({}));
    const created = new Set<string>();
    for (const m of stateMachines) {
      const d = await c.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: m.stateMachineArn }));
      if (d.roleArn !== ROLE) return m.stateMachineArn as string;
      created.add(m.stateMachineArn as string);
    }
    throw new Error('The template has no state machine.');
  }

  describe('CreateStateMachine', () => {
    // test_sfn_api.snapshot.json: test_create_exact_duplicate_sm (the same ARN and creationDate back).
    it('creates a machine, describes and lists it, and answers the same machine for an identical create', async () => {
      // Prepare
      const name = newName('created');
      // Act
      const first = await create(name);
      const again = await create(name);
      const described = await c.sfn.send(
        new DescribeStateMachineCommand({ stateMachineArn: first.stateMachineArn }),
      );
      const { stateMachines = [] } = await c.sfn.send(new ListStateMachinesCommand({}));
      // Assess
      expect(first.stateMachineArn).toBe(`arn:aws:states:us-east-1:000000000000:stateMachine:${name}`);
      expect(first.creationDate).toBeInstanceOf(Date);
      expect(again).toMatchObject({
        stateMachineArn: first.stateMachineArn,
        creationDate: first.creationDate,
      });
      expect(described).toMatchObject({
        name,
        status: 'ACTIVE',
        type: 'STANDARD',
        roleArn: ROLE,
        loggingConfiguration: { level: 'OFF', includeExecutionData: false },
        tracingConfiguration: { enabled: false },
      });
      expect(JSON.parse(described.definition ?? '')).toEqual(JSON.parse(pass('argument1')));
      expect(stateMachines.map((m) => m.name)).toContain(name);
    });

    // test_sfn_api.snapshot.json: test_create_duplicate_sm_name, test_create_duplicate_definition_format_sm.
    it('rejects the same name with another definition as StateMachineAlreadyExists', async () => {
      // Prepare
      const name = newName('duplicate');
      const { stateMachineArn } = await create(name);
      // Act
      const error = await rejectionOf(() => create(name, pass('argument2')));
      // Assess
      expect(error.name).toBe('StateMachineAlreadyExists');
      expect(error.message).toBe(`State Machine Already Exists: '${stateMachineArn}'`);
    });

    // test_sfn_api.snapshot.json: test_create_delete_invalid_sm.
    it('rejects a definition without States as InvalidDefinition', async () => {
      // Act
      const error = await rejectionOf(() => create(newName('invalid'), JSON.stringify({ StartAt: 'A' })));
      // Assess
      expect(error.name).toBe('InvalidDefinition');
      expect(error.message).toMatch(/^Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: /);
    });

    // API_CreateStateMachine.html: Errors, InvalidName.
    it('rejects a name with a space as InvalidName', async () => {
      // Act
      const error = await rejectionOf(() => create('has space'));
      // Assess
      expect(error.name).toBe('InvalidName');
    });

    it('rejects a Task resource the runtime cannot run as InvalidDefinition naming it', async () => {
      // Prepare
      const definition = JSON.stringify({
        StartAt: 'Put',
        States: {
          Put: {
            Type: 'Task',
            Resource: 'arn:aws:states:::aws-sdk:s3:putObject',
            Parameters: { Bucket: 'b', Key: 'k', Body: 'x' },
            End: true,
          },
        },
      });
      // Act
      const error = await rejectionOf(() => create(newName('unsupported'), definition));
      // Assess
      expect(error.name).toBe('InvalidDefinition');
      expect(error.message).toContain('arn:aws:states:::aws-sdk:s3:putObject');
    });
  });

  describe('UpdateStateMachine and DeleteStateMachine', () => {
    // test_sfn_api.snapshot.json: test_create_update_state_machine_base_definition (revisionId, updateDate),
    // test_describe_state_machine_for_execution (the definition the execution ran, updateDate).
    it('updates the definition while an ended execution keeps describing the one it ran', async () => {
      // Prepare
      const { stateMachineArn } = await create(newName('updated'));
      const { executionArn } = await c.sfn.send(new StartExecutionCommand({ stateMachineArn }));
      await eventually(async () => {
        const d = await c.sfn.send(new DescribeExecutionCommand({ executionArn }));
        return d.status === 'RUNNING' ? undefined : d;
      });
      // Act
      const updated = await c.sfn.send(
        new UpdateStateMachineCommand({ stateMachineArn, definition: pass('AfterUpdate1') }),
      );
      const described = await c.sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
      const forExecution = await c.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
      // Assess
      expect(updated.updateDate).toBeInstanceOf(Date);
      expect(updated.revisionId).toEqual(expect.any(String));
      expect(described.revisionId).toBe(updated.revisionId);
      expect(JSON.parse(described.definition ?? '').States.State_1.Result).toEqual({ Arg1: 'AfterUpdate1' });
      expect(JSON.parse(forExecution.definition ?? '').States.State_1.Result).toEqual({ Arg1: 'argument1' });
      expect(forExecution).toMatchObject({ stateMachineArn, roleArn: ROLE, updateDate: expect.any(Date) });
    });

    // test_sfn_api.snapshot.json: test_create_update_state_machine_base_update_none.
    it('rejects an update that changes nothing as MissingRequiredParameter', async () => {
      // Prepare
      const { stateMachineArn } = await create(newName('nothing'));
      // Act
      const error = await rejectionOf(() => c.sfn.send(new UpdateStateMachineCommand({ stateMachineArn })));
      // Assess
      expect(error.name).toBe('MissingRequiredParameter');
      expect(error.message).toBe(
        'Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified',
      );
    });

    it("rejects updating or deleting a machine of the CDK app's template", async () => {
      // Prepare
      const stateMachineArn = await templateMachineArn();
      // Act
      const update = await rejectionOf(() =>
        c.sfn.send(new UpdateStateMachineCommand({ stateMachineArn, roleArn: ROLE })),
      );
      const remove = await rejectionOf(() => c.sfn.send(new DeleteStateMachineCommand({ stateMachineArn })));
      // Assess
      for (const error of [update, remove]) {
        expect(error.name).toBe('ValidationException');
        expect(error.message).toContain("comes from the CDK app's template");
      }
      await expect(c.sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).resolves.toBeDefined();
    });

    // test_sfn_api.snapshot.json: test_create_delete_valid_sm, test_delete_nonexistent_sm.
    it('deletes a created machine, and deleting it again succeeds', async () => {
      // Prepare
      const { stateMachineArn } = await create(newName('deleted'));
      // Act
      await c.sfn.send(new DeleteStateMachineCommand({ stateMachineArn }));
      await c.sfn.send(new DeleteStateMachineCommand({ stateMachineArn }));
      const error = await rejectionOf(() => c.sfn.send(new DescribeStateMachineCommand({ stateMachineArn })));
      // Assess
      expect(error.name).toBe('StateMachineDoesNotExist');
    });
  });

  describe('ValidateStateMachineDefinition', () => {
    // API_ValidateStateMachineDefinition.html; test_sfn_api_validation.snapshot.json (result OK / FAIL).
    it('answers OK for a valid definition and FAIL with located diagnostics for an invalid one', async () => {
      // Act
      const ok = await c.sfn.send(new ValidateStateMachineDefinitionCommand({ definition: pass('a') }));
      const fail = await c.sfn.send(
        new ValidateStateMachineDefinitionCommand({
          definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Missing' } } }),
          type: 'EXPRESS',
        }),
      );
      // Assess
      expect(ok).toMatchObject({ result: 'OK', diagnostics: [], truncated: false });
      expect(fail.result).toBe('FAIL');
      expect(fail.truncated).toBe(false);
      expect(fail.diagnostics?.[0]).toMatchObject({ severity: 'ERROR', code: expect.any(String) });
      expect(fail.diagnostics?.some((d) => d.location?.startsWith('/States/A'))).toBe(true);
    });
  });

  describe('StartSyncExecution', () => {
    // express/test_express_sync.snapshot.json: test_base[BASE_PASS_RESULT] and [BASE_RAISE_FAILURE].
    it('runs an EXPRESS machine to its end and answers its output or its error', async () => {
      // Prepare
      const succeeding = await create(newName('express-ok'), pass('argument1'), 'EXPRESS');
      const failing = await create(
        newName('express-fail'),
        JSON.stringify({
          StartAt: 'Fail',
          States: {
            Fail: {
              Type: 'Fail',
              Error: 'SomeFailure',
              Cause: "This state machines raises a 'SomeFailure' failure.",
            },
          },
        }),
        'EXPRESS',
      );
      // Act
      const ok = await c.sfn.send(
        new StartSyncExecutionCommand({ stateMachineArn: succeeding.stateMachineArn }),
      );
      const failed = await c.sfn.send(
        new StartSyncExecutionCommand({ stateMachineArn: failing.stateMachineArn }),
      );
      // Assess
      expect(ok).toMatchObject({
        status: 'SUCCEEDED',
        stateMachineArn: succeeding.stateMachineArn,
        input: '{}',
        inputDetails: { included: true },
        outputDetails: { included: true },
        startDate: expect.any(Date),
        stopDate: expect.any(Date),
        billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: expect.any(Number) },
      });
      expect(ok.executionArn).toMatch(
        /^arn:aws:states:us-east-1:000000000000:express:express-ok-[^:]+:[^:]+:[^:]+$/,
      );
      expect(JSON.parse(ok.output ?? '')).toEqual({ Arg1: 'argument1' });
      expect(failed).toMatchObject({
        status: 'FAILED',
        error: 'SomeFailure',
        cause: "This state machines raises a 'SomeFailure' failure.",
      });
      expect(failed.output).toBeUndefined();
    });

    // test_sfn_api.snapshot.json: test_start_sync_execution.
    it('rejects a STANDARD machine as StateMachineTypeNotSupported', async () => {
      // Prepare
      const { stateMachineArn } = await create(newName('standard'));
      // Act
      const error = await rejectionOf(() => c.sfn.send(new StartSyncExecutionCommand({ stateMachineArn })));
      // Assess
      expect(error.name).toBe('StateMachineTypeNotSupported');
      expect(error.message).toBe('This operation is not supported by this type of state machine');
    });
  });

  describe('SendTaskSuccess and SendTaskFailure', () => {
    // API_SendTaskSuccess.html; callback/test_callback.snapshot.json (waitForTaskToken over SQS).
    it('resumes a task waiting for its token with the output sent', async () => {
      // Prepare
      const { QueueUrls = [] } = await c.sqs.send(new ListQueuesCommand({}));
      // A queue nothing consumes in the app (a parking queue), so the message waits for this test.
      const queueUrl = QueueUrls.find(
        (u) => /undelivered|rejected/i.test(u) && !u.endsWith('.fifo'),
      ) as string;
      const { stateMachineArn } = await create(
        newName('callback'),
        JSON.stringify({
          StartAt: 'Wait for token',
          States: {
            'Wait for token': {
              Type: 'Task',
              Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
              Parameters: {
                QueueUrl: queueUrl,
                MessageBody: { 'token.$': '$$.Task.Token', marker: 'states-api' },
              },
              End: true,
            },
          },
        }),
      );
      const { executionArn } = await c.sfn.send(new StartExecutionCommand({ stateMachineArn }));
      const token = await eventually(async () => {
        const { Messages = [] } = await c.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        const body = Messages.map((m) => JSON.parse(m.Body ?? '{}')).find((b) => b.marker === 'states-api');
        return body?.token as string | undefined;
      });
      // Act
      await c.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }));
      const ended = await eventually(async () => {
        const d = await c.sfn.send(new DescribeExecutionCommand({ executionArn }));
        return d.status === 'RUNNING' ? undefined : d;
      });
      // Assess
      expect(ended.status).toBe('SUCCEEDED');
      expect(JSON.parse(ended.output ?? '')).toEqual({ approved: true });

      // A second answer comes too late: the task has closed. API_SendTaskSuccess.html: Errors, TaskTimedOut
      // ("the task token has either expired or the task associated with the token has already been closed").
      const late = await rejectionOf(() =>
        c.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":false}' })),
      );
      expect(late.name).toBe('TaskTimedOut');
    });

    // API_SendTaskFailure.html: Errors, TaskDoesNotExist.
    it('rejects a token no task waits for as TaskDoesNotExist', async () => {
      // Act
      const error = await rejectionOf(() =>
        c.sfn.send(new SendTaskFailureCommand({ taskToken: 'no-such-token', error: 'E' })),
      );
      // Assess
      expect(error.name).toBe('TaskDoesNotExist');
    });
  });

  describe('TestState', () => {
    const ioPass = {
      Type: 'Pass',
      InputPath: '$.initialData',
      Parameters: { staticValue: 'some value', 'inputValue.$': '$.fieldFromInput' },
      ResultPath: '$.modifiedData',
      End: true,
    };
    const ioInput = {
      initialData: { fieldFromInput: 'value from input', otherField: 'other' },
      unrelatedData: { someOtherField: 1234 },
    };

    // test_state/test_test_state_scenarios.snapshot.json: test_base_inspection_level_debug[IO_PASS_STATE].
    it('tests a Pass state and shows its data flow at DEBUG', async () => {
      // Act
      const out = await c.sfn.send(
        new TestStateCommand({
          definition: JSON.stringify(ioPass),
          input: JSON.stringify(ioInput),
          inspectionLevel: 'DEBUG',
        }),
      );
      // Assess
      const modified = { staticValue: 'some value', inputValue: 'value from input' };
      expect(out.status).toBe('SUCCEEDED');
      expect(out.nextState).toBeUndefined();
      expect(JSON.parse(out.output ?? '')).toEqual({ ...ioInput, modifiedData: modified });
      const data = out.inspectionData ?? {};
      expect(JSON.parse(data.input ?? '')).toEqual(ioInput);
      expect(JSON.parse(data.afterInputPath ?? '')).toEqual(ioInput.initialData);
      expect(JSON.parse(data.afterParameters ?? '')).toEqual(modified);
      expect(JSON.parse(data.afterResultSelector ?? '')).toEqual(modified);
      expect(JSON.parse(data.afterResultPath ?? '')).toEqual({ ...ioInput, modifiedData: modified });
    });

    // test_state/test_test_state_scenarios.snapshot.json: test_base_inspection_level_info[BASE_CHOICE_STATE]
    // and [BASE_FAIL_STATE].
    it('names the next state of a Choice and answers a Fail state as FAILED', async () => {
      // Prepare
      const choice = {
        Type: 'Choice',
        Choices: [{ Variable: '$.value', NumericGreaterThanEquals: 20, Next: 'ValueInTwenties' }],
        Default: 'Other',
      };
      const fail = {
        Type: 'Fail',
        Error: 'SomeFailure',
        Cause: "This state machines raises a 'SomeFailure' failure.",
      };
      // Act
      const chose = await c.sfn.send(
        new TestStateCommand({ definition: JSON.stringify(choice), input: '{"type":"Private","value":22}' }),
      );
      const failed = await c.sfn.send(new TestStateCommand({ definition: JSON.stringify(fail) }));
      // Assess
      expect(chose).toMatchObject({ status: 'SUCCEEDED', nextState: 'ValueInTwenties' });
      expect(JSON.parse(chose.output ?? '')).toEqual({ type: 'Private', value: 22 });
      expect(chose.inspectionData).toBeUndefined();
      expect(failed).toMatchObject({ status: 'FAILED', error: 'SomeFailure' });
      expect(failed.output).toBeUndefined();
    });

    // API_TestState.html (mock.result); test_test_state_mock_scenarios.snapshot.json: test_put_events_mock_success.
    it('tests a Task with a mocked result, and its next state', async () => {
      // Prepare
      const task = {
        Type: 'Task',
        Resource: 'arn:aws:states:::events:putEvents',
        Parameters: { Entries: [{ Source: 'app.test', DetailType: 'Tested', 'Detail.$': '$' }] },
        ResultSelector: { 'id.$': '$.Entries[0].EventId' },
        ResultPath: '$.emitted',
        Next: 'After',
      };
      // Act
      const out = await c.sfn.send(
        new TestStateCommand({
          definition: JSON.stringify(task),
          input: '{"userId":"u1"}',
          inspectionLevel: 'DEBUG',
          mock: { result: '{"Entries":[{"EventId":"e-1"}],"FailedEntryCount":0}' },
        }),
      );
      // Assess
      expect(out).toMatchObject({ status: 'SUCCEEDED', nextState: 'After' });
      expect(JSON.parse(out.output ?? '')).toEqual({ userId: 'u1', emitted: { id: 'e-1' } });
      expect(JSON.parse(out.inspectionData?.afterParameters ?? '')).toEqual({
        Entries: [{ Source: 'app.test', DetailType: 'Tested', Detail: { userId: 'u1' } }],
      });
      expect(JSON.parse(out.inspectionData?.result ?? '')).toEqual({
        Entries: [{ EventId: 'e-1' }],
        FailedEntryCount: 0,
      });
      expect(JSON.parse(out.inspectionData?.afterResultSelector ?? '')).toEqual({ id: 'e-1' });
    });

    // test_state/test_state_configuration.snapshot.json: test_map_state_failure_count[DEBUG-BASE_MAP_STATE_CATCH]
    // (CAUGHT_ERROR with nextState, output and errorDetails.catchIndex) and [INFO-BASE_MAP_STATE_RETRY] (RETRIABLE).
    it('answers CAUGHT_ERROR when a Catch handles a mocked error, and RETRIABLE when a Retry would retry', async () => {
      // Prepare
      const task = {
        Type: 'Task',
        Resource: 'arn:aws:states:::events:putEvents',
        Parameters: { Entries: [] },
        End: true,
      };
      const errorOutput = { error: 'EventBridge.FailedEntry', cause: 'one entry failed' };
      // Act
      const caught = await c.sfn.send(
        new TestStateCommand({
          definition: JSON.stringify({
            ...task,
            Catch: [
              { ErrorEquals: ['States.Timeout'], Next: 'Timed out' },
              { ErrorEquals: ['EventBridge.FailedEntry'], ResultPath: '$.failure', Next: 'Park undelivered' },
            ],
          }),
          input: '{"userId":"u1"}',
          inspectionLevel: 'DEBUG',
          mock: { errorOutput },
        }),
      );
      const retriable = await c.sfn.send(
        new TestStateCommand({
          definition: JSON.stringify({
            ...task,
            Retry: [{ ErrorEquals: ['EventBridge.FailedEntry'], IntervalSeconds: 2, MaxAttempts: 3 }],
          }),
          inspectionLevel: 'DEBUG',
          mock: { errorOutput },
        }),
      );
      // Assess
      expect(caught).toMatchObject({
        status: 'CAUGHT_ERROR',
        nextState: 'Park undelivered',
        error: 'EventBridge.FailedEntry',
        cause: 'one entry failed',
      });
      expect(JSON.parse(caught.output ?? '')).toEqual({
        userId: 'u1',
        failure: { Error: 'EventBridge.FailedEntry', Cause: 'one entry failed' },
      });
      expect(caught.inspectionData?.errorDetails).toEqual({ catchIndex: 1 });
      expect(retriable).toMatchObject({ status: 'RETRIABLE', error: 'EventBridge.FailedEntry' });
      expect(retriable.nextState).toBeUndefined();
      expect(retriable.inspectionData?.errorDetails).toEqual({
        retryIndex: 0,
        retryBackoffIntervalSeconds: 2,
      });
    });

    // API_TestState.html (variables; inspectionData.variables).
    it('gives the state the variables sent and shows them after its Assign', async () => {
      // Act
      const out = await c.sfn.send(
        new TestStateCommand({
          definition: JSON.stringify({
            Type: 'Pass',
            Assign: { 'total.$': '$count' },
            Parameters: { 'seen.$': '$count' },
            End: true,
          }),
          variables: '{"count":3}',
          inspectionLevel: 'DEBUG',
        }),
      );
      // Assess
      expect(JSON.parse(out.output ?? '')).toEqual({ seen: 3 });
      expect(JSON.parse(out.inspectionData?.variables ?? '')).toEqual({ count: 3, total: 3 });
    });

    // test_state/test_state_mock_validation.snapshot.json: test_state_type_does_not_accept_mock[mock_result-PassState],
    // test_state_type_requires_mock[MapState], test_both_mock_result_and_mock_error_output_are_set,
    // test_base_lambda_service_task_mock_is_not_json_string; test_test_state_scenarios.py
    // test_base_lambda_service_task_state_no_role_arn_validation.
    it('rejects mocks AWS refuses, Map without a mock, and a Task without a role', async () => {
      // Prepare
      const task = {
        Type: 'Task',
        Resource: 'arn:aws:states:::events:putEvents',
        Parameters: { Entries: [] },
        End: true,
      };
      const test = (definition: object, more: object = {}) =>
        rejectionOf(() =>
          c.sfn.send(new TestStateCommand({ definition: JSON.stringify(definition), ...more })),
        );
      // Act
      const mockedPass = await test({ Type: 'Pass', End: true }, { mock: { result: '{}' } });
      const map = await test({
        Type: 'Map',
        ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
        End: true,
      });
      const both = await test(task, { mock: { result: '{}', errorOutput: { error: 'E' } } });
      const notJson = await test(task, { mock: { result: 'not json' } });
      const noRole = await test(task);
      // Assess
      expect([mockedPass.name, mockedPass.message]).toEqual([
        'ValidationException',
        "State type 'Pass' is not supported when a mock is specified",
      ]);
      expect([map.name, map.message]).toEqual([
        'InvalidDefinition',
        'TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]',
      ]);
      expect([both.name, both.message]).toEqual([
        'ValidationException',
        'A test mock should have only one of the following fields: [result, errorOutput].',
      ]);
      expect([notJson.name, notJson.message]).toEqual([
        'ValidationException',
        'Mocked result must be valid JSON',
      ]);
      expect([noRole.name, noRole.message]).toEqual([
        'ValidationException',
        'RoleArn must be specified when testing a Task state',
      ]);
    });
  });
});
