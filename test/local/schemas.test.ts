import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalog, schemaFileName } from '../../events/catalog';
import { AccountApproved } from '../../events/kyc';
import { handleSchemasRequest } from '../../local/api/schemas';
import type { LocalRuntime } from '../../local/runtime';
import { schemaNameOf } from '../../stacks/catalogue';
import { aws, startRuntime } from '../support/runtime';

const REGISTRY = 'onboarding-kyc-events';
const schemasDir = join(__dirname, '..', '..', 'events', 'schemas');

/*
 * The Schemas API over the template's registry (EventBridge Schemas API reference:
 * https://docs.aws.amazon.com/eventbridge/latest/schema-reference/v1-registries.html (ListRegistries),
 * v1-registries-name-registryname-schemas.html (ListSchemas),
 * v1-registries-name-registryname-schemas-name-schemaname.html (DescribeSchema); NotFoundException is 404).
 */
describe('the schema registry', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startRuntime();
  });
  afterAll(() => runtime.stop());

  it('lists the app registry with aws schemas list-registries', async () => {
    // Act
    const listed = await aws(runtime.url, 'schemas', 'list-registries');

    // Assess
    expect(listed.code).toBe(0);
    expect(listed.json?.Registries).toEqual([
      expect.objectContaining({
        RegistryName: REGISTRY,
        RegistryArn: `arn:aws:schemas:us-east-1:000000000000:registry/${REGISTRY}`,
      }),
    ]);
  });

  it('lists one schema per event with aws schemas list-schemas', async () => {
    // Act
    const listed = await aws(runtime.url, 'schemas', 'list-schemas', '--registry-name', REGISTRY);

    // Assess
    expect(listed.code).toBe(0);
    const names = ((listed.json?.Schemas ?? []) as { SchemaName: string }[]).map((s) => s.SchemaName);
    expect(names.sort()).toEqual(catalog.map(schemaNameOf).sort());
  });

  it('describes a schema with its committed content', async () => {
    // Act
    const described = await aws(
      runtime.url,
      'schemas',
      'describe-schema',
      '--registry-name',
      REGISTRY,
      '--schema-name',
      schemaNameOf(AccountApproved),
    );

    // Assess
    expect(described.code).toBe(0);
    expect(described.json).toMatchObject({
      SchemaName: 'app.kyc@AccountApproved',
      Type: 'JSONSchemaDraft4',
      SchemaVersion: '1',
    });
    const committed = readFileSync(join(schemasDir, schemaFileName(AccountApproved)), 'utf8');
    expect(JSON.parse(described.json?.Content as string)).toEqual(JSON.parse(committed));
  });

  it('fails describing a schema the registry does not have with NotFoundException', async () => {
    // Act
    const missing = await aws(
      runtime.url,
      'schemas',
      'describe-schema',
      '--registry-name',
      REGISTRY,
      '--schema-name',
      'app.kyc@NoSuchEvent',
    );
    const noRegistry = handleSchemasRequest(
      runtime.app.schemaRegistry,
      'GET',
      new URL('http://127.0.0.1/v1/registries/name/nope/schemas'),
    );

    // Assess
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('NotFoundException');
    expect(noRegistry.status).toBe(404);
    expect(JSON.parse(noRegistry.body)).toEqual({
      Code: 'NotFoundException',
      Message: 'Registry nope does not exist.',
    });
  });

  it('pages list-schemas with limit and nextToken', () => {
    // Act
    const first = handleSchemasRequest(
      runtime.app.schemaRegistry,
      'GET',
      new URL(`http://127.0.0.1/v1/registries/name/${REGISTRY}/schemas?limit=10`),
    );
    const { Schemas, NextToken } = JSON.parse(first.body);
    const second = handleSchemasRequest(
      runtime.app.schemaRegistry,
      'GET',
      new URL(
        `http://127.0.0.1/v1/registries/name/${REGISTRY}/schemas?nextToken=${encodeURIComponent(NextToken)}`,
      ),
    );
    const forged = handleSchemasRequest(
      runtime.app.schemaRegistry,
      'GET',
      new URL(`http://127.0.0.1/v1/registries/name/${REGISTRY}/schemas?nextToken=forged`),
    );

    // Assess
    expect(Schemas).toHaveLength(10);
    expect(Schemas.length + JSON.parse(second.body).Schemas.length).toBe(catalog.length);
    expect(forged.status).toBe(400);
    expect(JSON.parse(forged.body).Code).toBe('BadRequestException');
  });
});
