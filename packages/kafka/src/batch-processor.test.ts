import { silentLogger } from '@oncoimg/telemetry';
import { describe, expect, it } from 'vitest';
import {
  createBatchProcessor,
  initialRunnerStats,
  type BatchControl,
  type ConsumerRunnerStats,
} from './batch-processor.ts';
import type { DeadLetterRecord } from './dead-letter.ts';
import { NonRetriableError, RetriableError } from './errors.ts';
import { retryLimits } from './retry-policy.ts';

const where = { topic: 'fhir.imagingstudy', partition: 0 };

function message(offset: number) {
  return {
    ...where,
    offset: String(offset),
    key: 'patient-key',
    value: Buffer.from(`v${offset}`),
    headers: {},
  };
}
type Message = ReturnType<typeof message>;

/** A kafkajs batch payload that records what the processor resolved and committed. */
function fakeControl({ running = true } = {}) {
  const resolved: string[] = [];
  let commits = 0;
  const control: BatchControl = {
    isRunning: () => running,
    isStale: () => false,
    resolveOffset: (offset) => {
      resolved.push(offset);
    },
    heartbeat: async () => undefined,
    commitOffsetsIfNecessary: async () => {
      commits += 1;
    },
  };
  return { control, resolved, commits: () => commits };
}

function setUp({
  mode = 'message',
  handle,
  failDeadLetters = false,
  stopping = false,
}: {
  mode?: 'message' | 'batch';
  handle: (messages: Message[]) => Promise<void>;
  failDeadLetters?: boolean;
  stopping?: boolean;
}) {
  const stats: ConsumerRunnerStats = { ...initialRunnerStats(), running: true };
  const deadLetters: { topic: string; record: DeadLetterRecord }[] = [];
  const sleeps: number[] = [];
  const processBatch = createBatchProcessor<Message>({
    mode,
    handle,
    sendDeadLetter: async (topic, record) => {
      if (failDeadLetters) {
        throw new Error('broker down');
      }
      deadLetters.push({ topic, record });
    },
    deadLetterTopicFor: (topic) => `${topic}.dlq`,
    limits: retryLimits({ retries: 2, initialMs: 10, maxMs: 15 }),
    groupId: 'timeline',
    clientId: 'timeline-1',
    stats,
    isStopping: () => stopping,
    log: silentLogger,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { processBatch, stats, deadLetters, sleeps };
}

describe('batch processor', () => {
  it('handles each message in offset order and resolves each offset after its handler', async () => {
    const seen: string[] = [];
    const { processBatch, stats } = setUp({ handle: async ([m]) => void seen.push(m.offset) });
    const { control, resolved, commits } = fakeControl();
    await processBatch([message(1), message(2), message(3)], where, control);
    expect(seen).toEqual(['1', '2', '3']);
    expect(resolved).toEqual(['1', '2', '3']);
    expect(commits()).toBe(1);
    expect(stats.processed).toBe(3);
  });

  it('retries a retriable failure in place with growing waits, then succeeds once', async () => {
    let calls = 0;
    const { processBatch, stats, sleeps, deadLetters } = setUp({
      handle: async () => {
        calls += 1;
        if (calls < 3) {
          throw new RetriableError('database down');
        }
      },
    });
    const { control, resolved } = fakeControl();
    await processBatch([message(1)], where, control);
    expect(sleeps).toEqual([10, 15]);
    expect(stats).toMatchObject({ retried: 2, processed: 1, lastError: 'RetriableError' });
    expect(resolved).toEqual(['1']);
    expect(deadLetters).toEqual([]);
  });

  it('leaves the offset unresolved when a retriable failure outlasts the retries, and dead-letters nothing', async () => {
    const { processBatch, deadLetters, sleeps } = setUp({
      handle: async () => {
        throw new RetriableError('database down');
      },
    });
    const { control, resolved } = fakeControl();
    await expect(processBatch([message(1)], where, control)).rejects.toThrow('database down');
    expect(sleeps).toHaveLength(2);
    expect(resolved).toEqual([]);
    expect(deadLetters).toEqual([]);
  });

  it('does not retry while the consumer is stopping', async () => {
    const { processBatch, sleeps } = setUp({
      stopping: true,
      handle: async () => {
        throw new RetriableError('database down');
      },
    });
    const { control, resolved } = fakeControl();
    await expect(processBatch([message(1)], where, control)).rejects.toThrow('database down');
    expect(sleeps).toEqual([]);
    expect(resolved).toEqual([]);
  });

  it('stops taking messages once kafkajs says the consumer no longer runs', async () => {
    const seen: string[] = [];
    const { processBatch } = setUp({ handle: async ([m]) => void seen.push(m.offset) });
    const { control, resolved, commits } = fakeControl({ running: false });
    await processBatch([message(1)], where, control);
    expect(seen).toEqual([]);
    expect(resolved).toEqual([]);
    expect(commits()).toBe(1);
  });

  it('dead-letters a permanent failure at once and goes on with the next message', async () => {
    const { processBatch, deadLetters, stats, sleeps } = setUp({
      handle: async ([m]) => {
        if (m.offset === '1') {
          throw new NonRetriableError('not an ImagingStudy');
        }
      },
    });
    const { control, resolved } = fakeControl();
    await processBatch([message(1), message(2)], where, control);
    expect(sleeps).toEqual([]);
    expect(resolved).toEqual(['1', '2']);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0].topic).toBe('fhir.imagingstudy.dlq');
    expect(deadLetters[0].record.headers).toMatchObject({
      dlq_reason: 'not an ImagingStudy',
      dlq_original_offset: '1',
    });
    expect(stats).toMatchObject({ processed: 2, deadLettered: 1, lastError: 'NonRetriableError' });
  });

  it('keeps the offset when the dead letter cannot be written, so the message comes back', async () => {
    const { processBatch, stats } = setUp({
      failDeadLetters: true,
      handle: async () => {
        throw new NonRetriableError('not an ImagingStudy');
      },
    });
    const { control, resolved } = fakeControl();
    await expect(processBatch([message(1)], where, control)).rejects.toMatchObject({
      code: 'DEAD_LETTER_FAILED',
      retriable: true,
    });
    expect(resolved).toEqual([]);
    expect(stats.deadLettered).toBe(0);
  });

  it('in batch mode hands the whole batch over once and resolves every offset', async () => {
    const calls: string[][] = [];
    const { processBatch, stats } = setUp({
      mode: 'batch',
      handle: async (messages) => void calls.push(messages.map((m) => m.offset)),
    });
    const { control, resolved } = fakeControl();
    await processBatch([message(1), message(2)], where, control);
    expect(calls).toEqual([['1', '2']]);
    expect(resolved).toEqual(['1', '2']);
    expect(stats.processed).toBe(2);
  });

  it('in batch mode isolates a poison message: the others are handled and it alone is dead-lettered', async () => {
    const { processBatch, deadLetters } = setUp({
      mode: 'batch',
      handle: async (messages) => {
        if (messages.some((m) => m.offset === '2')) {
          throw new NonRetriableError('poison');
        }
      },
    });
    const { control, resolved } = fakeControl();
    await processBatch([message(1), message(2), message(3)], where, control);
    expect(resolved).toEqual(['1', '2', '3']);
    expect(deadLetters.map((d) => d.record.headers.dlq_original_offset)).toEqual(['2']);
  });

  it('does nothing for an empty batch', async () => {
    const { processBatch } = setUp({ handle: async () => undefined });
    const { control, commits } = fakeControl();
    await processBatch([], where, control);
    expect(commits()).toBe(0);
  });
});
