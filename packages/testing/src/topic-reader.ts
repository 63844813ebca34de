import { randomUUID } from 'node:crypto';
import {
  createConsumerRunner,
  type ConsumedMessage,
  type ConsumerRunner,
  type KafkaSecurity,
} from '@oncoimg/kafka';
import { testKafkaSecurity } from './kafka-helpers.ts';

/** Reads a topic from the beginning in the background, for tests that check what was published. */
export interface TopicReader {
  messages: ConsumedMessage[];
  /** Resolves once at least `count` messages arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ConsumedMessage[]>;
  stop(): Promise<void>;
}

/** `security`: the test run's super user unless given. */
export async function readTopic(
  brokers: string[],
  topic: string,
  security: KafkaSecurity | undefined = testKafkaSecurity(),
): Promise<TopicReader> {
  const messages: ConsumedMessage[] = [];
  const runner: ConsumerRunner = createConsumerRunner({
    brokers,
    security,
    clientId: 'test-reader',
    groupId: `reader-${randomUUID()}`,
    topics: [topic],
    handler: async (message) => {
      messages.push(message);
      await Promise.resolve();
    },
  });
  await runner.start();
  return {
    messages,
    async waitFor(count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${String(count)} messages on ${topic}, got ${String(messages.length)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return messages;
    },
    stop: () => runner.stop(),
  };
}
