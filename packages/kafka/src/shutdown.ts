/** Something that stops cleanly: a consumer runner, a producer, an HTTP server wrapper. */
export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Stops everything on SIGTERM or SIGINT, in the order given, then exits: 0 when all stopped,
 * 1 when one failed. A second signal exits at once.
 */
export function installShutdownHandlers(
  stoppables: readonly Stoppable[],
  { exit = (code: number) => process.exit(code) } = {},
): () => void {
  let stopping = false;
  const onSignal = () => {
    if (stopping) {
      exit(1);
      return;
    }
    stopping = true;
    void (async () => {
      let code = 0;
      for (const stoppable of stoppables) {
        try {
          await stoppable.stop();
        } catch {
          code = 1;
        }
      }
      exit(code);
    })();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
