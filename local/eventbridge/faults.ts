import { AwsError } from '../errors';

/**
 * Makes chosen PutEvents entries fail, to exercise Retry and Catch live: the next N entries, or a fraction
 * of them, optionally only those of one source or detail-type. The failure is a per-entry error in the
 * PutEvents response, as EventBridge reports an entry it could not take.
 */
export interface FaultRule {
  /** How many matching entries still to fail; Infinity for every one. */
  remaining: number;
  readonly errorCode: FaultErrorCode;
  /** The chance (0 to 1) that a matching entry fails; every matching entry when absent. */
  readonly rate?: number;
  readonly source?: string;
  readonly detailType?: string;
}

export const FAULT_ERROR_CODES = ['InternalFailure', 'ThrottlingException'] as const;
export type FaultErrorCode = (typeof FAULT_ERROR_CODES)[number];

/**
 * A fault rule as written in a faults file, the `--fault` option or the `/_local/faults` API:
 * `{"errorCode": "InternalFailure", "next": 2, "rate": 0.5, "source": "app.kyc", "detailType": "Account Approved"}`.
 * Only `errorCode` is required; without `next` every matching entry (or the `rate` fraction of them) fails.
 */
export function parseFaultRule(json: unknown): FaultRule {
  const bad = (reason: string) =>
    new AwsError('ValidationException', `Invalid fault rule ${JSON.stringify(json)}: ${reason}.`);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw bad('it must be an object');
  const { errorCode, next, rate, source, detailType, ...rest } = json as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw bad(`unknown field(s) ${unknown.join(', ')}`);
  if (!FAULT_ERROR_CODES.includes(errorCode as FaultErrorCode))
    throw bad(`errorCode must be one of ${FAULT_ERROR_CODES.join(', ')}`);
  if (next !== undefined && !(Number.isInteger(next) && (next as number) > 0))
    throw bad('next must be a positive integer');
  if (rate !== undefined && !(typeof rate === 'number' && rate > 0 && rate <= 1))
    throw bad('rate must be a number greater than 0 and at most 1');
  for (const [key, value] of Object.entries({ source, detailType }))
    if (value !== undefined && (typeof value !== 'string' || value === ''))
      throw bad(`${key} must be a non-empty string`);
  return {
    remaining: (next as number | undefined) ?? Number.POSITIVE_INFINITY,
    errorCode: errorCode as FaultErrorCode,
    ...(rate === undefined ? {} : { rate: rate as number }),
    ...(source === undefined ? {} : { source: source as string }),
    ...(detailType === undefined ? {} : { detailType: detailType as string }),
  };
}

/**
 * The `--fault` command-line form of a rule: comma-separated `key=value` pairs with the JSON form's keys,
 * e.g. `errorCode=InternalFailure,next=2,detailType=Account Approved`.
 */
export function parseFaultOption(option: string): FaultRule {
  const json: Record<string, unknown> = {};
  for (const pair of option.split(',')) {
    const at = pair.indexOf('=');
    if (at < 1)
      throw new AwsError('ValidationException', `Invalid --fault '${option}': expected key=value pairs.`);
    const key = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    json[key] = key === 'next' || key === 'rate' ? Number(value) : value;
  }
  return parseFaultRule(json);
}

/** A rule as the faults API shows it (JSON has no Infinity). */
export function describeFaultRule(rule: FaultRule): Record<string, unknown> {
  const { remaining, ...rest } = rule;
  return Number.isFinite(remaining) ? { ...rest, next: remaining } : rest;
}
