import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import {
  Chain,
  Choice,
  Condition,
  type IChainable,
  IntegrationPattern,
  JitterType,
  JsonPath,
  Pass,
  Result,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import {
  DynamoAttributeValue,
  DynamoGetItem,
  DynamoUpdateItem,
  EventBridgePutEvents,
  LambdaInvoke,
  SqsSendMessage,
} from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { z } from 'zod';
import type { EventContract, Workflow } from '../events/contract';
import { InvalidInput } from '../handlers/shared/errors';
import type { Outcome, StoredVersion, TriggerEvent } from './data';
import { context, paths } from './paths';

/** The fields every emitted event carries; the kit fills them in from the trigger. */
type EmittedCommon = 'userId' | 'version' | 'workflow' | 'triggerEventId';

/** Error names the kit's states raise or catch, part of the contract the runbook documents. */
export const Errors = {
  conditionFailed: 'DynamoDB.ConditionalCheckFailedException',
  failedEntry: 'EventBridge.FailedEntry',
  /** A handler's name for a request it cannot parse (see handlers/shared). */
  invalidInput: InvalidInput.errorName,
  /** The reason given for a trigger whose userId or version the first state refuses. */
  malformedTrigger: 'MalformedTrigger',
} as const;

/**
 * The transient errors of the services the kit writes state to, as Step Functions names them
 * (`<Service>.<exception class>`, see "Handling errors in Step Functions workflows" and each optimized
 * integration's page): throttling and server-side failures, which AWS documents as safe to retry. Never
 * `ConditionalCheckFailedException`: a failed condition is an answer (stale, duplicate, superseded), not a
 * fault. `AmazonDynamoDBException` / `AmazonSQSException` are how Step Functions names the errors it has no
 * class for, such as a 500 or 503 without a modelled code.
 */
export const TRANSIENT_ERRORS = {
  dynamodb: [
    'DynamoDB.ProvisionedThroughputExceededException',
    'DynamoDB.RequestLimitExceededException',
    'DynamoDB.ThrottlingException',
    'DynamoDB.InternalServerErrorException',
    'DynamoDB.AmazonDynamoDBException',
  ],
  sqs: ['SQS.RequestThrottledException', 'SQS.KmsThrottledException', 'SQS.AmazonSQSException'],
} as const;

/** State-write retry: 1 s doubling to 8 s caps, 6 attempts, full jitter: a burst spreads out instead of piling up. */
const WRITE_RETRY = {
  interval: Duration.seconds(1),
  backoffRate: 2,
  maxAttempts: 6,
  maxDelay: Duration.seconds(8),
  jitterStrategy: JitterType.FULL,
};

/** Emit retry: 1 s, 2 s, 4 s, 8 s caps with full jitter, so retrying executions do not stampede the bus. */
const EMIT_RETRY = {
  interval: Duration.seconds(1),
  backoffRate: 2,
  maxAttempts: 4,
  maxDelay: Duration.seconds(10),
  jitterStrategy: JitterType.FULL,
};

/** An emit that waits for its task token: the callback pattern on putEvents (`.waitForTaskToken`). */
export interface WaitForTaskToken {
  /** How long to wait for SendTaskSuccess/SendTaskFailure before States.Timeout. */
  readonly timeout: Duration;
  /** Where the task's result (SendTaskSuccess's output) goes. */
  readonly resultPath: string;
  /** Errors of the wait itself (States.Timeout, a SendTaskFailure error), caught before any emit failure. */
  readonly catches: readonly { readonly errors: readonly string[]; readonly next: IChainable }[];
}

export interface WorkflowKitProps {
  readonly workflow: Workflow;
  /** The version table: partition key `userId`, sort key `workflow`. */
  readonly table: ITable;
  readonly bus: IEventBus;
  /** Where an event that could not be put on the bus is parked, with the error and cause. */
  readonly undelivered: IQueue;
  /** Where a trigger the workflow's steps reject as invalid is parked. */
  readonly rejected: IQueue;
}

/**
 * The shared fragments of every workflow: claim, fence, emit and outcomes. Each exists once here; the
 * workflows compose them. State names are sentences because people read them in the console.
 */
export class WorkflowKit<Detail extends { userId: string; version: number }> extends Construct {
  /** Typed paths into the trigger event, which is the execution input. */
  readonly trigger = paths<TriggerEvent<Detail>>();
  private readonly versionKey: Record<string, DynamoAttributeValue>;
  private superseded?: Pass;
  private rejection?: IChainable;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: WorkflowKitProps,
  ) {
    super(scope, id);
    const detail = paths<Detail & { userId: string; version: number }>('$.detail');
    this.versionKey = {
      userId: DynamoAttributeValue.fromString(detail.userId.$),
      workflow: DynamoAttributeValue.fromString(props.workflow),
    };
  }

  private get version(): DynamoAttributeValue {
    // DynamoDB numbers travel as strings; States.Format renders the trigger's number as one.
    return DynamoAttributeValue.numberFromString(
      JsonPath.format('{}', JsonPath.stringAt('$.detail.version')),
    );
  }

  /**
   * The first states: check the trigger, then take (userId, workflow) for this version with a conditional
   * write. A failed condition is not a failure: the execution ends SUCCEEDED as `duplicate` (same version
   * stored) or `stale` (newer). The chain goes on from the claim.
   */
  claim(): Chain {
    const claim = new DynamoUpdateItem(this, 'Claim version', {
      table: this.props.table,
      key: this.versionKey,
      updateExpression:
        'SET #version = :version, #eventId = :eventId, #executionArn = :executionArn, #status = :status, #step = :step, #claimedAt = :claimedAt',
      // The same execution may claim again: a claim whose answer was lost (a crash, a retried timeout) or
      // a redrive must not find its own claim and call itself a duplicate.
      conditionExpression:
        'attribute_not_exists(#version) OR #version < :version OR (#version = :version AND #executionArn = :executionArn)',
      expressionAttributeNames: {
        '#version': 'version',
        '#eventId': 'eventId',
        '#executionArn': 'executionArn',
        '#status': 'status',
        '#step': 'step',
        '#claimedAt': 'claimedAt',
      },
      expressionAttributeValues: {
        ':version': this.version,
        ':eventId': DynamoAttributeValue.fromString(this.trigger.id.$),
        ':executionArn': DynamoAttributeValue.fromString(context.executionId),
        ':status': DynamoAttributeValue.fromString('running'),
        ':step': DynamoAttributeValue.fromString('Claimed'),
        ':claimedAt': DynamoAttributeValue.fromString(context.startTime),
      },
      resultPath: JsonPath.DISCARD,
    });
    claim.addRetry({ errors: [...TRANSIENT_ERRORS.dynamodb], ...WRITE_RETRY });

    const stored = paths<StoredVersion>('$.stored');
    const readStored = new DynamoGetItem(this, 'Read stored version', {
      table: this.props.table,
      key: this.versionKey,
      consistentRead: true,
      resultSelector: { storedVersion: JsonPath.stringToJson(JsonPath.stringAt('$.Item.version.N')) },
      resultPath: stored.path,
    });
    readStored.addRetry({ errors: [...TRANSIENT_ERRORS.dynamodb], ...WRITE_RETRY });
    const compare = new Choice(this, 'Compare versions');
    claim.addCatch(readStored, { errors: [Errors.conditionFailed], resultPath: JsonPath.DISCARD });
    readStored.next(
      compare
        .when(
          Condition.numberEqualsJsonPath(stored.storedVersion.path, this.trigger.detail.version.path),
          this.outcome('Duplicate', 'duplicate', { storedVersion: stored.storedVersion.$ }),
        )
        .otherwise(this.outcome('Stale', 'stale', { storedVersion: stored.storedVersion.$ })),
    );
    return Chain.custom(this.checkTrigger(claim), [claim], claim);
  }

  /**
   * The version check the trigger rules cannot make. A partner's version is its change time in milliseconds
   * (about 1.8e12), beyond EventBridge's numeric matching (-5.0e9 to +5.0e9, "Content filtering in Amazon
   * EventBridge event patterns"), so the rules only ask for a string userId and a version that exists
   * (stacks/patterns.ts), and this Choice refuses an empty userId and a version that is not a positive
   * number. A value of the wrong type never matches a comparison, so a string version goes to the rejection.
   * Nothing was claimed: the trigger is parked with its reason and no fence is written.
   */
  private checkTrigger(claim: DynamoUpdateItem): Choice {
    const detail = this.trigger.detail;
    const describe = new Pass(this, 'Describe malformed trigger', {
      result: Result.fromObject({
        Error: Errors.malformedTrigger,
        Cause:
          'detail.userId must be a non-empty string and detail.version a positive number (events/contract.ts).',
      }),
      resultPath: '$.rejection',
    });
    describe
      .next(this.parkRejected('Reject malformed trigger'))
      .next(this.outcome('Malformed', 'rejected', {}));
    return new Choice(this, 'Check trigger')
      .when(
        Condition.and(
          Condition.isString(detail.userId.path),
          Condition.not(Condition.stringEquals(detail.userId.path, '')),
          Condition.isNumeric(detail.version.path),
          Condition.numberGreaterThan(detail.version.path, 0),
        ),
        claim,
      )
      .otherwise(describe);
  }

  /**
   * Record a step with a write that only succeeds while this execution still owns the latest version. If a
   * newer version claimed the user meanwhile, the execution ends as `superseded` and emits nothing more.
   */
  fence(step: string, record: { status?: string; attributes?: Record<string, DynamoAttributeValue> } = {}) {
    const extra = Object.entries(record.attributes ?? {});
    const fence = new DynamoUpdateItem(this, `Record ${step}`, {
      table: this.props.table,
      key: this.versionKey,
      updateExpression: [
        'SET #step = :step, #status = :status',
        ...extra.map((_, i) => `#a${i} = :a${i}`),
      ].join(', '),
      conditionExpression: '#version = :version',
      expressionAttributeNames: {
        '#version': 'version',
        '#step': 'step',
        '#status': 'status',
        ...Object.fromEntries(extra.map(([name], i) => [`#a${i}`, name])),
      },
      expressionAttributeValues: {
        ':version': this.version,
        ':step': DynamoAttributeValue.fromString(step),
        ':status': DynamoAttributeValue.fromString(record.status ?? 'running'),
        ...Object.fromEntries(extra.map(([, value], i) => [`:a${i}`, value])),
      },
      resultPath: JsonPath.DISCARD,
    });
    fence.addRetry({ errors: [...TRANSIENT_ERRORS.dynamodb], ...WRITE_RETRY });
    this.superseded ??= this.outcome('Superseded', 'superseded', {});
    fence.addCatch(this.superseded, { errors: [Errors.conditionFailed], resultPath: JsonPath.DISCARD });
    return fence;
  }

  /**
   * Put one event on the bus. One entry per task, because a Retry resends the whole Entries array. A
   * FailedEntry is retried with backoff and full jitter; when retries run out, the entry is parked in the
   * undelivered-events queue with the error and cause (the queue's alarm tells an operator), and the event
   * is put once more with the same retries, without a Catch: if the bus still refuses it, the execution
   * fails in that state, and redriving the execution (one step, the runbook's repair) puts the event and
   * goes on with the workflow. A Fail state after the park would end the execution where a redrive could
   * only fail again.
   */
  emit<C extends EventContract<string, string, z.ZodType>>(
    contract: C,
    detail: Omit<z.infer<C['schema']>, EmittedCommon | 'taskToken'>,
    wait?: WaitForTaskToken,
  ): Chain {
    const common = {
      userId: this.trigger.detail.userId.$,
      version: this.trigger.detail.version.$,
      workflow: this.props.workflow,
      triggerEventId: this.trigger.id.$,
    };
    // A waiting emit carries its task token in `detail.taskToken`. The parked copy leaves it out: only a
    // callback task has a token (`$$.Task.Token` would fail the park with States.Runtime), and a parked
    // token could answer the wait from the queue.
    const entry = {
      source: contract.source,
      detailType: contract.detailType,
      detail: TaskInput.fromObject({
        ...common,
        ...detail,
        ...(wait ? { taskToken: JsonPath.taskToken } : {}),
      }),
    };
    const parkedDetail = { ...common, ...detail };
    const putEvent = (name: string) => {
      const task = new EventBridgePutEvents(this, name, {
        entries: [{ ...entry, eventBus: this.props.bus }],
        ...(wait
          ? {
              integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
              taskTimeout: Timeout.duration(wait.timeout),
              resultPath: wait.resultPath,
            }
          : { resultPath: JsonPath.DISCARD }),
      });
      task.addRetry({ errors: [Errors.failedEntry], ...EMIT_RETRY });
      task.addRetry({ errors: ['States.TaskFailed'], ...EMIT_RETRY });
      // The wait's own endings come first: States.ALL below would otherwise take them for emit failures.
      for (const c of wait?.catches ?? [])
        task.addCatch(c.next, { errors: [...c.errors], resultPath: '$.waitError' });
      return task;
    };
    const emit = putEvent(`Emit ${contract.detailType}`);

    const failure = paths<{ Error: string; Cause: string }>('$.emitError');
    const park = new SqsSendMessage(this, `Park undelivered ${contract.detailType}`, {
      queue: this.props.undelivered,
      messageBody: TaskInput.fromObject({
        entry: {
          EventBusName: this.props.bus.eventBusName,
          Source: contract.source,
          DetailType: contract.detailType,
          Detail: parkedDetail,
        },
        error: failure.Error.$,
        cause: failure.Cause.$,
        executionArn: context.executionId,
        state: `Emit ${contract.detailType}`,
      }),
      resultPath: JsonPath.DISCARD,
    });
    park.addRetry({ errors: [...TRANSIENT_ERRORS.sqs], ...WRITE_RETRY });
    const again = putEvent(`Emit ${contract.detailType} again`);
    park.next(again);
    emit.addCatch(park, { errors: [Errors.failedEntry], resultPath: failure.path });
    emit.addCatch(park, { errors: ['States.ALL'], resultPath: failure.path });
    return Chain.custom(emit, [emit, again], again);
  }

  /** A step recorded behind the fence, then announced: the pattern every workflow step follows. */
  announce<C extends EventContract<string, string, z.ZodType>>(
    step: string,
    contract: C,
    detail: Omit<z.infer<C['schema']>, EmittedCommon | 'taskToken'>,
    record: Parameters<WorkflowKit<Detail>['fence']>[1] = {},
    wait?: WaitForTaskToken,
  ): Chain {
    return Chain.start(this.fence(step, record)).next(this.emit(contract, detail, wait));
  }

  /**
   * Call a Lambda function, keeping only its Payload. `resultPath` undefined replaces the state's data (the
   * default; an explicit `$` trips the local engine inside Parallel branches).
   */
  invoke(name: string, fn: IFunction, payload: object, resultPath?: string, retryOn: readonly string[] = []) {
    const task = new LambdaInvoke(this, name, {
      lambdaFunction: fn,
      payload: TaskInput.fromObject(payload),
      resultSelector: { Payload: JsonPath.objectAt('$.Payload') },
      ...(resultPath === undefined ? {} : { resultPath }),
    });
    if (retryOn.length > 0) {
      task.addRetry({
        errors: [...retryOn],
        interval: Duration.seconds(2),
        maxAttempts: 3,
        backoffRate: 2,
        jitterStrategy: JitterType.FULL,
      });
    }
    return task;
  }

  /** Where a step's InvalidInput goes: the trigger is parked in the rejected-events queue, outcome `rejected`. */
  rejectInvalid(): IChainable {
    if (this.rejection) return this.rejection;
    const park = this.parkRejected('Reject invalid trigger');
    this.rejection = park;
    park.next(this.fence('Rejected', { status: 'rejected' })).next(this.outcome('Rejected', 'rejected', {}));
    return park;
  }

  /** Parks the trigger in the rejected-events queue with the reason in `$.rejection`. */
  private parkRejected(name: string): SqsSendMessage {
    const error = paths<{ Error: string; Cause: string }>('$.rejection');
    const park = new SqsSendMessage(this, name, {
      queue: this.props.rejected,
      messageBody: TaskInput.fromObject({
        reason: error.Error.$,
        cause: error.Cause.$,
        executionArn: context.executionId,
        event: {
          id: this.trigger.id.$,
          source: this.trigger.source.$,
          'detail-type': this.trigger['detail-type'].$,
          time: this.trigger.time.$,
          detail: this.trigger.detail.$,
        },
      }),
      resultPath: JsonPath.DISCARD,
    });
    park.addRetry({ errors: [...TRANSIENT_ERRORS.sqs], ...WRITE_RETRY });
    return park;
  }

  /** The execution's output: always `outcome`, the workflow, and who and which version it was about. */
  outcome(name: string, outcome: Outcome, extra: Record<string, unknown>): Pass {
    return new Pass(this, name, {
      parameters: {
        outcome,
        workflow: this.props.workflow,
        userId: this.trigger.detail.userId.$,
        version: this.trigger.detail.version.$,
        triggerEventId: this.trigger.id.$,
        ...extra,
      },
    });
  }

  /** Catch a step's InvalidInput into the rejection path. */
  rejectOnInvalidInput<
    T extends { addCatch(handler: IChainable, props: { errors: string[]; resultPath: string }): unknown },
  >(task: T): T {
    task.addCatch(this.rejectInvalid(), { errors: [Errors.invalidInput], resultPath: '$.rejection' });
    return task;
  }
}
