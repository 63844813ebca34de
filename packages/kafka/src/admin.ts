import { silentLogger, type Logger } from '@oncoimg/telemetry';
import kafkajs, { type Admin } from 'kafkajs';
import { KafkaError } from './errors.ts';
import { createKafkaClient } from './kafka-client.ts';

// Node's ESM loader cannot see this export of kafkajs (CommonJS): read it from the module object.
const { ConfigResourceTypes } = kafkajs;

interface AdminOptions {
  brokers: string[];
  logger?: Logger;
}

async function withAdmin<T>(
  { brokers, logger = silentLogger }: AdminOptions,
  what: string,
  work: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = createKafkaClient({ brokers, clientId: 'oncoimg-admin', logger }).admin();
  try {
    await admin.connect();
    return await work(admin);
  } catch (error) {
    throw new KafkaError('ADMIN_FAILED', `${what} failed on ${brokers.join(',')}`, {
      retriable: true,
      cause: error,
    });
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Creates the topics that do not exist yet (idempotent). Three partitions by default: events of
 * one patient stay in one partition (the key), and up to three consumers share the work.
 */
/**
 * Partitions of a topic a service creates: as many consumers of one group as this can share the
 * work, and keys spread evenly enough for a few dozen patients at a time.
 */
export const DEFAULT_TOPIC_PARTITIONS = 12;

export async function ensureTopics(
  options: AdminOptions & {
    topics: string[];
    numPartitions?: number;
    /** Topic-level settings of topics created now (`max.message.bytes`, …); existing topics keep theirs. */
    config?: Record<string, string>;
  },
): Promise<void> {
  const { topics, numPartitions = 3, config = {} } = options;
  const configEntries = Object.entries(config).map(([name, value]) => ({ name, value }));
  await withAdmin(options, 'creating topics', async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((topic) => !existing.has(topic));
    if (missing.length === 0) {
      return;
    }
    await admin.createTopics({
      topics: missing.map((topic) => ({ topic, numPartitions, configEntries })),
      waitForLeaders: true,
    });
  });
}

/**
 * The smallest `max.message.bytes` of those of `topics` that exist (the topic's own setting, or the
 * broker's `message.max.bytes` it inherits): the most one record batch may carry. Null when none
 * exists yet. An outbox relay sizes its sends from it (`outboxSendLimits` of @oncoimg/store).
 */
export async function readMaxMessageBytes(
  options: AdminOptions & { topics: string[] },
): Promise<number | null> {
  return withAdmin(options, 'reading max.message.bytes', async (admin) => {
    const existing = new Set(await admin.listTopics());
    const names = [...new Set(options.topics)].filter((topic) => existing.has(topic));
    if (names.length === 0) {
      return null;
    }
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: names.map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ['max.message.bytes'],
      })),
    });
    const limits = resources
      .flatMap((resource) => resource.configEntries)
      .filter((entry) => entry.configName === 'max.message.bytes')
      .map((entry) => Number(entry.configValue))
      .filter((limit) => Number.isFinite(limit) && limit > 0);
    return limits.length > 0 ? Math.min(...limits) : null;
  });
}

/** How many partitions each of `topics` that exists has (topics that do not exist are left out). */
export async function readPartitionCounts(
  options: AdminOptions & { topics: string[] },
): Promise<Map<string, number>> {
  return withAdmin(options, 'reading partition counts', async (admin) => {
    const existing = new Set(await admin.listTopics());
    const names = [...new Set(options.topics)].filter((topic) => existing.has(topic));
    if (names.length === 0) {
      return new Map<string, number>();
    }
    const { topics } = await admin.fetchTopicMetadata({ topics: names });
    return new Map<string, number>(topics.map((t) => [t.name, t.partitions.length]));
  });
}

export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The high watermark: offset of the next message to be written. */
  offset: string;
}

/** The end offset of every partition of the topics: where a replay that should stop "now" stops. */
export async function readTopicEndOffsets(
  options: AdminOptions & { topics: string[] },
): Promise<PartitionOffset[]> {
  return withAdmin(options, 'reading end offsets', async (admin) => {
    const result: PartitionOffset[] = [];
    const existing = new Set(await admin.listTopics());
    for (const topic of options.topics.filter((t) => existing.has(t))) {
      for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
        result.push({ topic, partition, offset: high });
      }
    }
    return result;
  });
}

export interface PartitionLag {
  topic: string;
  partition: number;
  committed: string | null;
  end: string;
  lag: number;
}

/** How far a consumer group is behind, per partition (a group that never committed lags by the whole partition). */
export async function consumerLag(
  options: AdminOptions & { groupId: string; topics: string[] },
): Promise<PartitionLag[]> {
  const ends = await readTopicEndOffsets(options);
  return withAdmin(options, 'reading consumer lag', async (admin) => {
    const committed = await admin.fetchOffsets({
      groupId: options.groupId,
      topics: [...new Set(ends.map((e) => e.topic))],
    });
    const committedOf = new Map(
      committed.flatMap(({ topic, partitions }) =>
        partitions.map((p) => [`${topic}:${String(p.partition)}`, p.offset] as const),
      ),
    );
    return ends.map(({ topic, partition, offset }) => {
      const at = committedOf.get(`${topic}:${String(partition)}`);
      const position = at === undefined || at === '-1' ? null : at;
      return {
        topic,
        partition,
        committed: position,
        end: offset,
        lag: Number(BigInt(offset) - BigInt(position ?? '0')),
      };
    });
  });
}

/** Whether a broker answers a metadata request now (for readiness checks); never throws. */
export async function probeKafka({
  brokers,
  timeoutMs = 2_000,
}: {
  brokers: string[];
  timeoutMs?: number;
}): Promise<boolean> {
  const admin = createKafkaClient({
    brokers,
    clientId: 'oncoimg-probe',
    connectionTimeoutMs: timeoutMs,
  }).admin({
    retry: { retries: 0 },
  });
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
