import { resolveTopics, type ImagingResourceType, type TopicNames } from '@oncoimg/fhir-events';
import {
  createEventProducer,
  ensureTopics,
  probeKafka,
  readMaxMessageBytes,
  type EventProducer,
} from '@oncoimg/kafka';
import {
  createOutboxRelay,
  createResourceRepository,
  listOutboxDeadLetterSummaries,
  migrate,
  outboxSendLimits,
  outboxMigrations,
  resourceMigrations,
  type Database,
  type OutboxRelay,
  type OutboxRelayStatus,
  type ResourceRepository,
} from '@oncoimg/store';
import { createFhirRouter, DEFAULT_BODY_LIMIT_BYTES } from '@oncoimg/fhir-http';
import { checkScope } from '@oncoimg/auth';
import {
  createAuditRecorder,
  createHttpShell,
  smartSecurity,
  type RateLimitOptions,
  type AdmissionOptions,
  type HttpAccess,
} from '@oncoimg/service-runtime';
import { serviceMetrics, silentLogger, type Logger } from '@oncoimg/telemetry';
import type { Express } from 'express';
import { createIntakeBackend } from './intake-backend.ts';
import type { AnyIntakeRules } from './intake-rules.ts';
import { createIntakeWrites, type GroupCommitOptions } from './intake-writes.ts';
import { createResourceWriter, type ResourceWriter } from './resource-writer.ts';
import { DEFAULT_INTAKE_TOPIC_PARTITIONS, ensureIntakeTopic } from './intake-topic.ts';

const TOPIC_ROLE: Record<ImagingResourceType, keyof TopicNames> = {
  ServiceRequest: 'serviceRequest',
  ImagingStudy: 'imagingStudy',
  DiagnosticReport: 'diagnosticReport',
};

/** What a service adds to the shared app (the study service's DICOM upload). */
export interface IntakeExtensionDeps {
  db: Database;
  repository: ResourceRepository;
  writer: ResourceWriter;
  logger: Logger;
  rules?: AnyIntakeRules;
}

export interface IntakeServiceOptions {
  /** `order-service`: the `ce_source` is `oncoimg/<name>`. */
  name: string;
  version?: string;
  resourceType: ImagingResourceType;
  /** What this resource type adds to the shared intake rules; the service's own file. */
  rules?: AnyIntakeRules;
  db: Database;
  brokers: string[];
  /** Who may call (createHttpAccess): every route but health and discovery needs a token. */
  access: HttpAccess;
  port?: number;
  host?: string;
  topics?: Partial<TopicNames>;
  bodyLimitBytes?: number;
  /** Bounds on requests in flight, queued, and their time; the runtime's defaults when absent. */
  admission?: AdmissionOptions;
  /** Partitions of the intake topic when this service creates it (INTAKE_TOPIC_PARTITIONS). */
  topicPartitions?: number;
  /** Group commit of concurrent single writes; default on, one group at a time on PGlite (one connection). */
  groupCommit?: GroupCommitOptions;
  /** Requests per OAuth client (RATE_LIMIT_PER_CLIENT_PER_SEC, RATE_LIMIT_BURST). */
  rateLimit?: RateLimitOptions;
  logger?: Logger;
  extend?: (app: Express, deps: IntakeExtensionDeps) => void;
}

export interface IntakeStatus {
  ready: boolean;
  database: 'up' | 'down';
  kafka: 'up' | 'down';
  /** Events written and not yet published, and how long the oldest has waited. */
  outbox: Pick<
    OutboxRelayStatus,
    | 'backlog'
    | 'oldestPendingAgeMs'
    | 'lastPublishedAt'
    | 'lastError'
    | 'consecutiveFailures'
    | 'published'
    | 'deadLettered'
    | 'lastDeadLetterReason'
  > | null;
}

export interface IntakeService {
  app: Express;
  repository: ResourceRepository;
  start(): Promise<{ port: number }>;
  /** Stops HTTP, then the relay after a short flush, then the producer. The database is the caller's. */
  stop(): Promise<void>;
  status(): Promise<IntakeStatus>;
}

/**
 * Group commit by default. A group is written by one connection, so on a server a few groups go
 * at once (the pool has 10 connections); PGlite runs one transaction at a time anyway.
 */
function defaultGroupCommit(db: Database): GroupCommitOptions {
  return { maxGroup: 100, maxConcurrent: db.kind === 'pglite' ? 1 : 4 };
}

/** Longest a stopping service waits for pending events to reach Kafka; the rest go out on the next start. */
const SHUTDOWN_FLUSH_MS = 5_000;
/** /readyz asks Kafka at most this often, so a probe storm cannot become a broker load. */
const KAFKA_PROBE_EVERY_MS = 5_000;

/**
 * One intake service: FHIR REST for its resource type, the outbox relay to Kafka, health. The
 * three intake services differ only in the resource type, name, port and extensions.
 */
