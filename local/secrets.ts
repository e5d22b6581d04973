import { createHash, randomInt, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AwsError, UnsupportedTemplateError } from './errors';
import type { LocalEnv, Resource } from './template';

export const SECRET_TYPE = 'AWS::SecretsManager::Secret';

/** Where a secret's local value came from, as the startup output names it (never the value itself). */
export type SecretSource = '--secret' | 'LOCAL_SECRETS' | 'the template' | 'generated';

/** The name of the file in the data directory that keeps generated values across restarts. */
export const GENERATED_SECRETS_FILE = 'secrets.json';

/**
 * The punctuation Secrets Manager draws from (GetRandomPassword's ExcludePunctuation, in the Secrets Manager API
 * Reference: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetRandomPassword.html).
 */
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
const UPPERCASE = LOWERCASE.toUpperCase();
const NUMBERS = '0123456789';

/** CloudFormation's GenerateSecretString (AWS::SecretsManager::Secret GenerateSecretString). */
export interface GenerateSecretString {
  readonly PasswordLength?: number;
  readonly ExcludeCharacters?: string;
  readonly ExcludeLowercase?: boolean;
  readonly ExcludeUppercase?: boolean;
  readonly ExcludeNumbers?: boolean;
  readonly ExcludePunctuation?: boolean;
  readonly IncludeSpace?: boolean;
  readonly RequireEachIncludedType?: boolean;
  readonly SecretStringTemplate?: string;
  readonly GenerateStringKey?: string;
}

/**
 * A password as GetRandomPassword makes one: PasswordLength characters (default 32) drawn uniformly from the
 * included character types less ExcludeCharacters, with at least one of each included type (letters of either
 * case, numbers, punctuation) unless RequireEachIncludedType is false. The space, when IncludeSpace, is allowed
 * but never required: the API Reference lists it apart from the types RequireEachIncludedType names.
 */
export function generatePassword(options: GenerateSecretString = {}, where = 'GenerateSecretString'): string {
  const length = options.PasswordLength === undefined ? 32 : Number(options.PasswordLength);
  if (!Number.isInteger(length) || length < 1 || length > 4096)
    throw new UnsupportedTemplateError(
      `${where}: PasswordLength ${options.PasswordLength} is not between 1 and 4096.`,
    );
  const excluded = new Set(options.ExcludeCharacters ?? '');
  const keep = (chars: string) => [...chars].filter((c) => !excluded.has(c));
  const types = [
    truthy(options.ExcludeLowercase) ? [] : keep(LOWERCASE),
    truthy(options.ExcludeUppercase) ? [] : keep(UPPERCASE),
    truthy(options.ExcludeNumbers) ? [] : keep(NUMBERS),
    truthy(options.ExcludePunctuation) ? [] : keep(PUNCTUATION),
  ].filter((chars) => chars.length > 0);
  const pool = [...types.flat(), ...(truthy(options.IncludeSpace) && !excluded.has(' ') ? [' '] : [])];
  if (pool.length === 0)
    throw new UnsupportedTemplateError(
      `${where}: every character is excluded, so no password can be generated.`,
    );
  const requireEach =
    options.RequireEachIncludedType === undefined || truthy(options.RequireEachIncludedType);
  if (requireEach && length < types.length)
    throw new UnsupportedTemplateError(
      `${where}: PasswordLength ${length} is shorter than the ${types.length} character types each password must include.`,
    );
  const pick = (chars: readonly string[]) => chars[randomInt(chars.length)] as string;
  const password = requireEach ? types.map(pick) : [];
  while (password.length < length) password.push(pick(pool));
  // Shuffled, so the required characters are not always first.
  for (let i = password.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [password[i], password[j]] = [password[j] as string, password[i] as string];
  }
  return password.join('');
}

/** CloudFormation booleans arrive as booleans or as the strings "true"/"false". */
function truthy(value: unknown): boolean {
  return value === true || value === 'true';
}

/**
 * The SecretString CloudFormation generates: the password alone, or, with SecretStringTemplate and
 * GenerateStringKey (given together or not at all), the template's JSON object with the password at that key.
 */
export function generateSecretString(options: GenerateSecretString, where = 'GenerateSecretString'): string {
  const { SecretStringTemplate: template, GenerateStringKey: key } = options;
  if ((template === undefined) !== (key === undefined))
    throw new UnsupportedTemplateError(
      `${where}: SecretStringTemplate and GenerateStringKey must be given together (CloudFormation refuses one without the other).`,
    );
  const password = generatePassword(options, where);
  if (template === undefined || key === undefined) return password;
  let object: unknown;
  try {
    object = JSON.parse(template);
  } catch {
    throw new UnsupportedTemplateError(`${where}: SecretStringTemplate is not JSON.`);
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object))
    throw new UnsupportedTemplateError(`${where}: SecretStringTemplate is not a JSON object.`);
  return JSON.stringify({ ...object, [key]: password });
}

