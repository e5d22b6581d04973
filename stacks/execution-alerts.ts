import type { Stack } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';

/** What Step Functions puts on the default bus when an execution's status changes (Developer Guide). */
export const EXECUTION_STATUS_CHANGE = {
  source: 'aws.states',
  detailType: 'Step Functions Execution Status Change',
} as const;

/** The statuses an operator must look at: the execution ended without succeeding, and can be redriven. */
export const UNSUCCESSFUL_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

export interface ExecutionAlertsProps {
  readonly prefix: string;
  /** This app's state machines: only their executions are routed, not the account's others. */
  readonly stateMachines: readonly StateMachine[];
  /** The stack's encrypted, alarmed parking queue (OnboardingStack). */
  readonly parkingQueue: (id: string, name: string, what: string) => Queue;
}

/**
 * Failed executions reach a queue: a rule on the account's default bus, where Step Functions puts its status
 * change events, routes this app's FAILED, TIMED_OUT and ABORTED executions to the failed-executions queue,
 * whose alarm fires when it is not empty. An operator reads the execution ARN there and redrives it (see the
 * runbook in the README).
 *
 * A function, as addAuditLog is: the rule's and queue's construct IDs at the stack's root are the deployed
 * contract.
 */
export function addExecutionAlerts(stack: Stack, props: ExecutionAlertsProps): { rule: Rule; queue: Queue } {
  const queue = props.parkingQueue(
    'FailedExecutionsQueue',
    'failed-executions',
    'Executions that failed, timed out or were aborted',
  );
  const rule = new Rule(stack, 'FailedExecutionsRule', {
    // No eventBus: the account's default bus, the only one Step Functions puts status changes on.
    description: `${props.prefix} executions that failed, timed out or were aborted go to the failed-executions queue`,
    eventPattern: {
      source: [EXECUTION_STATUS_CHANGE.source],
      detailType: [EXECUTION_STATUS_CHANGE.detailType],
      detail: {
        status: [...UNSUCCESSFUL_STATUSES],
        stateMachineArn: props.stateMachines.map((machine) => machine.stateMachineArn),
      },
    },
    targets: [new SqsQueue(queue)],
  });
  return { rule, queue };
}
