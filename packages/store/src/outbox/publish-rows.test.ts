import { describe, expect, it } from 'vitest';
import type { Queryable } from '../database.ts';
import type { OutboxRow, OutgoingOutboxMessage } from './outbox-batch.ts';
import { publishRows } from './publish-rows.ts';

function row(id: number, topic: string): OutboxRow {
  return { id: String(id), topic, message_key: 'k', value: `v${id}`, value_bytes: null, headers: {} };
}

/** A queryable that records the statements the relay runs. */
function recordingDatabase() {
  const statements: { sql: string; params: readonly unknown[] }[] = [];
  const q: Queryable = {
    query: async (sql, params = []) => {
      statements.push({ sql, params });
      return { rows: [], rowCount: 0 };
    },
    exec: async () => undefined,
  };
  return { q, statements };
}

function producer(fail: (topic: string) => Error | undefined = () => undefined) {
  const sent: { topic: string; messages: OutgoingOutboxMessage[] }[] = [];
  return {
    sent,
    send: async (topic: string, messages: OutgoingOutboxMessage[]) => {
      const error = fail(topic);
      if (error !== undefined) throw error;
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
      publishTimeoutMs: 1_000,
    });
    expect(kafka.sent.map((s) => [s.topic, s.messages.map((m) => m.value)])).toEqual([
      ['a', ['v1', 'v3']],
      ['b', ['v2']],
    ]);
    expect(result).toEqual({ tookTurn: true, claimed: 3, published: 3, error: undefined });
    expect(statements).toHaveLength(1);
    expect(statements[0].sql).toContain('SET sent_at = now()');
    expect(statements[0].params).toEqual([['1', '3', '2']]);
  });

  it('stops at the first failed topic: earlier topics are marked sent, the failed one records its error', async () => {
    const { q, statements } = recordingDatabase();
    const kafka = producer((topic) => (topic === 'b' ? new Error('broker down') : undefined));
    const result = await publishRows(q, [row(1, 'a'), row(2, 'b'), row(3, 'c')], {
      producer: kafka,
      publishTimeoutMs: 1_000,
    });
    expect(kafka.sent.map((s) => s.topic)).toEqual(['a']);
    expect(result).toMatchObject({ claimed: 3, published: 1, error: new Error('broker down') });
    expect(statements.map((s) => s.params)).toEqual([[['1']], [['2'], 'broker down']]);
    expect(statements[1].sql).toContain('last_error = $2');
  });

  it('counts a send that hangs as failed, keeping its rows pending', async () => {
    const { q, statements } = recordingDatabase();
    const hanging = { send: () => new Promise<never>(() => undefined) };
    const result = await publishRows(q, [row(1, 'a')], { producer: hanging, publishTimeoutMs: 5 });
    expect(result.published).toBe(0);
    expect(result.error).toMatchObject({ code: 'TIMEOUT' });
    expect(statements.map((s) => s.params)).toEqual([
      [['1'], 'TIMEOUT: producer did not answer within 5 ms'],
    ]);
  });

  it('does not touch the database when there were no rows', async () => {
    const { q, statements } = recordingDatabase();
    const result = await publishRows(q, [], { producer: producer(), publishTimeoutMs: 1_000 });
    expect(result).toEqual({ tookTurn: true, claimed: 0, published: 0, error: undefined });
    expect(statements).toEqual([]);
  });
});
