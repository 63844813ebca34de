import { resolveTopics } from '@oncoimg/fhir-events';
import {
  consumerLag,
  createConsumerRunner,
  createEventProducer,
  ensureTopics,
  readMaxMessageBytes,
  type ConsumedMessage,
  type ConsumerRunner,
  type EventProducer,
} from '@oncoimg/kafka';
import {
  createOutboxRelay,
  isStoreError,
  listOutboxDeadLetterSummaries,
  migrate,
  outboxMigrations,
  outboxSendLimits,
  type OutboxRelay,
} from '@oncoimg/store';
import {
  createHttpShell,
  DEFAULT_RATE_LIMIT_BURST,
  DEFAULT_RATE_LIMIT_PER_SECOND,
} from '@oncoimg/service-runtime';
import { serviceMetrics, silentLogger } from '@oncoimg/telemetry';
import { createTimelineAudit } from './audit-trail.ts';
import { handleImagingEvents, type TimelineChange } from './consumers/imaging-events.consumer.ts';
import { DEFAULT_BASELINE_WINDOW_DAYS, DEFAULT_CONFIRMATION_DAYS } from './domain/index.ts';
import { createTimelineApi } from './http/timeline-api.ts';
import { auditEventMigrations } from './store/audit-event.migrations.ts';
import { timelineMigrations } from './store/timeline.migrations.ts';
import { createTimelineRepository } from './store/timeline.repository.ts';
import { timelineStatus, type TimelineServiceStatus } from './timeline-status.ts';
import type { TimelineService, TimelineServiceOptions } from './timeline-service.types.ts';
import { createTimelinePage, webSessionMigrations } from './web-session/index.ts';

export const TIMELINE_SERVICE_NAME = 'timeline-service';
export const TIMELINE_SERVICE_SOURCE = `oncoimg/${TIMELINE_SERVICE_NAME}`;
export const DEFAULT_TIMELINE_GROUP_ID = 'oncoimg-timeline-service';

export type { TimelineService, TimelineServiceOptions } from './timeline-service.types.ts';
export type { TimelineDependency, TimelineServiceStatus } from './timeline-status.ts';

/**
 * One fetch of the intake topics: at most 4 MiB in all (a few thousand events), 512 KiB of any
 * one partition. kafkajs holds a fetched response until every batch in it is handled, so this,
 * not the backlog, bounds the consumer's memory; it is also the unit of one transaction.
 */
export const TIMELINE_FETCH = { maxBytes: 4 * 2 ** 20, maxBytesPerPartition: 512 * 2 ** 10 };
/**
 * Batches of one fetch handled at once, joined into one transaction (`coalescePartitions`): enough
 * for every partition of the three topics at 12 partitions each, and more.
 */
export const TIMELINE_PARTITIONS_AT_ONCE = 64;

/** Longest a stopping service waits for pending timeline events to reach Kafka. */
const SHUTDOWN_FLUSH_MS = 5_000;
/** Default for the unreported worklist: a report is expected within a working day. */
const DEFAULT_UNREPORTED_AFTER_MS = 24 * 3_600_000;
/** Start-up retries back off from 0.5 s to 10 s: quick after a blip, gentle on a long outage. */
const START_RETRY_MIN_MS = 500;
const START_RETRY_MAX_MS = 10_000;

