import { context, propagation } from '@opentelemetry/api';
import type { Queryable } from '../database.ts';
import { StoreError } from '../errors.ts';

/** A message to publish once the surrounding transaction commits. */
export interface OutboxMessage {
  topic: string;
  /** Kafka key: the patient key, so one patient's events stay in one partition, in order. */
  key: string;
  value: string | Buffer;
  headers?: Record<string, string>;
}

/** Parameters per row; a multi-row INSERT stays under PostgreSQL's 65 535 parameter limit in chunks of this size. */
const COLUMNS = 5;
const ROWS_PER_INSERT = 1000;

/**
 * Writes messages to the outbox inside the caller's transaction, so they exist if and only if the
 * data they describe was committed. Rows get increasing ids in the order given; the relay publishes
 * in id order.
 *
 * The active trace context is stored in the headers (W3C `traceparent`) unless the caller set one,
 * so the trace of the request that wrote the data continues in the consumers, even though the relay
 * publishes later from another context.
 */
export async function enqueueOutbox(
  tx: Queryable,
  messages: OutboxMessage | readonly OutboxMessage[],
): Promise<{ ids: string[] }> {
  const list: readonly OutboxMessage[] = Array.isArray(messages) ? messages : [messages as OutboxMessage];
  const ids: string[] = [];
  for (let start = 0; start < list.length; start += ROWS_PER_INSERT) {
    const chunk = list.slice(start, start + ROWS_PER_INSERT);
    const params: unknown[] = [];
    const tuples = chunk.map((message, index) => {
      checkMessage(message);
      const text = typeof message.value === 'string';
      params.push(
        message.topic,
        message.key,
        text ? message.value : null,
        text ? null : message.value,
        JSON.stringify(withTraceContext(message.headers ?? {})),
      );
      const at = index * COLUMNS;
      return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}::bytea, $${at + 5}::jsonb)`;
    });
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO outbox (topic, message_key, value, value_bytes, headers) VALUES ${tuples.join(', ')} RETURNING id`,
      params,
    );
    ids.push(...rows.map((row) => row.id));
  }
  return { ids };
}

/** Checked at run time too: messages built from JSON or by JavaScript callers are not type-checked. */
function checkMessage(message: OutboxMessage): void {
  const { topic, key, value } = message as { topic: unknown; key: unknown; value: unknown };
  if (typeof topic !== 'string' || topic === '') {
    throw new StoreError('INVALID_ARGUMENT', 'an outbox message needs a topic');
  }
  if (typeof key !== 'string') {
    throw new StoreError('INVALID_ARGUMENT', 'an outbox message needs a key');
  }
  if (typeof value !== 'string' && !Buffer.isBuffer(value)) {
    throw new StoreError('INVALID_ARGUMENT', 'an outbox message value must be a string or a Buffer');
  }
}

/** `headers` plus the active trace context (W3C `traceparent`), unless they carry one already. */
export function withTraceContext(headers: Record<string, string> = {}): Record<string, string> {
  if ('traceparent' in headers) {
    return headers;
  }
  const carrier: Record<string, string> = { ...headers };
  propagation.inject(context.active(), carrier);
  return carrier;
}
