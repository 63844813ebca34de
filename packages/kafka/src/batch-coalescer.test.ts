import { silentLogger } from '@oncoimg/telemetry';
import { describe, expect, it } from 'vitest';
import { createBatchCoalescer } from './batch-coalescer.ts';
import {
  createBatchProcessor,
  initialRunnerStats,
  type BatchControl,
  type ConsumerRunnerStats,
} from './batch-processor.ts';
import type { DeadLetterRecord } from './dead-letter.ts';
import { NonRetriableError } from './errors.ts';
import { retryLimits } from './retry-policy.ts';

function message(topic: string, offset: number) {
  return {
    topic,
    partition: 0,
    offset: String(offset),
    key: 'k',
    value: Buffer.from(`${topic}:${offset}`),
    headers: {},
  };
}
type Message = ReturnType<typeof message>;

function control(resolved: string[]): BatchControl {
  return {
    isRunning: () => true,
    isStale: () => false,
    resolveOffset: (offset) => {
      resolved.push(offset);
    },
    heartbeat: async () => undefined,
    commitOffsetsIfNecessary: async () => undefined,
  };
}

function processor(handle: (messages: Message[]) => Promise<void>) {
  const stats: ConsumerRunnerStats = { ...initialRunnerStats(), running: true };
  const deadLetters: DeadLetterRecord[] = [];
  const processBatch = createBatchProcessor<Message>({
    mode: 'batch',
    coalesce: true,
    handle,
    sendDeadLetter: async (_topic, record) => {
      deadLetters.push(record);
    },
    deadLetterTopicFor: (topic) => `${topic}.dlq`,
    limits: retryLimits({ retries: 0 }),
    groupId: 'timeline',
    clientId: 'timeline-1',
    stats,
    isStopping: () => false,
    log: silentLogger,
    sleep: async () => undefined,
  });
  return { processBatch, deadLetters };
}

describe('batch coalescer', () => {
  it('joins calls made in the same turn into one handler call and settles each', async () => {
    const calls: number[][] = [];
    const joint = createBatchCoalescer<number>(async (items) => {
      calls.push(items);
    });
    await Promise.all([joint([1, 2]), joint([3]), joint([4, 5])]);
    await joint([6]);
    expect(calls).toEqual([[1, 2, 3, 4, 5], [6]]);
  });

  it('rejects every joined caller when the handler fails', async () => {
    const joint = createBatchCoalescer<number>(async () => {
      throw new Error('down');
    });
    const results = await Promise.allSettled([joint([1]), joint([2])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});

/** Two partitions' batches handed over at once, as kafkajs does for one fetch; returns the resolved offsets. */
async function handOverAtOnce(
  processBatch: ReturnType<typeof processor>['processBatch'],
  batches: Record<string, number[]>,
): Promise<string[]> {
  const resolved: string[] = [];
  await Promise.all(
    Object.entries(batches).map(([topic, offsets]) =>
      processBatch(
        offsets.map((offset) => message(topic, offset)),
        { topic, partition: 0 },
        control(resolved),
      ),
    ),
  );
  return resolved.sort();
}

describe('batch processor with coalesce', () => {
  it('hands the batches of partitions handled at once to the handler in one call', async () => {
    const calls: string[][] = [];
    const { processBatch } = processor(async (messages) => {
      calls.push(messages.map((m) => `${m.topic}:${m.offset}`));
    });
    const resolved = await handOverAtOnce(processBatch, { orders: [0, 1], studies: [7] });
    expect(calls).toEqual([['orders:0', 'orders:1', 'studies:7']]);
    expect(resolved).toEqual(['0', '1', '7']);
  });

  it('isolates a poison message to its own partition: the other partition is handled, not dead-lettered', async () => {
    const handled: string[] = [];
    const { processBatch, deadLetters } = processor(async (messages) => {
      if (messages.some((m) => m.topic === 'studies' && m.offset === '8')) {
        throw new NonRetriableError('poison');
      }
      handled.push(...messages.map((m) => `${m.topic}:${m.offset}`));
    });
    const resolved = await handOverAtOnce(processBatch, { orders: [0, 1], studies: [7, 8] });
    expect(handled.sort()).toEqual(['orders:0', 'orders:1', 'studies:7']);
    expect(resolved).toEqual(['0', '1', '7', '8']);
    expect(deadLetters.map((d) => d.headers.dlq_original_offset)).toEqual(['8']);
  });
});
