import { isRetriable } from './errors.ts';

export interface RetryPolicy {
  retries?: number;
  initialMs?: number;
  maxMs?: number;
}

/**
 * Five retries from 100 ms doubling to 5 s ride out a database failover or a broker restart
 * (about 10 s in all) without holding a partition so long that the group rebalances.
 */
export const DEFAULT_HANDLER_RETRIES = 5;
export const DEFAULT_RETRY_INITIAL_MS = 100;
export const DEFAULT_RETRY_MAX_MS = 5_000;

/** A `RetryPolicy` with its defaults filled in. */
export type RetryLimits = Required<RetryPolicy>;

/** The policy's limits, defaults where it says nothing. */
export function retryLimits({
  retries = DEFAULT_HANDLER_RETRIES,
  initialMs = DEFAULT_RETRY_INITIAL_MS,
  maxMs = DEFAULT_RETRY_MAX_MS,
}: RetryPolicy = {}): RetryLimits {
  return { retries, initialMs, maxMs };
}

/** Wait before retry number `attempt + 1` (attempt 0 is the first failure): doubling, capped. */
export function retryDelayMs(attempt: number, { initialMs, maxMs }: RetryLimits): number {
  return Math.min(maxMs, initialMs * 2 ** attempt);
}

/**
 * What to do after a handler failed.
 * - `retry`: try again in place after `afterMs`.
 * - `dead-letter`: the message itself is wrong (a permanent error); retrying cannot help.
 * - `stop`: a retriable failure that outlasted the retries, or the consumer is stopping. The offset
 *   stays uncommitted, so the message is delivered again later; it is never dead-lettered, because
 *   nothing is wrong with it.
 */
export type FailureDecision =
  { action: 'retry'; afterMs: number } | { action: 'dead-letter' } | { action: 'stop' };

/** Decides after failed attempt number `attempt` (0 for the first) whether to retry, dead-letter or stop. */
export function decideAfterFailure(
  error: unknown,
  { attempt, limits, running }: { attempt: number; limits: RetryLimits; running: boolean },
): FailureDecision {
  if (!isRetriable(error)) {
    return { action: 'dead-letter' };
  }
  if (attempt >= limits.retries || !running) {
    return { action: 'stop' };
  }
  return { action: 'retry', afterMs: retryDelayMs(attempt, limits) };
}
