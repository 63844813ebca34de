import type { Logger } from '@oncoimg/telemetry';

export interface StartupStepsOptions {
  logger: Logger;
  /** Read at every try: `stop()` flips it while a step is awaited or waiting to retry. */
  stopping: () => boolean;
  /** How long to wait before try `failures + 1`. */
  delayMs: (failures: number) => number;
}

export interface StartupSteps {
  /**
   * Runs one start-up step (migrate, create topics, join a group) until it succeeds, backing off
   * between tries; `undefined` once the service is stopping. An error `fatal` says no retry can
   * cure (a migration the database refuses for good: a configuration problem) is thrown, so the
   * process exits on it.
   */
  untilDone<T>(
    what: string,
    step: () => Promise<T>,
    fatal?: (error: unknown) => boolean,
  ): Promise<T | undefined>;
  /** Ends every wait between tries now, so a stopping service does not sit out a backoff. */
  wake(): void;
}

/** Start-up that rides out a dependency's outage instead of exiting: each step retried until done. */
export function createStartupSteps({ logger, stopping, delayMs }: StartupStepsOptions): StartupSteps {
  const waiting = new Set<() => void>();
  return {
    async untilDone(what, step, fatal = () => false) {
      for (let failures = 1; !stopping(); failures += 1) {
        try {
          return await step();
        } catch (error) {
          if (fatal(error)) {
            throw error;
          }
          const delay = delayMs(failures);
          logger.warn(`${what} failed; retrying`, {
            error: String(error),
            attempt: failures - 1,
            delayMs: delay,
          });
          await new Promise<void>((resolve) => {
            const wake = () => {
              clearTimeout(timer);
              waiting.delete(wake);
              resolve();
            };
            const timer = setTimeout(wake, delay);
            waiting.add(wake);
          });
        }
      }
      return undefined;
    },
    wake() {
      for (const wake of [...waiting]) {
        wake();
      }
    },
  };
}
