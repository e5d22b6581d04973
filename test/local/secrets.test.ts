import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { UnsupportedTemplateError } from '../../local/errors';
import { LocalRuntime, type RuntimeOptions } from '../../local/runtime';
import {
  GENERATED_SECRETS_FILE,
  generatePassword,
  generateSecretString,
  PUNCTUATION,
  parseLocalSecrets,
} from '../../local/secrets';
import { rejectionOf, thrownBy } from '../support/errors';
import { MAIN_ARGS } from '../support/runtime';

/**
 * Secrets Manager on the local runtime: the template's AWS::SecretsManager::Secret resources
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secret.html),
 * with local values from `--secret`, LOCAL_SECRETS, the template's SecretString or GenerateSecretString, served by
 * GetSecretValue, DescribeSecret and ListSecrets (Secrets Manager API Reference,
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html).
 */

const root = join(__dirname, '..', '..');
const OPTION_VALUE = 'value-from-the-option-3f9c';
const ENV_VALUE = 'value-from-the-environment-8a21';
const TEMPLATE_VALUE = 'value-from-the-template-77d0';

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

function template(): Template {
  return {
    Resources: {
      FromTemplate: {
        Type: 'AWS::SecretsManager::Secret',
        Properties: { Name: 'app/from-template', SecretString: TEMPLATE_VALUE },
      },
      FromOption: {
        Type: 'AWS::SecretsManager::Secret',
        Properties: {
          Name: 'app/from-option',
          SecretString: 'overridden',
          Description: 'Set by --secret',
          Tags: [{ Key: 'team', Value: 'onboarding' }],
        },
      },
      FromEnvironment: {
        Type: 'AWS::SecretsManager::Secret',
        Properties: { Name: 'app/from-environment', GenerateSecretString: {} },
      },
      Generated: {
        Type: 'AWS::SecretsManager::Secret',
        Properties: {
          Name: 'app/generated',
          GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true },
        },
      },
      Templated: {
        Type: 'AWS::SecretsManager::Secret',
        Properties: {
          Name: 'app/templated',
          GenerateSecretString: {
            SecretStringTemplate: '{"username":"app"}',
            GenerateStringKey: 'password',
            ExcludeCharacters: '"@/\\',
          },
        },
      },
    },
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
  dirs.push(dir);
  return dir;
}

function assemblyWith(t: Template): string {
  const dir = scratch();
  writeFileSync(join(dir, 'OnboardingKyc.template.json'), JSON.stringify(t));
  return dir;
}

const givenValues = {
  secrets: { 'app/from-option': OPTION_VALUE },
  environment: { LOCAL_SECRETS: JSON.stringify({ 'app/from-environment': ENV_VALUE }) },
};

function start(assemblyDir: string, options: Partial<RuntimeOptions> = {}): Promise<LocalRuntime> {
  return LocalRuntime.start({ assemblyDir, synthesize: false, port: 0, environment: {}, ...options });
}