/**
 * The value of the LOCAL_SECRETS environment variable: a JSON object of secret name -> string value. A mistake
 * is reported without echoing the text, which holds secret values (JSON.parse's own message quotes the input).
 */
export function parseLocalSecrets(text: string | undefined): Record<string, string> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('LOCAL_SECRETS is not JSON: set it to a JSON object of secret name -> value.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('LOCAL_SECRETS is not a JSON object: set it to a JSON object of secret name -> value.');
  for (const [name, value] of Object.entries(parsed))
    if (typeof value !== 'string')
      throw new Error(
        `LOCAL_SECRETS: the value of '${name}' is not a string (a secret's value is its SecretString).`,
      );
  return parsed as Record<string, string>;
}

/**
 * One `--secret name=value` option: split at the first `=`, so a value may hold `=` itself. The value is never
 * part of an error message.
 */
export function parseSecretOption(option: string): [string, string] {
  const at = option.indexOf('=');
  if (at <= 0) throw new Error(`--secret needs name=value (got a value without a name or without '=').`);
  return [option.slice(0, at), option.slice(at + 1)];
}

/** The ARN Secrets Manager gives a secret: its name and a six-character suffix (here derived, so stable). */
export function secretArn(env: LocalEnv, name: string): string {
  const digest = createHash('sha256').update(`${env.stackName}/${name}`).digest();
  const alphabet = `${LOWERCASE}${UPPERCASE}${NUMBERS}`;
  const suffix = [...digest.subarray(0, 6)].map((b) => alphabet[b % alphabet.length]).join('');
  return `arn:aws:secretsmanager:${env.region}:${env.account}:secret:${name}-${suffix}`;
}

/** The name in a secret's ARN: what follows `:secret:`, less the dash and six random characters AWS appends. */
function secretName(arn: string): string {
  return arn.slice(arn.indexOf(':secret:') + ':secret:'.length, -7);
}

/** A secret's description as Secrets Manager answers DescribeSecret (without its value). */
export interface SecretDescription {
  readonly ARN: string;
  readonly Name: string;
  readonly Description?: string;
  readonly KmsKeyId?: string;
  readonly Tags?: readonly { Key: string; Value: string }[];
  readonly CreatedDate: Date;
  readonly LastChangedDate: Date;
  readonly LastAccessedDate?: Date;
  readonly VersionIdsToStages: Record<string, string[]>;
}

interface LocalSecret {
  readonly arn: string;
  readonly name: string;
  readonly description?: string;
  readonly kmsKeyId?: string;
  readonly tags: readonly { Key: string; Value: string }[];
  readonly source: SecretSource;
  readonly versionId: string;
  readonly createdDate: Date;
  lastAccessedDate?: Date;
}

/** A generated value as the data directory keeps it, with what it was generated from. */
interface StoredSecret {
  readonly settings: string;
  readonly value: string;
  readonly versionId: string;
  readonly createdDate: string;
}

export interface SecretValues {
  /** `--secret name=value` options. */
  readonly option?: Readonly<Record<string, string>>;
  /** The LOCAL_SECRETS environment variable, parsed (see `parseLocalSecrets`). */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * The template's secrets, with their local values: a `--secret` option's, else LOCAL_SECRETS', else the
 * template's SecretString, else one generated from GenerateSecretString and, with a data directory, kept there
 * (mode 0600) so a restart serves the same. Values live in a private field, so that no log or inspection of
 * this object shows them; only GetSecretValue returns one.
 */
export class LocalSecrets {
  readonly #values = new Map<string, string>();
  private readonly byArn = new Map<string, LocalSecret>();

