/** Writes events/schemas/*.json from the contracts. `npm run schemas`; a test fails when they are stale. */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalog, jsonSchemaOf, schemaFileName } from './catalog';

const dir = join(__dirname, 'schemas');
mkdirSync(dir, { recursive: true });
for (const file of readdirSync(dir)) rmSync(join(dir, file));
for (const c of catalog) {
  writeFileSync(join(dir, schemaFileName(c)), `${JSON.stringify(jsonSchemaOf(c), null, 2)}\n`);
}
console.log(`Wrote ${catalog.length} schemas to ${dir}`);
