import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UnsupportedTemplateError } from './errors';
import type { Resource } from './template';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** A template's function: its bundle, and its handler once loaded. */
interface LocalFunction {
  readonly resource: Resource;
  readonly bundle: string;
  readonly exportName: string;
  handler?: Handler;
}

function load(fn: LocalFunction): Handler {
  const handler = (require(fn.bundle) as Record<string, unknown>)[fn.exportName];
  if (typeof handler !== 'function')
    throw new LambdaFunctionError(
      'Lambda.InvalidHandler',
      `Function ${fn.resource.logicalId}: ${fn.bundle} does not export '${fn.exportName}'.`,
    );
  return handler as Handler;
}

/** What a Lambda function reports when its handler throws; Step Functions matches Retry/Catch on errorType. */
export class LambdaFunctionError extends Error {
  constructor(errorType: string, errorMessage: string) {
    // The Cause Step Functions shows for a Lambda error is this JSON.
    super(JSON.stringify({ errorMessage, errorType, trace: [] }));
    this.name = errorType;
  }
}

/**
 * The template's Lambda functions, run in-process from the very bundles `cdk deploy` would upload (the
 * asset directories in the cloud assembly), with the function's environment variables.
 */
export class LocalLambdas {
  private readonly byArn = new Map<string, LocalFunction>();

  /**
   * `endpoint` is the runtime's own URL: a function's AWS SDK calls (the review-decision handler's) go
   * there, through the standard AWS_ENDPOINT_URL, with throwaway credentials when none are set. Without a
   * server (in-process tests) they go nowhere and fail at once, never to AWS or to another runtime.
   */
  constructor(resources: Iterable<Resource>, assemblyDir: string, endpoint?: string, region = 'us-east-1') {
    process.env.AWS_ENDPOINT_URL = endpoint ?? 'http://127.0.0.1:0';
    process.env.AWS_REGION = region;
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    for (const r of resources) {
      if (r.type !== 'AWS::Lambda::Function') continue;
      const assetPath = r.metadata['aws:asset:path'];
      const [file, exportName] = String(r.properties.Handler ?? '').split('.');
      const bundle = typeof assetPath === 'string' ? join(assemblyDir, assetPath, `${file}.js`) : undefined;
      if (!bundle || !existsSync(bundle) || !exportName) {
        throw new UnsupportedTemplateError(
          `Function ${r.logicalId}: no bundled code at ${bundle ?? '(no aws:asset:path metadata)'} for handler '${r.properties.Handler}'. Synthesize with bundling (npm run synth).`,
        );
      }
      const environment =
        (r.properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {};
      Object.assign(process.env, environment);
      // Loaded when first invoked: requiring every bundle took a fifth of the runtime's start.
      const fn: LocalFunction = { resource: r, bundle, exportName };
      this.byArn.set(r.attributes.Arn as string, fn);
      this.byArn.set(r.ref, fn);
    }
  }

  has(nameOrArn: string): boolean {
    return this.byArn.has(nameOrArn);
  }

  /** Invokes a function; a thrown error becomes a LambdaFunctionError named after the error. */
  async invoke(nameOrArn: string, payload: unknown): Promise<unknown> {
    const fn = this.byArn.get(nameOrArn);
    if (!fn)
      throw new LambdaFunctionError('Lambda.ResourceNotFoundException', `Function not found: ${nameOrArn}`);
    fn.handler ??= load(fn);
    const context = {
      functionName: fn.resource.ref,
      awsRequestId: crypto.randomUUID(),
      getRemainingTimeInMillis: () => 30_000,
    };
    try {
      return await fn.handler(structuredClone(payload), context);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      throw new LambdaFunctionError(e.name, e.message);
    }
  }
}
