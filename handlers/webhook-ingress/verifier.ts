import {
  hasValidSignature,
  TIMESTAMP_TOLERANCE_SECONDS,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from './standard-webhooks';

/** Request headers with lower-case names, as a Lambda function URL delivers them. */
export type Headers = Readonly<Record<string, string | undefined>>;

/** The sender proved it holds the key; `webhookId` names the message for deduplication. */
export interface Verified {
  readonly verified: true;
  readonly webhookId: string;
}

/** Why the request is not authentic (answered 401); never the expected signature or the secret. */
export interface Refused {
  readonly verified: false;
  readonly reason: string;
}

export type Verification = Verified | Refused;

/**
 * One signature scheme. The ingress depends on this interface only, so a provider with a scheme of its own
 * (Momento's, Stripe's) gets a verifier beside the Standard Webhooks one and the rest stays as it is.
 * It throws only when it cannot decide (the key is unavailable): that is a retryable 5xx, not a 401.
 */
export interface WebhookVerifier {
  verify(headers: Headers, body: Buffer): Promise<Verification>;
}

/** Reads the current secret; an implementation may cache it (aws-ports.ts does, briefly). */
export type SecretSource = () => Promise<string>;

/** Standard Webhooks, symmetric (`v1`) signatures, with the specification's ±5-minute timestamp window. */
export class StandardWebhooksVerifier implements WebhookVerifier {
  constructor(
    private readonly secret: SecretSource,
    /** Milliseconds since the epoch. */
    private readonly now: () => number,
  ) {}

  async verify(headers: Headers, body: Buffer): Promise<Verification> {
    const id = headers[WEBHOOK_ID_HEADER];
    const timestamp = headers[WEBHOOK_TIMESTAMP_HEADER];
    const signature = headers[WEBHOOK_SIGNATURE_HEADER];
    const missing = [
      [WEBHOOK_ID_HEADER, id],
      [WEBHOOK_TIMESTAMP_HEADER, timestamp],
      [WEBHOOK_SIGNATURE_HEADER, signature],
    ]
      .filter(([, value]) => !value)
      .map(([name]) => name);
    if (!id || !timestamp || !signature)
      return refused(`Missing header ${missing.join(', ')}: a Standard Webhooks request carries all three.`);

    if (!/^\d{1,12}$/.test(timestamp))
      return refused(`${WEBHOOK_TIMESTAMP_HEADER} must be a whole number of Unix seconds.`);
    // The window bounds how long a captured request can be replayed; it applies to the future as well,
    // or a sender with a fast clock could mint requests that stay valid for long.
    const skew = Number(timestamp) - Math.floor(this.now() / 1000);
    if (Math.abs(skew) > TIMESTAMP_TOLERANCE_SECONDS)
      return refused(
        `${WEBHOOK_TIMESTAMP_HEADER} is ${Math.abs(skew)} seconds in the ${skew < 0 ? 'past' : 'future'}; at most ${TIMESTAMP_TOLERANCE_SECONDS} are allowed.`,
      );

    if (!hasValidSignature({ id, timestamp, body }, signature, await this.secret()))
      return refused(`No v1 entry of ${WEBHOOK_SIGNATURE_HEADER} is the signature of this request.`);
    return { verified: true, webhookId: id };
  }
}

function refused(reason: string): Refused {
  return { verified: false, reason };
}
