import { AwsError } from '../errors';
import type { Archives } from '../eventbridge/archive';
import {
  busNameOf,
  type LocalEventBridge,
  type LocalRule,
  type PutEventsRequestEntry,
  type PutPartnerEventsRequestEntry,
} from '../eventbridge/bus';
import { InvalidEventPatternError, matchesPattern, parsePattern } from '../eventbridge/pattern';
import type { RulesAdmin } from '../eventbridge/rules-admin';
import { MAX_PAYLOAD_DEPTH, nestsDeeperThan } from '../json-depth';
import type { ApiActions } from './protocol';
import { list, map, type RequestShapes, structure } from './shapes';
import { page, required } from './validate';

/** Fields TestEventPattern requires in the event (API reference, TestEventPattern). */
const TEST_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'];

/**
 * EventBridge list calls: `Limit` up to 100, a bad `NextToken` is a ValidationException (the API reference lists
 * no token error for them; ValidationException is what EventBridge answers a parameter it cannot take with).
 */
const paging = (list: string, params: Record<string, unknown>) => ({
  list,
  nextToken: params.NextToken,
  size: params.Limit,
  defaultSize: 100,
  maxSize: 100,
  invalidToken: 'ValidationException',
});

/** The requests of the actions `eventsActions` serves (EventBridge API reference, each action's Request Syntax). */
export const EVENTS_REQUESTS: RequestShapes = {
  PutEvents: structure({
    Entries: list(
      structure({
        Time: 'Timestamp',
        Source: 'String',
        Resources: list('String'),
        DetailType: 'String',
        Detail: 'String',
        EventBusName: 'String',
        TraceHeader: 'String',
      }),
    ),
    EndpointId: 'String',
  }),
  PutPartnerEvents: structure({
    Entries: list(
      structure({
        Time: 'Timestamp',
        Source: 'String',
        Resources: list('String'),
        DetailType: 'String',
        Detail: 'String',
      }),
    ),
  }),
  TestEventPattern: structure({ EventPattern: 'String', Event: 'String' }),
  ListEventBuses: structure({ NamePrefix: 'String', NextToken: 'String', Limit: 'Integer' }),
  ListRules: structure({
    NamePrefix: 'String',
    EventBusName: 'String',
    NextToken: 'String',
    Limit: 'Integer',
  }),
  DescribeRule: structure({ Name: 'String', EventBusName: 'String' }),
  ListTargetsByRule: structure({
    Rule: 'String',
    EventBusName: 'String',
    NextToken: 'String',
    Limit: 'Integer',
  }),
  PutRule: structure({
    Name: 'String',
    ScheduleExpression: 'String',
    EventPattern: 'String',
    State: 'String',
    Description: 'String',
    RoleArn: 'String',
    Tags: list(structure({ Key: 'String', Value: 'String' })),
    EventBusName: 'String',
  }),
  DeleteRule: structure({ Name: 'String', EventBusName: 'String', Force: 'Boolean' }),
  EnableRule: structure({ Name: 'String', EventBusName: 'String' }),
  DisableRule: structure({ Name: 'String', EventBusName: 'String' }),
  PutTargets: structure({
    Rule: 'String',
    EventBusName: 'String',
    Targets: list(
      structure({
        Id: 'String',
        Arn: 'String',
        RoleArn: 'String',
        Input: 'String',
        InputPath: 'String',
        InputTransformer: structure({ InputPathsMap: map('String'), InputTemplate: 'String' }),
        DeadLetterConfig: structure({ Arn: 'String' }),
        RetryPolicy: structure({ MaximumRetryAttempts: 'Integer', MaximumEventAgeInSeconds: 'Integer' }),
        SqsParameters: structure({ MessageGroupId: 'String' }),
      }),
    ),
  }),
  RemoveTargets: structure({ Rule: 'String', EventBusName: 'String', Ids: list('String'), Force: 'Boolean' }),
  DescribeEventBus: structure({ Name: 'String' }),
  CreateArchive: structure({
    ArchiveName: 'String',
    EventSourceArn: 'String',
    Description: 'String',
    EventPattern: 'String',
    RetentionDays: 'Integer',
    KmsKeyIdentifier: 'String',
  }),
  DescribeArchive: structure({ ArchiveName: 'String' }),
  ListArchives: structure({
    NamePrefix: 'String',
    EventSourceArn: 'String',
    State: 'String',
    NextToken: 'String',
    Limit: 'Integer',
  }),
  DeleteArchive: structure({ ArchiveName: 'String' }),
  StartReplay: structure({
    ReplayName: 'String',
    Description: 'String',
    EventSourceArn: 'String',
    EventStartTime: 'Timestamp',
    EventEndTime: 'Timestamp',
    Destination: structure({ Arn: 'String', FilterArns: list('String') }),
  }),
  DescribeReplay: structure({ ReplayName: 'String' }),
  ListReplays: structure({
    NamePrefix: 'String',
    State: 'String',
    EventSourceArn: 'String',
    NextToken: 'String',
    Limit: 'Integer',
  }),
  CancelReplay: structure({ ReplayName: 'String' }),
};

