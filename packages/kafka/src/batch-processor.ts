import { serviceMetrics, type Logger } from '@oncoimg/telemetry';
import { createBatchCoalescer } from './batch-coalescer.ts';
import { deadLetterRecord, type DeadLetterRecord, type FailedMessage } from './dead-letter.ts';
import { errorCodeOf, isRetriable, KafkaError } from './errors.ts';
import { inProcessSpan, type Delivery } from './process-span.ts';
import { CONSUMER_HEARTBEAT_INTERVAL_MS } from './kafkajs-retry.ts';
import { decideAfterFailure, type RetryLimits } from './retry-policy.ts';

export interface ConsumerRunnerStats {
  running: boolean;
  processed: number;
  deadLettered: number;
  retried: number;
  lastError: string | null;
  lastProcessedAt: string | null;
}

/** The stats of a runner that has not started. */
export function initialRunnerStats(): ConsumerRunnerStats {
  return {
    running: false,
    processed: 0,
    deadLettered: 0,
    retried: 0,
    lastError: null,
    lastProcessedAt: null,
  };
}

/** What the processor needs of kafkajs's `EachBatchPayload`. */
export interface BatchControl {
  isRunning(): boolean;
  isStale(): boolean;
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  commitOffsetsIfNecessary(): Promise<void>;
}

export interface BatchProcessorOptions<M extends FailedMessage> {
  /** `batch`: one handler call per batch, falling back to one message at a time when it fails. */
  mode: 'message' | 'batch';
  /** Calls the service's handler; in `message` mode it gets one message at a time. */
  handle: (messages: M[], where: { topic: string; partition: number }) => Promise<void>;
  /**
   * In `batch` mode, join the batches of partitions handled at the same time (one fetch) into one
   * handler call (see batch-coalescer.ts); `where` is then the first batch's. The one-at-a-time
   * fallback after a failure never joins, so a poison message is isolated to its own partition.
   */
  coalesce?: boolean;
  /** Writes a dead letter; throwing leaves the offset uncommitted. */
  sendDeadLetter: (topic: string, record: DeadLetterRecord) => Promise<void>;
  deadLetterTopicFor: (topic: string) => string;
  limits: RetryLimits;
  groupId: string;
  clientId: string;
  /** Updated in place: the runner's `stats()` reads it. */
  stats: ConsumerRunnerStats;
  /** True once `stop()` was called: no more retries. */
  isStopping: () => boolean;
  log: Logger;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The per-batch half of the consumer runner, without a broker: retries in place, dead letters,
 * spans and offsets. Messages of a batch are handled in offset order; an offset is resolved only
 * once its message was handled or dead-lettered.
 */
export function createBatchProcessor<M extends FailedMessage>(options: BatchProcessorOptions<M>) {
  const { mode, handle, sendDeadLetter, deadLetterTopicFor, limits, stats, isStopping, log } = options;
  const sleep = options.sleep ?? defaultSleep;
  const joint = options.coalesce
    ? createBatchCoalescer<{ messages: M[]; where: { topic: string; partition: number } }>(async (calls) => {
        const [first] = calls as [(typeof calls)[number], ...typeof calls];
        await handle(
          calls.flatMap((call) => call.messages),
          first.where,
        );
      })
    : undefined;
  const handleBatch = (messages: M[], where: { topic: string; partition: number }): Promise<void> =>
    joint ? joint([{ messages, where }]) : handle(messages, where);

  async function withRetry(work: () => Promise<void>, isRunning: () => boolean): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await work();
        return;
      } catch (error) {
        const decision = decideAfterFailure(error, {
          attempt,
          limits,
          running: isRunning() && !isStopping(),
        });
        if (decision.action !== 'retry') {
          throw error;
        }
        stats.retried += 1;
        stats.lastError = errorCodeOf(error);
        serviceMetrics().recordRetry('kafka.handler');
        log.warn('retriable handler failure; retrying', { attempt: attempt + 1, error: errorCodeOf(error) });
        await sleep(decision.afterMs);
      }
    }
  }

  const traced =
    (messages: M[], topic: string, partition: number, run: typeof handle = handle) =>
    () =>
      inProcessSpan(messages, deliveryOf(topic, partition), () => run(messages, { topic, partition }));

  const deliveryOf = (topic: string, partition: number): Delivery => ({
    topic,
    partition,
    groupId: options.groupId,
    clientId: options.clientId,
  });

  async function deadLetter(message: M, error: unknown): Promise<void> {
    const topic = deadLetterTopicFor(message.topic);
    try {
      await sendDeadLetter(topic, deadLetterRecord(message, error, new Date()));
    } catch (sendError) {
      // Not committing is the only safe answer: the message comes back and is dead-lettered then.
      throw new KafkaError('DEAD_LETTER_FAILED', `could not write to ${topic}`, {
        retriable: true,
        cause: sendError,
      });
    }
    stats.deadLettered += 1;
    stats.lastError = errorCodeOf(error);
    serviceMetrics().recordDeadLetter(message.topic, errorCodeOf(error));
    log.warn('message sent to the dead-letter topic', {
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      error: errorCodeOf(error),
    });
  }

  async function handleOne(message: M, isRunning: () => boolean): Promise<void> {
    try {
      await withRetry(traced([message], message.topic, message.partition), isRunning);
    } catch (error) {
      if (isRetriable(error)) {
        throw error;
      }
      await deadLetter(message, error);
    }
    stats.processed += 1;
  }

  /** Handles one fetched batch of one partition; throws (leaving offsets unresolved) on a retriable failure. */
  return async function processBatch(
    messages: M[],
    where: { topic: string; partition: number },
    control: BatchControl,
  ): Promise<void> {
    // The session is short (see CONSUMER_SESSION_TIMEOUT_MS): a batch that takes longer than it,
    // slow handlers or retries while a database is down, must not cost the member its partitions.
    // A failed heartbeat here only means a rebalance, which the next regular heartbeat reports.
    const keepAlive = setInterval(() => {
      control.heartbeat().catch(() => undefined);
    }, CONSUMER_HEARTBEAT_INTERVAL_MS);
    try {
      await processInSession(messages, where, control);
    } finally {
      clearInterval(keepAlive);
    }
  };

  async function processInSession(
    messages: M[],
    { topic, partition }: { topic: string; partition: number },
    control: BatchControl,
  ): Promise<void> {
    const isRunning = () => control.isRunning();
    if (messages.length === 0) {
      return;
    }
    if (mode === 'batch') {
      try {
        await withRetry(traced(messages, topic, partition, handleBatch), isRunning);
        for (const m of messages) {
          control.resolveOffset(m.offset);
        }
        stats.processed += messages.length;
        stats.lastProcessedAt = new Date().toISOString();
        await control.commitOffsetsIfNecessary();
        return;
      } catch (error) {
        if (isRetriable(error)) {
          throw error;
        }
        log.warn('batch failed; isolating the failing message', {
          size: messages.length,
          error: errorCodeOf(error),
        });
      }
    }
    for (const message of messages) {
      if (!isRunning() || control.isStale()) {
        break;
      }
      await handleOne(message, isRunning);
      control.resolveOffset(message.offset);
      stats.lastProcessedAt = new Date().toISOString();
      await control.heartbeat();
    }
    await control.commitOffsetsIfNecessary();
  }
}
