import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalog, schemaFileName } from '../../events/catalog';
import { schemaNameOf } from '../../stacks/catalogue';
import { readTemplate } from '../support/synth';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

const template = readTemplate();
const resources = Object.entries(template.Resources) as [string, Resource][];
const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
const schemasDir = join(__dirname, '..', '..', 'events', 'schemas');

/*
 * The event catalogue and the bus archive as deployed (CloudFormation: AWS::EventSchemas::Registry,
 * AWS::EventSchemas::Schema, AWS::Events::Archive).
 */
describe('the event catalogue in the schema registry', () => {
  const [[registryId, registry] = []] = ofType('AWS::EventSchemas::Registry');

  it('has one registry for the app', () => {
    // Assess
    expect(ofType('AWS::EventSchemas::Registry')).toHaveLength(1);
    expect(registry?.Properties.RegistryName).toBe('onboarding-kyc-events');
  });

  it('has one JSONSchemaDraft4 schema per event, with the committed content', () => {
    // Prepare
    const schemas = ofType('AWS::EventSchemas::Schema').map(([, r]) => r);

    // Assess
    expect(schemas.map((s) => s.Properties.SchemaName).sort()).toEqual(catalog.map(schemaNameOf).sort());
    for (const contract of catalog) {
      const schema = schemas.find((s) => s.Properties.SchemaName === schemaNameOf(contract)) as Resource;
      const committed = JSON.parse(readFileSync(join(schemasDir, schemaFileName(contract)), 'utf8'));
      expect(schema.Properties).toMatchObject({
        RegistryName: registry?.Properties.RegistryName,
        Type: 'JSONSchemaDraft4',
        Description: contract.description,
      });
      expect(JSON.parse(schema.Properties.Content as string)).toEqual(committed);
      // Created after the registry it names (by name, not by reference).
      expect(schema.DependsOn).toContain(registryId);
    }
  });

  it('gives schema names within the registry pattern', () => {
    for (const contract of catalog) expect(schemaNameOf(contract)).toMatch(/^[\w.@-]{1,385}$/);
  });
});

describe('the bus archive', () => {
  it('archives the app bus for the configured retention', () => {
    // Prepare
    const archives = ofType('AWS::Events::Archive').map(([, r]) => r);
    const [busId] =
      ofType('AWS::Events::EventBus').find(([, r]) => r.Properties.Name === 'onboarding-kyc') ?? [];

    // Assess
    expect(archives).toHaveLength(1);
    expect(archives[0]?.Properties).toMatchObject({
      ArchiveName: 'onboarding-kyc-bus',
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      RetentionDays: 30,
    });
  });
});
