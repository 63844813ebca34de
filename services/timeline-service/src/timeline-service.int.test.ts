import { createServer, type AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import type { TopicNames } from '@oncoimg/fhir-events';
import { RETRY_AFTER_SECONDS, UNKNOWN_ROUTE } from '@oncoimg/fhir-http';
import {
  createConsumerRunner,
  createEventProducer,
  ensureTopics,
  type ConsumedMessage,
  type EventProducer,
} from '@oncoimg/kafka';
import { openDatabase, type Database } from '@oncoimg/store';
import {
  authFetch,
  eventually,
  testAuth,
  testDatabaseTargets,
  testKafkaBrokers,
  uniqueName,
} from '@oncoimg/testing';
import {
  LungCancerPatient,
  lungCancerPathwayEvents,
  personaMessages,
  StagingBrainMrStudy,
} from '@oncoimg/testing/personas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyEvent, buildTimeline, emptyPatientRecords, type PatientTimeline } from './domain/index.ts';
import { rebuildTimelines } from './rebuild.ts';
import { createTimelineRepository } from './store/timeline.repository.ts';
import { publishEvents, startTestTimeline, uniqueTopics } from './timeline-service.fixtures.ts';
import { createTimelineService, type TimelineService } from './timeline-service.ts';

const brokers = testKafkaBrokers();

/** Publishes the lung cancer pathway on the run's topics, as the intake services would. */
const publishPathway = (producer: EventProducer, topics: TopicNames): Promise<number> =>
  publishEvents(producer, topics, lungCancerPathwayEvents());

/** The timeline the pure domain builds from the pathway: what the service must end with. */
function expectedTimeline(): PatientTimeline {
  const records = lungCancerPathwayEvents().reduce(
    (current, event) => applyEvent(current, event).records,
    emptyPatientRecords(LungCancerPatient.key),
  );
  return JSON.parse(JSON.stringify(buildTimeline(records))) as PatientTimeline;
}

/** Waits until the service serves exactly the expected timeline. */
async function finalTimeline(base: string): Promise<PatientTimeline> {
  const expected = expectedTimeline();
  const url = `${base}/api/patients/${encodeURIComponent(LungCancerPatient.key)}/timeline`;
  return eventually(
    async () => {
      const res = await authFetch(url);
      if (!res.ok) {
        return undefined;
      }
      const {
        timelineVersion: _version,
        updatedAt: _updatedAt,
        ...timeline
      } = (await res.json()) as Record<string, unknown>;
      // jsonb reorders keys, so compare structure, not text.
      return isDeepStrictEqual(timeline, expected) ? (timeline as unknown as PatientTimeline) : undefined;
    },
    'the complete timeline',
    30_000,
  );
}

describe.each(testDatabaseTargets())('timeline service on real Kafka and $name', (target) => {
  let db: Database;
  let service: TimelineService;
  let producer: EventProducer;
  let topics: TopicNames;
  let base: string;

  beforeEach(async () => {
    ({ db, service, topics, base } = await startTestTimeline(target, { unreportedAfterMs: 0 }));
    producer = createEventProducer({ brokers, clientId: 'timeline-int-test' });
    await producer.connect();
  });

  afterEach(async () => {
    await producer.disconnect();
    await service.stop();
    await db.close();
  });

  it('serves the timeline of a published pathway, publishes timeline events, and answers worklists and priors', async () => {
    const timelineEvents: ConsumedMessage[] = [];
    const reader = createConsumerRunner({
      brokers,
      clientId: 'test',
      groupId: uniqueName('reader'),
      topics: [topics.timeline],
      handler: async (message) => {
        timelineEvents.push(message);
      },
    });
    await reader.start();
    try {
      await publishPathway(producer, topics);
      const timeline = await finalTimeline(base);
      expect(timeline).toMatchObject({ schemaVersion: 1, patientKey: LungCancerPatient.key });

      const last = await eventually(async () => timelineEvents.at(-1), 'a timeline event', 30_000);
      expect(last.key).toBe(LungCancerPatient.key);
      expect(last.headers).toMatchObject({
        ce_type: 'imaging.timeline.updated',
        ce_subject: LungCancerPatient.key,
      });

      const search = (await (await authFetch(`${base}/api/patients?q=LC-0001`)).json()) as {
        patients: { patientKey: string }[];
      };
      expect(search.patients.map((p) => p.patientKey)).toEqual([LungCancerPatient.key]);

      const studyUid = StagingBrainMrStudy.identifier?.[0]?.value?.replace('urn:oid:', '') ?? '';
      const priors = await authFetch(`${base}/api/studies/${studyUid}/priors`);
      expect(priors.status).toBe(200);
      expect(((await priors.json()) as { priors: unknown[] }).priors.length).toBeGreaterThan(0);

      const unknown = await authFetch(`${base}/api/patients/${encodeURIComponent('urn:x|nobody')}/timeline`);
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');

      const ready = await authFetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      await reader.stop();
    }
  });

  it('sends a poison event to the dead-letter topic and goes on with the next one', async () => {
    const dead: ConsumedMessage[] = [];
    const dlqReader = createConsumerRunner({
      brokers,
      clientId: 'test',
      groupId: uniqueName('dlq'),
      topics: [`${topics.imagingStudy}.dlq`],
      handler: async (message) => {
        dead.push(message);
      },
    });
    await dlqReader.start();
    try {
      const first = personaMessages(lungCancerPathwayEvents()).at(0);
      await producer.send(topics.imagingStudy, [
        { key: LungCancerPatient.key, value: '{"resourceType":', headers: first?.headers ?? {} },
      ]);
      await publishPathway(producer, topics);
      await eventually(async () => (dead.length > 0 ? dead : undefined), 'the dead letter', 30_000);
      expect(dead[0]?.headers.dlq_reason).toBeTruthy();
      await eventually(
        async () => {
          const res = await authFetch(
            `${base}/api/patients/${encodeURIComponent(LungCancerPatient.key)}/timeline`,
          );
          return res.ok ? res : undefined;
        },
        'the timeline after the poison event',
        30_000,
      );
    } finally {
      await dlqReader.stop();
    }
  });

  it('a rebuild replays the topics into a fresh store and ends with the same timelines', async () => {
    const count = await publishPathway(producer, topics);
    const live = await finalTimeline(base);

    const fresh = await openDatabase({});
    try {
      const progress: number[] = [];
      const result = await rebuildTimelines({
        db: fresh,
        brokers,
        topics,
        onProgress: (p) => progress.push(p.events),
      });
      expect(result.events).toBe(count);
      expect(progress.at(-1)).toBe(count);
      const { rows } = await fresh.query<{ timeline: object }>(
        'SELECT timeline FROM timelines WHERE patient_key = $1',
        [LungCancerPatient.key],
      );
      expect(rows[0]?.timeline).toEqual(live);
      await expect(rebuildTimelines({ db: fresh, brokers, topics })).rejects.toThrow(/fresh store/);
    } finally {
      await fresh.close();
    }
    // A memory bound of one byte spills every event to the store: the same timeline all the same.
    const spilled = await openDatabase({});
    try {
      const result = await rebuildTimelines({ db: spilled, brokers, topics, memoryBytes: 1 });
      expect(result.spills).toBeGreaterThan(1);
      expect(
        (await createTimelineRepository({ db: spilled }).getTimeline(LungCancerPatient.key))?.timeline,
      ).toEqual(live);
    } finally {
      await spilled.close();
    }
  });
});

describe('timeline service HTTP edge', () => {
  let db: Database;
  let service: TimelineService;
  let base: string;

  beforeEach(async () => {
    const topics = uniqueTopics();
    await ensureTopics({ brokers, topics: Object.values(topics), numPartitions: 1 });
    // Its own PGlite, so closing it stops the database this service uses, as an outage would.
    db = await openDatabase();
    service = createTimelineService({
      access: (await testAuth()).access,
      db,
      brokers,
      port: 0,
      topics,
      groupId: uniqueName('edge'),
    });
    base = `http://127.0.0.1:${String((await service.start()).port)}`;
  });

  afterEach(async () => {
    await service.stop();
    await db.close();
  });

  it('lists its API at /api, and answers unknown routes and a stopped database as the intake services do', async () => {
    const index = await authFetch(`${base}/api`);
    expect(index.status).toBe(200);
    const { links } = (await index.json()) as { links: Record<string, string> };
    expect(links.timeline).toBe('/api/patients/{patientKey}/timeline');

    const unknown = await authFetch(`${base}/no/such/route`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await unknown.json()).toEqual(UNKNOWN_ROUTE);

    await db.close();
    const down = await authFetch(`${base}/api/patients?q=LC-0001`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe(String(RETRY_AFTER_SECONDS));
    expect(await down.json()).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'transient' }],
    });
    expect((await authFetch(`${base}/readyz`)).status).toBe(503);
  });
});

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('timeline service starting while Kafka is unreachable', () => {
  it('answers /healthz at once, /readyz 503 naming Kafka, keeps retrying, and stops cleanly', async () => {
    const db = await openDatabase();
    const port = await unusedPort();
    // Nothing listens on port 1: every connection is refused, as with a broker that is down.
    const service = createTimelineService({
      access: (await testAuth()).access,
      db,
      brokers: ['127.0.0.1:1'],
      port,
      groupId: uniqueName('down'),
    });
    const starting = service.start();
    try {
      const base = `http://127.0.0.1:${String(port)}`;
      const answer = (path: string) => authFetch(`${base}${path}`).catch(() => undefined);
      // Listening comes first: health answers while Kafka is still being retried.
      await eventually(async () => ((await answer('/healthz'))?.ok ? true : undefined), '/healthz', 5_000);
      const ready = await answer('/readyz');
      expect(ready?.status).toBe(503);
      const body = (await ready?.json()) as { missing: string[] };
      expect(body.missing).toEqual(expect.arrayContaining(['kafka', 'consumer group']));
    } finally {
      await service.stop();
      await starting;
      await db.close();
    }
  });
});
