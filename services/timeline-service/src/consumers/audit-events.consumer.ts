/**
 * Consumer of `imaging.audit.v1` (every service's AuditEvents) into the audit store behind
 * `GET /fhir/AuditEvent`.
 *
 * Guarantees
 * - Idempotent: the AuditEvent id is the row's key, so a redelivered message stores nothing new.
 * - Dead letters: a message that is not an AuditEvent with an id and a time fails permanently
 *   (INVALID_PAYLOAD) and the runner sends it to `imaging.audit.v1.dlq`; database errors keep
 *   their `retriable` flag and are retried.
 * - Its own consumer group, so the audit trail and the timelines never hold each other up.
 */
import { decodeAuditEvent, type ConsumedMessage } from '@oncoimg/fhir-events';
import type { Queryable } from '@oncoimg/store';
import type { AuditEventStore } from '../store/audit-event.repository.ts';

export interface AuditEventsDeps {
  db: Queryable;
  store: AuditEventStore;
}

/** Stores a batch of audit messages in one statement; throws on the first that does not decode. */
export async function handleAuditEvents(
  messages: readonly ConsumedMessage[],
  { db, store }: AuditEventsDeps,
): Promise<number> {
  return store.insert(
    db,
    messages.map((message) => decodeAuditEvent(message.value)),
  );
}
