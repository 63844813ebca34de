/**
 * The timeline service's part of the audit trail: it records its own reads (as every service
 * does, through the runtime's audit middleware and its outbox) and it is where the trail is
 * searched: a consumer of `imaging.audit.v1` stores every service's AuditEvents for
 * `GET /fhir/AuditEvent`, and old ones are pruned after the retention period.
 */
import { createConsumerRunner, type ConsumedMessage, type ConsumerRunner } from '@oncoimg/kafka';
import { createAuditRecorder, type AuditRecorder } from '@oncoimg/service-runtime';
import type { Database } from '@oncoimg/store';
import { silentLogger, type Logger } from '@oncoimg/telemetry';
import type { Router } from 'express';
import { handleAuditEvents } from './consumers/audit-events.consumer.ts';
import { createAuditEventApi } from './http/audit-event-api.ts';
import { createAuditEventStore } from './store/audit-event.repository.ts';

export interface TimelineAuditOptions {
  db: Database;
  brokers: string[];
  topic: string;
  /** `ce_source` and `AuditEvent.source.observer`. */
  source: string;
  /** The audit consumer's group: its own, so the trail and the timelines never wait for each other. */
  groupId: string;
  sessionTimeoutMs?: number;
  /** AUDIT_RETENTION_DAYS: stored events older than this are deleted hourly; 0 keeps them all. */
  retentionDays?: number;
  logger?: Logger;
}

export interface TimelineAudit {
  recorder: AuditRecorder;
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
  topic,
  source,
  groupId,
  sessionTimeoutMs,
  retentionDays = 0,
  logger = silentLogger,
}: TimelineAuditOptions): TimelineAudit {
  const store = createAuditEventStore({ db });
  const recorder = createAuditRecorder({ db, topic, source, logger });
  let runner: ConsumerRunner | undefined;
  const prune = (): void => {
    store.prune(new Date(Date.now() - retentionDays * 86_400_000)).catch((error: unknown) => {
      logger.warn('audit retention: pruning failed; tried again in an hour', { error: String(error) });
    });
  };
  const pruning = retentionDays > 0 ? setInterval(prune, PRUNE_EVERY_MS) : undefined;
  pruning?.unref();
  return {
    recorder,
    router: createAuditEventApi({ store }),
    async startConsumer() {
      const attempt = createConsumerRunner({
        brokers,
        clientId: 'timeline-service-audit',
        groupId,
        sessionTimeoutMs,
        topics: [topic],
        fromBeginning: true,
        mode: 'batch',
        logger,
        handler: async (messages: ConsumedMessage[]) => {
          await handleAuditEvents(messages, { db, store });
        },
      });
      runner = attempt;
      try {
        await attempt.start();
      } catch (error) {
        runner = undefined;
        await attempt.stop().catch(() => undefined);
        throw error;
      }
      return attempt;
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
