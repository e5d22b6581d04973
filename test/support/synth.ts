import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { synthesizeApp } from '../../local/assembly';

/** Where the test run's cloud assembly lives: the same layout `npx cdk synth` writes. */
export const assemblyDir = join(__dirname, '..', '..', 'cdk.out', 'test');
export const stackName = 'OnboardingKyc';

export function synthesize(): void {
  synthesizeApp(assemblyDir);
}

export type Template = {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
};

export function readTemplate(): Template {
  const file = join(assemblyDir, `${stackName}.template.json`);
  if (!existsSync(file)) throw new Error(`${file} is missing: Jest's globalSetup synthesizes it.`);
  return JSON.parse(readFileSync(file, 'utf8')) as Template;
}
