import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  DefinitionBody,
  type IChainable,
  LogLevel,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

/**
 * Every workflow runs as a Standard state machine with full logging and X-Ray tracing. Execution data stays
 * out of the logs, because trigger events carry applicant data (name, date of birth, document number).
 */
export function workflowStateMachine(
  scope: Construct,
  name: string,
  definition: IChainable,
  /** How long an execution may run; an hour unless the workflow waits for people. */
  timeout: Duration = Duration.hours(1),
): StateMachine {
  const logs = new LogGroup(scope, 'Logs', {
    retention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const machine = new StateMachine(scope, 'StateMachine', {
    stateMachineName: name,
    stateMachineType: StateMachineType.STANDARD,
    definitionBody: DefinitionBody.fromChainable(definition),
    timeout,
    tracingEnabled: true,
    logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
  });
  Validations.of(machine).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Vended log delivery (logs:CreateLogDelivery, ...) and X-Ray (xray:PutTraceSegments, ...) support no resource-level permissions.',
  });
  return machine;
}

/**
 * lambda:invoke grants `<function ARN>:*` so an execution can call any published version or alias of the one
 * function the task names; acknowledged per function ARN, never a blanket wildcard.
 */
export function acknowledgeFunctionVersions(machine: StateMachine, functions: readonly IFunction[]): void {
  for (const fn of functions) {
    Validations.of(machine).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(fn)}.Arn>:*]`,
      reason: `Versions and aliases of ${fn.node.path} only; granted by lambda:invoke for the one function.`,
    });
  }
}

function logicalIdOf(fn: IFunction): string {
  const stack = Stack.of(fn);
  return stack.resolve(stack.getLogicalId(fn.node.defaultChild as CfnElement));
}