export function createIntakeService({
  name,
  version = '0.1.0',
  resourceType,
  rules,
  db,
  brokers,
  access,
  port = 0,
  host = '127.0.0.1',
  topics: topicOverrides = {},
  bodyLimitBytes = DEFAULT_BODY_LIMIT_BYTES,
  admission = {},
  topicPartitions = DEFAULT_INTAKE_TOPIC_PARTITIONS,
  groupCommit = defaultGroupCommit(db),
  rateLimit,
  logger = silentLogger,
  extend,
}: IntakeServiceOptions): IntakeService {
  const topics = resolveTopics(topicOverrides);
  const topic = topics[TOPIC_ROLE[resourceType]];
  const source = `oncoimg/${name}`;
  const repository = createResourceRepository({ db });
  const writer = createResourceWriter({ repository, resourceType, topic, source });
  const writes = createIntakeWrites({ db, topic, source, groupCommit });
  const auditRecorder = createAuditRecorder({ db, topic: topics.audit, source, logger });
  let producer: EventProducer | undefined;
  let relay: OutboxRelay | undefined;
  let kafkaProbe: { at: number; up: boolean } = { at: 0, up: false };
  let stopObservingBacklog: (() => void) | undefined;

  async function kafkaUp(): Promise<boolean> {
    if (Date.now() - kafkaProbe.at > KAFKA_PROBE_EVERY_MS) {
      kafkaProbe = { at: Date.now(), up: await probeKafka({ brokers }) };
    }
    return kafkaProbe.up && (relay?.status().consecutiveFailures ?? 0) === 0;
  }

  async function status(): Promise<IntakeStatus> {
    let database: 'up' | 'down' = 'up';
    try {
      await db.query('SELECT 1');
    } catch {
      database = 'down';
    }
    const kafka = (await kafkaUp()) ? 'up' : 'down';
    const relayStatus = relay ? await relay.readStatus().catch(() => relay?.status()) : undefined;
    const outbox = relayStatus
      ? {
          backlog: relayStatus.backlog,
          oldestPendingAgeMs: relayStatus.oldestPendingAgeMs,
          lastPublishedAt: relayStatus.lastPublishedAt,
          lastError: relayStatus.lastError,
          consecutiveFailures: relayStatus.consecutiveFailures,
          published: relayStatus.published,
          deadLettered: relayStatus.deadLettered,
          lastDeadLetterReason: relayStatus.lastDeadLetterReason,
        }
      : null;
    return { ready: database === 'up' && kafka === 'up', database, kafka, outbox };
  }

  const http = createHttpShell({
    status,
    access,
    admission,
    audit: { recorder: auditRecorder, observer: source },
    rateLimit,
    routes(app) {
      extend?.(app, { db, repository, writer, logger, rules });
      // Rows the broker can never accept, without their keys and values (patient data).
      app.get('/outbox/dead-letters', async (_req, res) => {
        res.json(await listOutboxDeadLetterSummaries(db));
      });
      app.use(
        '/fhir',
        createFhirRouter({
          backend: createIntakeBackend({ repository, writes, resourceType, rules }),
          bodyLimitBytes,
          software: { name: `oncoimg ${name}`, version },
          authorize: checkScope,
          security: smartSecurity(access),
        }),
      );
    },
  });

  return {
    app: http.app,
    repository,
    status,
    async start() {
      await migrate(db, [...resourceMigrations, ...outboxMigrations]);
      let maxMessageBytes: number | null = null;
      try {
        await ensureIntakeTopic({ brokers, topic, partitions: topicPartitions, logger });
        await ensureTopics({ brokers, topics: [topics.audit] });
        maxMessageBytes = await readMaxMessageBytes({ brokers, topics: [topic, topics.audit] });
      } catch (error) {
        // Writes are accepted while Kafka is down; the relay publishes them once it is back.
        logger.warn('Kafka unreachable at start; events wait in the outbox', { error: String(error) });
      }
      producer = createEventProducer({ brokers, clientId: name, logger });
      // Unknown limit (Kafka down at start): the defaults fit the broker's default 1 MB.
      const limits = maxMessageBytes === null ? {} : outboxSendLimits(maxMessageBytes);
      relay = createOutboxRelay({ db, producer, logger, ...limits });
      relay.start();
      // The relay refreshes its backlog every second; a scrape reads that, never the database.
      stopObservingBacklog = serviceMetrics().observeOutboxBacklog(
        name,
        () => relay?.status().backlog ?? null,
      );
      return http.listen({ port, host });
    },
    async stop() {
      stopObservingBacklog?.();
      stopObservingBacklog = undefined;
      await http.close();
      // The last answers' audit records go to the outbox before the relay's last flush.
      await auditRecorder.flush().catch((error: unknown) => {
        logger.warn('audit records not written at shutdown', { error: String(error) });
      });
      if (relay) {
        await relay.stop();
        await relay.flush({ timeoutMs: SHUTDOWN_FLUSH_MS }).catch((error: unknown) => {
          logger.warn('events left in the outbox at shutdown; they are published on the next start', {
            error: String(error),
          });
        });
        relay = undefined;
      }
      await producer?.disconnect();
      producer = undefined;
    },
  };
}
