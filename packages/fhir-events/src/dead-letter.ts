/**
 * Headers the consumer runner adds to a message it sends to a dead-letter topic. Tools (the CLI's
 * `dlq list` and `dlq redrive`) read them back, so they are part of the contract.
 */
export const DLQ_HEADERS = {
  reason: 'dlq_reason',
  errorCode: 'dlq_error_code',
  originalTopic: 'dlq_original_topic',
  originalPartition: 'dlq_original_partition',
  originalOffset: 'dlq_original_offset',
  failedAt: 'dlq_failed_at',
} as const;

/** Every dead-letter header starts with it, so a redrive can strip them all. */
export const DLQ_HEADER_PREFIX = 'dlq_';
