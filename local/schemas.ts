import { UnsupportedTemplateError } from './errors';
import type { Resource } from './template';

/*
 * EventBridge's schema registry for the template's registries and schemas (AWS::EventSchemas::Registry and
 * AWS::EventSchemas::Schema), read-only: what a downstream team browses with `aws schemas list-schemas` and
 * `describe-schema`. A schema's content is served exactly as the template gives it, JSON Schema Draft 4 or
 * OpenAPI 3 as its Type says.
 */

/** The schema types the registry takes (Schemas API reference, CreateSchema `Type`). */
const SCHEMA_TYPES = new Set(['OpenApi3', 'JSONSchemaDraft4']);

export interface LocalRegistry {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly tags: Record<string, string>;
}

export interface LocalSchema {
  readonly registryName: string;
  readonly name: string;
  readonly arn: string;
  readonly type: string;
  readonly content: string;
  readonly description?: string;
  readonly version: string;
  readonly lastModified: Date;
  readonly tags: Record<string, string>;
}

export class LocalSchemaRegistry {
  readonly registries = new Map<string, LocalRegistry>();
  /** By registry name, then schema name. */
  readonly schemas = new Map<string, Map<string, LocalSchema>>();

  constructor(resources: Iterable<Resource>) {
    const loadedAt = new Date();
    const all = [...resources];
    for (const r of all) {
      if (r.type !== 'AWS::EventSchemas::Registry') continue;
      this.registries.set(r.attributes.RegistryName as string, {
        name: r.attributes.RegistryName as string,
        arn: r.attributes.RegistryArn as string,
        ...(typeof r.properties.Description === 'string' ? { description: r.properties.Description } : {}),
        tags: tagsOf(r.properties.Tags),
      });
      this.schemas.set(r.attributes.RegistryName as string, new Map());
    }
    for (const r of all) {
      if (r.type !== 'AWS::EventSchemas::Schema') continue;
      const p = r.properties;
      const registry = this.schemas.get(String(p.RegistryName));
      if (!registry)
        throw new UnsupportedTemplateError(
          `${r.logicalId}: its registry ${JSON.stringify(p.RegistryName)} is not an AWS::EventSchemas::Registry of the template.`,
        );
      if (typeof p.Type !== 'string' || !SCHEMA_TYPES.has(p.Type))
        throw new UnsupportedTemplateError(
          `${r.logicalId}: Type must be one of ${[...SCHEMA_TYPES].join(', ')}, not ${JSON.stringify(p.Type)}.`,
        );
      if (typeof p.Content !== 'string')
        throw new UnsupportedTemplateError(`${r.logicalId}: Content must be the schema as JSON text.`);
      registry.set(r.attributes.SchemaName as string, {
        registryName: String(p.RegistryName),
        name: r.attributes.SchemaName as string,
        arn: r.attributes.SchemaArn as string,
        type: p.Type,
        content: p.Content,
        ...(typeof p.Description === 'string' ? { description: p.Description } : {}),
        version: '1',
        lastModified: loadedAt,
        tags: tagsOf(p.Tags),
      });
    }
  }
}

/** CloudFormation's `[{Key, Value}]` tags as the API's map. */
function tagsOf(tags: unknown): Record<string, string> {
  if (!Array.isArray(tags)) return {};
  return Object.fromEntries(
    tags.filter((t) => t && typeof t.Key === 'string').map((t) => [t.Key as string, String(t.Value)]),
  );
}
