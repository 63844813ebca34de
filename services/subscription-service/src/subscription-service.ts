/**
 * The subscription service: a consumer of the four streams that numbers events for matching
 * Subscriptions, a deliverer that POSTs notification Bundles to their rest-hook endpoints, and the
 * FHIR API (`/fhir`) that manages them.
 */
import { resolveTopics, type TopicNames } from '@oncoimg/fhir-events';
import {
  consumerLag,
  createConsumerRunner,
  startConsumerRunner,
  type ConsumerRunner,
  type KafkaSecurity,
} from '@oncoimg/kafka';
import {
  createHttpShell,
  createStartupSteps,
  smartSecurity,
  type HttpAccess,
} from '@oncoimg/service-runtime';
import { consumerOffsetMigrations, migrate, relayBackoffMs, type Database } from '@oncoimg/store';
import { serviceMetrics, silentLogger, type Logger } from '@oncoimg/telemetry';
import type { Express } from 'express';
import { handleTopicMessages } from './consumers/topic-events.consumer.ts';
import { createDeliverer, type DeliveryRetrySettings } from './delivery/deliverer.ts';
import type { NotificationUrls } from './delivery/notifications.ts';
import { subscriptionMetrics } from './delivery/subscription-metrics.ts';
import type { AllowRule } from './domain/endpoint-allow-list.ts';
import { createSubscriptionApi } from './http/subscription-api.ts';
import { deliveryBacklog } from './store/delivery.repository.ts';
import { createSubscriptionAudit } from './subscription-audit.ts';
import { subscriptionMigrations } from './store/subscription.migrations.ts';

export const SUBSCRIPTION_SERVICE_NAME = 'subscription-service';
export const DEFAULT_SUBSCRIPTION_GROUP_ID = 'oncoimg-subscription-service';

export interface SubscriptionServiceOptions {
  db: Database;
  brokers: string[];
  kafkaSecurity?: KafkaSecurity;
  access: HttpAccess;
  port?: number;
  host?: string;
  topics?: Partial<TopicNames>;
  groupId?: string;
  sessionTimeoutMs?: number;
  /** SUBSCRIPTION_ENDPOINT_ALLOW_LIST: where rest-hook endpoints may point. */
  allowList: readonly AllowRule[];
  retry: DeliveryRetrySettings;
  /** Where focus resources live, for `fullUrl`s in notifications. */
  resourceBase: NotificationUrls['resourceBase'];
  /** This service's public FHIR base, for the Subscription references in notifications. */
  publicBase?: string;
  /** How often the deliverer looks for retries and heartbeats when nothing wakes it. */
  pollMs?: number;
  logger?: Logger;
}

export interface SubscriptionServiceStatus {
  ready: boolean;
  missing: string[];
  database: 'up' | 'down';
  kafka: 'up' | 'down';
  consumer: ReturnType<ConsumerRunner['stats']> | null;
  deliveryBacklog: number | null;
}

export interface SubscriptionService {
  app: Express;
  /** Listens at once, then migrates and joins the consumer group, retrying while a dependency is down. */
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
  status(): Promise<SubscriptionServiceStatus>;
}

/** Start-up steps retry from 0.5 s up to 10 s: quick after a blip, gentle on a long outage. */
const START_BACKOFF = { initialMs: 500, maxMs: 10_000 };

export function createSubscriptionService({
  db,
  brokers,
  kafkaSecurity: security,
  access,
  port = 8084,
  host = '127.0.0.1',
  topics: topicOverrides = {},
  groupId = DEFAULT_SUBSCRIPTION_GROUP_ID,
  sessionTimeoutMs,
  allowList,
  retry,
  resourceBase,
  publicBase,
  pollMs,
  logger = silentLogger,
}: SubscriptionServiceOptions): SubscriptionService {
  const topics = resolveTopics(topicOverrides);
  const inputTopics = [topics.serviceRequest, topics.imagingStudy, topics.diagnosticReport, topics.timeline];
  const metrics = subscriptionMetrics();
  // Completed once the port is bound (port 0 in tests) unless a public base is configured.
  const urls: NotificationUrls = { serverBase: publicBase ?? '', resourceBase };
  const deliverer = createDeliverer({
    db,
    urls,
    retry,
    metrics,
    logger,
    ...(pollMs === undefined ? {} : { pollMs }),
  });
  const audit = createSubscriptionAudit({ db, brokers, security, topic: topics.audit, logger });
  let runner: ConsumerRunner | undefined;
  let migrated = false;
  let stopping = false;
  const startup = createStartupSteps({
    logger,
    stopping: () => stopping,
    delayMs: (failures) => relayBackoffMs(failures, START_BACKOFF),
  });
  const stopObserving: (() => void)[] = [];

  const http = createHttpShell({
    status,
    access,
    audit: audit.trail,
    routes(app) {
      app.use(
        '/fhir',
        createSubscriptionApi({
          db,
          allowList,
          resourceBase,
          onChange: () => deliverer.wake(),
          security: smartSecurity(access),
        }),
      );
    },
  });

  async function status(): Promise<SubscriptionServiceStatus> {
    let database: 'up' | 'down' = 'up';
    let backlog: number | null = null;
    try {
      backlog = await deliveryBacklog(db);
    } catch {
      database = 'down';
    }
    const consumer = runner?.stats() ?? null;
    const kafka = consumer?.running ? 'up' : 'down';
    const missing = [
      ...(database === 'down' ? ['database'] : []),
      ...(migrated ? [] : ['migrations']),
      ...(kafka === 'down' ? ['kafka'] : []),
    ];
    return { ready: missing.length === 0, missing, database, kafka, consumer, deliveryBacklog: backlog };
  }

  async function joinGroup(): Promise<ConsumerRunner> {
    const attempt = createConsumerRunner({
      brokers,
      security,
      clientId: SUBSCRIPTION_SERVICE_NAME,
      groupId,
      topics: inputTopics,
      sessionTimeoutMs,
      logger,
      mode: 'batch',
      handler: async (messages) => {
        const added = await handleTopicMessages(messages, { db, groupId, timelineTopic: topics.timeline });
        if (added > 0) {
          deliverer.wake();
        }
      },
    });
    return startConsumerRunner(attempt, (current) => {
      runner = current;
    });
  }

  async function bringUp(): Promise<void> {
    const migratedNow = await startup.untilDone(
      'migrating',
      () => migrate(db, [...audit.migrations, ...consumerOffsetMigrations, ...subscriptionMigrations]),
      (error) => (error as { retriable?: unknown }).retriable === false,
    );
    if (migratedNow === undefined) {
      return;
    }
    migrated = true;
    // Delivery needs only the database: what is owed goes out while Kafka is down.
    deliverer.start();
    await audit.start();
    if ((await startup.untilDone('joining the consumer group', joinGroup)) === undefined) {
      return;
    }
    stopObserving.push(
      // One SUM over the subscriptions, at each scrape.
      metrics.observeBacklog(() => deliveryBacklog(db).catch(() => null)),
      serviceMetrics().observeConsumerLag(groupId, () =>
        consumerLag({ brokers, security, groupId, topics: inputTopics }),
      ),
    );
  }

  return {
    app: http.app,
    status,
    async start() {
      stopping = false;
      const bound = await http.listen({ port, host });
      urls.serverBase = publicBase ?? `http://${host}:${String(bound.port)}/fhir`;
      logger.info('subscription service answering health checks; starting', { port: bound.port });
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
      await deliverer.stop();
      await audit.stop();
      migrated = false;
    },
  };
}
