import { AwsError } from '../errors';
import type { LocalLogs } from '../logs';
import type { ApiActions } from './protocol';
import { page } from './validate';

/** CloudWatch Logs' list pages: `limit` 1 to 50, 50 by default (DescribeLogGroups, DescribeLogStreams). */
const DESCRIBE_PAGE = { defaultSize: 50, maxSize: 50, invalidToken: 'InvalidParameterException' };

/** CloudWatch Logs' JSON API (`Logs_20140328.*`) over the runtime's log groups: reading them. */
export function logsActions(logs: LocalLogs): ApiActions {
  return {
    DescribeLogGroups: (p) => {
      const groups = logs.describeLogGroups({
        ...(p.logGroupNamePrefix !== undefined ? { prefix: p.logGroupNamePrefix as string } : {}),
        ...(p.logGroupNamePattern !== undefined ? { pattern: p.logGroupNamePattern as string } : {}),
      });
      const { items, nextToken } = page(groups, {
        list: 'DescribeLogGroups',
        nextToken: p.nextToken,
        size: limitOf(p, 50),
        ...DESCRIBE_PAGE,
      });
      return {
        logGroups: items.map((g) => ({
          logGroupName: g.name,
          creationTime: g.creationTime,
          ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
          metricFilterCount: 0,
          arn: `${g.arn}:*`,
          storedBytes: 0,
          logGroupClass: 'STANDARD',
          logGroupArn: g.arn,
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    DescribeLogStreams: (p) => {
      const orderBy = p.orderBy as string | undefined;
      if (orderBy !== undefined && orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime')
        throw validation(
          orderBy,
          'orderBy',
          'Member must satisfy enum value set: [LogStreamName, LastEventTime]',
        );
      const streams = logs.describeLogStreams(groupOf(p), {
        ...(p.logStreamNamePrefix !== undefined ? { prefix: p.logStreamNamePrefix as string } : {}),
        ...(orderBy !== undefined ? { orderBy } : {}),
        descending: p.descending === true,
      });
      const { items, nextToken } = page(streams, {
        list: 'DescribeLogStreams',
        nextToken: p.nextToken,
        size: limitOf(p, 50),
        ...DESCRIBE_PAGE,
      });
      return { logStreams: items, ...(nextToken ? { nextToken } : {}) };
    },
    GetLogEvents: (p) => {
      if (typeof p.logStreamName !== 'string')
        throw validation('null', 'logStreamName', 'Member must not be null');
      return logs.getLogEvents(groupOf(p), p.logStreamName, {
        ...times(p),
        limit: limitOf(p, 10_000),
        startFromHead: p.startFromHead === true,
        ...(p.nextToken !== undefined ? { nextToken: p.nextToken as string } : {}),
      });
    },
    FilterLogEvents: (p) => {
      const result = logs.filterLogEvents(groupOf(p), {
        ...(p.logStreamNames !== undefined ? { streamNames: p.logStreamNames as string[] } : {}),
        ...(p.logStreamNamePrefix !== undefined ? { streamPrefix: p.logStreamNamePrefix as string } : {}),
        ...times(p),
        ...(p.filterPattern !== undefined ? { filterPattern: p.filterPattern as string } : {}),
        limit: limitOf(p, 10_000),
        ...(p.nextToken !== undefined ? { nextToken: p.nextToken as string } : {}),
      });
      // `searchedLogStreams` is deprecated and no longer filled in by CloudWatch Logs (API reference).
      return {
        events: result.events,
        searchedLogStreams: [],
        ...(result.nextToken ? { nextToken: result.nextToken } : {}),
      };
    },
  };
}

/**
 * The group a request names: `logGroupName`, or `logGroupIdentifier` (a name or an ARN); exactly one
 * (API reference: "You must include either logGroupIdentifier or logGroupName, but not both").
 */
function groupOf(p: Record<string, unknown>): string {
  const name = p.logGroupName as string | undefined;
  const identifier = p.logGroupIdentifier as string | undefined;
  if (name !== undefined && identifier !== undefined)
    throw new AwsError(
      'InvalidParameterException',
      'LogGroup name and LogGroup identifier are mutually exclusive parameters.',
    );
  const group = name ?? identifier;
  if (group === undefined)
    throw new AwsError(
      'InvalidParameterException',
      'Should provide either name or identifier of the log group.',
    );
  return group;
}

function times(p: Record<string, unknown>): { startTime?: number; endTime?: number } {
  for (const key of ['startTime', 'endTime'] as const) {
    const value = p[key];
    if (value !== undefined && (!Number.isInteger(value) || (value as number) < 0))
      throw validation(String(value), key, 'Member must have value greater than or equal to 0');
  }
  return {
    ...(p.startTime !== undefined ? { startTime: p.startTime as number } : {}),
    ...(p.endTime !== undefined ? { endTime: p.endTime as number } : {}),
  };
}

/** `limit`, from 1 to `max` (the default), or AWS's validation message. */
function limitOf(p: Record<string, unknown>, max: number): number {
  const limit = p.limit;
  if (limit === undefined) return max;
  if (!Number.isInteger(limit) || (limit as number) < 1)
    throw validation(String(limit), 'limit', 'Member must have value greater than or equal to 1');
  if ((limit as number) > max)
    throw validation(String(limit), 'limit', `Member must have value less than or equal to ${max}`);
  return limit as number;
}

/** CloudWatch Logs answers a parameter outside its model's constraints with InvalidParameterException. */
function validation(value: string, member: string, constraint: string): AwsError {
  return new AwsError(
    'InvalidParameterException',
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}
