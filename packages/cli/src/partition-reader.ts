/**
 * Reads chosen partitions between chosen offsets: what tail, replay, dlq list and dlq redrive share.
 *
 * kafkajs only consumes through a consumer group, so a read joins a group (a throwaway one unless
 * the caller names it), seeks every partition to its start and drops anything below it, and ends
 * once every bounded partition reached its end offset. The end is taken before reading starts, so a
 * replay into its own topic cannot read what it writes. Offsets are committed only when asked (the
 * redrive), after the handler resolved: a crash sends a batch again rather than losing it.
 */
import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';
import { CliError } from './errors.ts';
import { kafkaFailure } from './kafka-connection.ts';

export interface PartitionRange {
  topic: string;
  partition: number;
  /** First offset read. */
  start: bigint;
  /** First offset not read (the end offset when reading started); undefined follows the partition. */
  end?: bigint;
}

export interface ReadMessage {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export interface ReadPartitionsOptions {
  kafka: Kafka;
  brokers: string[];
  /** Every partition of the topics read; an empty range (start = end) leaves that partition alone. */
  ranges: readonly PartitionRange[];
  /** Called once per fetched batch with the messages in range (and past `filter`), in offset order. */
  onMessages: (messages: ReadMessage[]) => Promise<void>;
  filter?: (message: ReadMessage) => boolean;
  /** Stop after this many messages (counted after `filter`). */
  limit?: number;
  /** A named group whose offsets are committed as messages are handled; else a throwaway group. */
  groupId?: string;
  signal?: AbortSignal;
  /** A bounded read that receives nothing for this long fails with TIMEOUT instead of hanging. */
  idleTimeoutMs?: number;
  /** Called once the consumer joined its group and the partitions were positioned. */
  onReady?: () => void;
}

export interface ReadResult {
  read: number;
  /** Why reading stopped. */
  stoppedBy: 'end' | 'limit' | 'signal';
}

/** Long enough for a slow broker between fetches (the fetch wait is 500 ms), short enough to notice a stuck read. */
export const DEFAULT_IDLE_TIMEOUT_MS = 15_000;
const FETCH_MAX_WAIT_MS = 500;

const keyOf = (topic: string, partition: number) => `${topic}:${String(partition)}`;

export async function readPartitions(options: ReadPartitionsOptions): Promise<ReadResult> {
  const {
    kafka,
    brokers,
    ranges,
    onMessages,
    filter = () => true,
    limit,
    groupId,
    signal,
    idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS,
    onReady,
  } = options;
  const active = new Map(
    ranges
      .filter((range) => range.end === undefined || range.start < range.end)
      .map((range) => [keyOf(range.topic, range.partition), { range, next: range.start }]),
  );
  if (active.size === 0 || limit === 0) {
    return { read: 0, stoppedBy: limit === 0 ? 'limit' : 'end' };
  }
  if (signal?.aborted) {
    return { read: 0, stoppedBy: 'signal' };
  }

  const ephemeral = groupId === undefined;
  const group = groupId ?? `oncoimg-cli-${randomUUID()}`;
  const topics = [...new Set(ranges.map((range) => range.topic))];
  const bounded = () => [...active.values()].some(({ range }) => range.end !== undefined);
  let read = 0;
  let stopped = false;
  let lastProgressAt = Date.now();
  let settle: (result: ReadResult) => void = () => {};
  let fail: (error: unknown) => void = () => {};
  const finished = new Promise<ReadResult>((resolve, reject) => {
    settle = (result) => {
      stopped = true;
      resolve(result);
    };
    fail = (error) => {
      stopped = true;
      reject(error instanceof Error ? error : new Error(String(error)));
    };
  });
  const onAbort = () => settle({ read, stoppedBy: 'signal' });
  signal?.addEventListener('abort', onAbort, { once: true });

  const consumer = kafka.consumer({
    groupId: group,
    maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
    allowAutoTopicCreation: false,
    // A crash ends the command with an error; restarting silently would hide a broker that is gone.
    retry: { retries: 3, restartOnFailure: () => Promise.resolve(false) },
  });
  consumer.on(consumer.events.CRASH, (event) => {
    fail(kafkaFailure(event.payload.error, brokers, 'reading'));
  });

  const idleCheck = setInterval(() => {
    if (!stopped && bounded() && Date.now() - lastProgressAt > idleTimeoutMs) {
      const waiting = [...active.values()]
        .map(
          ({ range, next }) =>
            `${keyOf(range.topic, range.partition)} at ${String(next)} of ${String(range.end)}`,
        )
        .join(', ');
      fail(
        new CliError(
          'TIMEOUT',
          `nothing arrived for ${String(idleTimeoutMs / 1000)} s; still waiting for ${waiting}`,
          { retriable: true },
        ),
      );
    }
  }, 500);

  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        lastProgressAt = Date.now();
        const state = active.get(keyOf(batch.topic, batch.partition));
        if (!state || stopped) {
          return;
        }
        const { range } = state;
        const accepted: ReadMessage[] = [];
        let next = state.next;
        let done = false;
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          if (offset < next) {
            continue;
          }
          if (range.end !== undefined && offset >= range.end) {
            done = true;
            break;
          }
          const candidate: ReadMessage = {
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            timestamp: message.timestamp,
            key: message.key,
            value: message.value,
            headers: message.headers ?? {},
          };
          next = offset + 1n;
          if (filter(candidate)) {
            accepted.push(candidate);
          }
          if (limit !== undefined && read + accepted.length >= limit) {
            break;
          }
          if (range.end !== undefined && next >= range.end) {
            done = true;
            break;
          }
        }
        // A rebalance hands the partition over: what was not handled is read again from `state.next`.
        if (!payload.isRunning() || payload.isStale()) {
          return;
        }
        try {
          if (accepted.length > 0) {
            await onMessages(accepted);
          }
          read += accepted.length;
          state.next = next;
          if (groupId !== undefined) {
            await consumer.commitOffsets([
              { topic: range.topic, partition: range.partition, offset: String(next) },
            ]);
          }
        } catch (error) {
          fail(error);
          return;
        }
        lastProgressAt = Date.now();
        if (limit !== undefined && read >= limit) {
          settle({ read, stoppedBy: 'limit' });
          return;
        }
        if (done) {
          active.delete(keyOf(range.topic, range.partition));
          consumer.pause([{ topic: range.topic, partitions: [range.partition] }]);
          if (active.size === 0) {
            settle({ read, stoppedBy: 'end' });
          }
        }
        await payload.heartbeat();
      },
    });
    for (const { range } of active.values()) {
      consumer.seek({ topic: range.topic, partition: range.partition, offset: String(range.start) });
    }
    const idle = ranges.filter((range) => !active.has(keyOf(range.topic, range.partition)));
    for (const range of idle) {
      consumer.pause([{ topic: range.topic, partitions: [range.partition] }]);
    }
    lastProgressAt = Date.now();
    onReady?.();
    return await finished;
  } catch (error) {
    throw kafkaFailure(error, brokers, 'reading');
  } finally {
    clearInterval(idleCheck);
    signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch(() => {});
    if (ephemeral) {
      await deleteGroup(kafka, group);
    }
  }
}

/** Throwaway groups are deleted so they do not pile up in `lag` and on the broker. */
async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // The broker expires an empty group's metadata on its own.
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
