/**
 * Outbox relay: publishes committed outbox rows to Kafka and marks them sent.
 *
 * Guarantees
 * - At least once: a row is marked sent only after the producer acknowledged it (acks=all); a crash
 *   between the two publishes it again, so consumers must be idempotent (they are, by contract).
 * - Order: rows go out in id order (insertion order), grouped per topic, so the events of one key
 *   keep their order within a topic. Two writes of the same resource are ordered by the row lock on
 *   the resource, so their outbox ids are too.
 * - One publisher at a time per database schema: on a server, a batch is claimed inside a
 *   transaction that holds `pg_try_advisory_xact_lock` and locks the rows `FOR UPDATE SKIP LOCKED`;
 *   the rows are marked sent in that same transaction. A second relay (another instance of the
 *   service) skips its turn while the lock is held, so no row is published twice and per-key order
 *   holds across instances. On PGlite there is one process and one connection; an in-process mutex
 *   shared by every relay of the database plays the lock's part, and no transaction is held open
 *   while Kafka answers, because that would block every other statement of the service.
 * - Bounded sends: a producer call carries at most `maxSendBytes` (default 900 KiB, under the
 *   broker's 1 MB `message.max.bytes`), so a backfill of large resources never builds a request
 *   the broker must refuse. A call refused anyway (a topic with a lower `max.message.bytes`) is
 *   split in two until it fits. Such a call may have been written on some of its partitions;
 *   those rows are published again (at least once). A budget under the topics' limit avoids it.
 * - No poison row blocks the outbox: a row the broker refuses alone (MESSAGE_TOO_LARGE,
 *   INVALID_RECORD, …) or one over `maxRowBytes` moves to `outbox_dead_letters` with its reason,
 *   counted in `status().deadLettered` and `oncoimg_outbox_dead_letters_total`; the rows behind it
 *   are published. Its event never reaches the consumers: an operator decides what to do with it.
 * - Kafka down: rows stay pending (attempts and last_error recorded), the relay backs off (capped
 *   exponential) and keeps polling; writes go on being accepted and are published once it is back.
 */
import { serviceMetrics, silentLogger, type Logger } from '@oncoimg/telemetry';
import type { Database, Queryable } from '../database.ts';
import { StoreError } from '../errors.ts';
import { Mutex } from '../mutex.ts';
import {
  CLAIM_OUTBOX_BATCH_SQL,
  drained,
  waitAfterRoundMs,
  type OutboxProducer,
  type OutboxRow,
  type RoundResult,
} from './outbox-batch.ts';
import { publishRows } from './publish-rows.ts';
import { DEFAULT_MAX_ROW_BYTES, DEFAULT_MAX_SEND_BYTES } from './send-batches.ts';
import { pruneSentOutbox } from './prune-sent-outbox.ts';
import { RELAY_BACKOFF_INITIAL_MS, RELAY_BACKOFF_MAX_MS, relayBackoffMs } from './relay-backoff.ts';
import { describeRelayError, relayErrorCode } from './relay-failure.ts';
import { createSleeper, withTimeout } from './relay-timing.ts';

export type { OutboxProducer, OutgoingOutboxMessage } from './outbox-batch.ts';

export interface OutboxRelayStatus {
  running: boolean;
  /** Pending rows at the last check (at most `statusRefreshMs` old). */
  backlog: number;
  /** Age of the oldest pending row: the relay's lag. Null when nothing is pending. */
  oldestPendingAgeMs: number | null;
  lastPublishedAt: string | null;
  /** Last failure (publish or database); kept after recovery, see `consecutiveFailures`. */
  lastError: string | null;
  lastErrorAt: string | null;
  /** Failures since the last successful round; 0 means healthy. */
  consecutiveFailures: number;
  /** Rows this relay published since it was created. */
  published: number;
  /** Rows in `outbox_dead_letters` at the last check: written, and never to be published. */
  deadLettered: number;
  /** Why the last row this relay put aside was put aside; null when it put none aside. */
  lastDeadLetterReason: string | null;
}

export interface OutboxRelay {
  /** Starts polling in the background. */
  start(): void;
  /** Stops polling and waits for a round in progress to finish. */
  stop(): Promise<void>;
  /** Last known status, without touching the database (for /readyz). */
  status(): OutboxRelayStatus;
  /** Reads the backlog now, then returns the status. */
  readStatus(): Promise<OutboxRelayStatus>;
  /** Publishes until nothing is pending; returns the number of rows published. Throws if publishing fails. */
  flush(options?: { timeoutMs?: number }): Promise<number>;
}

export interface OutboxRetention {
  /** Sent rows are deleted once older than this. */
  sentRowsMs: number;
  /** How often the relay prunes. */
  everyMs: number;
}