function client(url: string) {
  return new SecretsManagerClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

async function secretValue(runtime: LocalRuntime, secretId: string): Promise<string | undefined> {
  return (await client(runtime.url).send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
}

describe('secret values', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await start(assemblyWith(template()), givenValues);
  });
  afterAll(() => runtime?.stop());

  it('takes a value from --secret, else LOCAL_SECRETS, else the template, else generates one', async () => {
    // Act
    const values = {
      option: await secretValue(runtime, 'app/from-option'),
      environment: await secretValue(runtime, 'app/from-environment'),
      template: await secretValue(runtime, 'app/from-template'),
      generated: await secretValue(runtime, 'app/generated'),
    };

    // Assess
    expect(values).toEqual({
      option: OPTION_VALUE,
      environment: ENV_VALUE,
      template: TEMPLATE_VALUE,
      generated: expect.stringMatching(/^[A-Za-z0-9]{48}$/),
    });
    expect(runtime.app.secrets.list().map((s) => [s.name, s.source])).toEqual([
      ['app/from-template', 'the template'],
      ['app/from-option', '--secret'],
      ['app/from-environment', 'LOCAL_SECRETS'],
      ['app/generated', 'generated'],
      ['app/templated', 'generated'],
    ]);
  });

  it('generates into SecretStringTemplate at GenerateStringKey', async () => {
    // Act
    const value = JSON.parse((await secretValue(runtime, 'app/templated')) ?? 'null');

    // Assess
    expect(value.username).toBe('app');
    expect(value.password).toHaveLength(32);
    expect(value.password).not.toMatch(/["@/\\]/);
  });

  it('answers GetSecretValue by name, full ARN and partial ARN, with the AWSCURRENT version', async () => {
    // Prepare
    const sm = client(runtime.url);
    const byName = await sm.send(new GetSecretValueCommand({ SecretId: 'app/from-template' }));
    const arn = byName.ARN as string;

    // Act
    const byArn = await sm.send(new GetSecretValueCommand({ SecretId: arn }));
    const byPartialArn = await sm.send(new GetSecretValueCommand({ SecretId: arn.slice(0, -7) }));
    const byStage = await sm.send(
      new GetSecretValueCommand({ SecretId: 'app/from-template', VersionStage: 'AWSCURRENT' }),
    );

    // Assess: a secret's ARN is its name and a six-character suffix.
    expect(arn).toMatch(
      /^arn:aws:secretsmanager:us-east-1:000000000000:secret:app\/from-template-[A-Za-z0-9]{6}$/,
    );
    expect(byName).toMatchObject({
      Name: 'app/from-template',
      SecretString: TEMPLATE_VALUE,
      VersionStages: ['AWSCURRENT'],
    });
    expect(byName.VersionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(byName.CreatedDate).toBeInstanceOf(Date);
    for (const other of [byArn, byPartialArn, byStage]) expect(other.SecretString).toBe(TEMPLATE_VALUE);
  });

  it('rejects an unknown secret with ResourceNotFoundException and Secrets Manager message', async () => {
    // Act
    const error = await rejectionOf(() =>
      client(runtime.url).send(new GetSecretValueCommand({ SecretId: 'app/nothing' })),
    );

    // Assess
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toBe("Secrets Manager can't find the specified secret.");
  });

  it('rejects a staging label other than AWSCURRENT, which a local secret has not', async () => {
    // Act
    const error = await rejectionOf(() =>
      client(runtime.url).send(
        new GetSecretValueCommand({ SecretId: 'app/from-template', VersionStage: 'AWSPREVIOUS' }),
      ),
    );

    // Assess
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toBe(
      "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS",
    );
  });

  it('rejects a SecretId that is not a string with SerializationException', async () => {
    // Act
    const response = await fetch(runtime.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'secretsmanager.GetSecretValue',
      },
      body: JSON.stringify({ SecretId: { name: 'app/from-template' } }),
    });

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      __type: 'SerializationException',
      message: "Start of structure or map found where not expected at 'SecretId'",
    });
  });

  it('describes a secret without its value', async () => {
    // Act
    const described = await client(runtime.url).send(
      new DescribeSecretCommand({ SecretId: 'app/from-option' }),
    );

    // Assess
    expect(described).toMatchObject({
      Name: 'app/from-option',
      Description: 'Set by --secret',
      Tags: [{ Key: 'team', Value: 'onboarding' }],
    });
    expect(Object.values(described.VersionIdsToStages ?? {})).toEqual([['AWSCURRENT']]);
    expect(JSON.stringify(described)).not.toContain(OPTION_VALUE);
  });

  it('lists secrets by a name prefix or a negated one, pages them, and never with values', async () => {
    // Prepare
    const sm = client(runtime.url);

    // Act
    const prefixed = await sm.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['app/from-'] }] }),
    );
    const negated = await sm.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['!app/from-'] }] }),
    );
    const first = await sm.send(new ListSecretsCommand({ MaxResults: 2 }));
    const rest = await sm.send(new ListSecretsCommand({ MaxResults: 100, NextToken: first.NextToken }));

    // Assess
    expect(prefixed.SecretList?.map((s) => s.Name).sort()).toEqual([
      'app/from-environment',
      'app/from-option',
      'app/from-template',
    ]);
    expect(negated.SecretList?.map((s) => s.Name).sort()).toEqual(['app/generated', 'app/templated']);
    expect([...(first.SecretList ?? []), ...(rest.SecretList ?? [])]).toHaveLength(5);
    expect(JSON.stringify([prefixed, first, rest])).not.toContain(OPTION_VALUE);
  });

  it('keeps values out of an inspection of the secrets object', () => {
    // Act
    const shown = inspect(runtime.app.secrets, { depth: 10, showHidden: true });

    // Assess
    for (const value of [OPTION_VALUE, ENV_VALUE, TEMPLATE_VALUE]) expect(shown).not.toContain(value);
  });
});

