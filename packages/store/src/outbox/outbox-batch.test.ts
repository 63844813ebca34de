import { describe, expect, it } from 'vitest';
import { drained, groupByTopic, toOutgoing, waitAfterRoundMs, type OutboxRow } from './outbox-batch.ts';

function row(
  id: number,
  topic: string,
  value: Partial<Pick<OutboxRow, 'value' | 'value_bytes'>> = {},
): OutboxRow {
  return {
    id: String(id),
    topic,
    message_key: `key-${id}`,
    value: `value-${id}`,
    value_bytes: null,
    headers: { ce_id: `event-${id}` },
    ...value,
  };
}

describe('outbox batch', () => {
  it('groups rows per topic, keeping id order within a topic and the order of first appearance', () => {
    const groups = groupByTopic([row(1, 'b'), row(2, 'a'), row(3, 'b'), row(4, 'c'), row(5, 'a')]);
    expect([...groups.keys()]).toEqual(['b', 'a', 'c']);
    expect([...groups.values()].map((group) => group.map((r) => r.id))).toEqual([
      ['1', '3'],
      ['2', '5'],
      ['4'],
    ]);
  });

  it('sends a text value as text and a binary value as its bytes', () => {
    expect(toOutgoing(row(1, 'a'))).toEqual({
      key: 'key-1',
      value: 'value-1',
      headers: { ce_id: 'event-1' },
    });
    const bytes = Buffer.from([0, 1, 2]);
    expect(toOutgoing(row(2, 'a', { value: null, value_bytes: bytes })).value).toBe(bytes);
    expect(toOutgoing(row(3, 'a', { value: null })).value).toBe('');
  });

  it('goes on at once after a full batch and waits the poll interval otherwise', () => {
    const timing = { batchSize: 3, pollIntervalMs: 50 };
    expect(waitAfterRoundMs({ tookTurn: true, claimed: 3, published: 3, deadLettered: 0 }, timing)).toBe(0);
    expect(waitAfterRoundMs({ tookTurn: true, claimed: 2, published: 2, deadLettered: 0 }, timing)).toBe(50);
    expect(waitAfterRoundMs({ tookTurn: false, claimed: 0, published: 0, deadLettered: 0 }, timing)).toBe(50);
  });

  it('counts the outbox as drained only after a round that had its turn and found less than a batch', () => {
    expect(drained({ tookTurn: true, claimed: 2, published: 2, deadLettered: 0 }, 3)).toBe(true);
    expect(drained({ tookTurn: true, claimed: 0, published: 0, deadLettered: 0 }, 3)).toBe(true);
    expect(drained({ tookTurn: true, claimed: 3, published: 3, deadLettered: 0 }, 3)).toBe(false);
    expect(drained({ tookTurn: false, claimed: 0, published: 0, deadLettered: 0 }, 3)).toBe(false);
  });
});
