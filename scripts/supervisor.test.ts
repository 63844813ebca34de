import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  createRestartPolicy,
  describeExit,
  formatDelay,
  supervise,
  waitForExit,
} from './supervisor.ts';

describe('restart policy', () => {
  it('doubles from 1 s and stops at 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20, 100].map((attempt) => backoffDelay(attempt))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('waits longer for a process that keeps crashing', () => {
    const policy = createRestartPolicy();
    const delays: number[] = [];
    let now = 0;
    for (let i = 0; i < 4; i += 1) {
      policy.started(now);
      now += 500;
      const delay = policy.nextDelay(now);
      delays.push(delay);
      now += delay;
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('starts over from 1 s after a minute of good running', () => {
    const policy = createRestartPolicy();
    policy.started(0);
    expect(policy.nextDelay(100)).toBe(1_000);
    policy.started(1_100);
    expect(policy.nextDelay(1_200)).toBe(2_000);
    policy.started(3_200);
    expect(policy.nextDelay(3_200 + 60_000)).toBe(1_000);
  });

  it('says how a process ended and how long it waits, as the terminal shows it', () => {
    expect(describeExit(null, 'SIGKILL')).toBe('signal SIGKILL');
    expect(describeExit(1, null)).toBe('code 1');
    expect(formatDelay(1_000)).toBe('1 s');
    expect(formatDelay(250)).toBe('250 ms');
  });
});

/** A child that stays up until it is told to stop. */
function sleeper() {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('supervise (real child processes)', () => {
  it('waiting for the exit of a child killed by a signal ends', async () => {
    const child = sleeper();
    await new Promise((resolve) => child.once('spawn', resolve));
    child.kill('SIGKILL');
    await waitForExit(child);
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBe('SIGKILL');
    // Once more after the fact: it must not wait for an 'exit' that has already happened.
    await waitForExit(child);
  });

  it('restarts a child killed with SIGKILL and says so', async () => {
    const lines: string[] = [];
    const supervised = supervise({
      name: 'tiny-service',
      spawn: sleeper,
      log: (line) => lines.push(line),
      policy: createRestartPolicy({ initialDelayMs: 50 }),
    });
    try {
      await until(() => supervised.current()?.pid !== undefined);
      const first = supervised.current();
      first?.kill('SIGKILL');
      await until(() => supervised.restarts() === 1 && supervised.current() !== undefined);
      const second = supervised.current();
      expect(second?.pid).toBeDefined();
      expect(second?.pid).not.toBe(first?.pid);
      expect(lines).toEqual(['tiny-service exited (signal SIGKILL); restarting in 50 ms']);
    } finally {
      await supervised.stop();
    }
    expect(supervised.current()?.signalCode).toBe('SIGTERM');
    expect(supervised.restarts()).toBe(1);
  });

  it('does not restart a child it was asked to stop, and kills one that ignores SIGTERM', async () => {
    const lines: string[] = [];
    const supervised = supervise({
      name: 'stubborn',
      spawn: () =>
        spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], {
          stdio: 'ignore',
        }),
      log: (line) => lines.push(line),
      policy: createRestartPolicy({ initialDelayMs: 10 }),
    });
    await until(() => supervised.current()?.pid !== undefined);
    // Give the child time to install its SIGTERM handler.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await supervised.stop({ killAfterMs: 200 });
    expect(supervised.current()?.signalCode).toBe('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines).toEqual([]);
    expect(supervised.restarts()).toBe(0);
  });
});
