/**
 * First wait after a failed publish. Short, because the usual cause is a partition leader moving
 * to another broker, which Kafka settles within a few hundred milliseconds.
 */
export const RELAY_BACKOFF_INITIAL_MS = 250;

/**
 * Longest wait between attempts while Kafka stays down. Ten seconds bounds how late the backlog
 * starts draining once the broker is back, while a down broker sees at most a few attempts a
 * minute per relay (each attempt already includes the producer's own retries).
 */
export const RELAY_BACKOFF_MAX_MS = 10_000;

export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
}

/**
 * Wait before the next attempt after `failures` consecutive failures (1, 2, …): doubling from
 * `initialMs`, capped at `maxMs`, with half of it randomised so that the relays of several
 * instances do not retry in lockstep.
 */
export function relayBackoffMs(
  failures: number,
  { initialMs, maxMs }: BackoffSettings,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 30);
  const ceiling = Math.min(maxMs, initialMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
