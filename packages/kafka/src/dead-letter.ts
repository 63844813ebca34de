import { DLQ_HEADERS } from '@oncoimg/fhir-events';
import { errorCodeOf } from './errors.ts';

/** Dead-letter reasons are bounded: enough to diagnose, never a whole payload. */
export const MAX_DEAD_LETTER_REASON_LENGTH = 500;

/** A message for the dead-letter topic, as the producer sends it. */
export interface DeadLetterRecord {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * The message that failed: the record a dead letter copies, and where it was read from (a
 * `ConsumedMessage` fits).
 */
export type FailedMessage = DeadLetterRecord & { topic: string; partition: number; offset: string };

/** The error's message, bounded: the `dlq_reason` header. */
export function deadLetterReason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, MAX_DEAD_LETTER_REASON_LENGTH);
}

/**
 * The dead letter of `message`: same key, value and headers, plus why it failed and where it came
 * from, so that it can be diagnosed and sent back to `dlq_original_topic` later.
 */
export function deadLetterRecord(message: FailedMessage, error: unknown, failedAt: Date): DeadLetterRecord {
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      [DLQ_HEADERS.reason]: deadLetterReason(error),
      [DLQ_HEADERS.errorCode]: errorCodeOf(error),
      [DLQ_HEADERS.originalTopic]: message.topic,
      [DLQ_HEADERS.originalPartition]: String(message.partition),
      [DLQ_HEADERS.originalOffset]: message.offset,
      [DLQ_HEADERS.failedAt]: failedAt.toISOString(),
    },
  };
}
