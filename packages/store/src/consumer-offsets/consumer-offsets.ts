/**
 * Kafka offsets kept in the database, committed in the same transaction as the state a batch
 * changed: a redelivered message (after a crash, a rebalance or a broker restart) is recognised by
 * its offset and skipped, so a consumer applies each message effectively once.
 */
import type { Queryable } from '../database.ts';
import type { Migration } from '../migrate.ts';

/** A Kafka position to resume from: the offset of the next message to process. */
export interface PartitionPosition {
  topic: string;
  partition: number;
  nextOffset: bigint;
}

/** What the offset helpers need of a consumed message. */
export interface PositionedMessage {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * `consumer_offsets`, for services other than the timeline (whose own migration made the same
 * table before this one existed: IF NOT EXISTS keeps the two compatible).
 */
export const consumerOffsetMigrations: readonly Migration[] = [
  {
    id: 'store.consumer-offsets.001-create',
    sql: `
      CREATE TABLE IF NOT EXISTS consumer_offsets (
        consumer_group text NOT NULL,
        topic text NOT NULL,
        partition integer NOT NULL,
        next_offset bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer_group, topic, partition)
      );
    `,
  },
];

/** The stored positions of `group` on `topics`. */
export async function readPositions(
  tx: Queryable,
  group: string,
  topics: readonly string[],
): Promise<PartitionPosition[]> {
  const { rows } = await tx.query<{ topic: string; partition: number; next_offset: string }>(
    'SELECT topic, partition, next_offset FROM consumer_offsets WHERE consumer_group = $1 AND topic = ANY($2::text[])',
    [group, topics],
  );
  return rows.map((row) => ({
    topic: row.topic,
    partition: row.partition,
    nextOffset: BigInt(row.next_offset),
  }));
}

/** Stores positions; a position never moves back (a stale batch cannot rewind a partition). */
export async function savePositions(
  tx: Queryable,
  group: string,
  positions: readonly PartitionPosition[],
): Promise<void> {
  if (positions.length === 0) {
    return;
  }
  await tx.query(
    `INSERT INTO consumer_offsets (consumer_group, topic, partition, next_offset)
     SELECT $1, p->>'topic', (p->>'partition')::integer, (p->>'nextOffset')::bigint
     FROM jsonb_array_elements($2::jsonb) AS p
     ON CONFLICT (consumer_group, topic, partition) DO UPDATE
       SET next_offset = GREATEST(consumer_offsets.next_offset, EXCLUDED.next_offset), updated_at = now()`,
    [
      group,
      JSON.stringify(
        positions.map((p) => ({
          topic: p.topic,
          partition: p.partition,
          nextOffset: p.nextOffset.toString(),
        })),
      ),
    ],
  );
}

function positionKey(topic: string, partition: number): string {
  return `${topic}\u0000${String(partition)}`;
}

/** The messages not yet applied: those below a stored position were committed with the state already. */
export function unprocessedMessages<M extends PositionedMessage>(
  messages: readonly M[],
  positions: readonly PartitionPosition[],
): M[] {
  const next = new Map(positions.map((p) => [positionKey(p.topic, p.partition), p.nextOffset]));
  return messages.filter((m) => BigInt(m.offset) >= (next.get(positionKey(m.topic, m.partition)) ?? 0n));
}

/** The positions after a batch: one past the highest offset of each partition in it. */
export function positionsAfter(messages: readonly PositionedMessage[]): PartitionPosition[] {
  const positions = new Map<string, PartitionPosition>();
  for (const m of messages) {
    const key = positionKey(m.topic, m.partition);
    const nextOffset = BigInt(m.offset) + 1n;
    const current = positions.get(key);
    if (!current || current.nextOffset < nextOffset) {
      positions.set(key, { topic: m.topic, partition: m.partition, nextOffset });
    }
  }
  return [...positions.values()];
}
