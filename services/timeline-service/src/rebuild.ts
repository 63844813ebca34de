import { randomUUID } from 'node:crypto';
import {
  decodeImagingEvent,
  resolveTopics,
  type ConsumedMessage,
  type TopicNames,
} from '@oncoimg/fhir-events';
import { readTopicEndOffsets, type KafkaConnection, type KafkaSecurity } from '@oncoimg/kafka';
import { migrate, outboxMigrations, type Database } from '@oncoimg/store';
import { silentLogger, type Logger } from '@oncoimg/telemetry';
import { recordEntryOf, type RecordEntry, type TimelineOptions } from './domain/index.ts';
import { createRebuildStore } from './rebuild-store.ts';
import { timelineMigrations } from './store/timeline.migrations.ts';
import { createObservationRepository } from './store/observation.repository.ts';
import { createTimelineRepository } from './store/timeline.repository.ts';
import { createIntakeConsumer } from './consumers/intake-consumer.ts';
import { DEFAULT_TIMELINE_GROUP_ID, TIMELINE_SERVICE_SOURCE } from './timeline-service.ts';

export interface RebuildProgress {
  /** `reading` the topics into memory (and spills), then `writing` the timelines. */
  phase: 'reading' | 'writing';
  events: number;
  /** Messages up to the end offsets read when the rebuild started. */
  total: number;
  /** Timelines written so far, of `patientsTotal` (known once reading is done). */
  patients: number;
  patientsTotal: number;
  elapsedMs: number;
  /** Time spent in the current phase. */
  phaseElapsedMs: number;
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
  /**
   * Bytes of events merged in memory before they are spilled to the store (default 64 MiB, about
   * 200 MiB of heap): what bounds the rebuild's memory, whatever the size of the topics.
   */
  memoryBytes?: number;
  onProgress?: (progress: RebuildProgress) => void;
  logger?: Logger;
}

export interface RebuildResult extends RebuildProgress {
  /** Events that could not be decoded (the live service dead-lettered them): left out. */
  undecodable: number;
  /** How often the merged resources passed the memory bound and were written out early. */
  spills: number;
  /** Time of the reading phase (the topics into memory, with spills); the rest is writing. */
  readingMs: number;
}

/** Large fetches: a rebuild reads as fast as the broker hands out, bounded all the same. */
const REBUILD_FETCH = { maxBytes: 16 * 2 ** 20, maxBytesPerPartition: 4 * 2 ** 20 };
export const DEFAULT_REBUILD_MEMORY_BYTES = 64 * 2 ** 20;

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
  memoryBytes = DEFAULT_REBUILD_MEMORY_BYTES,
  onProgress = () => {},
  logger = silentLogger,
}: RebuildOptions): Promise<RebuildResult> {
  const started = Date.now();
  const topics = resolveTopics(topicOverrides);
  const inputTopics = [topics.serviceRequest, topics.imagingStudy, topics.diagnosticReport];
  await migrate(db, [...outboxMigrations, ...timelineMigrations]);
  const repository = createTimelineRepository({ db });
  const storedAtStart = (await repository.counts()).resources;
  if (!allowNonEmpty && storedAtStart > 0) {
    throw new RebuildRefusedError('the target store already holds timelines; rebuild into a fresh store');
  }

  const ends = (await readTopicEndOffsets({ brokers, security, topics: inputTopics })).map((end) => ({
    topic: end.topic,
    partition: end.partition,
    nextOffset: BigInt(end.offset),
  }));
  const remaining = new Map<string, bigint>();
  for (const { topic, partition, nextOffset } of ends) {
    if (nextOffset > 0n) {
      remaining.set(`${topic}:${String(partition)}`, nextOffset);
    }
  }
  const total = ends.reduce((sum, end) => sum + Number(end.nextOffset), 0);
  const progress: RebuildProgress = {
    phase: 'reading',
    events: 0,
    total,
    patients: 0,
    patientsTotal: 0,
    elapsedMs: 0,
    phaseElapsedMs: 0,
  };
  let phaseStarted = started;
  const report = (): void => {
    progress.elapsedMs = Date.now() - started;
    progress.phaseElapsedMs = Date.now() - phaseStarted;
    onProgress({ ...progress });
  };
  const store = createRebuildStore({
    db,
    repository,
    observations: createObservationRepository({ db }),
    source: TIMELINE_SERVICE_SOURCE,
    timelineOptions,
    memoryBytes,
    fresh: storedAtStart === 0,
  });
  let undecodable = 0;
  if (remaining.size > 0) {
    await readUntil({ brokers, security }, inputTopics, remaining, logger, async (messages) => {
      for (const message of messages) {
        let entry: RecordEntry;
        try {
          entry = recordEntryOf(decodeImagingEvent(message));
        } catch {
          // The live service sent it to the dead-letter topic; a rebuild leaves it out the same way.
          undecodable += 1;
          continue;
        }
        await store.add(entry, message.value?.length ?? 0);
      }
      progress.events += messages.length;
      report();
    });
  }
  progress.phase = 'writing';
  phaseStarted = Date.now();
  const readingMs = phaseStarted - started;
  const { spills } = await store.finish((written, patientsTotal) => {
    progress.patients = written;
    progress.patientsTotal = patientsTotal;
    report();
  });
  // The service that takes this store over resumes where the rebuild stopped reading.
  await db.transaction((tx) => repository.savePositions(tx, groupId, ends));
  progress.elapsedMs = Date.now() - started;
  return { ...progress, patients: (await repository.counts()).patients, undecodable, spills, readingMs };
}

/**
 * Reads the topics from the beginning with a throw-away group and large fetches, handing each
 * fetch's messages below the end offsets to `handle`, until every partition reached its end.
 */
async function readUntil(
  { brokers, security }: KafkaConnection,
  topics: string[],
  remaining: Map<string, bigint>,
  logger: Logger,
  handle: (messages: ConsumedMessage[]) => Promise<void>,
): Promise<void> {
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const runner = createIntakeConsumer({
    brokers,
    security,
    clientId: 'timeline-rebuild',
    groupId: `timeline-rebuild-${randomUUID()}`,
    topics,
    fetch: REBUILD_FETCH,
    logger,
    handler: async (messages: ConsumedMessage[]) => {
      const wanted = messages.filter((m) => {
        const end = remaining.get(`${m.topic}:${String(m.partition)}`);
        return end !== undefined && BigInt(m.offset) < end;
      });
      await handle(wanted);
      for (const m of messages) {
        const key = `${m.topic}:${String(m.partition)}`;
        const end = remaining.get(key);
        if (end !== undefined && BigInt(m.offset) + 1n >= end) {
          remaining.delete(key);
        }
      }
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
}
