import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { JsonPath } from 'aws-cdk-lib/aws-stepfunctions';
import { DynamoAttributeValue } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { DetailOf } from '../events/contract';
import type { AccountApproved } from '../events/kyc';
import {
  OnboardingCompleted,
  ProfileCreated,
  WelcomeMessageRequested,
  WorkspaceProvisioned,
} from '../events/onboarding';
import type { ProvisionedWorkspace } from '../handlers/provision-workspace/contract';
import type { Invoked, TriggerEvent } from './data';
import { WorkflowKit, type WorkflowKitProps } from './kit';
import { paths } from './paths';
import { acknowledgeFunctionVersions, workflowStateMachine } from './state-machine';

type AccountApprovedDetail = DetailOf<typeof AccountApproved>;

interface OnboardingData extends TriggerEvent<AccountApprovedDetail> {
  workspace: Invoked<ProvisionedWorkspace>;
}

export interface OnboardingWorkflowProps extends Omit<WorkflowKitProps, 'workflow'> {
  readonly stateMachineName: string;
  readonly provisionWorkspace: IFunction;
}

/**
 * Onboarding, started by KYC's `Account Approved`: create the profile, provision the workspace, request the
 * welcome message, complete. The version is KYC's, so a re-run of an old KYC decision cannot re-onboard.
 */
export class OnboardingWorkflow extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: OnboardingWorkflowProps) {
    super(scope, id);
    const kit = new WorkflowKit<AccountApprovedDetail>(this, 'States', { ...props, workflow: 'onboarding' });
    const $ = paths<OnboardingData>();
    const plan = $.detail.plan;
    const workspaceId = $.workspace.Payload.workspaceId;

    const provision = kit.rejectOnInvalidInput(
      kit.invoke(
        'Provision workspace',
        props.provisionWorkspace,
        { userId: $.detail.userId.$, version: $.detail.version.$, plan: plan.$ },
        $.workspace.path,
      ),
    );

    const definition = kit
      .claim()
      .next(
        kit.announce(
          'profile created',
          ProfileCreated,
          { plan: plan.$ },
          {
            attributes: { plan: DynamoAttributeValue.fromString(plan.$) },
          },
        ),
      )
      .next(provision)
      .next(
        kit.announce(
          'workspace provisioned',
          WorkspaceProvisioned,
          { workspaceId: workspaceId.$, plan: plan.$ },
          {
            attributes: { workspaceId: DynamoAttributeValue.fromString(workspaceId.$) },
          },
        ),
      )
      .next(
        kit.announce('welcome message requested', WelcomeMessageRequested, {
          template: JsonPath.format('welcome-{}', plan.$),
        }),
      )
      .next(
        kit.announce(
          'onboarding completed',
          OnboardingCompleted,
          { workspaceId: workspaceId.$ },
          { status: 'completed' },
        ),
      )
      .next(kit.outcome('Onboarded', 'completed', { workspaceId: workspaceId.$ }));

    this.stateMachine = workflowStateMachine(this, props.stateMachineName, definition);
    acknowledgeFunctionVersions(this.stateMachine, [props.provisionWorkspace]);
  }
}
