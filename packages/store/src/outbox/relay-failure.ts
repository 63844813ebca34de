import { isStoreError } from '../errors.ts';

/** Longest error text kept per row and in the status: enough to diagnose, bounded in size. */
export const MAX_RELAY_ERROR_LENGTH = 500;

/** The code of a producer or database error, `unknown` when it carries none. */
export function relayErrorCode(error: unknown): string {
  if (isStoreError(error)) return error.code;
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
