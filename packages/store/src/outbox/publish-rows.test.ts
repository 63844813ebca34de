import { describe, expect, it } from 'vitest';
import type { Queryable } from '../database.ts';
import type { OutboxRow, OutgoingOutboxMessage } from './outbox-batch.ts';
import { publishRows } from './publish-rows.ts';

function row(id: number, topic: string, value = `v${String(id)}`): OutboxRow {
  return { id: String(id), topic, message_key: 'k', value, value_bytes: null, headers: {} };
}

const limits = { publishTimeoutMs: 1_000, maxSendBytes: 1_000_000, maxRowBytes: 1_000_000 };

/** What a broker answers to a record batch over its `max.message.bytes`, as kafkajs wraps it. */
function tooLarge(): Error {
  const refusal = Object.assign(
    new Error('The request included a message larger than the max message size'),
    {
      type: 'MESSAGE_TOO_LARGE',
      retriable: false,
    },
  );
  return Object.assign(new Error('publishing failed', { cause: refusal }), { code: 'SEND_FAILED' });
}

/** A queryable that records the statements the relay runs. */
function recordingDatabase() {
  const statements: { sql: string; params: readonly unknown[] }[] = [];
  const q: Queryable = {
    query: async (sql, params = []) => {
      statements.push({ sql, params });
      const moved = sql.includes('outbox_dead_letters') ? (params[0] as unknown[]).length : 0;
      return { rows: [], rowCount: moved };
    },
    exec: async () => undefined,
    copyFrom: async () => undefined,
  };
  return { q, statements };
}

function producer(
  fail: (topic: string, messages: OutgoingOutboxMessage[]) => Error | undefined = () => undefined,
) {
  const sent: { topic: string; messages: OutgoingOutboxMessage[] }[] = [];
  return {
    sent,
    send: async (topic: string, messages: OutgoingOutboxMessage[]) => {
      const error = fail(topic, messages);
      if (error !== undefined) {
        throw error;
      }
      sent.push({ topic, messages });
    },
  };
}

