import { describe, expect, it } from 'vitest';
import { createSleeper, withTimeout } from './relay-timing.ts';

describe('relay timing', () => {
  it('passes on what the promise gives when it answers in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 1_000, 'too slow')).resolves.toBe(7);
  });

  it('fails with a TIMEOUT store error when the promise hangs', async () => {
    await expect(withTimeout(new Promise(() => undefined), 5, 'too slow')).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: 'too slow',
    });
  });

  it('wakes every sleeper at once, so stop() does not wait out a backoff', async () => {
    const sleeper = createSleeper();
    const started = Date.now();
    const sleeps = [sleeper.sleep(60_000), sleeper.sleep(60_000)];
    sleeper.wake();
    await Promise.all(sleeps);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('lets a sleep end by itself', async () => {
    await expect(createSleeper().sleep(1)).resolves.toBeUndefined();
  });
});