describe('generated secret values', () => {
  it('generates 32 characters of every type by default', () => {
    for (let i = 0; i < 50; i++) {
      // Act
      const password = generatePassword();

      // Assess
      expect(password).toHaveLength(32);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[0-9]/);
      expect([...password].some((c) => PUNCTUATION.includes(c))).toBe(true);
    }
  });

  it('includes one of each type when RequireEachIncludedType, however short', () => {
    for (let i = 0; i < 100; i++) {
      // Act
      const password = generatePassword({ PasswordLength: 4 });

      // Assess
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[0-9]/);
      expect([...password].some((c) => PUNCTUATION.includes(c))).toBe(true);
    }
  });

  it('honours ExcludePunctuation, ExcludeUppercase, ExcludeNumbers and ExcludeCharacters', () => {
    for (let i = 0; i < 50; i++) {
      // Act
      const password = generatePassword({
        PasswordLength: 64,
        ExcludePunctuation: true,
        ExcludeUppercase: true,
        ExcludeNumbers: true,
        ExcludeCharacters: 'aeiou',
      });

      // Assess
      expect(password).toMatch(/^[b-df-hj-np-tv-z]{64}$/);
    }
  });

  it('honours ExcludeLowercase and IncludeSpace', () => {
    // Act: every type excluded but the space.
    const password = generatePassword({
      PasswordLength: 8,
      ExcludeLowercase: true,
      ExcludeUppercase: true,
      ExcludeNumbers: true,
      ExcludePunctuation: true,
      IncludeSpace: true,
    });

    // Assess
    expect(password).toBe('        ');
  });

  it('rejects rules no password satisfies, naming the resource', () => {
    // Act
    const none = thrownBy(() =>
      generatePassword(
        { ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true },
        'Secret',
      ),
    );
    const short = thrownBy(() => generatePassword({ PasswordLength: 3 }, 'Secret'));
    const long = thrownBy(() => generatePassword({ PasswordLength: 4097 }, 'Secret'));
    const half = thrownBy(() => generateSecretString({ GenerateStringKey: 'password' }, 'Secret'));

    // Assess
    expect(none.message).toBe('Secret: every character is excluded, so no password can be generated.');
    expect(short.message).toContain('PasswordLength 3 is shorter than the 4 character types');
    expect(long).toBeInstanceOf(UnsupportedTemplateError);
    expect(half.message).toContain('SecretStringTemplate and GenerateStringKey must be given together');
  });

  it('keeps a generated value in the data directory across a restart, readable by its owner only', async () => {
    // Prepare
    const assembly = assemblyWith(template());
    const dataDir = scratch();
    const first = await start(assembly, { ...givenValues, dataDir });
    const before = await secretValue(first, 'app/generated');
    const templatedBefore = await secretValue(first, 'app/templated');
    await first.stop();

    // Act
    const second = await start(assembly, { ...givenValues, dataDir });
    const after = await secretValue(second, 'app/generated');
    const templatedAfter = await secretValue(second, 'app/templated');
    await second.stop();

    // Assess
    expect(after).toBe(before);
    expect(templatedAfter).toBe(templatedBefore);
    expect(statSync(join(dataDir, GENERATED_SECRETS_FILE)).mode & 0o777).toBe(0o600);
  });

  it('generates a new value in memory at each start', async () => {
    // Prepare
    const assembly = assemblyWith(template());
    const first = await start(assembly, givenValues);
    const before = await secretValue(first, 'app/generated');
    await first.stop();

    // Act
    const second = await start(assembly, givenValues);
    const after = await secretValue(second, 'app/generated');
    await second.stop();

    // Assess
    expect(after).not.toBe(before);
  });
});

