/**
 * Joins the batches that kafkajs hands to concurrent `eachBatch` calls (one per partition of the
 * same fetch) into one handler call: a consumer of several topics keyed alike (the timeline's
 * order, study and report topics) then does its work once per fetch rather than once per
 * partition, so a patient whose three events arrived together is recomputed once.
 *
 * Calls that arrive before the event loop's next turn are joined; each caller's promise settles
 * with the joint call, so a failure reaches every partition's processor, which then isolates the
 * failing message on its own (without joining).
 */
export function createBatchCoalescer<M>(
  handle: (messages: M[]) => Promise<void>,
): (messages: M[]) => Promise<void> {
  let waiting: { messages: M[]; settle: (error: Error | null) => void }[] = [];

  async function flush(): Promise<void> {
    const joined = waiting;
    waiting = [];
    let failure: Error | null = null;
    try {
      await handle(joined.flatMap((call) => call.messages));
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
    }
    for (const call of joined) {
      call.settle(failure);
    }
  }

  return (messages) =>
    new Promise<void>((resolve, reject) => {
      if (waiting.length === 0) {
        // setImmediate runs after the other partitions' eachBatch calls of this fetch got going.
        setImmediate(() => void flush());
      }
      waiting.push({ messages, settle: (error) => (error === null ? resolve() : reject(error)) });
    });
}
