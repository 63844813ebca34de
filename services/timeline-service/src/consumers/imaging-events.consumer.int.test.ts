import type { ImagingStudy, Observation } from '@medplum/fhirtypes';
import type { TimelineSummaryEvent } from '@oncoimg/fhir-events';
import { migrate, outboxMigrations, type Database } from '@oncoimg/store';
import { openTestDatabase, testDatabaseTargets } from '@oncoimg/testing';
import {
  LungCancerPatient,
  lungCancerPathwayEvents,
  ResponsePatient,
  responsePathwayEvents,
  nextVersion,
  OldBaselineScenario,
  personaEvent,
  personaMessages,
  StagingBrainMrStudy,
  type PersonaMessage,
} from '@oncoimg/testing/personas';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { timelineMigrations } from '../store/timeline.migrations.ts';
import { createObservationRepository } from '../store/observation.repository.ts';
import { createTimelineRepository, type TimelineRepository } from '../store/timeline.repository.ts';
import { handleImagingEvents, type ImagingEventsDeps } from './imaging-events.consumer.ts';
import { createPatientCache } from './patient-cache.ts';

const GROUP = 'timeline-test';
const TIMELINE_TOPIC = 'imaging.timeline.v1';

async function outboxTimelineEvents(db: Database): Promise<{ key: string; value: string }[]> {
  const { rows } = await db.query<{ message_key: string; value: string }>(
    'SELECT message_key, value FROM outbox WHERE topic = $1 ORDER BY id',
    [TIMELINE_TOPIC],
  );
  return rows.map((row) => ({ key: row.message_key, value: row.value }));
}

/** Without what says when it was stored: the content a receiver compares. */
function content({ meta, ...observation }: Observation): Observation {
  return { ...observation, meta: { ...meta, versionId: undefined, lastUpdated: undefined } };
}

/** What a receiver holds after applying every event's `responseChanges` in order. */
async function replayedObservations(db: Database): Promise<Map<string, Observation>> {
  const held = new Map<string, Observation>();
  for (const event of await outboxTimelineEvents(db)) {
    for (const change of (JSON.parse(event.value) as TimelineSummaryEvent).responseChanges ?? []) {
      if (change.observation) {
        expect(held.has(change.observationId)).toBe(change.change === 'updated');
        held.set(change.observationId, change.observation);
      } else {
        expect(held.delete(change.observationId)).toBe(true);
      }
    }
  }
  return held;
}

async function storedObservations(db: Database): Promise<Map<string, Observation>> {
  const { rows } = await db.query<{ id: string; observation: Observation }>(
    'SELECT id, observation FROM timeline_observations ORDER BY id',
  );
  return new Map(rows.map((row) => [row.id, row.observation]));
}

function withOffsets(messages: readonly PersonaMessage[], start: number): PersonaMessage[] {
  return messages.map((m, i) => ({ ...m, offset: String(start + i) }));
}