describe('secret values at startup', () => {
  it('fails startup on a --secret for a secret the template does not define, without its value', async () => {
    // Act
    const error = await rejectionOf(() =>
      start(assemblyWith(template()), { secrets: { 'app/typo': 'the-secret-value' } }),
    );

    // Assess
    expect(error.message).toContain("--secret names 'app/typo', which the template does not define");
    expect(error.message).not.toContain('the-secret-value');
  });

  it('fails startup on LOCAL_SECRETS that is not a JSON object, without echoing it', () => {
    // Act
    const notJson = thrownBy(() => parseLocalSecrets('{"app/x": hunter2}'));
    const notString = thrownBy(() => parseLocalSecrets('{"app/x": 42}'));

    // Assess
    expect(notJson.message).toBe(
      'LOCAL_SECRETS is not JSON: set it to a JSON object of secret name -> value.',
    );
    expect(notString.message).toContain("the value of 'app/x' is not a string");
    expect(`${notJson.message}${notString.message}`).not.toMatch(/hunter2|42/);
  });
});

describe('npm start with secrets', () => {
  it('lists secret names and where their values come from, and never prints a value', async () => {
    // Prepare
    const assembly = assemblyWith(template());
    const child = spawn(
      process.execPath,
      [
        ...MAIN_ARGS,
        '--assembly',
        assembly,
        '--port',
        '0',
        '--in-memory',
        '--secret',
        `app/from-option=${OPTION_VALUE}`,
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LOCAL_SECRETS: JSON.stringify({ 'app/from-environment': ENV_VALUE }) },
      },
    );
    let output = '';
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const listening = /Listening on (http:\/\/\S+)/.exec(output);
        if (listening) resolve(listening[1] as string);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('exit', (code) => reject(new Error(`exited with ${code} before listening:\n${output}`)));
    });

    // Act
    const sm = client(url);
    const generated = (await sm.send(new GetSecretValueCommand({ SecretId: 'app/generated' }))).SecretString;
    const option = (await sm.send(new GetSecretValueCommand({ SecretId: 'app/from-option' }))).SecretString;
    child.kill('SIGTERM');
    await exited;

    // Assess
    expect(option).toBe(OPTION_VALUE);
    expect(output).toContain('Secrets (5):');
    expect(output).toContain('app/from-option  (value from --secret)');
    expect(output).toContain('app/from-environment  (value from LOCAL_SECRETS)');
    expect(output).toContain('app/from-template  (value from the template)');
    expect(output).toContain('app/generated  (value generated)');
    for (const value of [OPTION_VALUE, ENV_VALUE, TEMPLATE_VALUE, generated as string])
      expect(output).not.toContain(value);
  });

  it('rejects a --secret without a name, without echoing it (exit code 2)', async () => {
    // Act
    const child = spawn(process.execPath, [...MAIN_ARGS, '--in-memory', '--secret', 'just-a-value-9f3'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise((resolve) => child.on('close', resolve));

    // Assess
    expect(code).toBe(2);
    expect(output).toContain('--secret needs name=value');
    expect(output).not.toContain('just-a-value-9f3');
  });

  it('describes --secret in its help', async () => {
    // Act
    const child = spawn(process.execPath, [...MAIN_ARGS, '--help'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await new Promise((resolve) => child.on('close', resolve));

    // Assess
    expect(output).toContain('--secret <name=value>');
    expect(output).toContain('LOCAL_SECRETS');
  });
});
