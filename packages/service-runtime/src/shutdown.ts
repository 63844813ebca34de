/** Something that stops cleanly: a service, its database, telemetry. */
export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Stops each in the order given, going on past a failure so one stuck part cannot keep the
 * others (and the database under them) open. Resolves false when one failed.
 */
export async function stopInOrder(stoppables: readonly Stoppable[]): Promise<boolean> {
  let allStopped = true;
  for (const stoppable of stoppables) {
    try {
      await stoppable.stop();
    } catch {
      allStopped = false;
    }
  }
  return allStopped;
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
    void stopInOrder(stoppables).then((allStopped) => exit(allStopped ? 0 : 1));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
