import { StoreError } from '../errors.ts';

/** `promise`, or a `TIMEOUT` StoreError with `message` once `timeoutMs` passed. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new StoreError('TIMEOUT', message));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Sleeper {
  sleep(ms: number): Promise<void>;
  wake(): void;
}

/** Sleeps that `wake()` ends early, so `stop()` does not wait out a long backoff. */
export function createSleeper(): Sleeper {
  const sleeping = new Set<() => void>();
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          sleeping.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        sleeping.add(done);
      }),
    wake: () => {
      for (const done of [...sleeping]) {
        done();
      }
    },
  };
}
