import { resolveTopics, type TopicNames } from '@oncoimg/fhir-events';
import {
  consumerLag,
  createEventProducer,
  DEFAULT_TOPIC_PARTITIONS,
  ensureTopics,
  readMaxMessageBytes,
  startConsumerRunner,
  type ConsumerRunner,
  type EventProducer,
  type KafkaSecurity,
} from '@oncoimg/kafka';
import {
  createOutboxRelay,
  isStoreError,
  listOutboxDeadLetterSummaries,
  migrate,
  outboxMigrations,
  outboxSendLimits,
  type Database,
  type OutboxRelay,
} from '@oncoimg/store';
import {
  createHttpShell,
  createStartupSteps,
  type HttpAccess,
  type RateLimitOptions,
} from '@oncoimg/service-runtime';
import { serviceMetrics, silentLogger, type Logger } from '@oncoimg/telemetry';
import type { Express } from 'express';
import { createTimelineAudit } from './audit-trail.ts';
import { handleImagingEvents, type TimelineChange } from './consumers/imaging-events.consumer.ts';
import { createPatientCache } from './consumers/patient-cache.ts';
import { createIntakeConsumer } from './consumers/intake-consumer.ts';
import { DEFAULT_BASELINE_WINDOW_DAYS, DEFAULT_CONFIRMATION_DAYS } from './domain/index.ts';
import { createTimelineApi } from './http/timeline-api.ts';
import { auditEventMigrations } from './store/audit-event.migrations.ts';
import { timelineMigrations } from './store/timeline.migrations.ts';
import { createObservationApi } from './http/observation-api.ts';
import { createObservationRepository } from './store/observation.repository.ts';
import { createTimelineRepository, type TimelineRepository } from './store/timeline.repository.ts';
import { TIMELINE_SERVICE_NAME, TIMELINE_SERVICE_SOURCE } from './service-identity.ts';
import { timelineStatus, type TimelineServiceStatus } from './timeline-status.ts';
import { createTimelinePage, webSessionMigrations, type PageSignInSettings } from './web-session/index.ts';

export { TIMELINE_SERVICE_NAME, TIMELINE_SERVICE_SOURCE } from './service-identity.ts';
export const DEFAULT_TIMELINE_GROUP_ID = 'oncoimg-timeline-service';

export interface TimelineServiceOptions {
  db: Database;
  brokers: string[];
  /** The service's own Kafka principal; PLAINTEXT when absent. */
  kafkaSecurity?: KafkaSecurity;
  /** Who may call (createHttpAccess): the API and its event stream need a token; the page does not. */
  access: HttpAccess;
  port?: number;
  host?: string;
  topics?: Partial<TopicNames>;
  groupId?: string;
  /** The consumer group's session timeout (KAFKA_SESSION_TIMEOUT_MS); @oncoimg/kafka's default when left out. */
  sessionTimeoutMs?: number;
  /** Partitions of topics this service creates when they are missing. */
  numPartitions?: number;
  unreportedAfterMs?: number;
  logger?: Logger;
  /** Static files of the web page, served at `/`; none when undefined. */
  webRoot?: string;
  /** Clinical settings of the timeline rules, in days (the domain's defaults: 28). */
  baselineWindowDays?: number;
  confirmationDays?: number;
  /** Requests per OAuth client (RATE_LIMIT_PER_CLIENT_PER_SEC, RATE_LIMIT_BURST). */
  rateLimit?: RateLimitOptions;
  /** AUDIT_RETENTION_DAYS: stored AuditEvents older than this are deleted; 0 (default) keeps them. */
  auditRetentionDays?: number;
  /** The page signs in with this OpenID provider (sessions in `db`); no sign-in routes when undefined. */
  pageSignIn?: PageSignInSettings;
  /** Origins whose pages may call the API (CORS_ORIGINS); none by default. */
  corsOrigins?: readonly string[];
}

export interface TimelineService {
  app: Express;
  repository: TimelineRepository;
  /**
   * Listens first (`/healthz` answers at once, `/readyz` says what is missing), then migrates,
   * creates the topics, connects and joins the consumer group, retrying each step with backoff
   * while a dependency is down. Resolves with the bound port once consuming; a `stop()` meanwhile
   * ends the retries and resolves too.
   */
  start(): Promise<{ port: number }>;
  /** Stops in reverse order: HTTP, consumer, relay (after a short flush), producer, database. */
  stop(): Promise<void>;
  /** Registers a listener for committed timeline changes (live updates of the web page). */
  onChange(listener: (change: TimelineChange) => void): () => void;
  status(): Promise<TimelineServiceStatus>;
}

export type { TimelineDependency, TimelineServiceStatus } from './timeline-status.ts';

const MIGRATIONS = [
  ...outboxMigrations,
  ...timelineMigrations,
  ...auditEventMigrations,
  ...webSessionMigrations,
];

/** Longest a stopping service waits for pending timeline events to reach Kafka. */
const SHUTDOWN_FLUSH_MS = 5_000;
/** Default for the unreported worklist: a report is expected within a working day. */
const DEFAULT_UNREPORTED_AFTER_MS = 24 * 3_600_000;
/** Start-up retries back off from 0.5 s to 10 s: quick after a blip, gentle on a long outage. */
const START_RETRY_MIN_MS = 500;
const START_RETRY_MAX_MS = 10_000;

