/**
 * How the timeline service (and the rebuild) read the three intake topics: in batch mode, the
 * batches of every partition of one fetch joined into one handler call, with bounded fetches.
 */
import { createConsumerRunner, type ConsumedMessage, type ConsumerRunner } from '@oncoimg/kafka';
import type { Logger } from '@oncoimg/telemetry';

/**
 * One fetch of the intake topics: at most 4 MiB in all (a few thousand events), 512 KiB of any
 * one partition. kafkajs holds a fetched response until every batch in it is handled, so this,
 * not the backlog, bounds the consumer's memory; it is also the unit of one transaction.
 */
export const TIMELINE_FETCH = { maxBytes: 4 * 2 ** 20, maxBytesPerPartition: 512 * 2 ** 10 };
/**
 * Batches of one fetch handled at once, joined into one transaction (`coalescePartitions`): enough
 * for every partition of the three topics at 12 partitions each, and more.
 */
export const TIMELINE_PARTITIONS_AT_ONCE = 64;

export interface IntakeConsumerOptions {
  brokers: string[];
  clientId: string;
  groupId: string;
  topics: string[];
  sessionTimeoutMs?: number;
  /** Larger fetches than the service's (a rebuild). */
  fetch?: { maxBytes: number; maxBytesPerPartition: number };
  logger: Logger;
  handler: (messages: ConsumedMessage[]) => Promise<void>;
}

export function createIntakeConsumer(options: IntakeConsumerOptions): ConsumerRunner {
  const { fetch = TIMELINE_FETCH, ...rest } = options;
  return createConsumerRunner({
    ...rest,
    fromBeginning: true,
    mode: 'batch',
    // A patient's order, study and report sit on three topics: one transaction for all of them.
    coalescePartitions: true,
    partitionsConsumedConcurrently: TIMELINE_PARTITIONS_AT_ONCE,
    fetch,
  });
}
