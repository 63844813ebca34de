import { resolveTopics, type TopicNames } from '@oncoimg/fhir-events';
import {
  consumerLag,
  createConsumerRunner,
  createEventProducer,
  ensureTopics,
  type ConsumedMessage,
  type ConsumerRunner,
  type EventProducer,
} from '@oncoimg/kafka';
import {
  createOutboxRelay,
  migrate,
  outboxMigrations,
  type Database,
  type OutboxRelay,
} from '@oncoimg/store';
import { createHttpShell } from '@oncoimg/service-runtime';
import { serviceMetrics, silentLogger, type Logger } from '@oncoimg/telemetry';
import express, { type Express } from 'express';
import { handleImagingEvents, type TimelineChange } from './consumers/imaging-events.consumer.ts';
import { createTimelineApi } from './http/timeline-api.ts';
import { timelineMigrations } from './store/timeline.migrations.ts';
import { createTimelineRepository, type TimelineRepository } from './store/timeline.repository.ts';

export const TIMELINE_SERVICE_NAME = 'timeline-service';
export const TIMELINE_SERVICE_SOURCE = `oncoimg/${TIMELINE_SERVICE_NAME}`;
export const DEFAULT_TIMELINE_GROUP_ID = 'oncoimg-timeline-service';

export interface TimelineServiceOptions {
  db: Database;
  brokers: string[];
  port?: number;
  host?: string;
  topics?: Partial<TopicNames>;
  groupId?: string;
  /** Partitions of topics this service creates when they are missing. */
  numPartitions?: number;
  unreportedAfterMs?: number;
  logger?: Logger;
  /** Static files of the web page, served at `/`; none when undefined. */
  webRoot?: string;
}

export interface TimelineService {
  app: Express;
  repository: TimelineRepository;
  /** Migrates, connects, starts consuming and listening; resolves with the bound port. */
  start(): Promise<{ port: number }>;
  /** Stops in reverse order: HTTP, consumer, relay (after a short flush), producer, database. */
  stop(): Promise<void>;
  /** Registers a listener for committed timeline changes (live updates of the web page). */
  onChange(listener: (change: TimelineChange) => void): () => void;
  status(): Promise<TimelineServiceStatus>;
}

export interface TimelineServiceStatus {
  ready: boolean;
  database: 'up' | 'down';
  kafka: 'up' | 'down';
  consumer: ReturnType<ConsumerRunner['stats']> | null;
  outbox: ReturnType<OutboxRelay['status']> | null;
  patients: number | null;
}

/** Longest a stopping service waits for pending timeline events to reach Kafka. */
const SHUTDOWN_FLUSH_MS = 5_000;
/** Default for the unreported worklist: a report is expected within a working day. */
const DEFAULT_UNREPORTED_AFTER_MS = 24 * 3_600_000;

/** Builds the timeline service: consumer of the intake topics, timeline store, API, timeline events. */
export function createTimelineService({
  db,
  brokers,
  port = 8080,
  host = '127.0.0.1',
  topics: topicOverrides = {},
  groupId = DEFAULT_TIMELINE_GROUP_ID,
  numPartitions = 3,
  unreportedAfterMs = DEFAULT_UNREPORTED_AFTER_MS,
  logger = silentLogger,
  webRoot,
}: TimelineServiceOptions): TimelineService {
  const topics = resolveTopics(topicOverrides);
  const repository = createTimelineRepository({ db });
  const listeners = new Set<(change: TimelineChange) => void>();
  let producer: EventProducer | undefined;
  let relay: OutboxRelay | undefined;
  let runner: ConsumerRunner | undefined;
  let kafkaUp = false;
  const stopObserving: (() => void)[] = [];

  const http = createHttpShell({
    status,
    routes(app) {
      app.use(
        '/api',
        createTimelineApi({
          repository,
          db,
          unreportedAfterMs,
          subscribe: (listener) => {
            const forward = (change: TimelineChange): void => {
              listener({ patientKey: change.patientKey, version: change.version });
            };
            listeners.add(forward);
            return () => listeners.delete(forward);
          },
        }),
      );
      if (webRoot) app.use(express.static(webRoot, { index: 'index.html', maxAge: '1h' }));
    },
  });

  async function status(): Promise<TimelineServiceStatus> {
    let database: 'up' | 'down' = 'up';
    let patients: number | null = null;
    try {
      patients = (await repository.counts()).patients;
    } catch {
      database = 'down';
    }
    const outbox = relay?.status() ?? null;
    const consumer = runner?.stats() ?? null;
    const kafka = kafkaUp && (outbox?.consecutiveFailures ?? 0) === 0 ? 'up' : 'down';
    return {
      ready: database === 'up' && kafka === 'up' && runner !== undefined,
      database,
      kafka,
      consumer,
      outbox,
      patients,
    };
  }

  function notify(changes: readonly TimelineChange[]): void {
    for (const change of changes) {
      for (const listener of listeners) {
        try {
          listener(change);
        } catch (error) {
          logger.warn('timeline change listener failed', { error: String(error) });
        }
      }
    }
  }

  return {
    app: http.app,
    repository,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    status,
    async start() {
      await migrate(db, [...outboxMigrations, ...timelineMigrations]);
      const inputTopics = [topics.serviceRequest, topics.imagingStudy, topics.diagnosticReport];
      await ensureTopics({ brokers, topics: [...inputTopics, topics.timeline], numPartitions });
      producer = createEventProducer({ brokers, clientId: 'timeline-service', logger });
      await producer.connect();
      kafkaUp = true;
      relay = createOutboxRelay({ db, producer, logger });
      relay.start();
      runner = createConsumerRunner({
        brokers,
        clientId: 'timeline-service',
        groupId,
        topics: inputTopics,
        fromBeginning: true,
        mode: 'batch',
        logger,
        handler: async (messages: ConsumedMessage[]) => {
          const result = await handleImagingEvents(messages, {
            db,
            repository,
            groupId,
            timelineTopic: topics.timeline,
            source: TIMELINE_SERVICE_SOURCE,
          });
          notify(result.changes);
        },
      });
      await runner.start();
      const metrics = serviceMetrics();
      stopObserving.push(
        metrics.observeOutboxBacklog(TIMELINE_SERVICE_NAME, () => relay?.status().backlog ?? null),
        // Asks the broker, so at most every 10 s however often Prometheus scrapes.
        metrics.observeConsumerLag(groupId, () => consumerLag({ brokers, groupId, topics: inputTopics })),
      );
      return http.listen({ port, host });
    },
    async stop() {
      for (const stopOne of stopObserving.splice(0)) stopOne();
      await http.close();
      await runner?.stop();
      runner = undefined;
      if (relay) {
        await relay.stop();
        await relay.flush({ timeoutMs: SHUTDOWN_FLUSH_MS }).catch((error: unknown) => {
          logger.warn(
            'timeline events left in the outbox at shutdown; they are published on the next start',
            {
              error: String(error),
            },
          );
        });
        relay = undefined;
      }
      await producer?.disconnect();
      producer = undefined;
      kafkaUp = false;
      listeners.clear();
    },
  };
}
