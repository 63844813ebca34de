/**
 * The audit trail of the subscription service: every API request (who created, read or replayed
 * which Subscription, allowed or refused) becomes a FHIR AuditEvent on `imaging.audit.v1`, written
 * to the outbox with the request and published by the relay, as the other services do.
 */
import { createEventProducer, ensureTopics, type EventProducer, type KafkaSecurity } from '@oncoimg/kafka';
import { createAuditRecorder, type AuditTrailOptions } from '@oncoimg/service-runtime';
import { createOutboxRelay, outboxMigrations, type Database, type OutboxRelay } from '@oncoimg/store';
import type { Logger } from '@oncoimg/telemetry';

/** `AuditEvent.source.observer` and `ce_source` of this service. */
export const SUBSCRIPTION_SERVICE_SOURCE = 'oncoimg/subscription-service';

/** Longest a stopping service waits for its last audit records to reach Kafka. */
const SHUTDOWN_FLUSH_MS = 5_000;

export interface SubscriptionAudit {
  trail: AuditTrailOptions;
  migrations: typeof outboxMigrations;
  /** Starts the relay; Kafka being down only delays publication (the records wait in the outbox). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSubscriptionAudit({
  db,
  brokers,
  security,
  topic,
  logger,
}: {
  db: Database;
  brokers: string[];
  security?: KafkaSecurity;
  topic: string;
  logger: Logger;
}): SubscriptionAudit {
  const recorder = createAuditRecorder({ db, topic, source: SUBSCRIPTION_SERVICE_SOURCE, logger });
  let producer: EventProducer | undefined;
  let relay: OutboxRelay | undefined;
  return {
    trail: { recorder, observer: SUBSCRIPTION_SERVICE_SOURCE },
    migrations: outboxMigrations,
    async start() {
      await ensureTopics({ brokers, security, topics: [topic] }).catch((error: unknown) => {
        logger.warn('Kafka unreachable at start; audit records wait in the outbox', { error: String(error) });
      });
      producer = createEventProducer({ brokers, security, clientId: 'subscription-service', logger });
      relay = createOutboxRelay({ db, producer, logger });
      relay.start();
    },
    async stop() {
      // The last answers' records go to the outbox before the relay's last flush.
      await recorder.flush().catch((error: unknown) => {
        logger.warn('audit records not written at shutdown', { error: String(error) });
      });
      if (relay) {
        await relay.stop();
        await relay.flush({ timeoutMs: SHUTDOWN_FLUSH_MS }).catch((error: unknown) => {
          logger.warn('audit records left in the outbox; they are published on the next start', {
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
