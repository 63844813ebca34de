import { describe, expect, it } from 'vitest';
import { runClosedLoop } from './load.ts';

describe('closed-loop load', () => {
  it('counts every accepted item when many workers finish at once', async () => {
    const result = await runClosedLoop({
      concurrency: 8,
      durationMs: 30,
      send: async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return 100;
      },
    });
    expect(result.requests).toBeGreaterThan(8);
    expect(result.accepted).toBe(result.requests * 100);
    expect(result.latenciesMs).toHaveLength(result.requests);
  });

  it('counts a failed request as failed, keeps its first error and goes on', async () => {
    const result = await runClosedLoop({
      concurrency: 2,
      durationMs: 20,
      firstIndex: 10,
      send: async (index) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (index === 10) {
          throw new Error('answered 500');
        }
        return 1;
      },
    });
    expect(result.failed).toBe(1);
    expect(result.firstError).toBe('answered 500');
    expect(result.accepted).toBe(result.requests - 1);
    expect(result.nextIndex).toBe(10 + result.requests);
  });
});
