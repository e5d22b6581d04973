import { Choice, Condition, type StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { DynamoAttributeValue } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { UserBlocked, UserUnblocked } from '../events/access';
import type { UserAccessChangedDetail } from '../events/identity';
import type { TriggerEvent } from './data';
import { WorkflowKit, type WorkflowKitProps } from './kit';
import { paths } from './paths';
import { workflowStateMachine } from './state-machine';

export interface AccessWorkflowProps extends Omit<WorkflowKitProps, 'workflow'> {
  readonly stateMachineName: string;
}

/**
 * Access change, started by the identity provider's `User Access Changed`: record the access state behind the
 * version fence and announce it. The claim makes a late `blocked` (v2) after `unblocked` (v3) end as stale.
 */
export class AccessWorkflow extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: AccessWorkflowProps) {
    super(scope, id);
    const kit = new WorkflowKit<UserAccessChangedDetail>(this, 'States', { ...props, workflow: 'access' });
    const $ = paths<TriggerEvent<UserAccessChangedDetail>>();
    const recorded = (blocked: boolean) => ({
      status: 'completed',
      attributes: { blocked: DynamoAttributeValue.fromBoolean(blocked) },
    });

    const definition = kit
      .claim()
      .next(
        new Choice(kit, 'Blocked or unblocked?')
          .when(
            Condition.booleanEquals($.detail.blocked.path, true),
            kit
              .announce('access blocked', UserBlocked, {}, recorded(true))
              .next(kit.outcome('User blocked', 'completed', { access: 'blocked' })),
          )
          .otherwise(
            kit
              .announce('access unblocked', UserUnblocked, {}, recorded(false))
              .next(kit.outcome('User unblocked', 'completed', { access: 'unblocked' })),
          ),
      );

    this.stateMachine = workflowStateMachine(this, props.stateMachineName, definition);
  }
}
