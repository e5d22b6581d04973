import { Duration } from 'aws-cdk-lib';
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
  ManualReviewExpired,
  ManualReviewRequired,
  RiskAssessed,
} from '../events/kyc';
import type { ReviewDecidedDetail } from '../events/review';
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
  /** A manual review's decision: what the review-decision handler sends with SendTaskSuccess. */
  review: Pick<ReviewDecidedDetail, 'decision' | 'reviewer' | 'reason'>;
}

export interface KycWorkflowProps extends Omit<WorkflowKitProps, 'workflow'> {
  readonly stateMachineName: string;
  readonly verifyIdentity: IFunction;
  readonly screenSanctions: IFunction;
  readonly assessRisk: IFunction;
  /** How long a manual review waits for a decision before it expires. */
  readonly reviewTimeout: Duration;
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
    const decided = (decision: Decision | 'expired') => ({
      status: 'completed',
      attributes: { decision: DynamoAttributeValue.fromString(decision) },
    });
    const approval = kit
      .announce(
        'approval',
        AccountApproved,
        { riskScore: assessment.riskScore.$, plan: $.detail.plan.$ },
        decided('approved'),
      )
      .next(kit.outcome('Approved', 'completed', { decision: 'approved' }));
    const decline = kit
      .announce('decline', AccountDeclined, { reasons: assessment.reasons.$ }, decided('declined'))
      .next(kit.outcome('Declined', 'completed', { decision: 'declined' }));

    // Manual review: announced with the task token, then the execution waits for the officer's decision,
    // which the review-decision handler sends (SendTaskSuccess) and which goes on exactly as an automatic
    // one. Every branch after the wait starts with a fenced write, so a review overtaken by a newer
    // version ends superseded when its decision (or its deadline) arrives.
    const expiry = kit
      .announce('review expired', ManualReviewExpired, { reasons: assessment.reasons.$ }, decided('expired'))
      .next(kit.outcome('Review expired', 'completed', { decision: 'expired' }));
    const reviewed = new Choice(kit, 'Reviewer decided?')
      .when(Condition.stringEquals($.review.decision.path, 'approved'), approval)
      .when(Condition.stringEquals($.review.decision.path, 'declined'), decline)
      .otherwise(
        new Fail(kit, 'Unknown review decision', {
          error: 'UnknownDecision',
          causePath: $.review.decision.path,
        }),
      );
    const review = kit
      .announce(
        'manual review',
        ManualReviewRequired,
        { riskScore: assessment.riskScore.$, reasons: assessment.reasons.$ },
        { status: 'in review', attributes: { decision: DynamoAttributeValue.fromString('manual review') } },
        {
          timeout: props.reviewTimeout,
          resultPath: $.review.path,
          catches: [{ errors: ['States.Timeout'], next: expiry }],
        },
      )
      .next(reviewed);

    const decide = new Choice(kit, 'Decide')
      .when(Condition.stringEquals(assessment.decision.path, 'approved' satisfies Decision), approval)
      .when(Condition.stringEquals(assessment.decision.path, 'declined' satisfies Decision), decline)
      .when(Condition.stringEquals(assessment.decision.path, 'manual review' satisfies Decision), review)
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

    // A review may wait up to its deadline; the rest of the run takes minutes at most.
    const timeout = props.reviewTimeout.plus(Duration.hours(1));
    this.stateMachine = workflowStateMachine(this, props.stateMachineName, definition, timeout);
    acknowledgeFunctionVersions(this.stateMachine, [
      props.verifyIdentity,
      props.screenSanctions,
      props.assessRisk,
    ]);
  }
}
