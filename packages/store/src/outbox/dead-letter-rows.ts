import type { Queryable } from '../database.ts';

/** A row put aside, and why. */
export interface DeadLetterRow {
  id: string;
  reason: string;
}

/**
 * Moves rows that can never be published from the outbox to `outbox_dead_letters`, with their
 * reason, in one statement: a row is in exactly one of the two tables whatever happens, and the
 * rows behind it in the outbox go on. Returns how many rows moved.
 */
export async function moveToDeadLetters(q: Queryable, rows: readonly DeadLetterRow[]): Promise<number> {
  if (rows.length === 0) {
    return 0;
  }
  const { rowCount } = await q.query(
    `WITH aside AS (SELECT * FROM unnest($1::bigint[], $2::text[]) AS a(id, reason)),
          moved AS (DELETE FROM outbox o USING aside WHERE o.id = aside.id
                    RETURNING o.id, o.topic, o.message_key, o.value, o.value_bytes, o.headers,
                              o.created_at, o.attempts, aside.reason)
     INSERT INTO outbox_dead_letters
       (id, topic, message_key, value, value_bytes, headers, created_at, attempts, reason)
     SELECT id, topic, message_key, value, value_bytes, headers, created_at, attempts + 1, reason FROM moved`,
    [rows.map((row) => row.id), rows.map((row) => row.reason)],
  );
  return rowCount;
}

/** An outbox row that was put aside, as operators list it. */
export interface OutboxDeadLetter {
  id: string;
  topic: string;
  /** The Kafka key: a patient key. Show it only where patient identifiers may be shown. */
  messageKey: string;
  bytes: number;
  headers: Record<string, string>;
  createdAt: Date;
  deadAt: Date;
  attempts: number;
  reason: string;
}

/** The most recent dead letters of the outbox, newest first, without their values. */
export async function listOutboxDeadLetters(
  q: Queryable,
  { limit = 100 }: { limit?: number } = {},
): Promise<OutboxDeadLetter[]> {
  const { rows } = await q.query<{
    id: string;
    topic: string;
    message_key: string;
    bytes: number;
    headers: Record<string, string>;
    created_at: Date;
    dead_at: Date;
    attempts: number;
    reason: string;
  }>(
    `SELECT id, topic, message_key, coalesce(octet_length(value), octet_length(value_bytes))::int AS bytes,
            headers, created_at, dead_at, attempts, reason
     FROM outbox_dead_letters ORDER BY dead_at DESC, id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((row) => ({
    id: row.id,
    topic: row.topic,
    messageKey: row.message_key,
    bytes: row.bytes,
    headers: row.headers,
    createdAt: row.created_at,
    deadAt: row.dead_at,
    attempts: row.attempts,
    reason: row.reason,
  }));
}
