import { testKafkaBrokers, testKafkaSecurity, uniqueName } from '@oncoimg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics } from './admin.ts';
import { createConsumerRunner, type ConsumerRunner } from './consumer-runner.ts';
import { createEventProducer, type EventProducer } from './event-producer.ts';

const brokers = testKafkaBrokers();
const security = testKafkaSecurity();
const PARTITIONS = 3;
let producer: EventProducer;

beforeAll(async () => {
  producer = createEventProducer({ brokers, security, clientId: 'co-partitioning-test' });
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
});

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out: ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('co-partitioning in a consumer group', () => {
  it('gives partition p of the three topics to one member of two', async () => {
    const topics = ['orders', 'studies', 'reports'].map((name) => uniqueName(name));
    await ensureTopics({ brokers, security, topics, numPartitions: PARTITIONS });
    const groupId = uniqueName('co-partitioned');
    /** topic:partition → the members that handled a message of it. */
    const handledBy = new Map<string, Set<string>>();
    let handled = 0;
    const member = (name: string): ConsumerRunner =>
      createConsumerRunner({
        brokers,
        security,
        clientId: name,
        groupId,
        topics,
        handler: async (message) => {
          const where = `${message.topic}:${String(message.partition)}`;
          handledBy.set(where, (handledBy.get(where) ?? new Set()).add(name));
          handled += 1;
          await Promise.resolve();
        },
      });
    const members = [member('first'), member('second')];
    try {
      // Both joined before anything is published: no message is handled under the one-member assignment.
      await Promise.all(members.map((m) => m.start()));
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const patients = Array.from({ length: 30 }, (_, i) => `patient-${String(i)}`);
      for (const topic of topics) {
        await producer.send(
          topic,
          patients.map((key) => ({ key, value: `${topic}/${key}`, headers: {} })),
        );
      }
      await until(() => handled >= topics.length * patients.length, 'every event handled');
      expect(handledBy.size).toBe(topics.length * PARTITIONS);
      for (let p = 0; p < PARTITIONS; p++) {
        const holders = new Set(
          topics.flatMap((topic) => [...(handledBy.get(`${topic}:${String(p)}`) ?? [])]),
        );
        expect(holders.size, `partition ${String(p)}`).toBe(1);
      }
      const used = new Set([...handledBy.values()].flatMap((names) => [...names]));
      expect(used).toEqual(new Set(['first', 'second']));
    } finally {
      await Promise.all(members.map((m) => m.stop()));
    }
  }, 120_000);
});
