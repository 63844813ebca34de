/**
 * Errors of the Kafka layer. `retriable` decides between retrying with backoff and the
 * dead-letter topic; codes are strings because `instanceof` does not survive a process boundary.
 */
export const KAFKA_ERROR_CODES = [
  'CONNECTION_FAILED',
  'SEND_FAILED',
  'ADMIN_FAILED',
  'NOT_CONNECTED',
  'HANDLER_FAILED',
  'DEAD_LETTER_FAILED',
  'INVALID_ARGUMENT',
] as const;

export type KafkaErrorCode = (typeof KAFKA_ERROR_CODES)[number];

export class KafkaError extends Error {
  readonly code: KafkaErrorCode;
  readonly retriable: boolean;

  constructor(code: KafkaErrorCode, message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'KafkaError';
    this.code = code;
    this.retriable = options.retriable;
  }
}

/** Thrown by a handler for a failure that may pass on a later attempt (a database that is down). */
export class RetriableError extends Error {
  readonly retriable = true;
  override readonly name = 'RetriableError';
}

/** Thrown by a handler for a message that will never be processed (it goes to the dead-letter topic). */
export class NonRetriableError extends Error {
  readonly retriable = false;
  override readonly name = 'NonRetriableError';
}

/**
 * Whether retrying can help. Errors say so with a boolean `retriable` (ours, the store's, the
 * domain's, kafkajs's); an error that does not say is treated as permanent, so an unknown bug
 * dead-letters one message instead of stopping the consumer forever.
 */
export function isRetriable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}

/** A short machine-readable code of any error, for the `dlq_error_code` header and metrics. */
export function errorCodeOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code)) {
    return code;
  }
  return error instanceof Error ? error.name : 'UNKNOWN';
}

const ACCESS_REFUSALS = new Set([
  'GROUP_AUTHORIZATION_FAILED',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'SASL_AUTHENTICATION_FAILED',
]);

/** The kafkajs error type of an authorization or authentication refusal in `error`'s chain. */
export function accessRefusal(error: unknown): string | undefined {
  for (let at: unknown = error; typeof at === 'object' && at !== null;) {
    const { type, name, cause, originalError } = at as Record<string, unknown>;
    if (typeof type === 'string' && ACCESS_REFUSALS.has(type)) {
      return type;
    }
    if (name === 'KafkaJSSASLAuthenticationError') {
      return 'SASL_AUTHENTICATION_FAILED';
    }
    at = cause ?? originalError;
  }
  return undefined;
}
