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

/**
 * Synthesizes the CDK app into `outdir` in-process, as `npx cdk synth` would: the context of cdk.json, plus
 * the asset metadata the CLI adds (it tells the runtime where each function's bundle is).
 */
export function synthesizeApp(outdir: string): void {
  // Loaded only to synthesize: importing the CDK app costs most of a start that reuses cdk.out.
  const { App } = require('aws-cdk-lib') as typeof Cdk;
  const { buildApp } = require('../stacks/app') as typeof Stacks;
  const { context } = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { context?: object };
  buildApp(new App({ outdir, context: { ...context, 'aws:cdk:enable-asset-metadata': true } })).app.synth();
}

/**
 * Reuses the cloud assembly in `outdir` when it was synthesized by this function from the current sources,
 * and synthesizes it otherwise. Returns whether it synthesized.
 */
export function ensureAssembly(outdir: string, stackName: string): boolean {
  const hash = sourcesHash();
  const hashFile = join(outdir, HASH_FILE);
  const fresh =
    existsSync(join(outdir, `${stackName}.template.json`)) &&
    existsSync(hashFile) &&
    readFileSync(hashFile, 'utf8') === hash;
  if (fresh) return false;
  synthesizeApp(outdir);
  writeFileSync(hashFile, hash);
  return true;
}

function sourcesHash(): string {
  const hash = createHash('sha256');
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