/** What a team may change at run time: its own rules (the template's stay read-only). */
export interface EventsControlPlane {
  readonly rules: RulesAdmin;
  readonly archives: Archives;
}

/**
 * EventBridge's API (`AWSEvents.*`, JSON 1.1) over the template's buses and rules, and, with a control plane,
 * the rules a team creates at run time.
 */
export function eventsActions(bus: LocalEventBridge, control?: EventsControlPlane): ApiActions {
  const busName = (params: Record<string, unknown>) => {
    const name = String(params.EventBusName ?? 'default');
    const short = busNameOf(name);
    if (!bus.buses.has(short))
      throw new AwsError('ResourceNotFoundException', `Event bus ${short} does not exist.`);
    return short;
  };
  const findRule = (params: Record<string, unknown>, nameKey: 'Name' | 'Rule'): LocalRule => {
    const name = required(params, nameKey);
    const onBus = busName(params);
    const rule = bus.rules.find((r) => r.name === name && r.busName === onBus);
    if (!rule)
      throw new AwsError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${onBus}.`);
    return rule;
  };
  const describe = (rule: LocalRule) => ({
    Name: rule.name,
    Arn: rule.arn,
    EventPattern: rule.patternJson,
    State: rule.state,
    ...(rule.description === undefined ? {} : { Description: rule.description }),
    EventBusName: rule.busName,
  });
  const controlActions: ApiActions = control
    ? {
        PutRule: (params) => {
          required(params, 'Name');
          return control.rules.putRule(params as Parameters<RulesAdmin['putRule']>[0]);
        },
        DeleteRule: (params) => {
          required(params, 'Name');
          control.rules.deleteRule(params as Parameters<RulesAdmin['deleteRule']>[0]);
          return {};
        },
        EnableRule: (params) => {
          required(params, 'Name');
          control.rules.setState(params as Parameters<RulesAdmin['setState']>[0], 'ENABLED');
          return {};
        },
        DisableRule: (params) => {
          required(params, 'Name');
          control.rules.setState(params as Parameters<RulesAdmin['setState']>[0], 'DISABLED');
          return {};
        },
        PutTargets: (params) => {
          required(params, 'Rule');
          return control.rules.putTargets(params as Parameters<RulesAdmin['putTargets']>[0]);
        },
        RemoveTargets: (params) => {
          required(params, 'Rule');
          return control.rules.removeTargets(params as Parameters<RulesAdmin['removeTargets']>[0]);
        },
        DescribeEventBus: (params) => control.rules.describeEventBus(params as { Name?: string }),
        CreateArchive: (params) => {
          required(params, 'ArchiveName');
          required(params, 'EventSourceArn');
          return control.archives.createArchive(params as Parameters<Archives['createArchive']>[0]);
        },
        DescribeArchive: (params) =>
          control.archives.describeArchive({ ArchiveName: required(params, 'ArchiveName') }),
        ListArchives: (params) => {
          const { items, nextToken } = page(
            control.archives.listArchives(params as Parameters<Archives['listArchives']>[0]),
            paging('ListArchives', params),
          );
          return { Archives: items, ...(nextToken ? { NextToken: nextToken } : {}) };
        },
        DeleteArchive: (params) => {
          control.archives.deleteArchive({ ArchiveName: required(params, 'ArchiveName') });
          return {};
        },
        StartReplay: (params) => {
          required(params, 'ReplayName');
          required(params, 'EventSourceArn');
          return control.archives.startReplay(params as Parameters<Archives['startReplay']>[0]);
        },
        DescribeReplay: (params) =>
          control.archives.describeReplay({ ReplayName: required(params, 'ReplayName') }),
        ListReplays: (params) => {
          const { items, nextToken } = page(
            control.archives.listReplays(params as Parameters<Archives['listReplays']>[0]),
            paging('ListReplays', params),
          );
          return { Replays: items, ...(nextToken ? { NextToken: nextToken } : {}) };
        },
        CancelReplay: (params) =>
          control.archives.cancelReplay({ ReplayName: required(params, 'ReplayName') }),
      }
    : {};

  return {
    ...controlActions,
    PutEvents: (params) => bus.putEvents(params.Entries as PutEventsRequestEntry[]),

    PutPartnerEvents: (params) => bus.putPartnerEvents(params.Entries as PutPartnerEventsRequestEntry[]),

    TestEventPattern: (params) => {
      const patternJson = required(params, 'EventPattern');
      const eventJson = required(params, 'Event');
      // Matching recurses through the pattern and the event. AWS documents no depth for either: past
      // MAX_PAYLOAD_DEPTH they get the errors this action gives any pattern or event it cannot take.
      const tooDeep = `it is nested deeper than ${MAX_PAYLOAD_DEPTH} levels`;
      let pattern: ReturnType<typeof parsePattern>;
      try {
        if (nestsDeeperThan(patternJson, MAX_PAYLOAD_DEPTH)) throw new InvalidEventPatternError(tooDeep, '');
        pattern = parsePattern(patternJson);
      } catch (error) {
        // The error's message already reads "Event pattern is not valid. Reason: ...".
        if (error instanceof InvalidEventPatternError)
          throw new AwsError('InvalidEventPatternException', error.message);
        throw error;
      }
      if (nestsDeeperThan(eventJson, MAX_PAYLOAD_DEPTH))
        throw new AwsError('ValidationException', `Parameter Event is not valid. Reason: ${tooDeep}.`);
      let event: unknown;
      try {
        event = JSON.parse(eventJson);
      } catch {
        throw new AwsError('ValidationException', 'Parameter Event is not valid. Reason: it is not JSON.');
      }
      const missing = TEST_EVENT_FIELDS.filter(
        (f) => event === null || typeof event !== 'object' || !(f in event),
      );
      if (missing.length > 0) {
        throw new AwsError(
          'ValidationException',
          `Parameter Event is not valid. Reason: missing required field(s) ${missing.join(', ')}.`,
        );
      }
      return { Result: matchesPattern(pattern, event) };
    },

    ListEventBuses: (params) => {
      const prefix = String(params.NamePrefix ?? '');
      const buses = [...bus.buses.values()]
        .filter((b) => b.name.startsWith(prefix))
        .map((b) => ({ Name: b.name, Arn: b.arn }));
      const { items, nextToken } = page(buses, paging('ListEventBuses', params));
      return { EventBuses: items, ...(nextToken ? { NextToken: nextToken } : {}) };
    },

    ListRules: (params) => {
      const onBus = busName(params);
      const prefix = String(params.NamePrefix ?? '');
      const rules = bus.rules.filter((r) => r.busName === onBus && r.name.startsWith(prefix)).map(describe);
      const { items, nextToken } = page(rules, paging('ListRules', params));
      return { Rules: items, ...(nextToken ? { NextToken: nextToken } : {}) };
    },

    DescribeRule: (params) => ({ ...describe(findRule(params, 'Name')), CreatedBy: bus.env.account }),

    ListTargetsByRule: (params) => {
      const { items, nextToken } = page(
        findRule(params, 'Rule').targets,
        paging('ListTargetsByRule', params),
      );
      return { Targets: items, ...(nextToken ? { NextToken: nextToken } : {}) };
    },
  };
}
