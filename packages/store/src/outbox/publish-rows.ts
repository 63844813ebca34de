import type { Queryable } from '../database.ts';
import {
  groupByTopic,
  toOutgoing,
  type OutboxProducer,
  type OutboxRow,
  type RoundResult,
} from './outbox-batch.ts';
import { asError, describeRelayError } from './relay-failure.ts';
import { withTimeout } from './relay-timing.ts';

export interface PublishRowsOptions {
  producer: OutboxProducer;
  /** A send that hangs longer than this counts as failed (the rows stay pending). */
  publishTimeoutMs: number;
}

/**
 * Sends claimed rows, one producer call per topic in order of the topics' first rows, and records
 * the outcome on the rows: sent, or one more attempt with its error. Stops at the first failed
 * topic; the error is returned, not thrown, so that what was sent before it is still marked.
 */
export async function publishRows(
  q: Queryable,
  rows: OutboxRow[],
  { producer, publishTimeoutMs }: PublishRowsOptions,
): Promise<RoundResult> {
  const sentIds: string[] = [];
  let error: Error | undefined;
  let failedIds: string[] = [];
  for (const [topic, group] of groupByTopic(rows)) {
    try {
      await withTimeout(
        producer.send(topic, group.map(toOutgoing)),
        publishTimeoutMs,
        `producer did not answer within ${publishTimeoutMs} ms`,
      );
      sentIds.push(...group.map((row) => row.id));
    } catch (sendError) {
      // Later topics wait for the next round: a broker that just failed one send will most
      // likely fail the next, and each failed send can take the producer's full retry time.
      error = asError(sendError);
      failedIds = group.map((row) => row.id);
      break;
    }
  }
  if (sentIds.length > 0) {
    await q.query(
      'UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::bigint[])',
      [sentIds],
    );
  }
  if (failedIds.length > 0) {
    await q.query('UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])', [
      failedIds,
      describeRelayError(error),
    ]);
  }
  return { tookTurn: true, claimed: rows.length, published: sentIds.length, error };
}
