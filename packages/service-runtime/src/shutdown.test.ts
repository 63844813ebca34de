import { afterEach, describe, expect, it } from 'vitest';
import { installShutdownHandlers, stopInOrder } from './shutdown.ts';

describe('stopInOrder', () => {
  it('stops each in the order given and goes on past a failure', async () => {
    const stopped: string[] = [];
    const allStopped = await stopInOrder([
      { stop: async () => void stopped.push('http') },
      {
        stop: async () => {
          stopped.push('relay');
          throw new Error('stuck');
        },
      },
      { stop: async () => void stopped.push('database') },
    ]);
    expect(stopped).toEqual(['http', 'relay', 'database']);
    expect(allStopped).toBe(false);
  });
});

describe('installShutdownHandlers', () => {
  let uninstall: (() => void) | undefined;
  afterEach(() => uninstall?.());

  it('stops everything on SIGTERM, then exits 0', async () => {
    const stopped: string[] = [];
    const code = await new Promise<number>((resolve) => {
      uninstall = installShutdownHandlers(
        [{ stop: async () => void stopped.push('service') }, { stop: async () => void stopped.push('db') }],
        {
          exit: (code): never => {
            resolve(code);
            return undefined as never;
          },
        },
      );
      process.emit('SIGTERM');
    });
    expect(stopped).toEqual(['service', 'db']);
    expect(code).toBe(0);
  });

  it('exits 1 when a part fails to stop, and at once on a second signal', async () => {
    const codes: number[] = [];
    let release: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      uninstall = installShutdownHandlers(
        [
          {
            stop: () =>
              new Promise<void>((_resolve, reject) => {
                release = () => reject(new Error('failed'));
              }),
          },
        ],
        {
          exit: (code): never => {
            codes.push(code);
            if (codes.length === 2) {
              resolve();
            }
            return undefined as never;
          },
        },
      );
    });
    process.emit('SIGINT');
    process.emit('SIGINT');
    release();
    await done;
    expect(codes).toEqual([1, 1]);
  });
});