/** Builds the timeline service: consumer of the intake topics, timeline store, API, timeline events. */
export function createTimelineService({
  db,
  brokers,
  access,
  port = 8080,
  host = '127.0.0.1',
  topics: topicOverrides = {},
  groupId = DEFAULT_TIMELINE_GROUP_ID,
  sessionTimeoutMs,
  numPartitions = 3,
  unreportedAfterMs = DEFAULT_UNREPORTED_AFTER_MS,
  logger = silentLogger,
  webRoot,
  baselineWindowDays = DEFAULT_BASELINE_WINDOW_DAYS,
  confirmationDays = DEFAULT_CONFIRMATION_DAYS,
  pageSignIn,
  corsOrigins = [],
  rateLimit = { perSecond: DEFAULT_RATE_LIMIT_PER_SECOND, burst: DEFAULT_RATE_LIMIT_BURST },
  auditRetentionDays = 0,
}: TimelineServiceOptions): TimelineService {
  const settings = { baselineWindowDays, confirmationDays };
  const topics = resolveTopics(topicOverrides);
  const repository = createTimelineRepository({ db });
  const audit = createTimelineAudit({
    db,
    brokers,
    topic: topics.audit,
    source: TIMELINE_SERVICE_SOURCE,
    groupId: `${groupId}.audit`,
    sessionTimeoutMs,
    retentionDays: auditRetentionDays,
    logger,
  });
  const listeners = new Set<(change: TimelineChange) => void>();
  let producer: EventProducer | undefined;
  let relay: OutboxRelay | undefined;
  let runner: ConsumerRunner | undefined;
  let kafkaUp = false;
  let migrated = false;
  let stopping = false;
  let wakeRetry: () => void = () => {};
  /** Read through a call: `stop()` flips it while a start-up step is awaited. */
  const stopRequested = (): boolean => stopping;
  const stopObserving: (() => void)[] = [];
  let auditJoining: Promise<unknown> | undefined;

  const page = createTimelinePage({ db, webRoot, pageSignIn, corsOrigins });
  const http = createHttpShell({
    status,
    access: page.withSession(access),
    audit: { recorder: audit.recorder, observer: TIMELINE_SERVICE_SOURCE },
    rateLimit,
    // Before the token check: the page, its sign-in and its headers (see createTimelinePage).
    publicRoutes: page.mount,
    routes(app) {
      app.use('/fhir', audit.router);
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
      // Rows the broker can never accept, without their keys and values (patient data).
      app.get('/outbox/dead-letters', async (_req, res) => {
        res.json(await listOutboxDeadLetterSummaries(db));
      });
    },
  });

  function status(): Promise<TimelineServiceStatus> {
    return timelineStatus({ repository, relay, runner, kafkaUp, migrated, settings });
  }

  /**
   * Runs one start-up step until it succeeds, backing off between tries; resolves `undefined` when
   * the service is stopped meanwhile. Only an error that no retry can cure (a migration the
   * database refuses for good: a configuration problem) is thrown, so the process exits on it.
   */
  async function untilDone<T>(what: string, step: () => Promise<T>): Promise<T | undefined> {
    for (let attempt = 0; !stopping; attempt += 1) {
      try {
        return await step();
      } catch (error) {
        if (what === 'migrating' && isStoreError(error) && !error.retriable) {
          throw error;
        }
        const delayMs = Math.min(START_RETRY_MAX_MS, START_RETRY_MIN_MS * 2 ** attempt);
        logger.warn(`${what} failed; retrying`, { error: String(error), attempt, delayMs });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          wakeRetry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
    return undefined;
  }

  function startConsumer(inputTopics: string[]): ConsumerRunner {
    return createConsumerRunner({
      brokers,
      clientId: 'timeline-service',
      groupId,
      sessionTimeoutMs,
      topics: inputTopics,
      fromBeginning: true,
      mode: 'batch',
      // A patient's order, study and report sit on three topics: one transaction for all of them.
      coalescePartitions: true,
      partitionsConsumedConcurrently: TIMELINE_PARTITIONS_AT_ONCE,
      fetch: TIMELINE_FETCH,
      logger,
      handler: async (messages: ConsumedMessage[]) => {
        const result = await handleImagingEvents(messages, {
          db,
          repository,
          groupId,
          timelineTopic: topics.timeline,
          source: TIMELINE_SERVICE_SOURCE,
          timelineOptions: settings,
        });
        notify(result.changes);
      },
    });
  }

  /** Everything after listening; returns early when stopped meanwhile. */
  async function bringUp(): Promise<void> {
    const inputTopics = [topics.serviceRequest, topics.imagingStudy, topics.diagnosticReport];
    if (
      (await untilDone('migrating', () =>
        migrate(db, [
          ...outboxMigrations,
          ...timelineMigrations,
          ...auditEventMigrations,
          ...webSessionMigrations,
        ]),
      )) === undefined
    ) {
      return;
    }
    migrated = true;
    const created = await untilDone('creating topics', () =>
      ensureTopics({ brokers, topics: [...inputTopics, topics.timeline, topics.audit], numPartitions }).then(
        () => true,
      ),
    );
    if (created === undefined) {
      return;
    }
    const connected = await untilDone('connecting the producer', async () => {
      const attempt = createEventProducer({ brokers, clientId: 'timeline-service', logger });
      try {
        await attempt.connect();
      } catch (error) {
        await attempt.disconnect().catch(() => undefined);
        throw error;
      }
      return attempt;
    });
    if (connected === undefined || stopRequested()) {
      await connected?.disconnect();
      return;
    }
    producer = connected;
    kafkaUp = true;
    // Timeline rows grow with a patient's history: sends stay under what the topic accepts.
    const limit = await readMaxMessageBytes({ brokers, topics: [topics.timeline] }).catch(() => null);
    relay = createOutboxRelay({ db, producer, logger, ...(limit === null ? {} : outboxSendLimits(limit)) });
    relay.start();
    const joined = await untilDone('joining the consumer group', async () => {
      const attempt = startConsumer(inputTopics);
      runner = attempt;
      try {
        await attempt.start();
      } catch (error) {
        runner = undefined;
        await attempt.stop().catch(() => undefined);
        throw error;
      }
      return attempt;
    });
    // stop() may have run while the group was joining; it stopped the runner then.
    if (joined === undefined || stopRequested()) {
      return;
    }
    // In the background: storing the audit trail must not hold up the timelines.
    auditJoining = untilDone('joining the audit consumer group', () => audit.startConsumer());
    const metrics = serviceMetrics();
    stopObserving.push(
      metrics.observeOutboxBacklog(TIMELINE_SERVICE_NAME, () => relay?.status().backlog ?? null),
      // Asks the broker, so at most every 10 s however often Prometheus scrapes.
      metrics.observeConsumerLag(groupId, () => consumerLag({ brokers, groupId, topics: inputTopics })),
    );
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
      stopping = false;
      const bound = await http.listen({ port, host });
      logger.info('timeline service answering health checks; starting', { port: bound.port });
      await bringUp();
      return bound;
    },
    async stop() {
      stopping = true;
      wakeRetry();
      for (const stopOne of stopObserving.splice(0)) {
        stopOne();
      }
      await http.close();
      await runner?.stop();
      runner = undefined;
      await audit.stop();
      await auditJoining;
      if (relay) {
        await relay.stop();
        await relay.flush({ timeoutMs: SHUTDOWN_FLUSH_MS }).catch((error: unknown) => {
          const next = 'they are published on the next start';
          logger.warn(`timeline events left in the outbox at shutdown; ${next}`, { error: String(error) });
        });
        relay = undefined;
      }
      await producer?.disconnect();
      producer = undefined;
      kafkaUp = false;
      migrated = false;
      listeners.clear();
    },
  };
}
