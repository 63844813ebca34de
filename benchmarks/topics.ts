import { kafkajsSecurity, type KafkaConnection } from '@oncoimg/kafka';
import { Kafka, logLevel } from 'kafkajs';

/** Deletes the benchmark's topics and their dead-letter topics, so runs leave the shared broker as they found it. */
export async function deleteTopics(
  { brokers, security }: KafkaConnection,
  topics: readonly string[],
): Promise<void> {
  const admin = new Kafka({
    clientId: 'bench-admin',
    brokers,
    logLevel: logLevel.NOTHING,
    ...kafkajsSecurity(security),
  }).admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const ours = [...topics, ...topics.map((t) => `${t}.dlq`)].filter((t) => existing.has(t));
    if (ours.length > 0) {
      await admin.deleteTopics({ topics: ours });
    }
  } finally {
    await admin.disconnect();
  }
}
