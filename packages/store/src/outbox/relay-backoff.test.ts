import { describe, expect, it } from 'vitest';
import { RELAY_BACKOFF_INITIAL_MS, RELAY_BACKOFF_MAX_MS, relayBackoffMs } from './relay-backoff.ts';

const settings = { initialMs: 100, maxMs: 1_000 };

describe('relay backoff', () => {
  it('doubles the wait after each consecutive failure', () => {
    const highest = () => 1;
    expect([1, 2, 3, 4].map((failures) => relayBackoffMs(failures, settings, highest))).toEqual([
      100, 200, 400, 800,
    ]);
  });

  it('never waits longer than the cap, however long Kafka stays down', () => {
    expect(relayBackoffMs(5, settings, () => 1)).toBe(1_000);
    expect(relayBackoffMs(10_000, settings, () => 1)).toBe(1_000);
  });

  it('randomises only the upper half of the wait, so it never collapses to zero', () => {
    expect(relayBackoffMs(3, settings, () => 0)).toBe(200);
    expect(relayBackoffMs(3, settings, () => 0.5)).toBe(300);
  });

  it('starts short and stays bounded with the default settings', () => {
    const defaults = { initialMs: RELAY_BACKOFF_INITIAL_MS, maxMs: RELAY_BACKOFF_MAX_MS };
    expect(relayBackoffMs(1, defaults, () => 1)).toBeLessThanOrEqual(1_000);
    expect(relayBackoffMs(50, defaults, () => 1)).toBe(RELAY_BACKOFF_MAX_MS);
  });
});