/** A store error no retry can cure: a migration the database refuses for good. */
function isPermanentStoreError(error: unknown): boolean {
  return isStoreError(error) && !error.retriable;
}

/** Builds the timeline service: consumer of the intake topics, timeline store, API, timeline events. */
export function createTimelineService({
  db,
  brokers,
  kafkaSecurity: security,
  access,
  port = 8080,
  host = '127.0.0.1',
  topics: topicOverrides = {},
  groupId = DEFAULT_TIMELINE_GROUP_ID,
  sessionTimeoutMs,
  // The same count the intake services create theirs with: whichever service starts first makes them.
  numPartitions = DEFAULT_TOPIC_PARTITIONS,
  unreportedAfterMs = DEFAULT_UNREPORTED_AFTER_MS,
  logger = silentLogger,
  webRoot,
  baselineWindowDays = DEFAULT_BASELINE_WINDOW_DAYS,
  confirmationDays = DEFAULT_CONFIRMATION_DAYS,
  rateLimit,
  auditRetentionDays = 0,
  pageSignIn,
  corsOrigins = [],
}: TimelineServiceOptions): TimelineService {
  const settings = { baselineWindowDays, confirmationDays };
  const topics = resolveTopics(topicOverrides);
  const repository = createTimelineRepository({ db });
  const observations = createObservationRepository({ db });
  const audit = createTimelineAudit({
    db,
    brokers,
    kafkaSecurity: security,
    topics,
    groupId,
    logger,
    auditRetentionDays,
  });
  const listeners = new Set<(change: TimelineChange) => void>();
  let producer: EventProducer | undefined;
  let relay: OutboxRelay | undefined;
  let runner: ConsumerRunner | undefined;
  let kafkaUp = false;
  let migrated = false;
  let stopping = false;
  /** Read through a call: `stop()` flips it while a start-up step is awaited. */
  const stopRequested = (): boolean => stopping;
  const stopObserving: (() => void)[] = [];
  const startup = createStartupSteps({
    logger,
    stopping: stopRequested,
    delayMs: (failures) => Math.min(START_RETRY_MAX_MS, START_RETRY_MIN_MS * 2 ** (failures - 1)),
  });
  let auditJoining: Promise<unknown> | undefined;

  const page = createTimelinePage({ db, webRoot, pageSignIn, corsOrigins });
  const http = createHttpShell({
    status,
    // A signed-in page's requests carry no token: its session supplies one to the access check.
    access: page.withSession(access),
    audit: audit.trail,
    rateLimit,
    // Before the token check: the page, its sign-in and its headers (see createTimelinePage).
    publicRoutes: page.mount,
    routes(app) {
      app.use('/fhir', audit.router);
      app.use('/fhir', createObservationApi({ observations }));
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

  function startConsumer(inputTopics: string[]): ConsumerRunner {
    // One per consumer: a restarted consumer starts cold, which only costs reads.
    const patientCache = createPatientCache();
    return createIntakeConsumer({
      brokers,
      security,
      clientId: 'timeline-service',
      groupId,
      sessionTimeoutMs,
      topics: inputTopics,
      logger,
      handler: async (messages) => {
        const result = await handleImagingEvents(messages, {
          db,
          repository,
          observations,
          groupId,
          timelineTopic: topics.timeline,
          source: TIMELINE_SERVICE_SOURCE,
          timelineOptions: settings,
          patientCache,
        });
        notify(result.changes);
      },
    });
  }

  /** Everything after listening; returns early when stopped meanwhile. */
  async function bringUp(): Promise<void> {
    const inputTopics = [topics.serviceRequest, topics.imagingStudy, topics.diagnosticReport];
    const outputTopics = [topics.timeline, topics.audit];
    if (
      (await startup.untilDone('migrating', () => migrate(db, MIGRATIONS), isPermanentStoreError)) ===
      undefined
    ) {
      return;
    }
    migrated = true;
    const created = await startup.untilDone('creating topics', () =>
      ensureTopics({ brokers, security, topics: [...inputTopics, ...outputTopics], numPartitions }).then(
        () => true,
      ),
    );
    if (created === undefined) {
      return;
    }
    const connected = await startup.untilDone('connecting the producer', async () => {
      const attempt = createEventProducer({ brokers, security, clientId: 'timeline-service', logger });
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
    const limit = await readMaxMessageBytes({ brokers, security, topics: [topics.timeline] }).catch(
      () => null,
    );
    relay = createOutboxRelay({ db, producer, logger, ...(limit === null ? {} : outboxSendLimits(limit)) });
    relay.start();
    const joined = await startup.untilDone('joining the consumer group', () =>
      startConsumerRunner(startConsumer(inputTopics), (current) => {
        runner = current;
      }),
    );
    // stop() may have run while the group was joining; it stopped the runner then.
    if (joined === undefined || stopRequested()) {
      return;
    }
    // In the background: storing the audit trail must not hold up the timelines.
    auditJoining = startup.untilDone('joining the audit consumer group', () => audit.startConsumer());
    const metrics = serviceMetrics();
    stopObserving.push(
      metrics.observeOutboxBacklog(TIMELINE_SERVICE_NAME, () => relay?.status().backlog ?? null),
      // Asks the broker, so at most every 10 s however often Prometheus scrapes.
      metrics.observeConsumerLag(groupId, () =>
        consumerLag({ brokers, security, groupId, topics: inputTopics }),
      ),
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
      startup.wake();
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
