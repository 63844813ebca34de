/** What the relay needs of a producer: `EventProducer` of @oncoimg/kafka fits. */
export interface OutboxProducer {
  send(topic: string, messages: OutgoingOutboxMessage[]): Promise<unknown>;
}

export interface OutgoingOutboxMessage {
  key: string;
  value: string | Buffer;
  headers: Record<string, string>;
}

/** A pending outbox row as the relay claims it. */
export interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  value: string | null;
  value_bytes: Buffer | null;
  headers: Record<string, string>;
}

/**
 * The next batch: the oldest pending rows in id (insertion) order. `SKIP LOCKED` passes over rows
 * another transaction holds, so a relay never waits on another relay's batch.
 */
export const CLAIM_OUTBOX_BATCH_SQL = `SELECT id, topic, message_key, value, value_bytes, headers FROM outbox
                    WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`;

/** What one round of the relay did. */
export interface RoundResult {
  /** False when another relay held the lock, so nothing was tried. */
  tookTurn: boolean;
  claimed: number;
  published: number;
  /** Rows moved to `outbox_dead_letters` this round. */
  deadLettered: number;
  /** Topic and reason code of each of them, for the metrics once the round is committed. */
  putAside?: { topic: string; code: string }[];
  /** Why the last of them was put aside. */
  lastDeadLetterReason?: string;
  error?: Error;
}

/** Rows per topic, each group in id order, topics in order of their first row. */
export function groupByTopic(rows: readonly OutboxRow[]): Map<string, OutboxRow[]> {
  const groups = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    const group = groups.get(row.topic);
    if (group) {
      group.push(row);
    } else {
      groups.set(row.topic, [row]);
    }
  }
  return groups;
}

/** The Kafka message of a row: text values as they are, binary ones as their bytes. */
export function toOutgoing(row: OutboxRow): OutgoingOutboxMessage {
  return { key: row.message_key, value: row.value ?? row.value_bytes ?? '', headers: row.headers };
}

/** Whether a round took the last pending rows: it had its turn and claimed less than a full batch. */
export function drained(round: RoundResult, batchSize: number): boolean {
  return round.tookTurn && round.claimed < batchSize;
}

/** Wait after a successful round: none after a full batch, since more rows are probably waiting. */
export function waitAfterRoundMs(
  round: RoundResult,
  { batchSize, pollIntervalMs }: { batchSize: number; pollIntervalMs: number },
): number {
  return round.tookTurn && round.claimed === batchSize ? 0 : pollIntervalMs;
}
