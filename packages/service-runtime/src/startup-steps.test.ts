import { silentLogger } from '@oncoimg/telemetry';
import { describe, expect, it } from 'vitest';
import { createStartupSteps } from './startup-steps.ts';

describe('start-up steps', () => {
  it('retries a failing step with the given backoff until it succeeds', async () => {
    const delays: number[] = [];
    const startup = createStartupSteps({
      logger: silentLogger,
      stopping: () => false,
      delayMs: (failures) => (delays.push(failures), 1),
    });
    let tries = 0;
    const result = await startup.untilDone('connecting', async () => {
      tries += 1;
      if (tries < 3) {
        throw new Error('not yet');
      }
      return 'up';
    });
    expect(result).toBe('up');
    expect(delays).toEqual([1, 2]);
  });

  it('throws an error the caller calls fatal, without retrying', async () => {
    const startup = createStartupSteps({ logger: silentLogger, stopping: () => false, delayMs: () => 1 });
    let tries = 0;
    const refused = new Error('the database refuses this migration');
    await expect(
      startup.untilDone(
        'migrating',
        () => {
          tries += 1;
          return Promise.reject(refused);
        },
        (error) => error === refused,
      ),
    ).rejects.toBe(refused);
    expect(tries).toBe(1);
  });

  it('gives up with undefined once stopping, woken out of every backoff at once', async () => {
    let stopping = false;
    const startup = createStartupSteps({
      logger: silentLogger,
      stopping: () => stopping,
      delayMs: () => 60_000,
    });
    const failing = () => Promise.reject(new Error('broker down'));
    const steps = [
      startup.untilDone('joining', failing),
      startup.untilDone('joining the audit group', failing),
    ];
    await new Promise((resolve) => setTimeout(resolve, 20));
    stopping = true;
    startup.wake();
    expect(await Promise.all(steps)).toEqual([undefined, undefined]);
  });
});
