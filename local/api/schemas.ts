import { AwsError } from '../errors';
import type { LocalSchemaRegistry } from '../schemas';
import { page } from './validate';

/*
 * The EventBridge Schemas API (REST-JSON, `/v1/registries/...`; Schemas API reference,
 * https://docs.aws.amazon.com/eventbridge/latest/schema-reference/resources.html): ListRegistries, ListSchemas
 * and DescribeSchema over the template's registries. Errors are HTTP statuses with `x-amzn-ErrorType` and a
 * `{"Code", "Message"}` body, timestamps ISO 8601, as that API answers.
 */

/** An answer of the Schemas API. */
export interface SchemasAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Where the Schemas API's paths begin. */
export const SCHEMAS_PATH_PREFIX = '/v1/registries';

/** List calls take `limit` up to 100; a token the runtime did not issue is a BadRequestException. */
const paging = (list: string, query: URLSearchParams) => ({
  list,
  nextToken: query.get('nextToken') ?? undefined,
  size: query.get('limit') ?? undefined,
  defaultSize: 100,
  maxSize: 100,
  invalidToken: 'BadRequestException',
});

const STATUS: Readonly<Record<string, number>> = {
  NotFoundException: 404,
  BadRequestException: 400,
  ValidationException: 400,
  MethodNotAllowedException: 405,
};

/** Answers a request to `/v1/registries...`. */
export function handleSchemasRequest(registry: LocalSchemaRegistry, method: string, url: URL): SchemasAnswer {
  try {
    return ok(route(registry, method, url));
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    // Validation errors of shared helpers (page size) are the Schemas API's BadRequestException.
    const code = error.code === 'ValidationException' ? 'BadRequestException' : error.code;
    return {
      status: STATUS[code] ?? 400,
      headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': code },
      body: JSON.stringify({ Code: code, Message: error.message }),
    };
  }
}

function route(registry: LocalSchemaRegistry, method: string, url: URL): unknown {
  // After `/v1/registries`: [], [name, <registry>, schemas] or [name, <registry>, schemas, name, <schema>].
  const parts = url.pathname.split('/').slice(3).map(decodeURIComponent);
  const query = url.searchParams;
  const only = (allowed: string) => {
    if (method !== allowed)
      throw new AwsError(
        'MethodNotAllowedException',
        `The local runtime serves ${allowed} on ${url.pathname} only.`,
      );
  };
  if (parts.length === 0) {
    only('GET');
    return listRegistries(registry, query);
  }
  if (parts[0] === 'name' && parts.length === 3 && parts[2] === 'schemas') {
    only('GET');
    return listSchemas(registry, parts[1] as string, query);
  }
  if (parts[0] === 'name' && parts.length === 5 && parts[2] === 'schemas' && parts[3] === 'name') {
    only('GET');
    return describeSchema(registry, parts[1] as string, parts[4] as string, query);
  }
  throw new AwsError(
    'NotFoundException',
    `${method} ${url.pathname} is not an action the local runtime serves: ListRegistries, ListSchemas and DescribeSchema are.`,
  );
}

function listRegistries(registry: LocalSchemaRegistry, query: URLSearchParams) {
  const prefix = query.get('registryNamePrefix') ?? '';
  // The runtime's registries are the template's own (scope LOCAL); it has none of AWS's (scope AWS).
  const scope = query.get('scope');
  const registries = [...registry.registries.values()]
    .filter((r) => scope !== 'AWS' && r.name.startsWith(prefix))
    .map((r) => ({ RegistryArn: r.arn, RegistryName: r.name, Tags: r.tags }));
  const { items, nextToken } = page(registries, paging('ListRegistries', query));
  return { Registries: items, ...(nextToken ? { NextToken: nextToken } : {}) };
}

function listSchemas(registry: LocalSchemaRegistry, registryName: string, query: URLSearchParams) {
  const prefix = query.get('schemaNamePrefix') ?? '';
  const schemas = [...schemasOf(registry, registryName).values()]
    .filter((s) => s.name.startsWith(prefix))
    .map((s) => ({
      LastModified: s.lastModified.toISOString(),
      SchemaArn: s.arn,
      SchemaName: s.name,
      Tags: s.tags,
      VersionCount: 1,
    }));
  const { items, nextToken } = page(schemas, paging(`ListSchemas ${registryName}`, query));
  return { Schemas: items, ...(nextToken ? { NextToken: nextToken } : {}) };
}

function describeSchema(
  registry: LocalSchemaRegistry,
  registryName: string,
  schemaName: string,
  query: URLSearchParams,
) {
  const schema = schemasOf(registry, registryName).get(schemaName);
  if (!schema)
    throw new AwsError(
      'NotFoundException',
      `Schema ${schemaName} does not exist in registry ${registryName}.`,
    );
  const version = query.get('schemaVersion');
  if (version !== null && version !== schema.version)
    throw new AwsError(
      'NotFoundException',
      `Schema ${schemaName} has no version ${version}: the local runtime serves the template's, version ${schema.version}.`,
    );
  return {
    Content: schema.content,
    ...(schema.description === undefined ? {} : { Description: schema.description }),
    LastModified: schema.lastModified.toISOString(),
    SchemaArn: schema.arn,
    SchemaName: schema.name,
    SchemaVersion: schema.version,
    Tags: schema.tags,
    Type: schema.type,
    VersionCreatedDate: schema.lastModified.toISOString(),
  };
}

function schemasOf(registry: LocalSchemaRegistry, registryName: string) {
  const schemas = registry.schemas.get(registryName);
  if (!schemas) throw new AwsError('NotFoundException', `Registry ${registryName} does not exist.`);
  return schemas;
}

function ok(value: unknown): SchemasAnswer {
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value) };
}
