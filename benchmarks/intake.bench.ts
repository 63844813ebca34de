/**
 * Issue 4: resources accepted per second through the real order service (validation, storage,
 * transactional outbox and its relay to Kafka), against the raw cost of R4 validation alone.
 */
import type { Bundle } from '@medplum/fhirtypes';
import { ensureR4Definitions, validateR4 } from '@oncoimg/fhir-events';
import type { BenchConfig } from './config.ts';
import { withIntakeHost } from './intake-host.ts';
import type { DatabaseTarget, HostUsage } from './host-protocol.ts';
import { createHttpClient } from './http-client.ts';
import { runClosedLoop, type LoadResult } from './load.ts';
import { ratePerSecond, summarizeLatencies, type LatencySummary } from './stats.ts';
import { asNewResource, syntheticExam, type SyntheticRun } from './synthetic-imaging.ts';

export interface IntakePhase {
  requests: number;
  failed: number;
  firstError: string | undefined;
  resources: number;
  seconds: number;
  resourcesPerSecond: number;
  latency: LatencySummary;
  /** CPU the service process used during the phase, in cores (1 = one core busy all the time). */
  serviceCores: number;
}

export interface IntakeFigures {
  database: 'pglite' | 'postgres';
  single: IntakePhase;
  batch: IntakePhase;
  rssPeakBytes: number;
  /** Events still in the outbox when the load stopped: whether the relay kept up. */
  outboxBacklogAtEnd: number | null;
}

export interface ValidationFigures {
  resources: number;
  seconds: number;
  resourcesPerSecond: number;
  /** CPU of the validating thread, in cores (about 1). */
  cores: number;
}

/** The order of the `index`-th request: a different patient and accession every time. */
function orderBody(run: SyntheticRun, index: number): object {
  return asNewResource(syntheticExam(run, index, index % 4).order);
}

function phaseOf(result: LoadResult, before: HostUsage, after: HostUsage): IntakePhase {
  return {
    requests: result.requests,
    failed: result.failed,
    firstError: result.firstError,
    resources: result.accepted,
    seconds: result.elapsedMs / 1000,
    resourcesPerSecond: ratePerSecond(result.accepted, result.elapsedMs),
    latency: summarizeLatencies(result.latenciesMs),
    serviceCores: (after.cpuMs - before.cpuMs) / result.elapsedMs,
  };
}

/** Single POSTs, then batch Bundles, against one order service in its own process. */
export async function benchIntake(
  config: BenchConfig,
  run: SyntheticRun,
  database: DatabaseTarget & { kind: 'pglite' | 'postgres' },
  log: (line: string) => void,
  execArgv: string[],
): Promise<IntakeFigures> {
  const { warmupSeconds, seconds, concurrency, bundleSize, bundleConcurrency } = config.intake;
  return withIntakeHost(
    config,
    database,
    execArgv,
    'bench.intake.servicerequest',
    async (host, port, headers) => {
      const http = createHttpClient({ port, connections: Math.max(concurrency, bundleConcurrency), headers });
      const single = async (index: number) => {
        const answer = await http.post('/fhir/ServiceRequest', JSON.stringify(orderBody(run, index)));
        if (answer.status !== 201) {
          throw new Error(`POST answered ${String(answer.status)}: ${answer.body.slice(0, 300)}`);
        }
        return 1;
      };
      const batch = async (index: number) => {
        const bundle: Bundle = {
          resourceType: 'Bundle',
          type: 'batch',
          entry: Array.from({ length: bundleSize }, (_, i) => ({
            resource: orderBody(run, index * bundleSize + i) as never,
            request: { method: 'POST' as const, url: 'ServiceRequest' },
          })),
        };
        const answer = await http.post('/fhir', JSON.stringify(bundle));
        if (answer.status !== 200) {
          throw new Error(`batch answered ${String(answer.status)}: ${answer.body.slice(0, 300)}`);
        }
        const response = JSON.parse(answer.body) as Bundle;
        const created = (response.entry ?? []).filter((e) => e.response?.status.startsWith('201')).length;
        if (created !== bundleSize) {
          throw new Error(`batch created ${String(created)} of ${String(bundleSize)}`);
        }
        return created;
      };

      log(`  intake (${database.kind}): warm-up ${String(warmupSeconds)} s`);
      // Request indexes keep counting across phases, so every resource posted is new.
      const nextIndex = (await runClosedLoop({ concurrency, durationMs: warmupSeconds * 1000, send: single }))
        .nextIndex;
      let before = (await host.call({ type: 'usage' }, 'usage')).usage;
      log(
        `  intake (${database.kind}): single POST, ${String(concurrency)} concurrent, ${String(seconds)} s`,
      );
      const singleResult = await runClosedLoop({
        concurrency,
        durationMs: seconds * 1000,
        send: single,
        firstIndex: nextIndex,
      });
      let after = (await host.call({ type: 'usage' }, 'usage')).usage;
      const singlePhase = phaseOf(singleResult, before, after);

      // Bundle indexes are counted in bundles; start past every single POST's resource.
      const firstBundle = Math.ceil((singleResult.nextIndex + 1) / bundleSize);
      before = after;
      log(
        `  intake (${database.kind}): batch Bundles of ${String(bundleSize)}, ${String(bundleConcurrency)} concurrent, ${String(seconds)} s`,
      );
      const batchResult = await runClosedLoop({
        concurrency: bundleConcurrency,
        durationMs: seconds * 1000,
        send: batch,
        firstIndex: firstBundle,
      });
      after = (await host.call({ type: 'usage' }, 'usage')).usage;
      const batchPhase = phaseOf(batchResult, before, after);
      http.close();
      const stopped = await host.stop();
      return {
        database: database.kind,
        single: singlePhase,
        batch: batchPhase,
        rssPeakBytes: stopped.usage.rssPeakBytes,
        outboxBacklogAtEnd: stopped.outboxBacklog,
      };
    },
  );
}

/** `validateR4` alone, single thread, on orders like the ones posted: the raw baseline. */
export function benchValidation(config: BenchConfig, run: SyntheticRun): ValidationFigures {
  ensureR4Definitions();
  // The same generator and indexes as the posted orders: the same resources.
  const resources = Array.from({ length: 4_000 }, (_, index) => orderBody(run, index));
  const measure = (durationMs: number) => {
    let count = 0;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    while (performance.now() - started < durationMs) {
      for (let i = 0; i < 100; i++) {
        const issues = validateR4(resources[count % resources.length]);
        if (issues.length > 0) {
          throw new Error(`synthetic order is invalid: ${JSON.stringify(issues)}`);
        }
        count += 1;
      }
    }
    const elapsedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    return { count, elapsedMs, cores: (cpu.user + cpu.system) / 1000 / elapsedMs };
  };
  measure(1_000);
  const { count, elapsedMs, cores } = measure(config.intake.validateSeconds * 1000);
  return {
    resources: count,
    seconds: elapsedMs / 1000,
    resourcesPerSecond: ratePerSecond(count, elapsedMs),
    cores,
  };
}
