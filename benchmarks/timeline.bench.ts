/**
 * Issue 5: the timeline service's consumer against a raw kafkajs consumer of the same messages,
 * publish→visible latency at a steady rate, and the time to rebuild the timelines from the topics.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TopicNames } from '@oncoimg/fhir-events';
import { createEventProducer, ensureTopics, type EventProducer } from '@oncoimg/kafka';
import { uniqueName } from '@oncoimg/testing';
import { Kafka, logLevel } from 'kafkajs';
import type { BenchConfig } from './config.ts';
import { forkServiceHost } from './host-client.ts';
import { deleteTopics } from './topics.ts';
import { ratePerSecond, summarizeLatencies, type LatencySummary } from './stats.ts';
import {
  encodeSynthetic,
  syntheticEventBlocks,
  syntheticExam,
  syntheticPatientCount,
  type SyntheticEvent,
  type SyntheticRun,
} from './synthetic-imaging.ts';

type InputRole = SyntheticEvent['role'];
type InputTopics = Pick<TopicNames, InputRole>;

export interface ConsumerFigures {
  events: number;
  patients: number;
  publishSeconds: number;
  raw: { seconds: number; eventsPerSecond: number };
  timeline: { seconds: number; eventsPerSecond: number; serviceCores: number };
}

export interface LatencyFigures {
  /** What "visible" means here. */
  observedVia: string;
  targetRate: number;
  achievedRate: number;
  published: number;
  observed: number;
  latency: LatencySummary;
}

export interface TimelineFigures {
  database: 'pglite' | 'postgres';
  consumer: ConsumerFigures;
  latency: LatencyFigures;
  rssPeakBytes: number;
}

export interface RebuildFigures {
  events: number;
  patients: number;
  publishSeconds: number;
  seconds: number;
  eventsPerSecond: number;
  /** Seconds for 1,000,000 events: measured when `events` is 1 M, else extrapolated from the rate. */
  secondsFor1M: number;
  extrapolated: boolean;
  rssPeakBytes: number;
}

/** Messages per producer request: large enough to amortise a round trip, small enough for one request. */
const PUBLISH_CHUNK = 1_000;
/** A raw consumer that has not read everything by then never will (a broker problem). */
const RAW_TIMEOUT_MS = 300_000;
/** How long after the last publish the latency phase waits for the stragglers. */
const LATENCY_DRAIN_MS = 10_000;

function freshTopics(prefix: string): InputTopics & { timeline: string } {
  return {
    serviceRequest: uniqueName(`${prefix}.servicerequest`),
    imagingStudy: uniqueName(`${prefix}.imagingstudy`),
    diagnosticReport: uniqueName(`${prefix}.diagnosticreport`),
    timeline: uniqueName(`${prefix}.timeline`),
  };
}

async function sendByTopic(producer: EventProducer, topics: InputTopics, events: readonly SyntheticEvent[]) {
  for (const role of ['serviceRequest', 'imagingStudy', 'diagnosticReport'] as const) {
    const messages = events.filter((e) => e.role === role).map((e) => e.message);
    for (let i = 0; i < messages.length; i += PUBLISH_CHUNK) {
      await producer.send(topics[role], messages.slice(i, i + PUBLISH_CHUNK));
    }
  }
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

/** The timeline's change stream (`GET /api/events`, what the web page listens to), as patient keys. */
function subscribeToChanges(port: number, onChange: (patientKey: string) => void): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/events' }, (res) => {
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const frame = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const data = frame.split('\n').find((line) => line.startsWith('data: '));
          if (data) onChange((JSON.parse(data.slice(6)) as { patientKey: string }).patientKey);
        }
      });
      resolve(() => req.destroy());
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The events of the latency phase, in publishing order: round-robin over a pool of patients (those
 * with timelines already, then new ones when the pool must be larger), each getting a new exam's
 * order, then on its next turn the study, then the report. A patient's turns are
 * `pool / rate` seconds apart, so normally only one of its events is in flight.
 */
function latencySchedule(
  run: SyntheticRun,
  existingPatients: number,
  examsPerPatient: number,
  total: number,
) {
  const pool = Math.max(existingPatients, Math.ceil(total / 3));
  return Array.from({ length: total }, (_, k) => {
    const patient = k % pool;
    const step = Math.floor(k / pool);
    // Existing patients get their next exam; new patients (index past the existing) their first.
    const examIndex = (patient < existingPatients ? examsPerPatient : 0) + Math.floor(step / 3);
    const exam = syntheticExam(run, patient, examIndex);
    if (step % 3 === 0) return encodeSynthetic('serviceRequest', exam.order, 0);
    if (step % 3 === 1) return encodeSynthetic('imagingStudy', exam.study, 0);
    return encodeSynthetic('diagnosticReport', exam.report, 0);
  });
}

