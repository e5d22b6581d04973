import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import type { z } from 'zod';
import { catalog, jsonSchemaOf } from '../events/catalog';
import type { EventContract } from '../events/contract';

export interface EventCatalogueProps {
  readonly prefix: string;
}

/**
 * The schema registry's name for an event: `<source>@<DetailType>` (`app.kyc@AccountApproved`), the form of
 * the registry's own schemas for AWS events, within the schema name's characters (`[\w.@-]`, no spaces).
 */
export function schemaNameOf(c: EventContract<string, string, z.ZodType>): string {
  return `${c.source}@${c.detailType.replace(/[^A-Za-z0-9]/g, '')}`;
}

/** The registry's content for an event: the JSON Schema committed in events/schemas, as JSON text. */
export function schemaContentOf(c: EventContract<string, string, z.ZodType>): string {
  return JSON.stringify(jsonSchemaOf(c));
}

/**
 * The event catalogue in EventBridge's schema registry: one registry for the app and one schema per event of
 * events/catalog.ts, from the same definitions as the committed events/schemas, so a downstream team browses
 * (and generates code bindings for) exactly what the app emits and accepts.
 */
export class EventCatalogue extends Construct {
  readonly registryName: string;
  readonly registry: CfnRegistry;
  readonly schemas: readonly CfnSchema[];

  constructor(scope: Construct, id: string, { prefix }: EventCatalogueProps) {
    super(scope, id);
    this.registryName = `${prefix}-events`;
    this.registry = new CfnRegistry(this, 'Registry', {
      registryName: this.registryName,
      description: `The events of ${prefix}: what its producers put on the bus and what its workflows emit.`,
    });
    this.schemas = catalog.map((c) => {
      // The registry by name, not by reference, so that a schema's name and ARN are known at synth time.
      const schema = new CfnSchema(this, schemaNameOf(c).replace(/[^A-Za-z0-9]/g, ''), {
        registryName: this.registryName,
        schemaName: schemaNameOf(c),
        type: 'JSONSchemaDraft4',
        description: c.description,
        content: schemaContentOf(c),
      });
      schema.node.addDependency(this.registry);
      return schema;
    });
  }
}
