/**
 * `npm run webhook -- <file>`: sends the file as a signed webhook to the local runtime's function URL, the
 * way a Standard Webhooks provider would. The signing secret is read from the runtime with GetSecretValue, so
 * the signer and the ingress always agree on it, and it is never printed.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { webhookIngressFunctionName, webhookSigningSecretName } from '../handlers/webhook-ingress/contract';
import {
  sign,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from '../handlers/webhook-ingress/standard-webhooks';

const USAGE = `Usage: npm run webhook -- <file> [options]

Signs the file's contents (a Standard Webhooks payload, e.g. events/samples/webhooks/user-created.json) with
the local runtime's webhook signing secret and POSTs it to the ingress function URL; prints the answer.

  --endpoint-url <url>  the local runtime (default http://127.0.0.1:4010, as \`npm start\`)
  --id <webhook-id>     the webhook-id header (default a new msg_... id; repeat an id to see deduplication)
  --prefix <prefix>     the app's resource prefix (default onboarding-kyc, as \`cdk synth\`)
  --help, -h            this text`;

/** The default of `npm start` (local/main.ts). */
const DEFAULT_ENDPOINT = 'http://127.0.0.1:4010';
const DEFAULT_PREFIX = 'onboarding-kyc';

export interface SignedPost {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** The request a provider would send: the body as is, signed over the webhook id and the current second. */
export function signedPost(options: {
  endpoint: string;
  prefix: string;
  id: string;
  body: Buffer;
  secret: string;
  nowSeconds: number;
}): SignedPost {
  const timestamp = String(options.nowSeconds);
  const base = options.endpoint.replace(/\/+$/, '');
  return {
    url: `${base}/lambda-url/${webhookIngressFunctionName(options.prefix)}/`,
    headers: {
      'content-type': 'application/json',
      [WEBHOOK_ID_HEADER]: options.id,
      [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
      [WEBHOOK_SIGNATURE_HEADER]: sign({ id: options.id, timestamp, body: options.body }, options.secret),
    },
    body: options.body,
  };
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'endpoint-url': { type: 'string', default: DEFAULT_ENDPOINT },
      id: { type: 'string' },
      prefix: { type: 'string', default: DEFAULT_PREFIX },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const endpoint = values['endpoint-url'];
  const body = readFileSync(file);

  // The runtime accepts any credentials; AWS_* variables, when set, are used as the CLI would use them.
  const secrets = new SecretsManagerClient({
    endpoint,
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    },
  });
  const secretId = webhookSigningSecretName(values.prefix);
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!SecretString) throw new Error(`The secret ${secretId} has no SecretString.`);

  const post = signedPost({
    endpoint,
    prefix: values.prefix,
    id: values.id ?? `msg_${randomUUID().replaceAll('-', '')}`,
    body,
    secret: SecretString,
    nowSeconds: Math.floor(Date.now() / 1000),
  });
  const response = await fetch(post.url, { method: 'POST', headers: post.headers, body: post.body });
  console.log(`POST ${post.url}  ${WEBHOOK_ID_HEADER}: ${post.headers[WEBHOOK_ID_HEADER]}`);
  console.log(`HTTP ${response.status}`);
  console.log(await response.text());
  return response.ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      process.exitCode = 1;
    },
  );
}
