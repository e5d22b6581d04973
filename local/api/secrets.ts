import { AwsError } from '../errors';
import type { LocalSecrets, SecretDescription } from '../secrets';
import type { ApiActions } from './protocol';
import { page, required } from './validate';

/** ListSecrets' filter keys (Secrets Manager API Reference, "Filter"). */
const FILTER_KEYS = new Set([
  'description',
  'name',
  'tag-key',
  'tag-value',
  'primary-region',
  'owning-service',
  'all',
]);

/**
 * Secrets Manager's JSON API (`secretsmanager.*`, x-amz-json-1.1) over the template's secrets: GetSecretValue,
 * DescribeSecret and ListSecrets (Secrets Manager API Reference:
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Operations.html). Secrets are the
 * template's, so nothing creates, changes or deletes one.
 */
export function secretsActions(secrets: LocalSecrets): ApiActions {
  return {
    GetSecretValue: (p) =>
      secrets.getSecretValue(
        required(p, 'SecretId'),
        p.VersionId as string | undefined,
        p.VersionStage as string | undefined,
      ),
    DescribeSecret: (p) => secrets.describe(required(p, 'SecretId')),
    ListSecrets: (p) => {
      const filters = (p.Filters ?? []) as { Key?: string; Values?: string[] }[];
      for (const f of filters) {
        if (f.Key === undefined || !FILTER_KEYS.has(f.Key))
          throw new AwsError(
            'ValidationException',
            `1 validation error detected: Value '${f.Key ?? null}' at 'filters.member.key' failed to satisfy constraint: Member must satisfy enum value set: [${[...FILTER_KEYS].join(', ')}]`,
          );
        if (!f.Values || f.Values.length < 1 || f.Values.length > 10)
          throw new AwsError(
            'ValidationException',
            "1 validation error detected: Value at 'filters.member.values' failed to satisfy constraint: Member must have length between 1 and 10",
          );
      }
      if (p.SortOrder !== undefined && p.SortOrder !== 'asc' && p.SortOrder !== 'desc')
        throw new AwsError(
          'ValidationException',
          `1 validation error detected: Value '${p.SortOrder}' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]`,
        );
      // Secrets Manager lists newest first unless asked otherwise; the template's are all created at the start.
      const all = secrets
        .describeAll()
        .filter((s) => filters.every((f) => matches(s, f.Key as string, f.Values ?? [])));
      if (p.SortOrder === 'asc') all.reverse();
      const { items, nextToken } = page(all, {
        list: 'ListSecrets',
        nextToken: p.NextToken,
        size: p.MaxResults,
        defaultSize: 100,
        maxSize: 100,
        invalidToken: 'InvalidNextTokenException',
      });
      return { SecretList: items, ...(nextToken ? { NextToken: nextToken } : {}) };
    },
  };
}

/**
 * Whether a secret passes one filter: any of its values matches, each a prefix (case-sensitive but for
 * description and all), or, led by `!`, the secret must match none of them.
 */
function matches(secret: SecretDescription, key: string, values: readonly string[]): boolean {
  const tags = secret.Tags ?? [];
  const fields: Record<string, string[]> = {
    name: [secret.Name],
    description: secret.Description === undefined ? [] : [secret.Description],
    'tag-key': tags.map((t) => t.Key),
    'tag-value': tags.map((t) => t.Value),
    'primary-region': [],
    'owning-service': [],
  };
  const caseless = key === 'description' || key === 'all';
  const candidates =
    key === 'all'
      ? [secret.Name, secret.Description ?? '', ...tags.flatMap((t) => [t.Key, t.Value])].flatMap(words)
      : (fields[key] ?? []);
  const hit = (value: string) =>
    candidates.some((c) =>
      caseless ? c.toLowerCase().startsWith(value.toLowerCase()) : c.startsWith(value),
    );
  const negated = values.filter((v) => v.startsWith('!')).map((v) => v.slice(1));
  const wanted = values.filter((v) => !v.startsWith('!'));
  if (negated.some(hit)) return false;
  if (wanted.length === 0) return true;
  return key === 'all' ? wanted.flatMap(words).some(hit) : wanted.some(hit);
}

/**
 * The words Secrets Manager's `all` search splits text into: a new word at each change of letter case, between
 * letters and digits, and at punctuation (AWS Secrets Manager User Guide, "Find secrets in AWS Secrets Manager":
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/manage_search-secret.html).
 */
function words(text: string): string[] {
  return text.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+/g) ?? [];
}
