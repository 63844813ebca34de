/** Benchmark settings, read once from the environment by run.ts (the composition root). */

export const BENCH_SECTIONS = ['intake', 'overload', 'timeline', 'rebuild', 'backfill'] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

export interface BenchConfig {
  quick: boolean;
  brokers: string[];
  /** When set, intake is measured on this PostgreSQL server too (after PGlite). */
  databaseUrl: string | undefined;
  sections: ReadonlySet<BenchSection>;
  intake: {
    warmupSeconds: number;
    seconds: number;
    concurrency: number;
    bundleSize: number;
    bundleConcurrency: number;
    validateSeconds: number;
    /** Group commit of concurrent single POSTs (BENCH_GROUP_COMMIT=0 turns it off, for comparison). */
    groupCommit: boolean;
  };
  /** Ten times as many concurrent clients as the intake service handles at once (64 in flight). */
  overload: {
    concurrency: number;
    seconds: number;
  };
  timeline: {
    /**
     * PostgreSQL for the timeline and rebuild stores instead of PGlite: BENCH_TIMELINE_DATABASE_URL,
     * else DATABASE_URL (the production store is measured as such); `BENCH_TIMELINE_PGLITE=1` keeps PGlite.
     */
    databaseUrl: string | undefined;
    /** Partitions of each input topic (BENCH_PARTITIONS): the deployed default, 12. */
    partitions: number;
    events: number;
    latencyRate: number;
    latencySeconds: number;
    rebuildEvents: number;
  };
  /** A history load through the study service into the timeline (issue 15). */
  backfill: {
    studies: number;
    patients: number;
  };
  /** Write V8 CPU profiles of the service hosts to bench-results/profiles/. */
  cpuProfile: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function positiveInteger(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer, not ${JSON.stringify(raw)}`);
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

function flag(env: Env, name: string): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  return raw !== '' && raw !== '0' && raw !== 'false' && raw !== 'no';
}

/**
 * The settings: full-size by default, small with BENCH_QUICK=1 (a smoke run of a minute or two).
 * Every count can be set on its own; BENCH_ONLY=intake,overload,timeline,rebuild picks sections.
 */
export function readBenchConfig(env: Env): BenchConfig {
  const quick = flag(env, 'BENCH_QUICK');
  const only = (env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only.filter((s) => !(BENCH_SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_ONLY: unknown section ${unknown.join(', ')} (known: ${BENCH_SECTIONS.join(', ')})`,
    );
  }
  return {
    quick,
    brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    databaseUrl: env.DATABASE_URL === '' ? undefined : env.DATABASE_URL,
    sections: new Set(only.length > 0 ? (only as BenchSection[]) : BENCH_SECTIONS),
    intake: {
      warmupSeconds: positiveInteger(env, 'BENCH_WARMUP_SECONDS', quick ? 1 : 3),
      seconds: positiveInteger(env, 'BENCH_INTAKE_SECONDS', quick ? 3 : 20),
      concurrency: positiveInteger(env, 'BENCH_CONCURRENCY', 16),
      bundleSize: positiveInteger(env, 'BENCH_BUNDLE_SIZE', 100),
      bundleConcurrency: positiveInteger(env, 'BENCH_BUNDLE_CONCURRENCY', 4),
      validateSeconds: positiveInteger(env, 'BENCH_VALIDATE_SECONDS', quick ? 2 : 10),
      groupCommit: (env.BENCH_GROUP_COMMIT ?? '') === '' || flag(env, 'BENCH_GROUP_COMMIT'),
    },
    overload: {
      concurrency: positiveInteger(env, 'BENCH_OVERLOAD_CONCURRENCY', 640),
      seconds: positiveInteger(env, 'BENCH_OVERLOAD_SECONDS', quick ? 5 : 30),
    },
    timeline: {
      databaseUrl: flag(env, 'BENCH_TIMELINE_PGLITE')
        ? undefined
        : (nonEmpty(env.BENCH_TIMELINE_DATABASE_URL) ?? nonEmpty(env.DATABASE_URL)),
      partitions: positiveInteger(env, 'BENCH_PARTITIONS', 12),
      events: positiveInteger(env, 'BENCH_EVENTS', quick ? 3_000 : 100_000),
      latencyRate: positiveInteger(env, 'BENCH_LATENCY_RATE', quick ? 200 : 1_000),
      latencySeconds: positiveInteger(env, 'BENCH_LATENCY_SECONDS', quick ? 3 : 20),
      // The full million with BENCH_REBUILD_FULL=1: publishing it alone takes about a minute here.
      rebuildEvents: positiveInteger(
        env,
        'BENCH_REBUILD_EVENTS',
        quick ? 6_000 : flag(env, 'BENCH_REBUILD_FULL') ? 1_000_000 : 200_000,
      ),
    },
    backfill: {
      studies: positiveInteger(env, 'BENCH_BACKFILL_STUDIES', quick ? 2_000 : 25_000),
      patients: positiveInteger(env, 'BENCH_BACKFILL_PATIENTS', quick ? 40 : 500),
    },
    cpuProfile: flag(env, 'BENCH_CPU_PROF'),
  };
}
