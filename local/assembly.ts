import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type * as Cdk from 'aws-cdk-lib';
import type * as Stacks from '../stacks/app';

const root = join(__dirname, '..');

/** What the synthesized app is made of: a change to any of these makes `cdk.out` out of date. */
const APP_SOURCES = [
  'stacks',
  'statemachines',
  'handlers',
  'events',
  'cdk.json',
  'package-lock.json',
  'tsconfig.json',
];
const HASH_FILE = 'local-runtime.sources.sha256';

/** CDK context given on top of cdk.json's, as `-c key=value` gives it: e.g. the partner event sources. */
export type ExtraContext = Readonly<Record<string, string>>;

/**
 * Synthesizes the CDK app into `outdir` in-process, as `npx cdk synth` would: the context of cdk.json and
 * `extraContext` (as `-c key=value`), plus the asset metadata the CLI adds (it tells the runtime where each
 * function's bundle is).
 */
export function synthesizeApp(outdir: string, extraContext: ExtraContext = {}): void {
  // Loaded only to synthesize: importing the CDK app costs most of a start that reuses cdk.out.
  const { App } = require('aws-cdk-lib') as typeof Cdk;
  const { buildApp } = require('../stacks/app') as typeof Stacks;
  const { context } = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { context?: object };
  buildApp(
    new App({ outdir, context: { ...context, ...extraContext, 'aws:cdk:enable-asset-metadata': true } }),
  ).app.synth();
}

/**
 * Reuses the cloud assembly in `outdir` when it was synthesized by this function from the current sources
 * and the same `extraContext`, and synthesizes it otherwise. Returns whether it synthesized.
 */
export function ensureAssembly(outdir: string, stackName: string, extraContext: ExtraContext = {}): boolean {
  const hash = sourcesHash(extraContext);
  const hashFile = join(outdir, HASH_FILE);
  const fresh =
    existsSync(join(outdir, `${stackName}.template.json`)) &&
    existsSync(hashFile) &&
    readFileSync(hashFile, 'utf8') === hash;
  if (fresh) return false;
  synthesizeApp(outdir, extraContext);
  writeFileSync(hashFile, hash);
  return true;
}

function sourcesHash(extraContext: ExtraContext): string {
  const hash = createHash('sha256');
  // No extra context hashes as before, so an existing cdk.out stays up to date.
  const keys = Object.keys(extraContext).sort();
  if (keys.length > 0) hash.update(JSON.stringify(keys.map((k) => [k, extraContext[k]]))).update('\0');
  const visit = (path: string): void => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) visit(join(path, entry));
      return;
    }
    hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
  };
  for (const source of APP_SOURCES) visit(join(root, source));
  return hash.digest('hex');
}
