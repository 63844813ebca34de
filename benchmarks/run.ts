/**
 * `npm run bench`: the figures of issues 4 (intake), 5 (timeline) and 15 (overload), each beside the raw baseline
 * measured in the same run, with PASS/MISS against its target. Prints a table and writes
 * bench-results/<timestamp>.json. Settings: see benchmarks/README.md (BENCH_QUICK=1 for a smoke run).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '@oncoimg/service-runtime';
import { accessRows, benchAccess } from './access.bench.ts';
import { benchBackfill, type BackfillFigures } from './backfill.bench.ts';
import { readBenchConfig, type BenchConfig } from './config.ts';
import { benchIntake, benchValidation, type IntakeFigures, type ValidationFigures } from './intake.bench.ts';
import { machineInfo, startMachineCpuMeter } from './machine.ts';
import { benchOverload, type OverloadFigures } from './overload.bench.ts';
import { figure, formatTable, type FigureRow } from './report.ts';
import { startRssSampler } from './rss-sampler.ts';
import { newSyntheticRun } from './synthetic-imaging.ts';
import { TARGETS } from './targets.ts';
import { benchRebuild, benchTimeline, type RebuildFigures, type TimelineFigures } from './timeline.bench.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function intakeRows(intake: IntakeFigures, validation: ValidationFigures): FigureRow[] {
  const section = `intake (${intake.database})`;
  const rows: FigureRow[] = [];
  const onServer = intake.database === 'postgres';
  for (const [label, phase] of [
    ['single POST', intake.single],
    ['batch Bundle', intake.batch],
  ] as const) {
    const failed = phase.failed > 0 ? `${String(phase.failed)} failed: ${phase.firstError ?? ''}` : undefined;
    rows.push(
      figure(section, `${label}: accepted`, phase.resourcesPerSecond, 'resources/s', {
        ...(onServer
          ? { target: label === 'batch Bundle' ? TARGETS.batchPerSecond : TARGETS.singlePerSecond }
          : {}),
        note: `${String(phase.resources)} in ${phase.seconds.toFixed(1)} s; service used ${phase.serviceCores.toFixed(2)} cores${failed ? `; ${failed}` : ''}`,
      }),
      figure(section, `${label}: p50 latency`, phase.latency.p50Ms, 'ms', {
        note: label === 'batch Bundle' ? 'per Bundle' : 'per request',
      }),
      figure(section, `${label}: p99 latency`, phase.latency.p99Ms, 'ms', {
        ...(onServer && label === 'single POST' ? { target: TARGETS.singleP99Ms } : {}),
      }),
      figure(
        section,
        `${label}: of raw validation`,
        phase.resourcesPerSecond / validation.resourcesPerSecond,
        '%',
        {
          target: label === 'batch Bundle' ? TARGETS.batchOfValidation : TARGETS.intakeOfValidation,
          note: 'intake rate / validateR4 rate (1 thread)',
        },
      ),
      figure(
        section,
        `${label}: of raw validation, per core`,
        phase.resourcesPerSecond / phase.serviceCores / (validation.resourcesPerSecond / validation.cores),
        '%',
        {
          target: label === 'batch Bundle' ? TARGETS.batchOfValidation : TARGETS.intakeOfValidation,
          note: 'both rates divided by the CPU cores each used',
        },
      ),
    );
  }
  rows.push(
    figure(section, 'RSS peak (service process)', intake.rssPeakBytes, 'MiB', {
      note: `outbox backlog at end: ${String(intake.outboxBacklogAtEnd ?? 'n/a')}`,
    }),
  );
  return rows;
}

function overloadRows(o: OverloadFigures, requestTimeoutMs: number): FigureRow[] {
  const section = `overload (${o.database})`;
  const answered = o.accepted + o.refused;
  return [
    figure(section, 'accepted (201)', o.acceptedPerSecond, 'resources/s', {
      note: `${String(o.concurrency)} concurrent clients for ${o.seconds.toFixed(0)} s; service used ${o.serviceCores.toFixed(2)} cores`,
    }),
    figure(section, 'refused (503 + Retry-After)', o.refusedPerSecond, 'answers/s', {
      note: `${String(o.refused)} of ${String(answered)} answers; ${String(o.refusedWithoutRetryAfter)} without Retry-After`,
    }),
    figure(section, 'unanswered or failed', o.failed + o.refusedWithoutRetryAfter, 'requests', {
      target: TARGETS.overloadUnanswered,
      note: o.firstError ?? 'every request got 201 or 503 with Retry-After',
    }),
    figure(section, 'answer p99 latency', o.latency.p99Ms, 'ms', {
      target: { kind: 'max', value: requestTimeoutMs },
      note: `p50 ${o.latency.p50Ms.toFixed(0)} ms, max ${o.latency.maxMs.toFixed(0)} ms; time limit ${String(requestTimeoutMs / 1000)} s`,
    }),
    figure(section, 'RSS peak (service process)', o.rssPeakBytes, 'MiB', {
      note: `${(o.rssAtStartBytes / 2 ** 20).toFixed(0)} MiB before the load, ${(o.rssAtEndBytes / 2 ** 20).toFixed(0)} MiB at its end`,
    }),
  ];
}

function timelineRows(t: TimelineFigures): FigureRow[] {
  const { consumer, latency } = t;
  const section = t.database === 'pglite' ? 'timeline' : 'timeline (postgres)';
  return [
    figure(section, 'raw kafkajs consume', consumer.raw.eventsPerSecond, 'events/s', {
      note: `${String(consumer.events)} events in ${consumer.raw.seconds.toFixed(2)} s, eachBatch, no processing`,
    }),
    figure(section, 'timeline service consumer', consumer.timeline.eventsPerSecond, 'events/s', {
      target: TARGETS.consumerEventsPerSecond,
      note: `${String(consumer.events)} events, ${String(consumer.patients)} patients in ${consumer.timeline.seconds.toFixed(1)} s; ${consumer.timeline.serviceCores.toFixed(2)} cores`,
    }),
    figure(
      section,
      'consumer of raw',
      consumer.timeline.eventsPerSecond / consumer.raw.eventsPerSecond,
      '%',
      { target: TARGETS.consumerOfRaw },
    ),
    figure(section, 'publish→visible p50', latency.latency.p50Ms, 'ms', {
      note: `${String(latency.observed)}/${String(latency.published)} seen at ${latency.achievedRate.toFixed(0)} events/s`,
    }),
    figure(section, 'publish→visible p99', latency.latency.p99Ms, 'ms', {
      target: TARGETS.latencyP99Ms,
      note: `max ${latency.latency.maxMs.toFixed(0)} ms; via ${latency.observedVia.split(' (')[0]}`,
    }),
    figure(section, 'RSS peak (service process)', t.rssPeakBytes, 'MiB', {
      target: TARGETS.rssPeakBytes,
      note: `while draining ${String(consumer.events)} events prepared on the topics, then the latency phase`,
    }),
    ...(t.scaleOut
      ? [
          figure(section, 'two instances: consumer', t.scaleOut.eventsPerSecond, 'events/s', {
            note: `${String(t.scaleOut.events)} events in ${t.scaleOut.seconds.toFixed(1)} s, one group, one schema; RSS peaks ${t.scaleOut.rssPeakBytes.map((b) => (b / 2 ** 20).toFixed(0)).join(' / ')} MiB`,
          }),
          figure(
            section,
            'two instances vs one',
            t.scaleOut.eventsPerSecond / consumer.timeline.eventsPerSecond,
            '×',
            { target: TARGETS.scaleOutRatio, note: 'same events, same run' },
          ),
        ]
      : []),
  ];
}

function rebuildRows(r: RebuildFigures): FigureRow[] {
  const section = r.database === 'pglite' ? 'rebuild' : 'rebuild (postgres)';
  return [
    figure(section, 'rebuild rate', r.eventsPerSecond, 'events/s', {
      note: `${String(r.events)} events, ${String(r.patients)} patients in ${r.seconds.toFixed(1)} s (reading ${r.readingSeconds.toFixed(1)} s, ${String(r.spills)} spills)`,
    }),
    figure(
      section,
      r.extrapolated ? 'rebuild 1 M events (EXTRAPOLATED)' : 'rebuild 1 M events',
      r.secondsFor1M,
      's',
      {
        target: TARGETS.rebuild1MSeconds,
        note: r.extrapolated
          ? `extrapolated from ${String(r.events)} events at the measured rate`
          : 'measured',
      },
    ),
    figure(section, 'RSS peak (rebuild process)', r.rssPeakBytes, 'MiB', { target: TARGETS.rssPeakBytes }),
  ];
}

function backfillRows(b: BackfillFigures): FigureRow[] {
  const section = `backfill (${b.database})`;
  return [
    figure(section, 'studies accepted', b.studies / b.postSeconds, 'resources/s', {
      note: `${String(b.studies)} ImagingStudies for ${String(b.patients)} patients in ${b.postSeconds.toFixed(1)} s; ${String(b.refusals)} answered 503 and retried`,
    }),
    figure(section, 'drained after the last POST', b.drainSeconds, 's', {
      target: TARGETS.backfillDrainSeconds,
      note: 'every study consumed and every timeline event published (outbox empty)',
    }),
    figure(section, 'RSS peak, timeline service', b.rssPeakBytes.timeline, 'MiB', {
      target: TARGETS.rssPeakBytes,
    }),
    figure(section, 'RSS peak, study service', b.rssPeakBytes.study, 'MiB', { target: TARGETS.rssPeakBytes }),
  ];
}

async function runSections(config: BenchConfig, rows: FigureRow[], details: Record<string, unknown>) {
  const run = newSyntheticRun();
  const execArgv = (name: string) =>
    config.cpuProfile
      ? [
          '--cpu-prof',
          '--cpu-prof-dir',
          join(ROOT, 'bench-results', 'profiles'),
          '--cpu-prof-name',
          `${name}-${run.tag}.cpuprofile`,
        ]
      : [];
  if (config.sections.has('intake')) {
    log('intake: raw validation (validateR4, one thread)');
    const validation = benchValidation(config, run);
    details.validation = validation;
    rows.push(
      figure('intake', 'raw validateR4', validation.resourcesPerSecond, 'resources/s', {
        note: `${String(validation.resources)} in ${validation.seconds.toFixed(1)} s, one thread`,
      }),
    );
    const targets: { kind: 'pglite' | 'postgres'; url?: string }[] = [{ kind: 'pglite' }];
    if (config.databaseUrl) {
      targets.push({ kind: 'postgres', url: config.databaseUrl });
    }
    for (const target of targets) {
      const dataDir = await mkdtemp(join(tmpdir(), 'bench-intake-'));
      try {
        const intake = await benchIntake(
          config,
          run,
          { kind: target.kind, dataDir, url: target.url, schema: `bench_intake_${run.tag}` },
          log,
          execArgv(`intake-${target.kind}`),
        );
        details[`intake_${target.kind}`] = intake;
        rows.push(...intakeRows(intake, validation));
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    }
    log('intake: the cost of token verification');
    const access = await benchAccess(config, run, log, execArgv('intake-access'));
    details.intake_access = access;
    rows.push(...accessRows(access));
  }
  if (config.sections.has('overload')) {
    log('overload: the order service under ten times the requests it handles at once');
    const dataDir = await mkdtemp(join(tmpdir(), 'bench-overload-'));
    try {
      const overload = await benchOverload(
        config,
        run,
        config.databaseUrl
          ? { kind: 'postgres', dataDir, url: config.databaseUrl, schema: `bench_overload_${run.tag}` }
          : { kind: 'pglite', dataDir },
        log,
        execArgv('overload'),
      );
      details.overload = overload;
      rows.push(...overloadRows(overload, DEFAULT_REQUEST_TIMEOUT_MS));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  if (config.sections.has('timeline')) {
    log('timeline: consumer throughput and latency');
    const timeline = await benchTimeline(config, run, log, execArgv);
    details.timeline = timeline;
    rows.push(...timelineRows(timeline));
  }
  if (config.sections.has('backfill')) {
    log('backfill: a history load through the study service into the timeline');
    const backfill = await benchBackfill(config, run, log, execArgv);
    details.backfill = backfill;
    rows.push(...backfillRows(backfill));
  }
  if (config.sections.has('rebuild')) {
    log('rebuild');
    const rebuild = await benchRebuild(config, run, log, execArgv('rebuild'));
    details.rebuild = rebuild;
    rows.push(...rebuildRows(rebuild));
  }
}

async function main(): Promise<void> {
  const config = readBenchConfig(process.env);
  const machine = machineInfo();
  const startedAt = new Date();
  const cpuMeter = startMachineCpuMeter();
  const ownCpuBefore = process.cpuUsage();
  const rss = startRssSampler();
  const rows: FigureRow[] = [];
  const details: Record<string, unknown> = {};
  log(
    `bench${config.quick ? ' (quick)' : ''}: ${[...config.sections].join(', ')} on ${String(machine.cores)} cores, ${machine.cpuModel}, Node ${machine.node}`,
  );
  let failure: Error | undefined;
  try {
    await runSections(config, rows, details);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
  }
  const elapsedMs = Date.now() - startedAt.getTime();
  const busyCores = cpuMeter.busyCores();
  const ownCpu = process.cpuUsage(ownCpuBefore);
  rss.stop();
  const header = [
    `Machine: ${String(machine.cores)} cores (nproc), ${machine.cpuModel}, ${String(machine.memoryGiB)} GiB, ${machine.platform}, Node ${machine.node}`,
    `Load average at start: ${machine.loadAverage1m.toFixed(2)}; whole machine busy ${busyCores.toFixed(2)} cores on average during the run ` +
      `(runner process alone ${((ownCpu.user + ownCpu.system) / 1000 / elapsedMs).toFixed(2)}; the rest is the service hosts, the broker and anything else running)`,
    `Kafka ${config.brokers.join(',')}; ${config.quick ? 'QUICK smoke run (small counts: figures are not representative)' : 'full run'}; ${(elapsedMs / 1000).toFixed(0)} s`,
  ];
  process.stdout.write(`\n${header.join('\n')}\n\n${formatTable(rows)}\n`);
  const outDir = join(ROOT, 'bench-results');
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(
    file,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        elapsedSeconds: elapsedMs / 1000,
        machine: { ...machine, busyCoresDuringRun: busyCores },
        config: {
          ...config,
          sections: [...config.sections],
          databaseUrl: config.databaseUrl ? 'set' : undefined,
        },
        figures: rows,
        details,
        runnerRssPeakBytes: rss.peakBytes(),
        error: failure?.message,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`\nResults: ${file}\n`);
  if (failure !== undefined) {
    throw failure;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
