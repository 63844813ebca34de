/**
 * Issue 5: the timeline service's consumer against a raw kafkajs consumer of the same messages,
 * publish→visible latency at a steady rate, and the time to rebuild the timelines from the topics.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventProducer, ensureTopics } from '@oncoimg/kafka';
import { uniqueName } from '@oncoimg/testing';
import { Kafka, logLevel } from 'kafkajs';
import type { BenchConfig } from './config.ts';
import { forkServiceHost } from './host-client.ts';
import { deleteTopics } from './topics.ts';
import { benchScaleOut, type ScaleOutFigures } from './scale-out.bench.ts';
import { ratePerSecond } from './stats.ts';
import { syntheticEventBlocks, syntheticPatientCount, type SyntheticRun } from './synthetic-imaging.ts';
import { measureLatency, sendByTopic, type InputTopics, type LatencyFigures } from './timeline-latency.ts';

export interface ConsumerFigures {
  events: number;
  patients: number;
  publishSeconds: number;
  raw: { seconds: number; eventsPerSecond: number };
  timeline: { seconds: number; eventsPerSecond: number; serviceCores: number };
}

export interface TimelineFigures {
  database: 'pglite' | 'postgres';
  consumer: ConsumerFigures;
  latency: LatencyFigures;
  rssPeakBytes: number;
  /** Two instances on the same events (PostgreSQL only: PGlite is one process's store). */
  scaleOut: ScaleOutFigures | null;
}

export interface RebuildFigures {
  events: number;
  patients: number;
  publishSeconds: number;
  seconds: number;
  eventsPerSecond: number;
  database: 'pglite' | 'postgres';
  /** Of `seconds`: reading the topics into memory (with spills); the rest writes the store. */
  readingSeconds: number;
  spills: number;
  /** Seconds for 1,000,000 events: measured when `events` is 1 M, else extrapolated from the rate. */
  secondsFor1M: number;
  extrapolated: boolean;
  rssPeakBytes: number;
}

/** A raw consumer that has not read everything by then never will (a broker problem). */
const RAW_TIMEOUT_MS = 300_000;

function freshTopics(prefix: string): InputTopics & { timeline: string } {
  return {
    serviceRequest: uniqueName(`${prefix}.servicerequest`),
    imagingStudy: uniqueName(`${prefix}.imagingstudy`),
    diagnosticReport: uniqueName(`${prefix}.diagnosticreport`),
    timeline: uniqueName(`${prefix}.timeline`),
  };
}

/** Publishes `total` events of the synthetic pathways; returns the seconds it took. */
async function publishEvents(
  config: BenchConfig,
  run: SyntheticRun,
  topics: InputTopics,
  total: number,
  log: (line: string) => void,
): Promise<number> {
  const producer = createEventProducer({ brokers: config.brokers, clientId: 'bench-publisher' });
  const started = performance.now();
  let published = 0;
  let lastLog = started;
  try {
    for (const block of syntheticEventBlocks(run, { total })) {
      await sendByTopic(producer, topics, block);
      published += block.length;
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        log(`    published ${String(published)}/${String(total)}`);
      }
    }
  } finally {
    await producer.disconnect();
  }
  return (performance.now() - started) / 1000;
}

/** kafkajs with no processing at all: the ceiling a consumer of these topics can reach here. */
async function rawConsume(config: BenchConfig, topics: readonly string[], total: number): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench-raw', brokers: config.brokers, logLevel: logLevel.NOTHING });
  // The same fetch wait as the service's consumer runner, so both see the same broker behaviour.
  const consumer = kafka.consumer({ groupId: uniqueName('bench-raw'), maxWaitTimeInMs: 500 });
  let joinedAt = 0;
  let count = 0;
  let done: () => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const finished = new Promise<void>((resolve, reject) => {
    done = resolve;
    timer = setTimeout(() => {
      reject(
        new Error(
          `raw consumer read ${String(count)} of ${String(total)} messages in ${String(RAW_TIMEOUT_MS / 1000)} s`,
        ),
      );
    }, RAW_TIMEOUT_MS);
  });
  let finishedAt = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joinedAt = performance.now();
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        count += batch.messages.length;
        if (count >= total && finishedAt === 0) {
          finishedAt = performance.now();
          done();
        }
        return Promise.resolve();
      },
    });
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return (finishedAt - joinedAt) / 1000;
}

