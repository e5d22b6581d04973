import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  Fail,
  JsonPath,
  Parallel,
  type StateMachine,
} from 'aws-cdk-lib/aws-stepfunctions';
import { DynamoAttributeValue } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { AccountRequestedDetail } from '../events/accounts';
import {
  AccountApproved,
  AccountDeclined,
  type Decision,
  KycChecksCompleted,
  ManualReviewRequired,
  RiskAssessed,
} from '../events/kyc';
import type { RiskAssessment } from '../handlers/assess-risk/contract';
import type { ScreeningResult } from '../handlers/screen-sanctions/contract';
import type { IdentityResult } from '../handlers/verify-identity/contract';
import { IdentityProviderUnavailable } from '../handlers/verify-identity/contract';
import type { Invoked, TriggerEvent } from './data';
import { WorkflowKit, type WorkflowKitProps } from './kit';
import { paths } from './paths';
import { acknowledgeFunctionVersions, workflowStateMachine } from './state-machine';

/** What the KYC execution's data holds as it goes. */
interface KycData extends TriggerEvent<AccountRequestedDetail> {
  checks: { identity: IdentityResult; sanctions: ScreeningResult };
  assessment: Invoked<RiskAssessment>;
}

export interface KycWorkflowProps extends Omit<WorkflowKitProps, 'workflow'> {
  readonly stateMachineName: string;
  readonly verifyIdentity: IFunction;
  readonly screenSanctions: IFunction;
  readonly assessRisk: IFunction;
}

/**
 * KYC, started by `Account Requested`: verify identity and screen sanctions in parallel, assess risk, decide.
 * Each step is recorded behind the version fence and announced; the decision is approved, declined or
 * manual review.
 */
export class KycWorkflow extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: KycWorkflowProps) {
    super(scope, id);
    const kit = new WorkflowKit<AccountRequestedDetail>(this, 'States', { ...props, workflow: 'kyc' });
    const $ = paths<KycData>();
    const applicant = $.detail.applicant;

    const checks = new Parallel(kit, 'Run identity and sanctions checks', {
      resultSelector: {
        identity: JsonPath.objectAt('$[0].Payload'),
        sanctions: JsonPath.objectAt('$[1].Payload'),
      },
      resultPath: $.checks.path,
    })
      .branch(
        kit.invoke(
          'Verify identity',
          props.verifyIdentity,
          { userId: $.detail.userId.$, applicant: applicant.$, asOf: $.time.$ },
          undefined,
          [IdentityProviderUnavailable.errorName],
        ),
      )
      .branch(
        kit.invoke('Screen sanctions', props.screenSanctions, {
          userId: $.detail.userId.$,
          applicant: {
            fullName: applicant.fullName.$,
            dateOfBirth: applicant.dateOfBirth.$,
            country: applicant.country.$,
          },
        }),
      );
    kit.rejectOnInvalidInput(checks);

    const assess = kit.rejectOnInvalidInput(
      kit.invoke(
        'Assess risk',
        props.assessRisk,
        {
          userId: $.detail.userId.$,
          country: applicant.country.$,
          plan: $.detail.plan.$,
          identity: $.checks.identity.$,
          sanctions: $.checks.sanctions.$,
        },
        $.assessment.path,
      ),
    );

    const assessment = $.assessment.Payload;
    const decided = (decision: Decision) => ({
      status: 'completed',
      attributes: { decision: DynamoAttributeValue.fromString(decision) },
    });
    const decide = new Choice(kit, 'Decide')
      .when(
        Condition.stringEquals(assessment.decision.path, 'approved' satisfies Decision),
        kit
          .announce(
            'approval',
            AccountApproved,
            { riskScore: assessment.riskScore.$, plan: $.detail.plan.$ },
            decided('approved'),
          )
          .next(kit.outcome('Approved', 'completed', { decision: 'approved' })),
      )
      .when(
        Condition.stringEquals(assessment.decision.path, 'declined' satisfies Decision),
        kit
          .announce('decline', AccountDeclined, { reasons: assessment.reasons.$ }, decided('declined'))
          .next(kit.outcome('Declined', 'completed', { decision: 'declined' })),
      )
      .when(
        Condition.stringEquals(assessment.decision.path, 'manual review' satisfies Decision),
        kit
          .announce(
            'manual review',
            ManualReviewRequired,
            { riskScore: assessment.riskScore.$, reasons: assessment.reasons.$ },
            decided('manual review'),
          )
          .next(kit.outcome('Sent to manual review', 'completed', { decision: 'manual review' })),
      )
      .otherwise(
        new Fail(kit, 'Unknown decision', { error: 'UnknownDecision', causePath: assessment.decision.path }),
      );

    const definition = kit
      .claim()
      .next(checks)
      .next(
        kit.announce('checks completed', KycChecksCompleted, {
          identityVerified: $.checks.identity.verified.$,
          sanctionsHit: $.checks.sanctions.hit.$,
        }),
      )
      .next(assess)
      .next(
        kit.announce('risk assessed', RiskAssessed, {
          riskScore: assessment.riskScore.$,
          decision: assessment.decision.$,
        }),
      )
      .next(decide);

    this.stateMachine = workflowStateMachine(this, props.stateMachineName, definition);
    acknowledgeFunctionVersions(this.stateMachine, [
      props.verifyIdentity,
      props.screenSanctions,
      props.assessRisk,
    ]);
  }
}
