import { groupByTopic, type OutboxRow } from './outbox-batch.ts';

/**
 * Default byte budget of one producer call: 900 KiB of keys, values and headers. Kafka refuses a
 * record batch over the broker's `message.max.bytes` (1,048,588 by default) or the topic's
 * `max.message.bytes`; staying 100 KiB under it leaves room for the record and batch framing that
 * the estimate below only approximates. A deployment that lowers the topic limit lowers this too
 * (`maxSendBytes`); one that lowers it without telling the relay still drains, through splitting.
 */
export const DEFAULT_MAX_SEND_BYTES = 900 * 1024;

/**
 * Default size above which a row is not even tried: the broker's default `message.max.bytes`.
 * A larger row would be refused anyway, or worse, break the connection when it exceeds the
 * broker's request limit, which looks like an outage and would be retried forever.
 */
export const DEFAULT_MAX_ROW_BYTES = 1_048_588;

/**
 * Send limits for topics that accept record batches of at most `maxMessageBytes` (their
 * `max.message.bytes`, read with `readMaxMessageBytes` of @oncoimg/kafka): an eighth is left for
 * the framing the estimate approximates, and a row that alone exceeds the limit is not tried.
 */
export function outboxSendLimits(maxMessageBytes: number): { maxSendBytes: number; maxRowBytes: number } {
  return { maxSendBytes: Math.floor((maxMessageBytes * 7) / 8), maxRowBytes: maxMessageBytes };
}

/**
 * Framing of one record in a v2 record batch: length, attributes, timestamp and offset deltas,
 * key and value lengths and the header count are varints of at most 5 bytes each, plus two per
 * header. Rounded up so that the estimate never falls below what goes on the wire.
 */
const RECORD_OVERHEAD_BYTES = 40;
const HEADER_OVERHEAD_BYTES = 10;

/** The bytes a row takes in a produce request, a slight overestimate. */
export function rowBytes(row: OutboxRow): number {
  let bytes = RECORD_OVERHEAD_BYTES + Buffer.byteLength(row.message_key);
  bytes += row.value === null ? (row.value_bytes?.length ?? 0) : Buffer.byteLength(row.value);
  for (const [name, value] of Object.entries(row.headers)) {
    bytes += HEADER_OVERHEAD_BYTES + Buffer.byteLength(name) + Buffer.byteLength(value);
  }
  return bytes;
}

/** Rows of one topic sent in one producer call. */
export interface PlannedSend {
  topic: string;
  rows: OutboxRow[];
}

/**
 * The producer calls for claimed rows: per topic in order of the topics' first rows, each call
 * holding rows in id order up to `maxSendBytes`. A row larger than the budget alone is sent alone,
 * so that the broker decides; nothing is ever reordered within a topic.
 */
export function planSends(
  rows: readonly OutboxRow[],
  { maxSendBytes }: { maxSendBytes: number },
): PlannedSend[] {
  const sends: PlannedSend[] = [];
  for (const [topic, group] of groupByTopic(rows)) {
    let current: OutboxRow[] = [];
    let currentBytes = 0;
    for (const row of group) {
      const bytes = rowBytes(row);
      if (current.length > 0 && currentBytes + bytes > maxSendBytes) {
        sends.push({ topic, rows: current });
        current = [];
        currentBytes = 0;
      }
      current.push(row);
      currentBytes += bytes;
    }
    if (current.length > 0) {
      sends.push({ topic, rows: current });
    }
  }
  return sends;
}

/** A send the broker refused as too large, cut in two halves of about equal bytes, in order. */
export function splitSend(send: PlannedSend): [PlannedSend, PlannedSend] {
  const total = send.rows.reduce((sum, row) => sum + rowBytes(row), 0);
  let cut = 1;
  let bytes = rowBytes(send.rows[0]);
  while (cut < send.rows.length - 1 && bytes + rowBytes(send.rows[cut]) <= total / 2) {
    bytes += rowBytes(send.rows[cut]);
    cut += 1;
  }
  return [
    { topic: send.topic, rows: send.rows.slice(0, cut) },
    { topic: send.topic, rows: send.rows.slice(cut) },
  ];
}
