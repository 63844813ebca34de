import { randomUUID } from 'node:crypto';
import { resolveTopics, type ConsumedMessage, type TopicNames } from '@oncoimg/fhir-events';
import { createConsumerRunner, readTopicEndOffsets, type KafkaSecurity } from '@oncoimg/kafka';
import { migrate, outboxMigrations, type Database } from '@oncoimg/store';
import { silentLogger, type Logger } from '@oncoimg/telemetry';
import { handleImagingEvents } from './consumers/imaging-events.consumer.ts';
import type { TimelineOptions } from './domain/index.ts';
import { timelineMigrations } from './store/timeline.migrations.ts';
import { createTimelineRepository } from './store/timeline.repository.ts';
import { DEFAULT_TIMELINE_GROUP_ID, TIMELINE_SERVICE_SOURCE } from './timeline-service.ts';

export interface RebuildProgress {
  events: number;
  /** Messages up to the end offsets read when the rebuild started. */
  total: number;
  elapsedMs: number;
}

export interface RebuildOptions {
  /** The fresh store to fill; refused when it already holds timelines, unless `allowNonEmpty`. */
  db: Database;
  brokers: string[];
  kafkaSecurity?: KafkaSecurity;
  topics?: Partial<TopicNames>;
  /** The group the rebuilt store records its offsets under: the service's, so it can take over. */
  groupId?: string;
  allowNonEmpty?: boolean;
  /**
   * The clinical settings the live service runs with (`baselineWindowDays`, `confirmationDays`):
   * a rebuild with other settings gives other timelines. Left out, the domain's defaults.
   */
  timelineOptions?: TimelineOptions;
  onProgress?: (progress: RebuildProgress) => void;
  logger?: Logger;
}

export class RebuildRefusedError extends Error {
  override readonly name = 'RebuildRefusedError';
}

/**
 * Replays the three intake topics from the beginning into a fresh timeline store, up to the end
 * offsets they had when the rebuild started, and publishes nothing: the rebuilt timelines equal
 * the live ones because the timeline is a pure, order-independent function of the events.
 * Reads with a throw-away consumer group, so the running service's position is untouched.
 */
export async function rebuildTimelines({
  db,
  brokers,
  kafkaSecurity: security,
  topics: topicOverrides = {},
  groupId = DEFAULT_TIMELINE_GROUP_ID,
  allowNonEmpty = false,
  timelineOptions = {},
  onProgress = () => {},
  logger = silentLogger,
}: RebuildOptions): Promise<RebuildProgress & { patients: number }> {
  const started = Date.now();
  const topics = resolveTopics(topicOverrides);
  const inputTopics = [topics.serviceRequest, topics.imagingStudy, topics.diagnosticReport];
  await migrate(db, [...outboxMigrations, ...timelineMigrations]);
  const repository = createTimelineRepository({ db });
  if (!allowNonEmpty && (await repository.counts()).resources > 0) {
    throw new RebuildRefusedError('the target store already holds timelines; rebuild into a fresh store');
  }

  const ends = await readTopicEndOffsets({ brokers, security, topics: inputTopics });
  const remaining = new Map<string, bigint>();
  let total = 0;
  for (const { topic, partition, offset } of ends) {
    const end = BigInt(offset);
    if (end > 0n) {
      remaining.set(`${topic}:${String(partition)}`, end);
    }
    total += Number(end);
  }
  const progress = { events: 0, total, elapsedMs: 0 };
  if (remaining.size === 0) {
    return { ...progress, patients: 0 };
  }

  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const runner = createConsumerRunner({
    brokers,
    security,
    clientId: 'timeline-rebuild',
    groupId: `timeline-rebuild-${randomUUID()}`,
    topics: inputTopics,
    fromBeginning: true,
    mode: 'batch',
    logger,
    handler: async (messages: ConsumedMessage[]) => {
      const wanted = messages.filter((m) => {
        const end = remaining.get(`${m.topic}:${String(m.partition)}`);
        return end !== undefined && BigInt(m.offset) < end;
      });
      if (wanted.length > 0) {
        await handleImagingEvents(wanted, {
          db,
          repository,
          groupId,
          timelineTopic: null,
          source: TIMELINE_SERVICE_SOURCE,
          timelineOptions,
        });
      }
      for (const m of messages) {
        const key = `${m.topic}:${String(m.partition)}`;
        const end = remaining.get(key);
        if (end !== undefined && BigInt(m.offset) + 1n >= end) {
          remaining.delete(key);
        }
      }
      progress.events += wanted.length;
      progress.elapsedMs = Date.now() - started;
      onProgress({ ...progress });
      if (remaining.size === 0) {
        finish();
      }
    },
  });
  await runner.start();
  try {
    await finished;
  } finally {
    await runner.stop();
  }
  progress.elapsedMs = Date.now() - started;
  return { ...progress, patients: (await repository.counts()).patients };
}