describe.each(testDatabaseTargets())('imaging events consumer on $name', (target) => {
  let db: Database;
  let repository: TimelineRepository;
  let deps: ImagingEventsDeps;

  beforeEach(async () => {
    db = await openTestDatabase(target);
    await migrate(db, [...outboxMigrations, ...timelineMigrations]);
    repository = createTimelineRepository({ db });
    deps = {
      db,
      repository,
      observations: createObservationRepository({ db }),
      groupId: GROUP,
      timelineTopic: TIMELINE_TOPIC,
      source: 'test',
      patientCache: createPatientCache(),
    };
  });
  afterEach(async () => {
    await db.close();
  });

  it('builds the timeline of a pathway delivered in order, and publishes one event per change', async () => {
    const messages = personaMessages(lungCancerPathwayEvents());
    for (const message of messages) {
      await handleImagingEvents([message], deps);
    }
    const stored = await repository.getTimeline(LungCancerPatient.key);
    expect(stored?.timeline.exams.length).toBeGreaterThan(8);
    expect(stored?.timeline.currentBaseline).not.toBeNull();
    const events = await outboxTimelineEvents(db);
    expect(events.length).toBe(stored?.version);
    expect(events.every((event) => event.key === LungCancerPatient.key)).toBe(true);
    expect(JSON.parse(events.at(-1)?.value ?? '{}')).toMatchObject({ timelineVersion: stored?.version });
  });

  it('stores each follow-up response as a CancerDiseaseStatus, and the events say what each version made of them', async () => {
    for (const message of personaMessages(responsePathwayEvents())) {
      await handleImagingEvents([message], deps);
    }
    const stored = await storedObservations(db);
    expect(stored.size).toBeGreaterThan(0);
    for (const observation of stored.values()) {
      expect(observation).toMatchObject({
        code: { coding: [{ code: '97509-4' }] },
        status: 'preliminary',
        meta: { versionId: expect.any(String) as string, lastUpdated: expect.any(String) as string },
      });
    }
    const timeline = (await repository.getTimeline(ResponsePatient.key))?.timeline;
    const stated = timeline?.exams.flatMap((exam) => exam.response?.diseaseStatusObservation?.id ?? []);
    expect([...stored.keys()].sort()).toEqual(stated?.sort());
    // A receiver that applies the changes in order holds exactly what the service serves.
    expect(await replayedObservations(db)).toEqual(stored);
  });

  it('a redelivered batch changes nothing and publishes nothing', async () => {
    const messages = personaMessages(lungCancerPathwayEvents());
    await handleImagingEvents(messages, deps);
    const before = await repository.getTimeline(LungCancerPatient.key);
    const eventsBefore = (await outboxTimelineEvents(db)).length;

    const again = await handleImagingEvents(messages, deps);

    expect(again.skipped).toBe(messages.length);
    expect(again.changes).toEqual([]);
    expect((await repository.getTimeline(LungCancerPatient.key))?.version).toBe(before?.version);
    expect((await outboxTimelineEvents(db)).length).toBe(eventsBefore);
  });

  it('the same event republished at a new offset changes nothing', async () => {
    const messages = personaMessages(lungCancerPathwayEvents());
    await handleImagingEvents(messages, deps);
    const version = (await repository.getTimeline(LungCancerPatient.key))?.version;

    const republished = withOffsets(messages, 1_000);
    const result = await handleImagingEvents(republished, deps);

    expect(result.skipped).toBe(0);
    expect(result.unchanged).toBe(messages.length);
    expect((await repository.getTimeline(LungCancerPatient.key))?.version).toBe(version);
  });

  it('takes the clinical settings it is given: a 250-day window accepts a 200-day-old baseline without warning', async () => {
    const messages = personaMessages(OldBaselineScenario.events);
    const patientKey = OldBaselineScenario.patient.key;
    await handleImagingEvents(messages, deps);
    expect((await repository.getTimeline(patientKey))?.timeline.warnings).toMatchObject([
      { code: 'baseline-older-than-window' },
    ]);
    const other = await openTestDatabase(target);
    try {
      await migrate(other, [...outboxMigrations, ...timelineMigrations]);
      const otherRepository = createTimelineRepository({ db: other });
      await handleImagingEvents(messages, {
        ...deps,
        db: other,
        repository: otherRepository,
        timelineOptions: { baselineWindowDays: 250, confirmationDays: 28 },
      });
      expect((await otherRepository.getTimeline(patientKey))?.timeline.warnings).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('a study moved to another patient leaves the first timeline and joins the second', async () => {
    await handleImagingEvents(personaMessages(lungCancerPathwayEvents()), deps);
    const other = { system: LungCancerPatient.identifier.system, value: 'LC-0002' };
    const moved: ImagingStudy = nextVersion(StagingBrainMrStudy, '2024-06-01T00:00:00Z', {
      subject: { type: 'Patient', identifier: other },
    });
    const message = withOffsets(
      personaMessages([personaEvent(moved, { patientKey: `${other.system}|${other.value}` })]),
      500,
    ).at(0);
    if (!message) {
      throw new Error('no message');
    }

    const result = await handleImagingEvents([message], deps);

    expect(result.changes.map((c) => c.patientKey).sort()).toEqual(
      [LungCancerPatient.key, `${other.system}|${other.value}`].sort(),
    );
    const first = await repository.getTimeline(LungCancerPatient.key);
    const second = await repository.getTimeline(`${other.system}|${other.value}`);
    const uid = 'ImagingStudy/' + (StagingBrainMrStudy.id ?? '');
    expect(first?.timeline.exams.some((exam) => exam.study?.reference === uid)).toBe(false);
    expect(second?.timeline.exams.some((exam) => exam.study?.reference === uid)).toBe(true);
  });

  it('a patient another instance changed since this one cached it is rebuilt from what that instance stored', async () => {
    const events = lungCancerPathwayEvents();
    // The first batch holds the study, so this instance caches it before the other voids it.
    const half = events.findIndex((event) => event.resource.id === StagingBrainMrStudy.id) + 1;
    const voided: ImagingStudy = nextVersion(StagingBrainMrStudy, '2024-06-01T00:00:00Z', {
      status: 'entered-in-error',
    });
    const correctionEvent = personaEvent(voided, { patientKey: LungCancerPatient.key });
    // In delivery order, so that each batch's offsets follow the previous ones.
    const all = withOffsets(
      personaMessages([...events.slice(0, half), correctionEvent, ...events.slice(half)]),
      0,
    );
    const messages = [...all.slice(0, half), ...all.slice(half + 1)];
    const correction = all.slice(half, half + 1);
    await handleImagingEvents(messages.slice(0, half), deps);
    // Another instance (its own cache) applies the correction to a study this one holds a copy of.
    await handleImagingEvents(correction, { ...deps, patientCache: createPatientCache() });
    await handleImagingEvents(messages.slice(half), deps);
    const cached = (await repository.getTimeline(LungCancerPatient.key))?.timeline;

    await db.exec(
      'TRUNCATE timeline_resources, timelines, timeline_study_index, timeline_observations, consumer_offsets, outbox',
    );
    const uncached = { ...deps, patientCache: undefined };
    await handleImagingEvents([...messages, ...correction], uncached);

    expect(cached).toEqual((await repository.getTimeline(LungCancerPatient.key))?.timeline);
    const uid = 'ImagingStudy/' + (StagingBrainMrStudy.id ?? '');
    expect(cached?.removed.some((exam) => exam.parts.some((part) => part.reference === uid))).toBe(true);
  });

  it('refuses a message that is not a FHIR event as non-retriable, so it can go to the dead-letter topic', async () => {
    const good = personaMessages(lungCancerPathwayEvents()).at(0);
    if (!good) {
      throw new Error('no message');
    }
    const poison = { ...good, value: Buffer.from('{not json') };
    await expect(handleImagingEvents([poison], deps)).rejects.toMatchObject({ retriable: false });
    expect(await repository.getTimeline(LungCancerPatient.key)).toBeUndefined();
  });

  it('ends with the same timeline and Observations for any arrival order, batching and duplication', async () => {
    // Two patients: the lung pathway's linking and the response pathway's RECIST follow-ups.
    const inOrder = personaMessages([...lungCancerPathwayEvents(), ...responsePathwayEvents()]);
    for (const message of inOrder) {
      await handleImagingEvents([message], deps);
    }
    const timelines = async () =>
      Promise.all(
        [LungCancerPatient.key, ResponsePatient.key].map(
          async (key) => (await repository.getTimeline(key))?.timeline,
        ),
      );
    const expected = await timelines();
    const expectedObservations = [...(await storedObservations(db)).values()].map(content);
    expect(expectedObservations.length).toBeGreaterThan(0);

    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(inOrder, { minLength: inOrder.length, maxLength: inOrder.length }),
        fc.array(fc.integer({ min: 0, max: inOrder.length - 1 }), { maxLength: 5 }),
        fc.integer({ min: 1, max: 8 }),
        async (shuffled, duplicateIndexes, batchSize) => {
          await db.exec(
            'TRUNCATE timeline_resources, timelines, timeline_study_index, timeline_observations, consumer_offsets, outbox',
          );
          const delivery = withOffsets([...shuffled, ...duplicateIndexes.map((i) => shuffled[i])], 0);
          for (let at = 0; at < delivery.length; at += batchSize) {
            await handleImagingEvents(delivery.slice(at, at + batchSize), deps);
          }
          expect(await timelines()).toEqual(expected);
          const stored = await storedObservations(db);
          expect([...stored.values()].map(content)).toEqual(expectedObservations);
          expect(await replayedObservations(db)).toEqual(stored);
        },
      ),
      { numRuns: 15 },
    );
  });
});
