import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  buildTimelineEventHeaders,
  TIMELINE_EVENT_CONTENT_TYPE,
  TIMELINE_EVENT_SCHEMA_VERSION,
  TIMELINE_EVENT_TYPE,
  type TimelineSummaryEvent,
} from '@oncoimg/fhir-events';
import { kafkajsSecurity } from '@oncoimg/kafka';
import { testKafkaBrokers, testKafkaEnv, testKafkaSecurity, uniqueName } from '@oncoimg/testing';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { patientTag } from './summary-line.ts';
import { createTimelineConsumer, type ReceivedSummary, type TimelineConsumer } from './timeline-consumer.ts';

const brokers = testKafkaBrokers();
const security = kafkajsSecurity(testKafkaSecurity());
const kafka = new Kafka({
  clientId: 'timeline-consumer-example-test',
  brokers,
  logLevel: logLevel.WARN,
  ...security,
});
const PATIENT_KEY = 'https://hospital.example.org/mrn|EX-0001';

/** What the timeline service publishes after a first-line follow-up with a partial response. */
function summaryVersion(timelineVersion: number): TimelineSummaryEvent {
  return {
    schemaVersion: TIMELINE_EVENT_SCHEMA_VERSION,
    patientKey: PATIENT_KEY,
    timelineVersion,
    updatedAt: '2024-05-02T10:00:00.000Z',
    examCount: 2,
    currentBaseline: { examId: 'ServiceRequest/b1', date: '2024-03-04', episodeId: 'e1', line: 1 },
    latestResponse: {
      method: 'recist-1.1',
      label: 'Derived by this system, not a clinician',
      category: 'PR',
      words: 'shrunk',
      diseaseStatus: 'improved',
      sumOfDiametersMm: 52,
      baselineSumMm: 80,
      nadirSumMm: 80,
      percentFromBaseline: -35,
      percentFromNadir: -35,
      changeFromBaselineMm: -28,
      changeFromNadirMm: -28,
      diseaseStatusObservation: null,
      examId: 'ServiceRequest/f1',
      date: '2024-05-02',
    },
    bestOverallResponse: null,
    warnings: [],
    pending: { ordered: 0, unreported: 0 },
    problems: { unmatched: 0, ambiguous: 0 },
    radiation: { ionizingExamCount: 2, totalDlpMgyCm: 1210, totalEffectiveDoseMsv: null },
    exams: [],
  };
}

/** The message exactly as the timeline service writes it: key, JSON value, binary-mode CloudEvents headers. */
function timelineMessage(summary: TimelineSummaryEvent) {
  return {
    key: summary.patientKey,
    value: JSON.stringify(summary),
    headers: buildTimelineEventHeaders({
      patientKey: summary.patientKey,
      source: 'oncoimg/timeline-service',
      time: summary.updatedAt,
    }),
  };
}

async function eventually<T>(probe: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the example timeline consumer on the real broker', () => {
  let topic: string;
  let producer: Producer;
  let consumer: TimelineConsumer | undefined;

  beforeEach(async () => {
    topic = uniqueName('timeline-example');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  afterEach(async () => {
    await consumer?.stop();
    consumer = undefined;
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  });

  it('receives and decodes the summaries of a patient in version order, skipping what is not a summary', async () => {
    const received: ReceivedSummary[] = [];
    const invalid: string[] = [];
    consumer = createTimelineConsumer({
      brokers,
      security,
      groupId: uniqueName('example-group'),
      topic,
      onSummary: (summary) => {
        received.push(summary);
      },
      onInvalid: (error) => invalid.push(error.message),
    });
    await consumer.start();

    const notASummary = timelineMessage(summaryVersion(1));
    notASummary.headers.ce_type = 'imaging.servicerequest.created';
    await producer.send({
      topic,
      messages: [notASummary, timelineMessage(summaryVersion(1)), timelineMessage(summaryVersion(2))],
    });

    await eventually(() => (received.length >= 2 ? received : undefined), 'two summaries');
    expect(received.map((r) => r.summary)).toEqual([summaryVersion(1), summaryVersion(2)]);
    expect(received.map((r) => r.key)).toEqual([PATIENT_KEY, PATIENT_KEY]);
    expect(received[0].attributes).toMatchObject({
      type: TIMELINE_EVENT_TYPE,
      source: 'oncoimg/timeline-service',
      datacontenttype: TIMELINE_EVENT_CONTENT_TYPE,
    });
    expect(invalid).toEqual(['unexpected event type imaging.servicerequest.created']);
  });

  it('the example program prints one line per summary and never the patient key', async () => {
    await producer.send({ topic, messages: [timelineMessage(summaryVersion(1))] });
    const program = spawn(process.execPath, [fileURLToPath(new URL('main.ts', import.meta.url))], {
      env: {
        ...process.env,
        ...testKafkaEnv(),
        GROUP_ID: uniqueName('example-program'),
        FROM_BEGINNING: 'true',
        TOPIC_TIMELINE: topic,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    program.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    program.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const line = await eventually(
        () => output.split('\n').find((l) => l.startsWith('patient ')),
        'the summary line',
      );
      expect(line).toBe(
        `patient ${patientTag(PATIENT_KEY)} v1 | 2 exams | baseline line 1 2024-03-04 | ` +
          'latest PR (shrunk -35% from baseline) on 2024-05-02 | pending 0 ordered / 0 unreported, DLP 1210 mGy·cm',
      );
      expect(output).not.toContain('EX-0001');
    } finally {
      const exited = new Promise((resolve) => program.once('exit', resolve));
      program.kill('SIGTERM');
      await exited;
    }
  });
});
