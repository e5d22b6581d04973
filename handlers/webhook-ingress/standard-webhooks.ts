import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * The Standard Webhooks signature scheme, version 1 (symmetric), as the specification defines it
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
 * the sender signs `${webhook-id}.${webhook-timestamp}.${body}` with HMAC-SHA256 and sends
 * `webhook-signature: v1,<base64 of the MAC>`, several space-separated entries during a key rotation.
 * Both sides of the scheme live here, so the ingress and the signer script (local/webhook.ts) cannot drift.
 */

export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

/** How far a timestamp may be from the receiver's clock, either way: the specification's recommendation. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

/** The prefix of a secret in the specification's format; the rest is the key in base64. */
export const SECRET_PREFIX = 'whsec_';

const SIGNATURE_VERSION = 'v1';

/**
 * The HMAC key a stored secret stands for: the base64 decoding of what follows `whsec_`, or, for a value
 * without the prefix (the random string Secrets Manager generates), the value's own UTF-8 bytes.
 */
export function signingKeyOf(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) return Buffer.from(secret, 'utf8');
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded))
    throw new Error('The signing secret starts with whsec_ but the rest is not base64.');
  return Buffer.from(encoded, 'base64');
}

/** The bytes the MAC covers: id, timestamp and the body exactly as sent, joined by dots. */
function signedContent(id: string, timestamp: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), body]);
}

function mac(key: Buffer, id: string, timestamp: string, body: Buffer): Buffer {
  return createHmac('sha256', key)
    .update(signedContent(id, timestamp, body))
    .digest();
}

export interface SignedMessage {
  readonly id: string;
  /** Unix seconds, as the `webhook-timestamp` header carries it. */
  readonly timestamp: string;
  readonly body: Buffer;
}

/** One `webhook-signature` entry: `v1,<base64>`. */
export function sign(message: SignedMessage, secret: string): string {
  const digest = mac(signingKeyOf(secret), message.id, message.timestamp, message.body);
  return `${SIGNATURE_VERSION},${digest.toString('base64')}`;
}

/**
 * Whether any `v1` entry of a `webhook-signature` header is the MAC of the message under the secret.
 * Entries of other versions (`v1a` is the asymmetric scheme) are skipped, as the specification asks, and
 * each candidate is compared in constant time, so the answer's timing tells nothing about the expected MAC.
 */
export function hasValidSignature(message: SignedMessage, signatureHeader: string, secret: string): boolean {
  const expected = mac(signingKeyOf(secret), message.id, message.timestamp, message.body);
  let valid = false;
  for (const entry of signatureHeader.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== SIGNATURE_VERSION) continue;
    const candidate = Buffer.from(entry.slice(comma + 1), 'base64');
    // timingSafeEqual throws on a length mismatch; a length is no secret (every HMAC-SHA256 is 32 bytes).
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) valid = true;
  }
  return valid;
}
