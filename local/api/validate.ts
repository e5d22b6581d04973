import { AwsError } from '../errors';

/** A required string parameter, or AWS's ValidationException naming it. */
export function required(params: Record<string, unknown>, key: string): string {
  const value = params[key];
  if (value === undefined || value === null)
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`,
    );
  if (typeof value !== 'string')
    throw new AwsError(
      'ValidationException',
      `Value at '${key}' failed to satisfy constraint: Member must be a string`,
    );
  return value;
}

export interface PageOptions {
  readonly nextToken?: unknown;
  /** The caller's page size; 0 or absent means `defaultSize`. */
  readonly size?: unknown;
  readonly defaultSize: number;
  readonly maxSize: number;
  /**
   * The error a bad token is answered with (Step Functions: InvalidToken; EventBridge: ValidationException;
   * SQS: InvalidParameterValue).
   */
  readonly invalidToken: string;
}

/**
 * One page of a list and the token for the next. Tokens are opaque to clients; here they carry the offset
 * of the next page, so a token from another list, or from before the list changed, is still safe to use.
 */
export function page<T>(all: readonly T[], options: PageOptions): { items: T[]; nextToken?: string } {
  const size = pageSize(options);
  let offset = 0;
  if (options.nextToken !== undefined && options.nextToken !== null) {
    const match = /^offset:(\d+)$/.exec(Buffer.from(String(options.nextToken), 'base64url').toString('utf8'));
    if (!match) throw new AwsError(options.invalidToken, `Invalid Token: '${options.nextToken}'`);
    offset = Number(match[1]);
  }
  const items = all.slice(offset, offset + size);
  const next = offset + size;
  return next < all.length
    ? { items, nextToken: Buffer.from(`offset:${next}`).toString('base64url') }
    : { items };
}

/** The page size a list call asked for (0 or absent: the default), or AWS's ValidationException. */
export function pageSize(options: Pick<PageOptions, 'size' | 'defaultSize' | 'maxSize'>): number {
  const size = Number(options.size ?? 0) || options.defaultSize;
  if (!Number.isInteger(size) || size < 1 || size > options.maxSize)
    throw new AwsError(
      'ValidationException',
      `Value '${options.size}' failed to satisfy constraint: Member must have value between 1 and ${options.maxSize}`,
    );
  return size;
}
