import { AwsError } from '../errors';

/**
 * The JSON type of a request member, as the service's API model declares it: a scalar, a list, a map of
 * string keys, or a structure of named members. Timestamps are epoch seconds on the wire (a date string is
 * read too).
 */
export type Shape = 'String' | 'Integer' | 'Boolean' | 'Timestamp' | ListShape | MapShape | StructureShape;

export interface ListShape {
  readonly list: Shape;
}

export interface MapShape {
  readonly map: Shape;
}

export interface StructureShape {
  readonly structure: Readonly<Record<string, Shape>>;
}

export const list = (member: Shape): ListShape => ({ list: member });
export const map = (value: Shape): MapShape => ({ map: value });
export const structure = (members: Record<string, Shape>): StructureShape => ({ structure: members });

/** A service's requests, by action name. */
export type RequestShapes = Readonly<Record<string, StructureShape>>;

/**
 * A request's parameters once each member the action's model names has its declared JSON type, or AWS's
 * SerializationException (HTTP 400, which clients do not retry) naming the first member that does not.
 * Members the model does not name are left alone, and a null member is dropped: AWS reads it as absent. The
 * walk follows the model, so it goes no deeper than the model does, however deep the request nests.
 *
 * The messages are Coral's, the framework AWS's JSON services answer with, as dynalite reproduces DynamoDB's
 * (node_modules/dynalite/validations/index.js): `NUMBER_VALUE cannot be converted to String`, `Start of
 * structure or map found where not expected`; the member's path is the runtime's addition.
 */
export function checkRequest(params: unknown, shape: StructureShape): Record<string, unknown> {
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    throw serializationError('The request body is not a JSON object', '');
  checkMembers(params as Record<string, unknown>, shape, '');
  return params as Record<string, unknown>;
}

function checkMembers(value: Record<string, unknown>, shape: StructureShape, path: string): void {
  for (const [name, member] of Object.entries(shape.structure)) {
    if (!Object.hasOwn(value, name)) continue;
    const child = value[name];
    // Dropped, so that every action reads a null member as the absent one it is.
    if (child === null) delete value[name];
    else if (child !== undefined) check(child, member, path === '' ? name : `${path}.${name}`);
  }
}

function check(value: unknown, shape: Shape, path: string): void {
  if (value === null) throw serializationError(`Null value found where ${describe(shape)} expected`, path);
  if (typeof shape === 'string') {
    checkScalar(value, shape, path);
    return;
  }
  if ('list' in shape) {
    if (!Array.isArray(value)) throw serializationError(notCollection(value), path);
    value.forEach((item, index) => {
      check(item, shape.list, `${path}[${index}]`);
    });
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value))
    throw serializationError(
      Array.isArray(value) ? `Unrecognized collection type ${describe(shape)}` : 'Unexpected field type',
      path,
    );
  if ('map' in shape) {
    for (const [key, item] of Object.entries(value)) check(item, shape.map, `${path}.${key}`);
    return;
  }
  checkMembers(value as Record<string, unknown>, shape, path);
}

type Scalar = 'String' | 'Integer' | 'Boolean' | 'Timestamp';

function checkScalar(value: unknown, type: Scalar, path: string) {
  const fits =
    type === 'String'
      ? typeof value === 'string'
      : type === 'Boolean'
        ? typeof value === 'boolean'
        : type === 'Integer'
          ? typeof value === 'number'
          : typeof value === 'number' || typeof value === 'string';
  if (!fits) throw mismatch(value, type, path);
}

/** SerializationException for a value that is not of the scalar type a member declares. */
export function mismatch(value: unknown, type: Scalar, path: string): AwsError {
  if (Array.isArray(value))
    return serializationError(`Unrecognized collection type class java.lang.${type}`, path);
  if (typeof value === 'object' && value !== null)
    return serializationError('Start of structure or map found where not expected', path);
  return serializationError(`${tokenOf(value)} cannot be converted to ${type}`, path);
}

/** The JSON parser's token for a scalar, as Coral's messages name it. */
function tokenOf(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'TRUE_VALUE' : 'FALSE_VALUE';
  if (typeof value === 'number') return Number.isInteger(value) ? 'NUMBER_VALUE' : 'DECIMAL_VALUE';
  return 'STRING_VALUE';
}

function notCollection(value: unknown): string {
  return typeof value === 'object'
    ? 'Start of structure or map found where not expected'
    : 'Unexpected field type';
}

function describe(shape: Shape): string {
  if (typeof shape === 'string') return shape;
  return 'list' in shape ? 'List' : 'map' in shape ? 'Map' : 'Structure';
}

function serializationError(message: string, path: string): AwsError {
  return new AwsError('SerializationException', path === '' ? message : `${message} at '${path}'`);
}

// The execution viewer's own endpoints (local/viewer/executions.ts): ListExecutions' member names, plus
// the console's filters.

/** `POST /_local/executions`: one page of the viewer's executions list. */
export const VIEWER_EXECUTIONS_REQUEST = structure({
  stateMachineArn: 'String',
  statusFilter: 'String',
  nameContains: 'String',
  userContains: 'String',
  startedAfter: 'Timestamp',
  startedBefore: 'Timestamp',
  maxResults: 'Integer',
  nextToken: 'String',
});

// Secrets Manager (local/api/secrets.ts): the members the runtime reads, as the service's API model types them.
export const SECRETS_REQUESTS: RequestShapes = {
  GetSecretValue: structure({ SecretId: 'String', VersionId: 'String', VersionStage: 'String' }),
  DescribeSecret: structure({ SecretId: 'String' }),
  ListSecrets: structure({
    IncludePlannedDeletion: 'Boolean',
    MaxResults: 'Integer',
    NextToken: 'String',
    Filters: list(structure({ Key: 'String', Values: list('String') })),
    SortOrder: 'String',
  }),
};

// CloudWatch Logs (local/api/logs.ts): the requests of the actions `logsActions` serves, as the CloudWatch Logs
// API reference's Request Syntax types them.
export const LOGS_REQUESTS: RequestShapes = {
  DescribeLogGroups: structure({
    accountIdentifiers: list('String'),
    logGroupNamePrefix: 'String',
    logGroupNamePattern: 'String',
    nextToken: 'String',
    limit: 'Integer',
    includeLinkedAccounts: 'Boolean',
    logGroupClass: 'String',
    logGroupIdentifiers: list('String'),
  }),
  DescribeLogStreams: structure({
    logGroupName: 'String',
    logGroupIdentifier: 'String',
    logStreamNamePrefix: 'String',
    orderBy: 'String',
    descending: 'Boolean',
    nextToken: 'String',
    limit: 'Integer',
  }),
  GetLogEvents: structure({
    logGroupName: 'String',
    logGroupIdentifier: 'String',
    logStreamName: 'String',
    startTime: 'Integer',
    endTime: 'Integer',
    nextToken: 'String',
    limit: 'Integer',
    startFromHead: 'Boolean',
    unmask: 'Boolean',
  }),
  FilterLogEvents: structure({
    logGroupName: 'String',
    logGroupIdentifier: 'String',
    logStreamNames: list('String'),
    logStreamNamePrefix: 'String',
    startTime: 'Integer',
    endTime: 'Integer',
    filterPattern: 'String',
    nextToken: 'String',
    limit: 'Integer',
    interleaved: 'Boolean',
    unmask: 'Boolean',
  }),
};
