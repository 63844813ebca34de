/**
 * The latency phase of the timeline benchmark: events published at a steady rate, each timed until
 * the timeline's change stream names its patient.
 */
import { request } from 'node:http';
import type { TopicNames } from '@oncoimg/fhir-events';
import { createEventProducer, type EventProducer } from '@oncoimg/kafka';
import type { BenchConfig } from './config.ts';
import { summarizeLatencies, type LatencySummary } from './stats.ts';
import {
  encodeSynthetic,
  syntheticExam,
  type SyntheticEvent,
  type SyntheticRun,
} from './synthetic-imaging.ts';

export type InputRole = SyntheticEvent['role'];
export type InputTopics = Pick<TopicNames, InputRole>;

export interface LatencyFigures {
  /** What "visible" means here. */
  observedVia: string;
  targetRate: number;
  achievedRate: number;
  published: number;
  observed: number;
  latency: LatencySummary;
}

/** Messages per producer request: large enough to amortise a round trip, small enough for one request. */
const PUBLISH_CHUNK = 1_000;
/** How long after the last publish the latency phase waits for the stragglers. */
const LATENCY_DRAIN_MS = 10_000;

export async function sendByTopic(
  producer: EventProducer,
  topics: InputTopics,
  events: readonly SyntheticEvent[],
) {
  for (const role of ['serviceRequest', 'imagingStudy', 'diagnosticReport'] as const) {
    const messages = events.filter((e) => e.role === role).map((e) => e.message);
    for (let i = 0; i < messages.length; i += PUBLISH_CHUNK) {
      await producer.send(topics[role], messages.slice(i, i + PUBLISH_CHUNK));
    }
  }
}

/** Where the timeline service under benchmark listens, and the header its API needs. */
export interface TimelineEndpoint {
  port: number;
  authorization: string;
}

/** The timeline's change stream (`GET /api/events`, what the web page listens to), as patient keys. */
function subscribeToChanges(
  { port, authorization }: TimelineEndpoint,
  onChange: (patientKey: string) => void,
): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path: '/api/events', headers: { authorization } };
    const req = request(options, (res) => {
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const frame = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const data = frame.split('\n').find((line) => line.startsWith('data: '));
          if (data) {
            onChange((JSON.parse(data.slice(6)) as { patientKey: string }).patientKey);
          }
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
    if (step % 3 === 0) {
      return encodeSynthetic('serviceRequest', exam.order, 0);
    }
    if (step % 3 === 1) {
      return encodeSynthetic('imagingStudy', exam.study, 0);
    }
    return encodeSynthetic('diagnosticReport', exam.report, 0);
  });
}

export /**
 * Publishes at `rate` events/s for `seconds` and times each event until the timeline of its
 * patient changes on the change stream. An event whose patient still has one in flight waits (and
 * so does everything behind it): the first change of a patient after a publish is then that
 * event's, and a service that falls behind shows as a lower achieved rate, never as lost samples.
 */
async function measureLatency(
  config: BenchConfig,
  run: SyntheticRun,
  topics: InputTopics,
  endpoint: TimelineEndpoint,
  patients: number,
  examsPerPatient: number,
): Promise<LatencyFigures> {
  const { latencyRate: rate, latencySeconds: seconds } = config.timeline;
  const schedule = latencySchedule(run, patients, examsPerPatient, rate * seconds);
  const pending = new Map<string, number>();
  const latencies: number[] = [];
  const unsubscribe = await subscribeToChanges(endpoint, (patientKey) => {
    const sentAt = pending.get(patientKey);
    if (sentAt === undefined) {
      return;
    }
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
        if (pending.has(event.key) || keys.has(event.key)) {
          break;
        }
        keys.add(event.key);
        events.push(event);
      }
      if (events.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        continue;
      }
      const sentAt = performance.now();
      for (const event of events) {
        pending.set(event.key, sentAt);
      }
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
