import { describe, expect, it } from 'vitest';
import { isRequestTimedOutError, type RequestDeadline } from '@oncoimg/fhir-http';
import { createWriteQueue } from './write-queue.ts';

/** A group write that waits until released, recording each group it was given. */
function heldWrites() {
  const groups: number[][] = [];
  const releases: (() => void)[] = [];
  const write = async (requests: number[]) => {
    groups.push(requests);
    await new Promise<void>((resolve) => releases.push(resolve));
    if (requests.includes(-1)) {
      throw new Error('the group could not be written');
    }
    return requests.map((r) => r * 10);
  };
  return { groups, releases, write };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('write queue (group commit)', () => {
  it('sends a write to an idle queue at once, and groups those that arrive while it is being committed', async () => {
    const held = heldWrites();
    const queue = createWriteQueue({ write: held.write, maxGroup: 3, maxConcurrent: 1 });
    const first = queue.submit(1);
    await tick();
    expect(held.groups).toEqual([[1]]);
    const rest = [2, 3, 4, 5].map((n) => queue.submit(n));
    await tick();
    // One group at a time: the others wait for the first commit.
    expect(held.groups).toEqual([[1]]);
    held.releases.shift()?.();
    expect(await first).toBe(10);
    await tick();
    expect(held.groups).toEqual([[1], [2, 3, 4]]);
    held.releases.shift()?.();
    await tick();
    held.releases.shift()?.();
    expect(await Promise.all(rest)).toEqual([20, 30, 40, 50]);
    expect(held.groups).toEqual([[1], [2, 3, 4], [5]]);
  });

  it('fails every write of a group that could not be written, and only those', async () => {
    const held = heldWrites();
    const queue = createWriteQueue({ write: held.write, maxGroup: 2, maxConcurrent: 2 });
    const answers = [7, -1, 8].map((n) =>
      queue.submit(n).catch((error: unknown) => (error as Error).message),
    );
    await tick();
    expect(held.groups).toEqual([[7, -1], [8]]);
    held.releases.forEach((release) => release());
    expect(await Promise.all(answers)).toEqual([
      'the group could not be written',
      'the group could not be written',
      80,
    ]);
  });

  it('leaves out of its group a write whose request already timed out, and holds the others until answered', async () => {
    const held = heldWrites();
    const queue = createWriteQueue({ write: held.write, maxGroup: 4, maxConcurrent: 1 });
    const busy = queue.submit(1);
    await tick();
    const timedOut = new AbortController();
    timedOut.abort();
    const passed: RequestDeadline = { signal: timedOut.signal, hold: () => null };
    let holding = 0;
    const live: RequestDeadline = {
      signal: new AbortController().signal,
      hold: () => {
        holding += 1;
        return () => {
          holding -= 1;
        };
      },
    };
    const late = queue.submit(2, passed).catch((error: unknown) => error);
    const onTime = queue.submit(3, live);
    held.releases.shift()?.();
    await busy;
    await tick();
    expect(held.groups).toEqual([[1], [3]]);
    expect(holding).toBe(1);
    held.releases.shift()?.();
    expect(await onTime).toBe(30);
    expect(holding).toBe(0);
    expect(isRequestTimedOutError(await late)).toBe(true);
  });
});