  constructor(resources: Iterable<Resource>, values: SecretValues = {}, dataDir?: string) {
    const all = [...resources].filter((r) => r.type === SECRET_TYPE);
    const names = new Set(all.map((r) => secretName(r.ref)));
    for (const [given, origin] of [
      [values.option, '--secret'],
      [values.environment, 'LOCAL_SECRETS'],
    ] as const) {
      const unknown = Object.keys(given ?? {}).filter((name) => !names.has(name));
      if (unknown.length > 0)
        throw new UnsupportedTemplateError(
          `${origin} names ${unknown.map((n) => `'${n}'`).join(', ')}, which the template does not define. Its secrets: ${[...names].join(', ') || '(none)'}.`,
        );
    }
    const storeFile = dataDir === undefined ? undefined : join(dataDir, GENERATED_SECRETS_FILE);
    const stored = storeFile ? readStore(storeFile) : {};
    let storeChanged = false;
    const now = new Date();
    for (const r of all) {
      const name = secretName(r.ref);
      const p = r.properties;
      const where = `${r.logicalId} (${SECRET_TYPE})`;
      if (p.SecretString !== undefined && p.GenerateSecretString !== undefined)
        throw new UnsupportedTemplateError(
          `${where}: SecretString and GenerateSecretString are both set; CloudFormation accepts one or the other.`,
        );
      let value: string;
      let source: SecretSource;
      let versionId: string = randomUUID();
      let createdDate = now;
      const fromOption = values.option?.[name];
      const fromEnvironment = values.environment?.[name];
      if (fromOption !== undefined) [value, source] = [fromOption, '--secret'];
      else if (fromEnvironment !== undefined) [value, source] = [fromEnvironment, 'LOCAL_SECRETS'];
      else if (typeof p.SecretString === 'string') [value, source] = [p.SecretString, 'the template'];
      else {
        const options = (p.GenerateSecretString ?? {}) as GenerateSecretString;
        // A changed generation rule makes a new value, as a stack update replacing the rule would.
        const settings = stableJson(options);
        const kept = stored[name];
        if (kept && kept.settings === settings) {
          value = kept.value;
          versionId = kept.versionId;
          createdDate = new Date(kept.createdDate);
        } else {
          value = generateSecretString(options, `${where} GenerateSecretString`);
          stored[name] = { settings, value, versionId, createdDate: now.toISOString() };
          storeChanged = true;
        }
        source = 'generated';
      }
      const secret: LocalSecret = {
        arn: r.ref,
        name,
        ...(typeof p.Description === 'string' ? { description: p.Description } : {}),
        ...(typeof p.KmsKeyId === 'string' ? { kmsKeyId: p.KmsKeyId } : {}),
        tags: Array.isArray(p.Tags) ? (p.Tags as { Key: string; Value: string }[]) : [],
        source,
        versionId,
        createdDate,
      };
      this.byArn.set(secret.arn, secret);
      this.#values.set(secret.arn, value);
    }
    if (storeFile && storeChanged) writeStore(storeFile, stored);
  }

  /** The secrets' names, and where each value came from, for the startup output. */
  list(): { name: string; arn: string; source: SecretSource }[] {
    return [...this.byArn.values()].map(({ name, arn, source }) => ({ name, arn, source }));
  }

  /**
   * The secret a SecretId names: its name, its full ARN, or its ARN without the six-character suffix (a
   * partial ARN, which GetSecretValue accepts too). Otherwise ResourceNotFoundException, with Secrets Manager's
   * message.
   */
  private find(secretId: string): LocalSecret {
    const exact = this.byArn.get(secretId);
    if (exact) return exact;
    for (const secret of this.byArn.values())
      if (secret.name === secretId || secret.arn.slice(0, -7) === secretId) return secret;
    throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  }

  /** GetSecretValue: the AWSCURRENT version, the only one a local secret has. */
  getSecretValue(secretId: string, versionId?: string, versionStage?: string) {
    const secret = this.find(secretId);
    if (versionId !== undefined && versionId !== secret.versionId)
      throw new AwsError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
      );
    if (versionStage !== undefined && versionStage !== 'AWSCURRENT')
      throw new AwsError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for staging label: ${versionStage}`,
      );
    // Secrets Manager records the day of the last access, not the time.
    const today = new Date();
    today.setUTCHours(0, 0, 0, 0);
    secret.lastAccessedDate = today;
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: secret.versionId,
      SecretString: this.#values.get(secret.arn) as string,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: secret.createdDate,
    };
  }

  describe(secretId: string): SecretDescription {
    return this.description(this.find(secretId));
  }

  /** Every secret's description, in the order of the template. */
  describeAll(): SecretDescription[] {
    return [...this.byArn.values()].map((s) => this.description(s));
  }

  private description(s: LocalSecret): SecretDescription {
    return {
      ARN: s.arn,
      Name: s.name,
      ...(s.description === undefined ? {} : { Description: s.description }),
      ...(s.kmsKeyId === undefined ? {} : { KmsKeyId: s.kmsKeyId }),
      ...(s.tags.length > 0 ? { Tags: s.tags } : {}),
      CreatedDate: s.createdDate,
      LastChangedDate: s.createdDate,
      ...(s.lastAccessedDate ? { LastAccessedDate: s.lastAccessedDate } : {}),
      VersionIdsToStages: { [s.versionId]: ['AWSCURRENT'] },
    };
  }
}

/** JSON with sorted keys, so the same settings always compare equal. */
function stableJson(value: object): string {
  return JSON.stringify(
    Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  );
}

function readStore(file: string): Record<string, StoredSecret> {
  if (!existsSync(file)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, StoredSecret>;
  } catch {
    // Reported below without the file's text, which holds secret values.
  }
  throw new Error(
    `${file} is not the runtime's store of generated secrets; move it away to generate new values.`,
  );
}

/** Written whole to a temporary file first, then renamed over the old one, so a crash leaves one or the other. */
function writeStore(file: string, stored: Record<string, StoredSecret>): void {
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}
