import { DEFAULT_TOPIC_PARTITIONS, ensureTopics, readPartitionCounts } from '@oncoimg/kafka';
import type { Logger } from '@oncoimg/telemetry';

/** Partitions of an intake topic created by its service: up to 12 timeline instances share the work. */
export const DEFAULT_INTAKE_TOPIC_PARTITIONS = DEFAULT_TOPIC_PARTITIONS;

/**
 * Creates the intake topic with `partitions` partitions when it is missing. An existing topic with
 * fewer is left as it is, with a warning: adding partitions moves patient keys to other
 * partitions, so a patient's next events could be read before older ones still waiting in the old
 * partition. That is the operator's call, made when the consumers have caught up.
 */
export async function ensureIntakeTopic({
  brokers,
  topic,
  partitions,
  logger,
}: {
  brokers: string[];
  topic: string;
  partitions: number;
  logger: Logger;
}): Promise<void> {
  await ensureTopics({ brokers, topics: [topic], numPartitions: partitions });
  const existing = (await readPartitionCounts({ brokers, topics: [topic] })).get(topic);
  if (existing !== undefined && existing < partitions) {
    logger.warn(
      `topic ${topic} has ${String(existing)} partitions, fewer than INTAKE_TOPIC_PARTITIONS=${String(partitions)}; ` +
        'it is left as it is, since adding partitions moves patient keys. To add them once the timeline has ' +
        `caught up (no consumer lag): kafka-topics.sh --bootstrap-server ${brokers[0] ?? 'host:port'} --alter ` +
        `--topic ${topic} --partitions ${String(partitions)} (and the same for the other intake topics)`,
      { topic, partitions: existing, wanted: partitions },
    );
  }
}