/** Consumer throughput (raw and timeline service) on `events` pre-published events, then latency. */
export async function benchTimeline(
  config: BenchConfig,
  run: SyntheticRun,
  log: (line: string) => void,
  execArgv: (name: string) => string[],
): Promise<TimelineFigures> {
  const { events } = config.timeline;
  const examsPerPatient = 4;
  const patients = syntheticPatientCount(events, examsPerPatient);
  const topics = freshTopics('bench.timeline');
  const inputTopics = [topics.serviceRequest, topics.imagingStudy, topics.diagnosticReport];
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-timeline-'));
  const host = forkServiceHost({ execArgv: execArgv('timeline') });
  try {
    await ensureTopics({
      brokers: config.brokers,
      topics: [...inputTopics, topics.timeline],
      numPartitions: config.timeline.partitions,
    });
    log(`  timeline: publishing ${String(events)} events for ${String(patients)} patients`);
    const publishSeconds = await publishEvents(config, run, topics, events, log);
    log('  timeline: raw kafkajs consumer');
    const rawSeconds = await rawConsume(config, inputTopics, events);
    log('  timeline: timeline service consumer');
    const { port, authorization } = await host.call(
      {
        type: 'start-timeline',
        brokers: config.brokers,
        database: {
          dataDir,
          url: config.timeline.databaseUrl,
          schema: `bench_timeline_${run.tag}`,
        },
        topics,
        groupId: uniqueName('bench-timeline'),
      },
      'started',
    );
    const before = (await host.call({ type: 'usage' }, 'usage')).usage;
    const consumed = await host.call(
      { type: 'wait-consumed', total: events, timeoutMs: 1_800_000 },
      'consumed',
    );
    const after = (await host.call({ type: 'usage' }, 'usage')).usage;
    const timelineSeconds = consumed.elapsedMs / 1000;
    log(
      `  timeline: publish→visible at ${String(config.timeline.latencyRate)} events/s for ${String(config.timeline.latencySeconds)} s`,
    );
    const latency = await measureLatency(
      config,
      run,
      topics,
      { port, authorization },
      patients,
      examsPerPatient,
    );
    const stopped = await host.stop();
    const url = config.timeline.databaseUrl;
    let scaleOut: ScaleOutFigures | null = null;
    if (url) {
      log('  timeline: two instances in one group, the same events');
      scaleOut = await benchScaleOut(config, { url, tag: run.tag, topics, events }, execArgv);
    }
    return {
      scaleOut,
      database: config.timeline.databaseUrl ? 'postgres' : 'pglite',
      consumer: {
        events,
        patients,
        publishSeconds,
        raw: { seconds: rawSeconds, eventsPerSecond: events / rawSeconds },
        timeline: {
          seconds: timelineSeconds,
          eventsPerSecond: ratePerSecond(events, consumed.elapsedMs),
          // Includes the wait for the first fetch; the service does nothing else meanwhile.
          serviceCores: (after.cpuMs - before.cpuMs) / consumed.elapsedMs,
        },
      },
      latency,
      rssPeakBytes: stopped.usage.rssPeakBytes,
    };
  } catch (error) {
    await host.stop().catch(() => undefined);
    throw error;
  } finally {
    await deleteTopics(config.brokers, [...inputTopics, topics.timeline]).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** `rebuildTimelines` over `rebuildEvents` pre-published events into a fresh store (PostgreSQL when set). */
export async function benchRebuild(
  config: BenchConfig,
  run: SyntheticRun,
  log: (line: string) => void,
  execArgv: string[],
): Promise<RebuildFigures> {
  const events = config.timeline.rebuildEvents;
  const topics = freshTopics('bench.rebuild');
  const inputTopics = [topics.serviceRequest, topics.imagingStudy, topics.diagnosticReport];
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-rebuild-'));
  const host = forkServiceHost({ execArgv });
  try {
    await ensureTopics({
      brokers: config.brokers,
      topics: inputTopics,
      numPartitions: config.timeline.partitions,
    });
    log(`  rebuild: publishing ${String(events)} events`);
    const publishSeconds = await publishEvents(config, run, topics, events, log);
    log(`  rebuild: rebuilding from ${String(events)} events`);
    const rebuilt = await host.call(
      {
        type: 'rebuild',
        brokers: config.brokers,
        database: { dataDir, url: config.timeline.databaseUrl, schema: `bench_rebuild_${run.tag}` },
        topics,
      },
      'rebuilt',
    );
    const stopped = await host.stop();
    const eventsPerSecond = ratePerSecond(rebuilt.events, rebuilt.elapsedMs);
    return {
      events: rebuilt.events,
      patients: rebuilt.patients,
      publishSeconds,
      seconds: rebuilt.elapsedMs / 1000,
      readingSeconds: rebuilt.readingMs / 1000,
      spills: rebuilt.spills,
      eventsPerSecond,
      database: config.timeline.databaseUrl ? 'postgres' : 'pglite',
      secondsFor1M: rebuilt.events >= 1_000_000 ? rebuilt.elapsedMs / 1000 : 1_000_000 / eventsPerSecond,
      extrapolated: rebuilt.events < 1_000_000,
      rssPeakBytes: stopped.usage.rssPeakBytes,
    };
  } catch (error) {
    await host.stop().catch(() => undefined);
    throw error;
  } finally {
    await deleteTopics(config.brokers, inputTopics).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
}
