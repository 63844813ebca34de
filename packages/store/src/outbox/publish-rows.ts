import type { Queryable } from '../database.ts';
import { toOutgoing, type OutboxProducer, type OutboxRow, type RoundResult } from './outbox-batch.ts';
import { moveToDeadLetters, type DeadLetterRow } from './dead-letter-rows.ts';
import { asError, describeRelayError, recordRejectionOf } from './relay-failure.ts';
import { withTimeout } from './relay-timing.ts';
import { planSends, rowBytes, splitSend, type PlannedSend } from './send-batches.ts';

/** Why a row over `maxRowBytes` was put aside without being tried. */
export const ROW_TOO_LARGE = 'ROW_TOO_LARGE';

export interface PublishRowsOptions {
  producer: OutboxProducer;
  /** A send that hangs longer than this counts as failed (the rows stay pending). */
  publishTimeoutMs: number;
  /** Byte budget of one producer call (see DEFAULT_MAX_SEND_BYTES). */
  maxSendBytes: number;
  /** A row larger than this is put aside without being tried (see DEFAULT_MAX_ROW_BYTES). */
  maxRowBytes: number;
}

/**
 * Sends claimed rows, per topic in order of the topics' first rows, in producer calls bounded by
 * `maxSendBytes`, and records the outcome on the rows: sent, put aside, or one more attempt with
 * its error.
 *
 * - A call the broker refuses as too large is split in two and each half tried again; a single
 *   row it refuses (or one over `maxRowBytes`) moves to `outbox_dead_letters` with the reason, and
 *   the rows behind it go on. Rows that are sent keep their id order within a topic.
 * - Any other failure stops the round: the rows of that topic not yet sent record the error and
 *   are tried again next round, later topics wait. The error is returned, not thrown, so that
 *   what was sent before it is still marked.
 */
export async function publishRows(
  q: Queryable,
  rows: OutboxRow[],
  { producer, publishTimeoutMs, maxSendBytes, maxRowBytes }: PublishRowsOptions,
): Promise<RoundResult> {
  const sentIds: string[] = [];
  const aside: (DeadLetterRow & { topic: string; code: string })[] = [];
  let error: Error | undefined;
  let failedIds: string[] = [];
  const putAside = (row: OutboxRow, code: string, detail: string): void => {
    aside.push({ id: row.id, topic: row.topic, code, reason: `${code}: ${detail}` });
  };
  const fitting = rows.filter((row) => {
    const bytes = rowBytes(row);
    if (bytes <= maxRowBytes) {
      return true;
    }
    putAside(row, ROW_TOO_LARGE, `${String(bytes)} bytes, over the limit of ${String(maxRowBytes)}`);
    return false;
  });
  const queue: PlannedSend[] = planSends(fitting, { maxSendBytes });
  while (queue.length > 0) {
    const send = queue.shift() as PlannedSend;
    try {
      await withTimeout(
        producer.send(send.topic, send.rows.map(toOutgoing)),
        publishTimeoutMs,
        `producer did not answer within ${String(publishTimeoutMs)} ms`,
      );
      sentIds.push(...send.rows.map((row) => row.id));
    } catch (sendError) {
      const rejection = recordRejectionOf(sendError);
      if (rejection !== undefined && send.rows.length > 1) {
        queue.unshift(...splitSend(send));
      } else if (rejection !== undefined) {
        putAside(send.rows[0], rejection, `${String(rowBytes(send.rows[0]))} bytes, refused by the broker`);
      } else {
        // Later topics wait for the next round: a broker that just failed one send will most
        // likely fail the next, and each failed send can take the producer's full retry time.
        error = asError(sendError);
        failedIds = [send, ...queue.filter((next) => next.topic === send.topic)].flatMap((next) =>
          next.rows.map((row) => row.id),
        );
        break;
      }
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
  const deadLettered = await moveToDeadLetters(q, aside);
  return {
    tookTurn: true,
    claimed: rows.length,
    published: sentIds.length,
    deadLettered,
    putAside: aside.map(({ topic, code }) => ({ topic, code })),
    ...(aside.length > 0 ? { lastDeadLetterReason: aside[aside.length - 1].reason } : {}),
    error,
  };
}