/**
 * Sent rows are kept a week: long enough to inspect what went out during an incident reported
 * days later, short enough that the table does not grow without bound.
 */
export const DEFAULT_OUTBOX_RETENTION: OutboxRetention = { sentRowsMs: 7 * 24 * 3600_000, everyMs: 3600_000 };

export interface OutboxRelayOptions {
  db: Database;
  producer: OutboxProducer;
  /** Rows per round: at least one producer call per topic per round. */
  batchSize?: number;
  /**
   * Byte budget of one producer call (keys, values and headers). Keep it under the smallest
   * `max.message.bytes` of the topics the relay publishes to, less about 10 % for framing.
   */
  maxSendBytes?: number;
  /** A row larger than this is put aside without being tried: the broker's `message.max.bytes`. */
  maxRowBytes?: number;
  /** Pause between rounds when nothing was pending. */
  pollIntervalMs?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  /** A send that hangs longer than this counts as failed (the rows stay pending). */
  publishTimeoutMs?: number;
  /** How often the background loop re-reads the backlog for `status()`. */
  statusRefreshMs?: number;
  /** Deletion of old sent rows; `false` leaves it to the operator (see `pruneSentOutbox`). */
  retention?: OutboxRetention | false;
  logger?: Logger;
}

/** First key of the relay's advisory lock (the second is the schema's hash). */
export const OUTBOX_LOCK_NAMESPACE = 0x6f757462; // 'outb'

/** PGlite relays of one database share one mutex: there is no advisory lock across a single connection. */
const pgliteRelayMutexes = new WeakMap<Database, Mutex>();