/**
 * Publishes at `rate` events/s for `seconds` and times each event until the timeline of its
 * patient changes on the change stream. An event whose patient still has one in flight waits (and
 * so does everything behind it): the first change of a patient after a publish is then that
 * event's, and a service that falls behind shows as a lower achieved rate, never as lost samples.
 */
async function measureLatency(
  config: BenchConfig,
  run: SyntheticRun,
  topics: InputTopics,
  port: number,
  patients: number,
  examsPerPatient: number,
): Promise<LatencyFigures> {
  const { latencyRate: rate, latencySeconds: seconds } = config.timeline;
  const schedule = latencySchedule(run, patients, examsPerPatient, rate * seconds);
  const pending = new Map<string, number>();
  const latencies: number[] = [];
  const unsubscribe = await subscribeToChanges(port, (patientKey) => {
    const sentAt = pending.get(patientKey);
    if (sentAt === undefined) return;
    latencies.push(performance.now() - sentAt);
    pending.delete(patientKey);
  });
  const producer = createEventProducer({ brokers: config.brokers, clientId: 'bench-latency' });
  await producer.connect();
  let published = 0;
  const started = performance.now();
  try {
    while (published < schedule.length) {
      const due = Math.min(schedule.length, Math.floor(((performance.now() - started) / 1000) * rate));
      const events: SyntheticEvent[] = [];
      const keys = new Set<string>();
      for (let k = published; k < due; k++) {
        const event = schedule[k];
        if (pending.has(event.key) || keys.has(event.key)) break;
        keys.add(event.key);
        events.push(event);
      }
      if (events.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        continue;
      }
      const sentAt = performance.now();
      for (const event of events) pending.set(event.key, sentAt);
      await sendByTopic(producer, topics, events);
      published += events.length;
    }
    const publishedFor = (performance.now() - started) / 1000;
    const drainUntil = performance.now() + LATENCY_DRAIN_MS;
    while (pending.size > 0 && performance.now() < drainUntil) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return {
      observedVia: 'SSE GET /api/events (the change notice the web page reloads on), sent after commit',
      targetRate: rate,
      achievedRate: published / publishedFor,
      published,
      observed: latencies.length,
      latency: summarizeLatencies(latencies),
    };
  } finally {
    unsubscribe();
    await producer.disconnect();
  }
}

/** Consumer throughput (raw and timeline service) on `events` pre-published events, then latency. */
export async function benchTimeline(
  config: BenchConfig,
  run: SyntheticRun,
  log: (line: string) => void,
  execArgv: string[],
): Promise<TimelineFigures> {
  const { events } = config.timeline;
  const examsPerPatient = 4;
  const patients = syntheticPatientCount(events, examsPerPatient);
  const topics = freshTopics('bench.timeline');
  const inputTopics = [topics.serviceRequest, topics.imagingStudy, topics.diagnosticReport];
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-timeline-'));
  const host = forkServiceHost({ execArgv });
  try {
    await ensureTopics({
      brokers: config.brokers,
      topics: [...inputTopics, topics.timeline],
      numPartitions: 3,
    });
    log(`  timeline: publishing ${String(events)} events for ${String(patients)} patients`);
    const publishSeconds = await publishEvents(config, run, topics, events, log);
    log('  timeline: raw kafkajs consumer');
    const rawSeconds = await rawConsume(config, inputTopics, events);
    log('  timeline: timeline service consumer');
    const { port } = await host.call(
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
    const latency = await measureLatency(config, run, topics, port, patients, examsPerPatient);
    const stopped = await host.stop();
    return {
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

/** `rebuildTimelines` over `rebuildEvents` pre-published events into a fresh PGlite store. */
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
    await ensureTopics({ brokers: config.brokers, topics: inputTopics, numPartitions: 3 });
    log(`  rebuild: publishing ${String(events)} events`);
    const publishSeconds = await publishEvents(config, run, topics, events, log);
    log(`  rebuild: rebuilding from ${String(events)} events`);
    const rebuilt = await host.call(
      { type: 'rebuild', brokers: config.brokers, database: { dataDir }, topics },
      'rebuilt',
    );
    const stopped = await host.stop();
    const eventsPerSecond = ratePerSecond(rebuilt.events, rebuilt.elapsedMs);
    return {
      events: rebuilt.events,
      patients: rebuilt.patients,
      publishSeconds,
      seconds: rebuilt.elapsedMs / 1000,
      eventsPerSecond,
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
