import { synthesize } from './support/synth';

/** Synthesizes the app once (with bundling) for every test file: tests run the very template CDK deploys. */
export default async function globalSetup(): Promise<void> {
  synthesize();
}
