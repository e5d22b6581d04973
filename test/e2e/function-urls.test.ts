import { createHmac } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import {
  Code,
  FunctionUrlAuthType,
  HttpMethod,
  Function as LambdaFunction,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { LocalRuntime } from '../../local/runtime';
import { aws, startRuntime } from '../support/runtime';

/**
 * A small CDK app of this test's own, synthesized and run by the local runtime: a function behind a function
 * URL (AuthType NONE, CORS) that verifies an HMAC signature with a key it reads from Secrets Manager through the
 * SDK, as a webhook receiver does; the key a generated secret. Driven as its users would: the key read with
 * Debian's AWS CLI (`aws secretsmanager get-secret-value`, Secrets Manager API Reference "GetSecretValue":
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html), the URL called with
 * fetch (Lambda Developer Guide, "Invoking Lambda function URLs":
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html).
 */

const STACK = 'FunctionUrlsE2e';
const root = join(__dirname, '..', '..');
/** Under the project, so that the function's bundle resolves the SDK from the project's node_modules. */
const sourceDir = join(root, 'cdk.out', 'test-function-urls-src');
const assemblyDir = join(root, 'cdk.out', 'test-function-urls');

/** The receiver: reads its key once, by ARN, from the runtime (AWS_ENDPOINT_URL), and checks `x-signature`. */
const RECEIVER = `
const { createHmac, timingSafeEqual } = require('node:crypto');
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
let key;
exports.handler = async (event) => {
  key ??= (await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: process.env.SIGNING_SECRET_ARN }))).SecretString;
  const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '');
  const expected = createHmac('sha256', key).update(body).digest();
  const given = Buffer.from(event.headers['x-signature'] ?? '', 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { statusCode: 401, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'bad signature' }) };
  return { received: JSON.parse(body.toString('utf8')), path: event.rawPath, query: event.queryStringParameters ?? {} };
};
`;

function synthesize(): void {
  rmSync(sourceDir, { recursive: true, force: true });
  mkdirSync(sourceDir, { recursive: true });
  writeFileSync(join(sourceDir, 'index.js'), RECEIVER);
  const app = new App({ outdir: assemblyDir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, STACK);
  const secret = new Secret(stack, 'SigningSecret', {
    secretName: 'e2e/signing-secret',
    generateSecretString: { passwordLength: 40, excludePunctuation: true },
  });
  const receiver = new LambdaFunction(stack, 'Receiver', {
    functionName: 'e2e-receiver',
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromAsset(sourceDir),
    environment: { SIGNING_SECRET_ARN: secret.secretArn },
  });
  secret.grantRead(receiver);
  receiver.addFunctionUrl({
    authType: FunctionUrlAuthType.NONE,
    cors: { allowedOrigins: ['*'], allowedMethods: [HttpMethod.POST] },
  });
  app.synth();
}

describe('a CDK app with a function URL and a secret on the local runtime', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    synthesize();
    runtime = await startRuntime({ assemblyDir, stackName: STACK, environment: {} });
  });
  afterAll(async () => {
    await runtime?.stop();
    rmSync(sourceDir, { recursive: true, force: true });
  });

  /** The secret's value, as `aws secretsmanager get-secret-value` prints it. */
  async function signingKey(): Promise<string> {
    const result = await aws(
      runtime.url,
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      'e2e/signing-secret',
    );
    if (result.code !== 0) throw new Error(`get-secret-value failed: ${result.stderr}`);
    return result.json?.SecretString as string;
  }

  it('serves the function URL CDK declared at /lambda-url/<function-name>/', () => {
    // Assess
    expect(runtime.app.functionUrls.list().map((u) => u.url)).toEqual([
      `${runtime.url}/lambda-url/e2e-receiver/`,
    ]);
  });

  it('reads the generated secret with the AWS CLI, by name, as GenerateSecretString asked', async () => {
    // Act
    const result = await aws(
      runtime.url,
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      'e2e/signing-secret',
    );

    // Assess
    expect(result.code).toBe(0);
    expect(result.json).toMatchObject({
      Name: 'e2e/signing-secret',
      ARN: expect.stringMatching(
        /^arn:aws:secretsmanager:us-east-1:000000000000:secret:e2e\/signing-secret-\w{6}$/,
      ),
      SecretString: expect.stringMatching(/^[A-Za-z0-9]{40}$/),
      VersionStages: ['AWSCURRENT'],
    });
  });

  it('runs the function for a signed request: it reads the same secret through the SDK and accepts it', async () => {
    // Prepare
    const body = JSON.stringify({ userId: 'u-1', version: 1 });
    const signature = createHmac('sha256', await signingKey())
      .update(body)
      .digest('hex');

    // Act
    const response = await fetch(`${runtime.url}/lambda-url/e2e-receiver/hooks/users?source=e2e`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signature },
      body,
    });

    // Assess: a result without statusCode is a 200 application/json body.
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      received: { userId: 'u-1', version: 1 },
      path: '/hooks/users',
      query: { source: 'e2e' },
    });
  });

  it('rejects a request with a bad signature with the status the function chose', async () => {
    // Act
    const response = await fetch(`${runtime.url}/lambda-url/e2e-receiver/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': '00'.repeat(32) },
      body: '{"userId":"u-1"}',
    });

    // Assess
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ reason: 'bad signature' });
  });

  it('describes and lists the secret with the AWS CLI, never with its value', async () => {
    // Prepare
    const key = await signingKey();

    // Act
    const described = await aws(
      runtime.url,
      'secretsmanager',
      'describe-secret',
      '--secret-id',
      'e2e/signing-secret',
    );
    const listed = await aws(runtime.url, 'secretsmanager', 'list-secrets');

    // Assess
    expect(described.json?.Name).toBe('e2e/signing-secret');
    expect(((listed.json?.SecretList ?? []) as { Name: string }[]).map((s) => s.Name)).toEqual([
      'e2e/signing-secret',
    ]);
    expect(`${described.stdout}${listed.stdout}`).not.toContain(key);
  });

  it('rejects an unknown secret with ResourceNotFoundException through the AWS CLI', async () => {
    // Act
    const result = await aws(runtime.url, 'secretsmanager', 'get-secret-value', '--secret-id', 'e2e/nothing');

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('ResourceNotFoundException');
    expect(result.stderr).toContain("Secrets Manager can't find the specified secret.");
  });
});
