import { describe, expect, it } from 'vitest';
import { Mutex } from './mutex.ts';

describe('Mutex', () => {
  it('runs callers one at a time in the order they asked', async () => {
    const mutex = new Mutex();
    const events: string[] = [];
    const task = (name: string, gate: Promise<void>) =>
      mutex.run(async () => {
        events.push(`${name} start`);
        await gate;
        events.push(`${name} end`);
        return name;
      });
    let openFirst!: () => void;
    const first = task('first', new Promise((resolve) => (openFirst = resolve)));
    const second = task('second', Promise.resolve());
    await Promise.resolve();
    expect(events).toEqual(['first start']);
    openFirst();
    expect(await Promise.all([first, second])).toEqual(['first', 'second']);
    expect(events).toEqual(['first start', 'first end', 'second start', 'second end']);
  });

  it('lets the next caller run after one fails', async () => {
    const mutex = new Mutex();
    await expect(mutex.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.run(() => Promise.resolve('after'))).resolves.toBe('after');
  });
});
