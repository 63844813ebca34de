/** Closed-loop load: `concurrency` workers each send the next request as soon as theirs is answered. */
export interface LoadResult {
  requests: number;
  failed: number;
  /** Items the requests carried that the server accepted (1 per request, or a Bundle's entries). */
  accepted: number;
  elapsedMs: number;
  latenciesMs: number[];
  firstError: string | undefined;
}

export interface LoadOptions {
  concurrency: number;
  durationMs: number;
  /** Sends request `index`; resolves with the number of items accepted, throws on failure. */
  send: (index: number) => Promise<number>;
  /** First request index (so a warm-up and the measured run send different resources). */
  firstIndex?: number;
}

export async function runClosedLoop({
  concurrency,
  durationMs,
  send,
  firstIndex = 0,
}: LoadOptions): Promise<LoadResult & { nextIndex: number }> {
  const latenciesMs: number[] = [];
  let next = firstIndex;
  let failed = 0;
  let accepted = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const end = started + durationMs;
  async function worker(): Promise<void> {
    while (performance.now() < end) {
      const index = next++;
      const sent = performance.now();
      try {
        // Awaited first: `accepted += await …` would read `accepted` before the await and lose counts.
        const items = await send(index);
        accepted += items;
        latenciesMs.push(performance.now() - sent);
      } catch (error) {
        failed += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  return {
    requests: latenciesMs.length + failed,
    failed,
    accepted,
    elapsedMs: performance.now() - started,
    latenciesMs,
    firstError,
    nextIndex: next,
  };
}
