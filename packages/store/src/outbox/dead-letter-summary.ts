import type { Queryable } from '../database.ts';
import { listOutboxDeadLetters } from './dead-letter-rows.ts';

/**
 * An outbox dead letter as a service's operator route shows it: no key (a patient key), no
 * headers (they name the subject) and no value, so the list can go to any operator's terminal.
 */
export interface OutboxDeadLetterSummary {
  id: string;
  topic: string;
  reason: string;
  /** When the row was put aside (ISO 8601). */
  failedAt: string;
  /** Bytes of the value that could not be published. */
  size: number;
}

/** The most recent outbox dead letters, newest first, stripped of anything that names a patient. */
export async function listOutboxDeadLetterSummaries(
  q: Queryable,
  options: { limit?: number } = {},
): Promise<OutboxDeadLetterSummary[]> {
  return (await listOutboxDeadLetters(q, options)).map((letter) => ({
    id: letter.id,
    topic: letter.topic,
    reason: letter.reason,
    failedAt: new Date(letter.deadAt).toISOString(),
    size: letter.bytes,
  }));
}
