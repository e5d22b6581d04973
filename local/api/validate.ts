import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AwsError } from '../errors';
import { mismatch } from './shapes';

/** A required string parameter, or AWS's ValidationException naming it (SerializationException if not a string). */
export function required(params: Record<string, unknown>, key: string): string {
  const value = params[key];
  if (value === undefined || value === null)
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`,
    );
  if (typeof value !== 'string') throw mismatch(value, 'String', key);
  return value;
}

export interface PageOptions {
  /** The list the token pages through (the action's name): a token from another list is not one of its own. */
  readonly list: string;
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
 * One page of a list and the token for the next. A token carries the offset of the next page, so one from
 * before the list changed is still safe to use; it is sealed (see `sealToken`), so one the runtime did not
 * issue is the service's invalid-token error.
 */
export function page<T>(all: readonly T[], options: PageOptions): { items: T[]; nextToken?: string } {
  const size = pageSize(options);
  let offset = 0;
  if (options.nextToken !== undefined && options.nextToken !== null) {
    const position = openToken(options.list, String(options.nextToken), options.invalidToken);
    if (!/^\d+$/.test(position)) throw invalidToken(options.invalidToken, String(options.nextToken));
    offset = Number(position);
  }
  const items = all.slice(offset, offset + size);
  const next = offset + size;
  return next < all.length ? { items, nextToken: sealToken(options.list, String(next)) } : { items };
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

/**
 * Signs the tokens this process hands out. A fresh key each start: AWS's tokens expire too (Step Functions'
 * after 24 hours), and a client that pages across a restart starts its list again.
 */
const TOKEN_KEY = randomBytes(32);
const MAC_BYTES = 16;

/**
 * A paging token for a client: the list's own position (an offset, or the journal's token), with a MAC over it
 * and the list's name. A client cannot forge a position, nor page one list with another's token.
 */
export function sealToken(list: string, position: string): string {
  const body = Buffer.from(position, 'utf8');
  return Buffer.concat([mac(list, body), body]).toString('base64url');
}

/** The position a token sealed for this list carries, or the service's invalid-token error. */
export function openToken(list: string, token: string, errorCode: string): string {
  const sealed = Buffer.from(token, 'base64url');
  const body = sealed.subarray(MAC_BYTES);
  const expected = mac(list, body);
  if (sealed.length <= MAC_BYTES || !timingSafeEqual(sealed.subarray(0, MAC_BYTES), expected))
    throw invalidToken(errorCode, token);
  return body.toString('utf8');
}

function mac(list: string, body: Buffer): Buffer {
  return createHmac('sha256', TOKEN_KEY)
    .update(list)
    .update('\n')
    .update(body)
    .digest()
    .subarray(0, MAC_BYTES);
}

function invalidToken(code: string, token: string): AwsError {
  // A token is echoed as AWS echoes it, but not a megabyte of one.
  const shown = token.length > 100 ? `${token.slice(0, 100)}...` : token;
  return new AwsError(code, `Invalid Token: '${shown}'`);
}
