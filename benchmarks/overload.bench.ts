/**
 * Issue 15, point 6: overload answers, not timeouts. The order service with its default admission
 * control (64 in flight, 64 queued) under ten times as many concurrent clients as it handles at
 * once, each sending its next order as soon as it has an answer (ignoring Retry-After: the worst
 * case). Every request must get an answer (201, or 503 with Retry-After) within the service's
 * time limit, and the service's memory must stay bounded.
 */
import type { BenchConfig } from './config.ts';
import { withIntakeHost } from './intake-host.ts';
import type { DatabaseTarget } from './host-protocol.ts';
import { createHttpClient } from './http-client.ts';
import { runClosedLoop } from './load.ts';
import { ratePerSecond, summarizeLatencies, type LatencySummary } from './stats.ts';
import { asNewResource, syntheticExam, type SyntheticRun } from './synthetic-imaging.ts';

export interface OverloadFigures {
  database: 'pglite' | 'postgres';
  concurrency: number;
  seconds: number;
  accepted: number;
  refused: number;
  /** Refusals without a Retry-After header. */
  refusedWithoutRetryAfter: number;
  /** Requests with no HTTP answer (connection errors) or another status. */
  failed: number;
  firstError: string | undefined;
  acceptedPerSecond: number;
  refusedPerSecond: number;
  latency: LatencySummary;
  rssAtStartBytes: number;
  rssAtEndBytes: number;
  rssPeakBytes: number;
  serviceCores: number;
}

export async function benchOverload(
  config: BenchConfig,
  run: SyntheticRun,
  database: DatabaseTarget & { kind: 'pglite' | 'postgres' },
  log: (line: string) => void,
  execArgv: string[],
): Promise<OverloadFigures> {
  const { concurrency, seconds } = config.overload;
  return withIntakeHost(
    config,
    database,
    execArgv,
    'bench.overload.servicerequest',
    async (host, port, headers) => {
      const http = createHttpClient({ port, connections: concurrency, headers });
      let refused = 0;
      let refusedWithoutRetryAfter = 0;
      const send = async (index: number) => {
        const order = asNewResource(syntheticExam(run, index, index % 4).order);
        const answer = await http.post('/fhir/ServiceRequest', JSON.stringify(order));
        if (answer.status === 201) {
          return 1;
        }
        if (answer.status === 503 || answer.status === 429) {
          refused += 1;
          if (answer.retryAfter === undefined) {
            refusedWithoutRetryAfter += 1;
          }
          return 0;
        }
        throw new Error(`POST answered ${String(answer.status)}: ${answer.body.slice(0, 300)}`);
      };
      const before = (await host.call({ type: 'usage' }, 'usage')).usage;
      log(`  overload (${database.kind}): ${String(concurrency)} concurrent clients, ${String(seconds)} s`);
      const result = await runClosedLoop({ concurrency, durationMs: seconds * 1000, send });
      const after = (await host.call({ type: 'usage' }, 'usage')).usage;
      http.close();
      const stopped = await host.stop();
      return {
        database: database.kind,
        concurrency,
        seconds: result.elapsedMs / 1000,
        accepted: result.accepted,
        refused,
        refusedWithoutRetryAfter,
        failed: result.failed,
        firstError: result.firstError,
        acceptedPerSecond: ratePerSecond(result.accepted, result.elapsedMs),
        refusedPerSecond: ratePerSecond(refused, result.elapsedMs),
        latency: summarizeLatencies(result.latenciesMs),
        rssAtStartBytes: before.rssBytes,
        rssAtEndBytes: after.rssBytes,
        rssPeakBytes: stopped.usage.rssPeakBytes,
        serviceCores: (after.cpuMs - before.cpuMs) / result.elapsedMs,
      };
    },
  );
}
