import { describe, expect, it } from 'vitest';
import { assignCoPartitioned, type AssignableMember } from './co-partitioned-assigner.ts';

const TOPICS = ['orders', 'studies', 'reports'];

function partitions(count: number, topics = TOPICS): Map<string, number[]> {
  return new Map(topics.map((topic) => [topic, Array.from({ length: count }, (_, p) => p)]));
}

function members(count: number, topics = TOPICS): AssignableMember[] {
  return Array.from({ length: count }, (_, i) => ({ memberId: `member-${String(i)}`, topics }));
}

/** topic:partition → the members it went to. */
function owners(assignment: ReturnType<typeof assignCoPartitioned>): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const [memberId, perTopic] of assignment) {
    for (const [topic, list] of perTopic) {
      for (const partition of list) {
        const key = `${topic}:${String(partition)}`;
        result.set(key, [...(result.get(key) ?? []), memberId]);
      }
    }
  }
  return result;
}

describe('co-partitioning assigner', () => {
  it.each([
    [1, 3],
    [2, 3],
    [3, 3],
    [4, 3],
    [3, 12],
    [5, 7],
  ])(
    'with %i members and %i partitions, gives partition p of every topic to one member',
    (memberCount, count) => {
      const assignment = assignCoPartitioned(members(memberCount), partitions(count));
      const byPartition = owners(assignment);
      for (let p = 0; p < count; p++) {
        const holders = TOPICS.map((topic) => byPartition.get(`${topic}:${String(p)}`));
        for (const holder of holders) {
          expect(holder).toHaveLength(1);
        }
        expect(new Set(holders.map((holder) => holder?.[0])).size).toBe(1);
      }
      expect(byPartition.size).toBe(TOPICS.length * count);
    },
  );

  it('balances partition numbers: the counts of two members differ by at most one', () => {
    const assignment = assignCoPartitioned(members(3), partitions(10));
    const counts = [...assignment.values()].map((perTopic) => perTopic.get('orders')?.length ?? 0);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('gives the same answer whatever the order the members are listed in', () => {
    const listed = members(4);
    const forward = assignCoPartitioned(listed, partitions(6));
    const backward = assignCoPartitioned([...listed].reverse(), partitions(6));
    expect([...owners(backward)].sort()).toEqual([...owners(forward)].sort());
  });

  it('leaves members without partitions when there are more members than partition numbers', () => {
    const assignment = assignCoPartitioned(members(5), partitions(3));
    const idle = [...assignment.values()].filter((perTopic) => perTopic.size === 0);
    expect(idle).toHaveLength(2);
  });

  it('gives a topic only to the members that subscribed to it, every partition once', () => {
    const mixed: AssignableMember[] = [
      { memberId: 'a', topics: ['orders', 'studies'] },
      { memberId: 'b', topics: ['orders'] },
    ];
    const assignment = assignCoPartitioned(mixed, partitions(4, ['orders', 'studies']));
    expect(assignment.get('b')?.get('studies')).toBeUndefined();
    expect(assignment.get('a')?.get('studies')).toEqual([0, 1, 2, 3]);
    const byPartition = owners(assignment);
    expect(byPartition.size).toBe(8);
    for (const holders of byPartition.values()) {
      expect(holders).toHaveLength(1);
    }
  });

  it('handles topics with different partition counts, every partition once', () => {
    const uneven = new Map([
      ['orders', [0, 1, 2]],
      ['studies', [0, 1, 2, 3, 4]],
    ]);
    const byPartition = owners(assignCoPartitioned(members(2, ['orders', 'studies']), uneven));
    expect(byPartition.size).toBe(8);
    for (const holders of byPartition.values()) {
      expect(holders).toHaveLength(1);
    }
    expect(byPartition.get('orders:1')).toEqual(byPartition.get('studies:1'));
  });
});
