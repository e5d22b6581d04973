import { AwsError } from '../errors';
import { MAX_PAYLOAD_DEPTH, nestsDeeperThan } from '../json-depth';
import { validateDefinition } from '../stepfunctions/engine/validate';
import { pageOfHistory } from '../stepfunctions/journal/history';
import {
  type Execution,
  type ExecutionStatus,
  type InspectionLevel,
  type LocalStateMachine,
  type LocalStepFunctions,
  notRedrivable,
  type TestStateRequest,
} from '../stepfunctions/service';
import type { ApiActions } from './protocol';
import { list, type RequestShapes, structure } from './shapes';
import { openToken, page, pageSize, required, sealToken } from './validate';

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const TYPES = ['STANDARD', 'EXPRESS'] as const;
const LEVELS: readonly InspectionLevel[] = ['INFO', 'DEBUG', 'TRACE'];

/** An enum parameter, or AWS's ValidationException listing the values it may take. */
function enumParam<T extends string>(
  params: Record<string, unknown>,
  key: string,
  values: readonly T[],
  fallback: T,
): T {
  const value = params[key];
  if (value === undefined || value === null) return fallback;
  if (!values.includes(value as T))
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${String(value)}' at '${key}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`,
    );
  return value as T;
}

/** An optional string parameter: absent, or a string (a wrong JSON type is AWS's ValidationException). */
function optional(params: Record<string, unknown>, key: string): string | undefined {
  return params[key] === undefined || params[key] === null ? undefined : required(params, key);
}

/** A state machine as DescribeStateMachine and DescribeStateMachineForExecution describe it. */
function describeMachine(sfn: LocalStepFunctions, m: LocalStateMachine) {
  const revision = sfn.revisionOf(m.arn);
  return {
    stateMachineArn: m.arn,
    name: m.name,
    definition: m.definitionString,
    roleArn: m.roleArn,
    // Without logging, what AWS records for every machine (test_sfn_api.snapshot.json, describe_resp_*).
    loggingConfiguration: m.loggingConfiguration ?? { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
    ...(revision ? { revisionId: revision.revisionId } : {}),
  };
}

/** Step Functions list calls: `maxResults` up to 1000, 100 by default; a bad token is InvalidToken. */
const paging = (list: string, params: Record<string, unknown>) => ({
  list,
  nextToken: params.nextToken,
  size: params.maxResults,
  defaultSize: 100,
  maxSize: 1000,
  invalidToken: 'InvalidToken',
});

/**
 * A JSON-text parameter the engine parses and walks (definitions, execution data, TestState's JSON), or `code`
 * when it nests deeper than the runtime takes JSON documents (see MAX_PAYLOAD_DEPTH; AWS documents no depth for
 * them).
 */
function shallowJson<T extends string | undefined>(text: T, key: string, code: string): T {
  if (text !== undefined && nestsDeeperThan(text, MAX_PAYLOAD_DEPTH))
    throw new AwsError(code, `Value at '${key}' is JSON nested deeper than ${MAX_PAYLOAD_DEPTH} levels.`);
  return text;
}

/**
 * A page of a list the engine pages by its own positions (the journal's): the client's token is opened to the
 * position it seals, and the next position sealed in turn, so that a forged token is InvalidToken.
 */
function sealedPage<T extends { nextToken?: string }>(
  list: string,
  params: Record<string, unknown>,
  read: (position: string | undefined) => T,
): T {
  const token = optional(params, 'nextToken');
  const page = read(token === undefined ? undefined : openToken(list, token, 'InvalidToken'));
  return page.nextToken === undefined ? page : { ...page, nextToken: sealToken(list, page.nextToken) };
}

/** An ARN parameter, or InvalidArn when it is not shaped like a Step Functions ARN of that kind. */
function arnParam(params: Record<string, unknown>, key: string, kind: 'stateMachine' | 'execution'): string {
  const arn = required(params, key);
  if (!new RegExp(`^arn:aws:states:[a-z0-9-]+:\\d{12}:${kind}:`).test(arn))
    throw new AwsError('InvalidArn', `Invalid Arn: '${arn}'`);
  return arn;
}

/**
 * Whether an execution can be redriven, as AWS reports it: only a FAILED, ABORTED or TIMED_OUT Standard
 * execution can, and this runtime does not redrive yet.
 */
function redrive(sfn: LocalStepFunctions, e: Execution) {
  const reason = notRedrivable(e, sfn.findStateMachine(e.stateMachineArn));
  return {
    redriveCount: e.redriveCount,
    ...(e.redriveDate ? { redriveDate: e.redriveDate } : {}),
    redriveStatus: reason ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
    ...(reason ? { redriveStatusReason: reason } : {}),
  };
}

/** An execution as ListExecutions lists it. */
function listItem(e: Execution) {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: e.startDate,
    ...(e.stopDate ? { stopDate: e.stopDate } : {}),
    redriveCount: e.redriveCount,
  };
}

/** An execution as DescribeExecution describes it. */
function describeExecution(sfn: LocalStepFunctions, e: Execution) {
  return {
    ...listItem(e),
    input: e.input,
    inputDetails: { included: true },
    ...(e.output === undefined ? {} : { output: e.output, outputDetails: { included: true } }),
    ...(e.error === undefined ? {} : { error: e.error }),
    ...(e.cause === undefined ? {} : { cause: e.cause }),
    ...redrive(sfn, e),
  };
}

/** The configurations CreateStateMachine and UpdateStateMachine take alike (the runtime keeps none of them). */
const CONFIGURATIONS = {
  loggingConfiguration: structure({
    level: 'String',
    includeExecutionData: 'Boolean',
    destinations: list(structure({ cloudWatchLogsLogGroup: structure({ logGroupArn: 'String' }) })),
  }),
  tracingConfiguration: structure({ enabled: 'Boolean' }),
  publish: 'Boolean',
  versionDescription: 'String',
  encryptionConfiguration: structure({
    kmsKeyId: 'String',
    kmsDataKeyReusePeriodSeconds: 'Integer',
    type: 'String',
  }),
} as const;

/** The requests of the actions `statesActions` serves (Step Functions API reference, each action's Request Syntax). */
export const STATES_REQUESTS: RequestShapes = {
  ListStateMachines: structure({ maxResults: 'Integer', nextToken: 'String' }),
  DescribeStateMachine: structure({ stateMachineArn: 'String', includedData: 'String' }),
  CreateStateMachine: structure({
    name: 'String',
    definition: 'String',
    roleArn: 'String',
    type: 'String',
    tags: list(structure({ key: 'String', value: 'String' })),
    ...CONFIGURATIONS,
  }),
  UpdateStateMachine: structure({
    stateMachineArn: 'String',
    definition: 'String',
    roleArn: 'String',
    ...CONFIGURATIONS,
  }),
  DeleteStateMachine: structure({ stateMachineArn: 'String' }),
  ValidateStateMachineDefinition: structure({
    definition: 'String',
    type: 'String',
    severity: 'String',
    maxResults: 'Integer',
  }),
  DescribeStateMachineForExecution: structure({ executionArn: 'String', includedData: 'String' }),
  StartSyncExecution: structure({
    stateMachineArn: 'String',
    name: 'String',
    input: 'String',
    traceHeader: 'String',
    includedData: 'String',
  }),
  SendTaskSuccess: structure({ taskToken: 'String', output: 'String' }),
  SendTaskFailure: structure({ taskToken: 'String', error: 'String', cause: 'String' }),
  SendTaskHeartbeat: structure({ taskToken: 'String' }),
  TestState: structure({
    definition: 'String',
    roleArn: 'String',
    input: 'String',
    inspectionLevel: 'String',
    revealSecrets: 'Boolean',
    variables: 'String',
    stateName: 'String',
    mock: structure({
      result: 'String',
      errorOutput: structure({ error: 'String', cause: 'String' }),
      fieldValidationMode: 'String',
    }),
    context: 'String',
    stateConfiguration: structure({
      retrierRetryCount: 'Integer',
      errorCausedByState: 'String',
      mapIterationFailureCount: 'Integer',
      mapItemReaderData: 'String',
    }),
  }),
  StartExecution: structure({
    stateMachineArn: 'String',
    name: 'String',
    input: 'String',
    traceHeader: 'String',
  }),
  DescribeExecution: structure({ executionArn: 'String', includedData: 'String' }),
  RedriveExecution: structure({ executionArn: 'String', clientToken: 'String' }),
  ListExecutions: structure({
    stateMachineArn: 'String',
    statusFilter: 'String',
    maxResults: 'Integer',
    nextToken: 'String',
    mapRunArn: 'String',
    redriveFilter: 'String',
  }),
  GetExecutionHistory: structure({
    executionArn: 'String',
    maxResults: 'Integer',
    reverseOrder: 'Boolean',
    nextToken: 'String',
    includeExecutionData: 'Boolean',
  }),
  StopExecution: structure({ executionArn: 'String', error: 'String', cause: 'String' }),
};

/** Step Functions' API (`AWSStepFunctions.*`, JSON 1.0) over the template's state machines. */
export function statesActions(sfn: LocalStepFunctions): ApiActions {
  return {
    ListStateMachines: (params) => {
      const machines = [...sfn.stateMachines.values()].map((m) => ({
        stateMachineArn: m.arn,
        name: m.name,
        type: m.type,
        creationDate: m.creationDate,
        // Not AWS's: the viewer marks the machines created at run time. AWS's clients ignore the field.
        ...(m.origin === 'local' ? { origin: m.origin } : {}),
      }));
      const { items, nextToken } = page(machines, paging('ListStateMachines', params));
      return { stateMachines: items, ...(nextToken ? { nextToken } : {}) };
    },

    DescribeStateMachine: (params) => {
      const m = sfn.findStateMachine(arnParam(params, 'stateMachineArn', 'stateMachine'));
      return { ...describeMachine(sfn, m), status: 'ACTIVE', type: m.type, creationDate: m.creationDate };
    },

    // https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html
    CreateStateMachine: (params) => {
      const m = sfn.createLocalStateMachine({
        name: required(params, 'name'),
        definition: shallowJson(required(params, 'definition'), 'definition', 'InvalidDefinition'),
        roleArn: required(params, 'roleArn'),
        type: enumParam(params, 'type', TYPES, 'STANDARD'),
      });
      return { stateMachineArn: m.arn, creationDate: m.creationDate };
    },

    // https://docs.aws.amazon.com/step-functions/latest/apireference/API_UpdateStateMachine.html
    UpdateStateMachine: (params) => {
      const arn = arnParam(params, 'stateMachineArn', 'stateMachine');
      const definition = shallowJson(optional(params, 'definition'), 'definition', 'InvalidDefinition');
      const roleArn = optional(params, 'roleArn');
      if (
        definition === undefined &&
        roleArn === undefined &&
        !params.loggingConfiguration &&
        !params.tracingConfiguration
      )
        throw new AwsError(
          'MissingRequiredParameter',
          'Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified',
        );
      const { revisionId, updateDate } = sfn.updateLocalStateMachine(arn, {
        ...(definition === undefined ? {} : { definition }),
        ...(roleArn === undefined ? {} : { roleArn }),
      });
      return { updateDate, revisionId };
    },

    // https://docs.aws.amazon.com/step-functions/latest/apireference/API_DeleteStateMachine.html
    DeleteStateMachine: (params) => {
      sfn.deleteLocalStateMachine(arnParam(params, 'stateMachineArn', 'stateMachine'));
      return {};
    },

    // https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html
    ValidateStateMachineDefinition: (params) => {
      const diagnostics = validateDefinition(required(params, 'definition'), {
        type: enumParam(params, 'type', TYPES, 'STANDARD'),
      });
      return {
        result: diagnostics.some((d) => d.severity === 'ERROR') ? 'FAIL' : 'OK',
        diagnostics,
        truncated: false,
      };
    },

    // https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeStateMachineForExecution.html
    DescribeStateMachineForExecution: (params) => {
      const m = sfn.stateMachineForExecution(arnParam(params, 'executionArn', 'execution'));
      return { ...describeMachine(sfn, m), updateDate: sfn.revisionOf(m.arn)?.updateDate ?? m.creationDate };
    },

    // https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartSyncExecution.html
    StartSyncExecution: async (params) => {
      const machineArn = arnParam(params, 'stateMachineArn', 'stateMachine');
      const input = optional(params, 'input') ?? '{}';
      const name = optional(params, 'name');
      const { execution: e, billedMs } =
        name === undefined
          ? await sfn.startSyncExecution(machineArn, input)
          : await sfn.startSyncExecution(machineArn, input, name);
      return {
        executionArn: e.executionArn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        startDate: e.startDate,
        stopDate: e.stopDate,
        status: e.status,
        input: e.input,
        inputDetails: { included: true },
        ...(e.output === undefined ? {} : { output: e.output }),
        outputDetails: { included: true },
        ...(e.error === undefined ? {} : { error: e.error }),
        ...(e.cause === undefined ? {} : { cause: e.cause }),
        billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: billedMs },
      };
    },

    // https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html
    SendTaskSuccess: (params) => {
      sfn.sendTaskSuccess(
        required(params, 'taskToken'),
        shallowJson(required(params, 'output'), 'output', 'InvalidOutput'),
      );
      return {};
    },

    // https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskFailure.html
    SendTaskFailure: (params) => {
      sfn.sendTaskFailure(
        required(params, 'taskToken'),
        optional(params, 'error'),
        optional(params, 'cause'),
      );
      return {};
    },

    // https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskHeartbeat.html
    SendTaskHeartbeat: (params) => {
      sfn.sendTaskHeartbeat(required(params, 'taskToken'));
      return {};
    },

    // https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
    TestState: (params) => {
      const mock = params.mock as Record<string, unknown> | undefined;
      const errorOutput = mock?.errorOutput as Record<string, unknown> | undefined;
      const request: TestStateRequest = {
        definition: shallowJson(required(params, 'definition'), 'definition', 'InvalidDefinition'),
        roleArn: optional(params, 'roleArn'),
        input: shallowJson(optional(params, 'input'), 'input', 'InvalidExecutionInput'),
        inspectionLevel: enumParam(params, 'inspectionLevel', LEVELS, 'INFO'),
        revealSecrets: params.revealSecrets === true,
        variables: shallowJson(optional(params, 'variables'), 'variables', 'ValidationException'),
        stateName: optional(params, 'stateName'),
        context: shallowJson(optional(params, 'context'), 'context', 'ValidationException'),
        stateConfiguration: params.stateConfiguration ?? undefined,
        mock:
          mock === undefined || mock === null
            ? undefined
            : {
                result: shallowJson(optional(mock, 'result'), 'mock.result', 'ValidationException'),
                errorOutput:
                  errorOutput === undefined || errorOutput === null
                    ? undefined
                    : { error: optional(errorOutput, 'error'), cause: optional(errorOutput, 'cause') },
              },
      };
      return sfn.testState(request);
    },

    StartExecution: (params) => {
      const machineArn = arnParam(params, 'stateMachineArn', 'stateMachine');
      const input = params.input === undefined ? '{}' : required(params, 'input');
      const e =
        params.name === undefined
          ? sfn.startExecution(machineArn, input)
          : sfn.startExecution(machineArn, input, required(params, 'name'));
      return { executionArn: e.executionArn, startDate: e.startDate };
    },

    DescribeExecution: (params) =>
      describeExecution(sfn, sfn.findExecution(arnParam(params, 'executionArn', 'execution'))),

    RedriveExecution: (params) => {
      const execution = sfn.redriveExecution(arnParam(params, 'executionArn', 'execution'));
      return { redriveDate: execution.redriveDate };
    },

    ListExecutions: (params) => {
      const machine = sfn.findStateMachine(arnParam(params, 'stateMachineArn', 'stateMachine'));
      const status = params.statusFilter;
      if (status !== undefined && !STATUSES.includes(status as ExecutionStatus))
        throw new AwsError(
          'ValidationException',
          `Value '${status}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${STATUSES.join(', ')}]`,
        );
      // Newest first, as the console and the API list them, a page at a time from the journal's index.
      const list = `ListExecutions ${machine.arn}`;
      const { items, nextToken } = sealedPage(list, params, (position) =>
        sfn.listExecutions(
          machine.arn,
          status as ExecutionStatus | undefined,
          pageSize(paging(list, params)),
          position,
        ),
      );
      return { executions: items.map(listItem), ...(nextToken ? { nextToken } : {}) };
    },

    GetExecutionHistory: (params) => {
      const execution = sfn.findExecution(arnParam(params, 'executionArn', 'execution'));
      return sealedPage(`GetExecutionHistory ${execution.executionArn}`, params, (position) =>
        pageOfHistory(execution.events, {
          maxResults: params.maxResults as number | undefined,
          nextToken: position,
          reverseOrder: params.reverseOrder === true,
          includeExecutionData: params.includeExecutionData !== false,
        }),
      );
    },

    StopExecution: async (params) => {
      const execution = await sfn.stopExecution(
        arnParam(params, 'executionArn', 'execution'),
        params.error as string | undefined,
        params.cause as string | undefined,
      );
      return { stopDate: execution.stopDate };
    },
  };
}
