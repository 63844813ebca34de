/** Peak resident set size of this process, sampled: the figure a container memory limit meets. */
export interface RssSampler {
  peakBytes(): number;
  stop(): void;
}

/** Samples `process.memoryUsage.rss()` every `everyMs` (cheap: one syscall) until stopped. */
export function startRssSampler(everyMs = 100): RssSampler {
  let peak = process.memoryUsage.rss();
  const sample = () => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) {
      peak = rss;
    }
  };
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    peakBytes() {
      sample();
      return peak;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
