import type { Queryable } from '../database.ts';

export interface PruneSentOutboxOptions {
  /** Sent rows older than this are deleted. Pending rows are never deleted. */
  olderThanMs: number;
  /** Rows per DELETE: short statements keep locks and WAL bursts small on a large outbox. */
  batchSize?: number;
}

/** Deletes sent outbox rows older than `olderThanMs`; returns how many were deleted. */
export async function pruneSentOutbox(
  db: Queryable,
  { olderThanMs, batchSize = 10_000 }: PruneSentOutboxOptions,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox
         WHERE sent_at IS NOT NULL AND sent_at < now() - make_interval(secs => $1::float8 / 1000)
         ORDER BY id LIMIT $2)`,
      [olderThanMs, batchSize],
    );
    deleted += rowCount;
    if (rowCount < batchSize) {
      return deleted;
    }
  }
}
