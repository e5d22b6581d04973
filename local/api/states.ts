import { AwsError } from '../errors';
import { historyEvents, pageOfHistory } from '../stepfunctions/history';
import type { Execution, ExecutionStatus, LocalStepFunctions } from '../stepfunctions/service';
import type { ApiActions } from './protocol';
import { page, required } from './validate';

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

/** Step Functions list calls: `maxResults` up to 1000, 100 by default; a bad token is InvalidToken. */
const paging = (params: Record<string, unknown>) => ({
  nextToken: params.nextToken,
  size: params.maxResults,
  defaultSize: 100,
  maxSize: 1000,
  invalidToken: 'InvalidToken',
});

/** An ARN parameter, or InvalidArn when it is not shaped like a Step Functions ARN of that kind. */
function arnParam(params: Record<string, unknown>, key: string, kind: 'stateMachine' | 'execution'): string {
  const arn = required(params, key);
  if (!new RegExp(`^arn:aws:states:[a-z0-9-]+:\\d{12}:${kind}:`).test(arn))
    throw new AwsError('InvalidArn', `Invalid Arn: '${arn}'`);
  return arn;
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
  };
}

/** An execution as DescribeExecution describes it. */
function describeExecution(e: Execution) {
  return {
    ...listItem(e),
    input: e.input,
    inputDetails: { included: true },
    ...(e.output === undefined ? {} : { output: e.output, outputDetails: { included: true } }),
    ...(e.error === undefined ? {} : { error: e.error }),
    ...(e.cause === undefined ? {} : { cause: e.cause }),
  };
}

/** Step Functions' API (`AWSStepFunctions.*`, JSON 1.0) over the template's state machines. */
export function statesActions(sfn: LocalStepFunctions): ApiActions {
  return {
    ListStateMachines: (params) => {
      const machines = [...sfn.stateMachines.values()].map((m) => ({
        stateMachineArn: m.arn,
        name: m.name,
        type: m.type,
        creationDate: m.creationDate,
      }));
      const { items, nextToken } = page(machines, paging(params));
      return { stateMachines: items, ...(nextToken ? { nextToken } : {}) };
    },

    DescribeStateMachine: (params) => {
      const m = sfn.findStateMachine(arnParam(params, 'stateMachineArn', 'stateMachine'));
      return {
        stateMachineArn: m.arn,
        name: m.name,
        status: 'ACTIVE',
        definition: m.definitionString,
        roleArn: m.roleArn,
        type: m.type,
        creationDate: m.creationDate,
      };
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
      describeExecution(sfn.findExecution(arnParam(params, 'executionArn', 'execution'))),

    ListExecutions: (params) => {
      const machine = sfn.findStateMachine(arnParam(params, 'stateMachineArn', 'stateMachine'));
      const status = params.statusFilter;
      if (status !== undefined && !STATUSES.includes(status as ExecutionStatus))
        throw new AwsError(
          'ValidationException',
          `Value '${status}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${STATUSES.join(', ')}]`,
        );
      // Newest first, as the console and the API list them.
      const executions = [...sfn.executions.values()]
        .filter((e) => e.stateMachineArn === machine.arn && (status === undefined || e.status === status))
        .sort((a, b) => b.startDate.getTime() - a.startDate.getTime())
        .map(listItem);
      const { items, nextToken } = page(executions, paging(params));
      return { executions: items, ...(nextToken ? { nextToken } : {}) };
    },

    GetExecutionHistory: (params) => {
      const execution = sfn.findExecution(arnParam(params, 'executionArn', 'execution'));
      const machine = sfn.findStateMachine(execution.stateMachineArn);
      return pageOfHistory(historyEvents(execution, machine), {
        maxResults: params.maxResults as number | undefined,
        nextToken: params.nextToken as string | undefined,
        reverseOrder: params.reverseOrder === true,
      });
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