/** Creates a relay; call `start()` to run it in the background, or `flush()` to drain once. */
export function createOutboxRelay({
  db,
  producer,
  batchSize = 500,
  maxSendBytes = DEFAULT_MAX_SEND_BYTES,
  maxRowBytes = DEFAULT_MAX_ROW_BYTES,
  pollIntervalMs = 50,
  backoff = {},
  publishTimeoutMs = 30_000,
  statusRefreshMs = 1_000,
  retention = DEFAULT_OUTBOX_RETENTION,
  logger = silentLogger,
}: OutboxRelayOptions): OutboxRelay {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new StoreError('INVALID_ARGUMENT', 'outbox relay batchSize must be a positive integer');
  }
  if (!(maxSendBytes > 0 && maxRowBytes > 0)) {
    throw new StoreError('INVALID_ARGUMENT', 'outbox relay maxSendBytes and maxRowBytes must be positive');
  }
  const backoffSettings = {
    initialMs: backoff.initialMs ?? RELAY_BACKOFF_INITIAL_MS,
    maxMs: backoff.maxMs ?? RELAY_BACKOFF_MAX_MS,
  };
  const mutex = db.kind === 'pglite' ? sharedPgliteMutex(db) : new Mutex();
  const state: OutboxRelayStatus = {
    running: false,
    backlog: 0,
    oldestPendingAgeMs: null,
    lastPublishedAt: null,
    lastError: null,
    lastErrorAt: null,
    consecutiveFailures: 0,
    published: 0,
    deadLettered: 0,
    lastDeadLetterReason: null,
  };
  let backlogReadAt: number | null = null;
  let lastPruneAt = Date.now();
  let loop: Promise<void> | undefined;
  const sleeper = createSleeper();
  const publishing = { producer, publishTimeoutMs, maxSendBytes, maxRowBytes };

  const claimAndPublish = async (q: Queryable): Promise<RoundResult> =>
    publishRows(q, (await q.query<OutboxRow>(CLAIM_OUTBOX_BATCH_SQL, [batchSize])).rows, publishing);

  const runRound = (): Promise<RoundResult> =>
    mutex.run(async () => {
      const result =
        db.kind === 'pglite'
          ? await claimAndPublish(db)
          : await db.transaction(async (tx) => {
              const { rows } = await tx.query<{ locked: boolean }>(
                "SELECT pg_try_advisory_xact_lock($1, hashtext(coalesce(current_schema(), ''))) AS locked",
                [OUTBOX_LOCK_NAMESPACE],
              );
              if (!rows.at(0)?.locked) {
                return { tookTurn: false, claimed: 0, published: 0, deadLettered: 0 };
              }
              return claimAndPublish(tx);
            });
      if (result.published > 0) {
        state.published += result.published;
        state.lastPublishedAt = new Date().toISOString();
      }
      if (result.deadLettered > 0) {
        state.deadLettered += result.deadLettered;
        state.lastDeadLetterReason = result.lastDeadLetterReason ?? null;
        const metrics = serviceMetrics();
        for (const { topic, code } of result.putAside ?? []) {
          metrics.recordOutboxDeadLetter(topic, code);
        }
        logger.error('outbox rows put aside: the broker can never accept them', {
          rows: result.deadLettered,
          reason: result.lastDeadLetterReason,
        });
      }
      if (result.error !== undefined) {
        throw result.error;
      }
      return result;
    });

  const readBacklog = async (): Promise<void> => {
    const { rows } = await db.query<{ backlog: number; oldest_age_ms: number | null; dead_lettered: number }>(
      `SELECT count(*)::int AS backlog,
              (extract(epoch FROM now() - min(created_at)) * 1000)::float8 AS oldest_age_ms,
              (SELECT count(*)::int FROM outbox_dead_letters) AS dead_lettered
       FROM outbox WHERE sent_at IS NULL`,
    );
    state.backlog = rows.at(0)?.backlog ?? 0;
    state.deadLettered = rows.at(0)?.dead_lettered ?? state.deadLettered;
    state.oldestPendingAgeMs = rows.at(0)?.oldest_age_ms ?? null;
    backlogReadAt = Date.now();
  };

  const recordFailure = (error: unknown): void => {
    state.consecutiveFailures += 1;
    serviceMetrics().recordRetry('outbox.publish');
    state.lastError = describeRelayError(error);
    state.lastErrorAt = new Date().toISOString();
  };

  const housekeeping = async (): Promise<void> => {
    const now = Date.now();
    if (backlogReadAt === null || now - backlogReadAt >= statusRefreshMs) {
      await readBacklog().catch(() => undefined); // the status keeps its last values while the database is away
    }
    if (retention !== false && now - lastPruneAt >= retention.everyMs) {
      lastPruneAt = now;
      try {
        const deleted = await pruneSentOutbox(db, { olderThanMs: retention.sentRowsMs });
        if (deleted > 0) {
          logger.info('pruned sent outbox rows', { deleted });
        }
      } catch (error) {
        logger.warn('outbox pruning failed', { error: relayErrorCode(error) });
      }
    }
  };

  // A function, not the field: the loop awaits, and stop() may flip the flag meanwhile.
  const isRunning = (): boolean => state.running;

  const runLoop = async (): Promise<void> => {
    while (isRunning()) {
      let waitMs: number;
      try {
        const round = await runRound();
        if (state.consecutiveFailures > 0) {
          logger.info('outbox publishing resumed', { failures: state.consecutiveFailures });
          state.consecutiveFailures = 0;
        }
        waitMs = waitAfterRoundMs(round, { batchSize, pollIntervalMs });
      } catch (error) {
        recordFailure(error);
        waitMs = relayBackoffMs(state.consecutiveFailures, backoffSettings);
        logger.warn('outbox publish failed; rows stay pending', {
          error: relayErrorCode(error),
          failures: state.consecutiveFailures,
          retryInMs: waitMs,
        });
      }
      await housekeeping();
      if (waitMs > 0 && isRunning()) {
        await sleeper.sleep(waitMs);
      }
    }
  };

  const snapshot = (): OutboxRelayStatus => ({
    ...state,
    oldestPendingAgeMs:
      state.oldestPendingAgeMs === null || backlogReadAt === null
        ? null
        : Math.round(state.oldestPendingAgeMs + (Date.now() - backlogReadAt)),
  });

  return {
    start() {
      if (state.running) {
        return;
      }
      state.running = true;
      loop = runLoop().catch((error: unknown) => {
        // Not reached by design (every step catches its errors); logged rather than left unhandled.
        logger.error('outbox relay stopped unexpectedly', { error: relayErrorCode(error) });
        state.running = false;
      });
    },
    async stop() {
      state.running = false;
      sleeper.wake();
      await loop;
      loop = undefined;
    },
    status: snapshot,
    async readStatus() {
      await readBacklog();
      return snapshot();
    },
    async flush({ timeoutMs = 30_000 } = {}) {
      let cancelled = false;
      const drain = async (): Promise<number> => {
        let published = 0;
        while (!cancelled) {
          let round: RoundResult;
          try {
            round = await runRound();
          } catch (error) {
            recordFailure(error);
            throw error;
          }
          published += round.published;
          if (drained(round, batchSize)) {
            await readBacklog();
            break;
          }
          // Another instance holds the turn: let it finish its batch.
          if (!round.tookTurn) {
            await sleeper.sleep(pollIntervalMs);
          }
        }
        return published;
      };
      try {
        return await withTimeout(drain(), timeoutMs, `outbox not drained within ${timeoutMs} ms`);
      } finally {
        cancelled = true;
      }
    },
  };
}

function sharedPgliteMutex(db: Database): Mutex {
  let mutex = pgliteRelayMutexes.get(db);
  if (!mutex) {
    mutex = new Mutex();
    pgliteRelayMutexes.set(db, mutex);
  }
  return mutex;
}
