import type { Catcher, Retrier } from './asl';
import { States } from './errors';

/*
 * Retry and Catch, as the States Language's "Error handling" section defines them: retriers are tried
 * in order and the first whose ErrorEquals names the error decides; each retrier counts its own attempts;
 * when no retrier retries, the first matching catcher transitions.
 */

/** Errors no wildcard matches: `States.ALL` does not catch them (developer guide, "Error names"). */
const TERMINAL = new Set<string>([States.Runtime, States.DataLimitExceeded]);

/** Whether one of `names` matches `error`: by name, or through States.ALL / States.TaskFailed. */
export function errorMatches(names: readonly string[], error: string): boolean {
  for (const name of names) {
    if (name === error) return error !== States.Runtime;
    if (TERMINAL.has(error)) continue;
    if (name === States.ALL) return true;
    // "States.TaskFailed ... acts as a wildcard that matches any known error name except for States.Timeout."
    if (name === States.TaskFailed && error !== States.Timeout) return true;
  }
  return false;
}

/** The retrier that handles `error` (the first whose ErrorEquals matches), and its index. */
export function matchingRetrier(
  retriers: readonly Retrier[] | undefined,
  error: string,
): { retrier: Retrier; index: number } | undefined {
  const index = retriers?.findIndex((r) => errorMatches(r.ErrorEquals, error)) ?? -1;
  const retrier = index >= 0 ? retriers?.[index] : undefined;
  return retrier && { retrier, index };
}

export function matchingCatcher(
  catchers: readonly Catcher[] | undefined,
  error: string,
): Catcher | undefined {
  return catchers?.find((c) => errorMatches(c.ErrorEquals, error));
}

/**
 * The wait before retry number `attempt` (0 for the first retry), in ms, or undefined when the retrier's
 * MaxAttempts are used up: IntervalSeconds × BackoffRate^attempt, capped by MaxDelaySeconds, and with
 * JitterStrategy FULL a uniformly random part of it. Defaults: 1 s, 3 attempts, rate 2.0.
 */
export function retryDelayMs(retrier: Retrier, attempt: number, random = Math.random): number | undefined {
  if (attempt >= (retrier.MaxAttempts ?? 3)) return undefined;
  let seconds = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempt;
  if (retrier.MaxDelaySeconds !== undefined) seconds = Math.min(seconds, retrier.MaxDelaySeconds);
  if (retrier.JitterStrategy === 'FULL') seconds *= random();
  return Math.round(seconds * 1000);
}
