import { describe, expect, it } from 'vitest';
import type { OutboxRow } from './outbox-batch.ts';
import { DEFAULT_MAX_ROW_BYTES, outboxSendLimits, planSends, rowBytes, splitSend } from './send-batches.ts';

function row(id: number, topic: string, size: number): OutboxRow {
  return { id: String(id), topic, message_key: 'k', value: 'x'.repeat(size), value_bytes: null, headers: {} };
}

const ids = (sends: ReturnType<typeof planSends>) =>
  sends.map((send) => [send.topic, send.rows.map((r) => r.id)]);

describe('byte-bounded sends', () => {
  it('counts key, value and headers, and a little more for framing', () => {
    const plain = rowBytes(row(1, 't', 100));
    expect(plain).toBeGreaterThan(101);
    const withHeaders = rowBytes({ ...row(1, 't', 100), headers: { ce_id: 'abc' } });
    expect(withHeaders).toBeGreaterThan(plain + 'ce_id'.length + 'abc'.length);
    expect(rowBytes({ ...row(1, 't', 0), value: null, value_bytes: Buffer.alloc(50) })).toBe(
      rowBytes(row(1, 't', 50)),
    );
    expect(rowBytes(row(1, 't', 0)) + 'é'.length * 2).toBe(rowBytes({ ...row(1, 't', 0), value: 'é' }));
  });

  it('fills each call up to the budget, per topic, in id order', () => {
    const size = rowBytes(row(0, 't', 100));
    const rows = [row(1, 'a', 100), row(2, 'b', 100), row(3, 'a', 100), row(4, 'a', 100), row(5, 'b', 100)];
    expect(ids(planSends(rows, { maxSendBytes: size * 2 }))).toEqual([
      ['a', ['1', '3']],
      ['a', ['4']],
      ['b', ['2', '5']],
    ]);
  });

  it('sends a row larger than the budget alone, without reordering around it', () => {
    const rows = [row(1, 'a', 10), row(2, 'a', 5_000), row(3, 'a', 10)];
    expect(ids(planSends(rows, { maxSendBytes: 1_000 }))).toEqual([
      ['a', ['1']],
      ['a', ['2']],
      ['a', ['3']],
    ]);
  });

  it('assigns every row to exactly one call', () => {
    const rows = Array.from({ length: 500 }, (_, i) => row(i, i % 3 === 0 ? 'a' : 'b', (i * 37) % 2_000));
    const sends = planSends(rows, { maxSendBytes: 10_000 });
    expect(sends.flatMap((send) => send.rows.map((r) => r.id)).sort()).toEqual(rows.map((r) => r.id).sort());
    for (const send of sends) {
      const bytes = send.rows.reduce((sum, r) => sum + rowBytes(r), 0);
      expect(send.rows.length === 1 || bytes <= 10_000).toBe(true);
    }
  });

  it('splits a refused call into two halves of about equal bytes, in order', () => {
    const send = {
      topic: 'a',
      rows: [row(1, 'a', 100), row(2, 'a', 100), row(3, 'a', 100), row(4, 'a', 100)],
    };
    expect(ids(splitSend(send))).toEqual([
      ['a', ['1', '2']],
      ['a', ['3', '4']],
    ]);
    const lopsided = { topic: 'a', rows: [row(1, 'a', 5_000), row(2, 'a', 10), row(3, 'a', 10)] };
    expect(ids(splitSend(lopsided))).toEqual([
      ['a', ['1']],
      ['a', ['2', '3']],
    ]);
    const tailHeavy = { topic: 'a', rows: [row(1, 'a', 10), row(2, 'a', 10), row(3, 'a', 5_000)] };
    expect(ids(splitSend(tailHeavy))).toEqual([
      ['a', ['1', '2']],
      ['a', ['3']],
    ]);
  });

  it('sizes sends from a topic limit with an eighth left for framing, and tries no row over it', () => {
    expect(outboxSendLimits(65_536)).toEqual({ maxSendBytes: 57_344, maxRowBytes: 65_536 });
    expect(outboxSendLimits(DEFAULT_MAX_ROW_BYTES).maxSendBytes).toBeLessThan(DEFAULT_MAX_ROW_BYTES);
  });
});
