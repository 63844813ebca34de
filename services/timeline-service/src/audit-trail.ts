/**
 * The timeline service's part of the audit trail: it records its own reads (as every service
 * does, through the runtime's audit middleware and its outbox) and it is where the trail is
 * searched: a consumer of `imaging.audit.v1` stores every service's AuditEvents for
 * `GET /fhir/AuditEvent`, and old ones are pruned after the retention period.
 */
import type { TopicNames } from '@oncoimg/fhir-events';
import {
  createConsumerRunner,
  startConsumerRunner,
  type ConsumedMessage,
  type ConsumerRunner,
  type KafkaSecurity,
} from '@oncoimg/kafka';
import { createAuditRecorder, type AuditTrailOptions } from '@oncoimg/service-runtime';
import type { Database } from '@oncoimg/store';
import { silentLogger, type Logger } from '@oncoimg/telemetry';
import type { Router } from 'express';
import { handleAuditEvents } from './consumers/audit-events.consumer.ts';
import { createAuditEventApi } from './http/audit-event-api.ts';
import { TIMELINE_SERVICE_SOURCE } from './service-identity.ts';
import { createAuditEventStore } from './store/audit-event.repository.ts';

export interface TimelineAuditOptions {
  db: Database;
  brokers: string[];
  kafkaSecurity?: KafkaSecurity;
  topics: Pick<TopicNames, 'audit'>;
  /**
   * The timeline service's group: the audit consumer's is this plus `.audit`, its own, so the
   * trail and the timelines never wait for each other.
   */
  groupId: string;
  /** AUDIT_RETENTION_DAYS: stored events older than this are deleted hourly; 0 keeps them all. */
  auditRetentionDays?: number;
  logger?: Logger;
}

export interface TimelineAudit {
  /** The service's own records (the runtime's audit middleware), as the service `oncoimg/timeline-service`. */
  trail: AuditTrailOptions;
  /** `/fhir` routes: `GET /fhir/AuditEvent`. */
  router: Router;
  /** Joins the audit consumer group (after the topic exists); resolves with the running consumer. */
  startConsumer(): Promise<ConsumerRunner>;
  /** Stops the consumer and the pruning; writes the records still queued. */
  stop(): Promise<void>;
}

const PRUNE_EVERY_MS = 3_600_000;

export function createTimelineAudit({
  db,
  brokers,
  kafkaSecurity,
  topics: { audit: topic },
  groupId,
  auditRetentionDays: retentionDays = 0,
  logger = silentLogger,
}: TimelineAuditOptions): TimelineAudit {
  const store = createAuditEventStore({ db });
  const recorder = createAuditRecorder({ db, topic, source: TIMELINE_SERVICE_SOURCE, logger });
  let runner: ConsumerRunner | undefined;
  const prune = (): void => {
    store.prune(new Date(Date.now() - retentionDays * 86_400_000)).catch((error: unknown) => {
      logger.warn('audit retention: pruning failed; tried again in an hour', { error: String(error) });
    });
  };
  const pruning = retentionDays > 0 ? setInterval(prune, PRUNE_EVERY_MS) : undefined;
  pruning?.unref();
  return {
    trail: { recorder, observer: TIMELINE_SERVICE_SOURCE },
    router: createAuditEventApi({ store }),
    async startConsumer() {
      const attempt = createConsumerRunner({
        brokers,
        security: kafkaSecurity,
        clientId: 'timeline-service-audit',
        groupId: `${groupId}.audit`,
        topics: [topic],
        fromBeginning: true,
        mode: 'batch',
        logger,
        handler: async (messages: ConsumedMessage[]) => {
          await handleAuditEvents(messages, { db, store });
        },
      });
      return startConsumerRunner(attempt, (current) => {
        runner = current;
      });
    },
    async stop() {
      clearInterval(pruning);
      await runner?.stop();
      runner = undefined;
      await recorder.flush().catch((error: unknown) => {
        logger.warn('audit records not written at shutdown', { error: String(error) });
      });
    },
  };
}
