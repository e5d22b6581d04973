import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import {
  Chain,
  Choice,
  Condition,
  Fail,
  type IChainable,
  JitterType,
  JsonPath,
  Pass,
  TaskInput,
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
  /** The execution's own error after an emitted event was parked in the undelivered-events queue. */
  eventUndelivered: 'EventUndelivered',
  /** A handler's name for a request it cannot parse (see handlers/shared). */
  invalidInput: InvalidInput.errorName,
} as const;

/** Emit retry: 1 s, 2 s, 4 s, 8 s caps with full jitter, so retrying executions do not stampede the bus. */
const EMIT_RETRY = {
  interval: Duration.seconds(1),
  backoffRate: 2,
  maxAttempts: 4,
  maxDelay: Duration.seconds(10),
  jitterStrategy: JitterType.FULL,
};

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
  private undeliveredFail?: Fail;
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
   * The first state: take (userId, workflow) for this version with a conditional write. A failed condition
   * is not a failure: the execution ends SUCCEEDED as `duplicate` (same version stored) or `stale` (newer).
   */
  claim(): DynamoUpdateItem {
    const claim = new DynamoUpdateItem(this, 'Claim version', {
      table: this.props.table,
      key: this.versionKey,
      updateExpression:
        'SET #version = :version, #eventId = :eventId, #executionArn = :executionArn, #status = :status, #step = :step, #claimedAt = :claimedAt',
      conditionExpression: 'attribute_not_exists(#version) OR #version < :version',
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

    const stored = paths<StoredVersion>('$.stored');
    const readStored = new DynamoGetItem(this, 'Read stored version', {
      table: this.props.table,
      key: this.versionKey,
      consistentRead: true,
      resultSelector: { storedVersion: JsonPath.stringToJson(JsonPath.stringAt('$.Item.version.N')) },
      resultPath: stored.path,
    });
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
    return claim;
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
    this.superseded ??= this.outcome('Superseded', 'superseded', {});
    fence.addCatch(this.superseded, { errors: [Errors.conditionFailed], resultPath: JsonPath.DISCARD });
    return fence;
  }

  /**
   * Put one event on the bus. One entry per task, because a Retry resends the whole Entries array. A
   * FailedEntry is retried with backoff and full jitter; when retries run out, the entry is parked in the
   * undelivered-events queue with the error and cause, and the execution fails with `EventUndelivered`.
   */
  emit<C extends EventContract<string, string, z.ZodType>>(
    contract: C,
    detail: Omit<z.infer<C['schema']>, EmittedCommon>,
  ): EventBridgePutEvents {
    const entry = {
      source: contract.source,
      detailType: contract.detailType,
      detail: TaskInput.fromObject({
        userId: this.trigger.detail.userId.$,
        version: this.trigger.detail.version.$,
        workflow: this.props.workflow,
        triggerEventId: this.trigger.id.$,
        ...detail,
      }),
    };
    const emit = new EventBridgePutEvents(this, `Emit ${contract.detailType}`, {
      entries: [{ ...entry, eventBus: this.props.bus }],
      resultPath: JsonPath.DISCARD,
    });
    emit.addRetry({ errors: [Errors.failedEntry], ...EMIT_RETRY });
    emit.addRetry({ errors: ['States.TaskFailed'], ...EMIT_RETRY });

    const failure = paths<{ Error: string; Cause: string }>('$.emitError');
    const park = new SqsSendMessage(this, `Park undelivered ${contract.detailType}`, {
      queue: this.props.undelivered,
      messageBody: TaskInput.fromObject({
        entry: {
          EventBusName: this.props.bus.eventBusName,
          Source: contract.source,
          DetailType: contract.detailType,
          Detail: entry.detail.value,
        },
        error: failure.Error.$,
        cause: failure.Cause.$,
        executionArn: context.executionId,
        state: `Emit ${contract.detailType}`,
      }),
      resultPath: JsonPath.DISCARD,
    });
    this.undeliveredFail ??= new Fail(this, 'Event not delivered', {
      error: Errors.eventUndelivered,
      causePath: failure.Cause.path,
    });
    park.next(this.undeliveredFail);
    emit.addCatch(park, { errors: [Errors.failedEntry], resultPath: failure.path });
    emit.addCatch(park, { errors: ['States.ALL'], resultPath: failure.path });
    return emit;
  }

  /** A step recorded behind the fence, then announced: the pattern every workflow step follows. */
  announce<C extends EventContract<string, string, z.ZodType>>(
    step: string,
    contract: C,
    detail: Omit<z.infer<C['schema']>, EmittedCommon>,
    record: Parameters<WorkflowKit<Detail>['fence']>[1] = {},
  ): Chain {
    return Chain.start(this.fence(step, record)).next(this.emit(contract, detail));
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
    const error = paths<{ Error: string; Cause: string }>('$.rejection');
    const park = new SqsSendMessage(this, 'Reject invalid trigger', {
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
    this.rejection = park;
    park.next(this.fence('Rejected', { status: 'rejected' })).next(this.outcome('Rejected', 'rejected', {}));
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
