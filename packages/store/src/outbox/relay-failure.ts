import { isStoreError } from '../errors.ts';

/** Longest error text kept per row and in the status: enough to diagnose, bounded in size. */
export const MAX_RELAY_ERROR_LENGTH = 500;

/** The code of a producer or database error, `unknown` when it carries none. */
export function relayErrorCode(error: unknown): string {
  if (isStoreError(error)) {
    return error.code;
  }
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return 'unknown';
}

/** Error code and message, bounded. Producer and database errors carry no message content. */
export function describeRelayError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = relayErrorCode(error);
  return (code === 'unknown' ? message : `${code}: ${message}`).slice(0, MAX_RELAY_ERROR_LENGTH);
}

/** A thrown value as an `Error`, so a round can report it whatever the producer threw. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

/**
 * Broker answers that refuse the records themselves, whatever the state of the cluster: sending
 * the same bytes again can never succeed. Kafka's error names, as kafkajs reports them in `type`.
 * Authorization and configuration errors are not here: they are fixed by an operator, and the rows
 * must wait for that rather than be put aside.
 */
export const RECORD_REJECTIONS = [
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
] as const;

/** Errors nest their causes (our producer wraps kafkajs, kafkajs wraps the broker's answer). */
const MAX_CAUSE_DEPTH = 8;

/**
 * The broker's refusal of the records in `error` or any of its causes (`MESSAGE_TOO_LARGE`, …),
 * or undefined when the failure says nothing about the records (a broker down, a timeout).
 */
export function recordRejectionOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null; depth++) {
    for (const field of ['type', 'code'] as const) {
      const value = (current as Record<string, unknown>)[field];
      if (typeof value === 'string' && (RECORD_REJECTIONS as readonly string[]).includes(value)) {
        return value;
      }
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