describe('publish rows', () => {
  it('sends one call per topic and marks every row sent', async () => {
    const { q, statements } = recordingDatabase();
    const kafka = producer();
    const result = await publishRows(q, [row(1, 'a'), row(2, 'b'), row(3, 'a')], {
      producer: kafka,
      ...limits,
    });
    expect(kafka.sent.map((s) => [s.topic, s.messages.map((m) => m.value)])).toEqual([
      ['a', ['v1', 'v3']],
      ['b', ['v2']],
    ]);
    expect(result).toEqual({
      tookTurn: true,
      claimed: 3,
      published: 3,
      deadLettered: 0,
      putAside: [],
      error: undefined,
    });
    expect(statements).toHaveLength(1);
    expect(statements[0].sql).toContain('SET sent_at = now()');
    expect(statements[0].params).toEqual([['1', '3', '2']]);
  });

  it('stops at the first failed topic: earlier topics are marked sent, the failed one records its error', async () => {
    const { q, statements } = recordingDatabase();
    const kafka = producer((topic) => (topic === 'b' ? new Error('broker down') : undefined));
    const result = await publishRows(q, [row(1, 'a'), row(2, 'b'), row(3, 'c')], {
      producer: kafka,
      ...limits,
    });
    expect(kafka.sent.map((s) => s.topic)).toEqual(['a']);
    expect(result).toMatchObject({ claimed: 3, published: 1, error: new Error('broker down') });
    expect(statements.map((s) => s.params)).toEqual([[['1']], [['2'], 'broker down']]);
    expect(statements[1].sql).toContain('last_error = $2');
  });

  it('counts a send that hangs as failed, keeping its rows pending', async () => {
    const { q, statements } = recordingDatabase();
    const hanging = { send: () => new Promise<never>(() => undefined) };
    const result = await publishRows(q, [row(1, 'a')], { producer: hanging, ...limits, publishTimeoutMs: 5 });
    expect(result.published).toBe(0);
    expect(result.error).toMatchObject({ code: 'TIMEOUT' });
    expect(statements.map((s) => s.params)).toEqual([
      [['1'], 'TIMEOUT: producer did not answer within 5 ms'],
    ]);
  });

  it('does not touch the database when there were no rows', async () => {
    const { q, statements } = recordingDatabase();
    const result = await publishRows(q, [], { producer: producer(), ...limits });
    expect(result).toEqual({
      tookTurn: true,
      claimed: 0,
      published: 0,
      deadLettered: 0,
      putAside: [],
      error: undefined,
    });
    expect(statements).toEqual([]);
  });

  it('bounds each producer call by bytes, keeping id order, and marks every row sent', async () => {
    const { q, statements } = recordingDatabase();
    const kafka = producer();
    const rows = [1, 2, 3, 4, 5].map((id) => row(id, 'a', 'x'.repeat(400)));
    const result = await publishRows(q, rows, { ...limits, producer: kafka, maxSendBytes: 1_000 });
    expect(kafka.sent.map((s) => s.messages.length)).toEqual([2, 2, 1]);
    expect(result).toMatchObject({ published: 5, deadLettered: 0 });
    expect(statements[0].params).toEqual([['1', '2', '3', '4', '5']]);
  });

  it('splits a call the broker refuses as too large until the halves fit', async () => {
    const { q } = recordingDatabase();
    const kafka = producer((_, messages) => (messages.length > 1 ? tooLarge() : undefined));
    const result = await publishRows(q, [row(1, 'a'), row(2, 'a'), row(3, 'a')], {
      ...limits,
      producer: kafka,
    });
    expect(kafka.sent.map((s) => s.messages.map((m) => m.value))).toEqual([['v1'], ['v2'], ['v3']]);
    expect(result).toMatchObject({ published: 3, deadLettered: 0, putAside: [], error: undefined });
  });

  it('puts aside a single row the broker refuses, with the reason, and publishes the rows behind it', async () => {
    const { q, statements } = recordingDatabase();
    const kafka = producer((_, messages) =>
      messages.some((m) => m.value === 'poison') ? tooLarge() : undefined,
    );
    const result = await publishRows(q, [row(1, 'a'), row(2, 'a', 'poison'), row(3, 'a')], {
      ...limits,
      producer: kafka,
    });
    expect(kafka.sent.flatMap((s) => s.messages.map((m) => m.value))).toEqual(['v1', 'v3']);
    expect(result).toMatchObject({ published: 2, deadLettered: 1, error: undefined });
    expect(result.lastDeadLetterReason).toMatch(/^MESSAGE_TOO_LARGE: \d+ bytes, refused by the broker$/);
    expect(result.putAside).toEqual([{ topic: 'a', code: 'MESSAGE_TOO_LARGE' }]);
    const aside = statements.find((s) => s.sql.includes('outbox_dead_letters'));
    expect(aside?.params).toEqual([['2'], [result.lastDeadLetterReason]]);
  });

  it('puts aside a row over the row limit without trying it', async () => {
    const { q } = recordingDatabase();
    const kafka = producer();
    const result = await publishRows(q, [row(1, 'a', 'x'.repeat(2_000)), row(2, 'a')], {
      ...limits,
      producer: kafka,
      maxRowBytes: 1_000,
    });
    expect(kafka.sent.flatMap((s) => s.messages.map((m) => m.value))).toEqual(['v2']);
    expect(result).toMatchObject({ published: 1, deadLettered: 1 });
    expect(result.lastDeadLetterReason).toMatch(/^ROW_TOO_LARGE: \d+ bytes, over the limit of 1000$/);
    expect(result.putAside).toEqual([{ topic: 'a', code: 'ROW_TOO_LARGE' }]);
  });

  it('records a failure on every row of the topic not yet sent, not only the failed call', async () => {
    const { q, statements } = recordingDatabase();
    let calls = 0;
    const kafka = producer(() => (++calls === 2 ? new Error('broker down') : undefined));
    const rows = [1, 2, 3].map((id) => row(id, 'a', 'x'.repeat(400)));
    const result = await publishRows(q, rows, { ...limits, producer: kafka, maxSendBytes: 500 });
    expect(result).toMatchObject({ published: 1, deadLettered: 0, error: new Error('broker down') });
    expect(statements.map((s) => s.params)).toEqual([[['1']], [['2', '3'], 'broker down']]);
  });
});
