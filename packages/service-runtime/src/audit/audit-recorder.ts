import type { AuditEvent } from '@medplum/fhirtypes';
import { auditMessageOf } from '@oncoimg/fhir-events';
import { enqueueOutbox, isStoreError, type Queryable } from '@oncoimg/store';
import { serviceMetrics, silentLogger, type Logger } from '@oncoimg/telemetry';

export interface AuditRecorderOptions {
  /** The service's database: records go to its outbox, and its relay publishes them. */
  db: Queryable;
  /** `imaging.audit.v1` unless overridden. */
  topic: string;
  /** `ce_source` of the messages: `oncoimg/order-service`. */
  source: string;
  /** Most records held while the database is away; beyond, the oldest are dropped (and counted). */
  maxPending?: number;
  /** Rows per INSERT. */
  batchSize?: number;
  logger?: Logger;
}

export interface AuditRecorder {
  /** Queues an AuditEvent; it reaches the outbox in the next batch, a few milliseconds later. */
  record(event: AuditEvent): void;
  /** Writes everything queued; throws when the database refuses and `timeoutMs` passed. */
  flush(options?: { timeoutMs?: number }): Promise<void>;
  /** Records queued and not yet in the outbox. */
  pending(): number;
}

/** Far more than a second of audited requests at the admission limit; about 2 KB each. */
export const DEFAULT_AUDIT_MAX_PENDING = 20_000;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;

/**
 * Writes AuditEvents to the outbox in batches: every record answered in the same turn of the
 * event loop goes in one multi-row INSERT (one round trip however busy the service is), after the
 * answer, so the request does not wait for it. The outbox then makes them survive Kafka outages.
 * A failed INSERT (database away) keeps the records and tries again with backoff; what is still
 * queued when the process dies is lost, which the metric `oncoimg_audit_records_total` and the
 * README's "audit trail" section state.
 */
export function createAuditRecorder({
  db,
  topic,
  source,
  maxPending = DEFAULT_AUDIT_MAX_PENDING,
  batchSize = 500,
  logger = silentLogger,
}: AuditRecorderOptions): AuditRecorder {
  const queue: AuditEvent[] = [];
  let writing: Promise<void> | undefined;
  let scheduled = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;

  async function writeAll(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, batchSize);
      await enqueueOutbox(
        db,
        batch.map((event) => ({ topic, ...auditMessageOf(event, source) })),
      );
      queue.splice(0, batch.length);
      serviceMetrics().recordAudit('written', batch.length);
      failures = 0;
    }
  }

  function drain(): Promise<void> {
    scheduled = false;
    writing ??= writeAll()
      .catch((error: unknown) => {
        failures += 1;
        serviceMetrics().recordAudit('retried', queue.length);
        // The code only: a database message may quote a value, and values here are patient data.
        logger.warn('audit records not written yet; retrying', {
          error: isStoreError(error) ? error.code : 'UNKNOWN',
          pending: queue.length,
        });
        const delayMs = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (failures - 1));
        retryTimer = setTimeout(schedule, delayMs);
        retryTimer.unref();
        throw error;
      })
      .finally(() => {
        writing = undefined;
      });
    return writing;
  }

  function schedule(): void {
    retryTimer = undefined;
    if (!scheduled && writing === undefined) {
      scheduled = true;
      setImmediate(() => {
        drain().catch(() => undefined);
      });
    }
  }

  return {
    record(event) {
      queue.push(event);
      if (queue.length > maxPending) {
        queue.splice(0, queue.length - maxPending);
        serviceMetrics().recordAudit('dropped', 1);
        logger.error('audit records dropped: the database has been away too long', { maxPending });
      }
      if (retryTimer === undefined) {
        schedule();
      }
    },
    async flush({ timeoutMs = 5_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await writing?.catch(() => undefined);
        if (queue.length === 0) {
          return;
        }
        clearTimeout(retryTimer);
        retryTimer = undefined;
        try {
          await drain();
          return;
        } catch (error) {
          if (Date.now() >= deadline) {
            throw error;
          }
          clearTimeout(retryTimer);
          retryTimer = undefined;
          await new Promise((resolve) => setTimeout(resolve, RETRY_MIN_MS));
        }
      }
    },
    pending: () => queue.length,
  };
}
