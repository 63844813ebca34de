import { ensureTopics, readPartitionCounts } from '@oncoimg/kafka';
import { silentLogger, type Logger } from '@oncoimg/telemetry';
import { testKafkaBrokers, uniqueName } from '@oncoimg/testing';
import { describe, expect, it } from 'vitest';
import { ensureIntakeTopic } from './intake-topic.ts';

const brokers = testKafkaBrokers();

function recordingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const logger: Logger = {
    ...silentLogger,
    warn: (message) => warnings.push(message),
    child: () => logger,
  };
  return { logger, warnings };
}

describe('intake topic partitions', () => {
  it('creates a missing intake topic with the configured partitions, silently', async () => {
    const topic = uniqueName('intake-partitions');
    const { logger, warnings } = recordingLogger();
    await ensureIntakeTopic({ brokers, topic, partitions: 12, logger });
    expect((await readPartitionCounts({ brokers, topics: [topic] })).get(topic)).toBe(12);
    expect(warnings).toEqual([]);
  });

  it('leaves an existing topic with fewer partitions as it is, and says how to add them', async () => {
    const topic = uniqueName('intake-partitions');
    await ensureTopics({ brokers, topics: [topic], numPartitions: 3 });
    const { logger, warnings } = recordingLogger();
    await ensureIntakeTopic({ brokers, topic, partitions: 12, logger });
    expect((await readPartitionCounts({ brokers, topics: [topic] })).get(topic)).toBe(3);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('INTAKE_TOPIC_PARTITIONS=12');
    expect(warnings[0]).toContain(`--alter --topic ${topic} --partitions 12`);
  });
});
