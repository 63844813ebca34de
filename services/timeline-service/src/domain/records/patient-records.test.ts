import { describe, expect, test } from 'vitest';
import { TimelineDomainError } from '../errors.ts';
import { applyEvent, emptyPatientRecords, entryPatientKey } from './patient-records.ts';
import type { TimelineInputEvent } from './input-event.ts';
import {
  BaselineChestCtOrder,
  BaselineChestCtOrderCompleted,
  LungCancerPatient,
  personaDeleteEvent,
  personaEvent,
  recordsFrom,
} from '../timeline.fixtures.ts';

const key = LungCancerPatient.key;
const created = personaEvent(BaselineChestCtOrder, { patientKey: key });
const completed = personaEvent(BaselineChestCtOrderCompleted, { patientKey: key });
const ref = 'ServiceRequest/lc-baseline-ct-order';

describe('applying events to a patient’s records', () => {
  test('a newer version replaces the older one', () => {
    const records = recordsFrom(key, [created, completed]);
    expect(records.entries[ref].resource).toEqual(BaselineChestCtOrderCompleted);
  });

  test('an older version arriving late is stale and changes nothing', () => {
    const latest = recordsFrom(key, [completed]);
    const result = applyEvent(latest, created);
    expect(result.outcome).toBe('stale');
    expect(result.changed).toBe(false);
    expect(result.records).toBe(latest);
  });

  test('the same event twice is a duplicate and changes nothing', () => {
    const once = recordsFrom(key, [created]);
    const twice = applyEvent(once, created);
    expect(twice.outcome).toBe('duplicate');
    expect(twice.changed).toBe(false);
    expect(twice.records).toBe(once);
  });

  test('versions compare as numbers, not text: version 10 is newer than version 9', () => {
    const v9 = personaEvent(
      { ...BaselineChestCtOrder, meta: { versionId: '9', lastUpdated: '2024-02-01T00:00:00Z' } },
      { patientKey: key },
    );
    const v10 = personaEvent(
      { ...BaselineChestCtOrderCompleted, meta: { versionId: '10', lastUpdated: '2024-01-01T00:00:00Z' } },
      { patientKey: key },
    );
    expect(recordsFrom(key, [v10, v9]).entries[ref].resource.status).toBe('completed');
  });

  test('without version ids, lastUpdated decides, then the event time', () => {
    const { meta: _ignored, ...bare } = BaselineChestCtOrder;
    const older = personaEvent(
      { ...bare, meta: { lastUpdated: '2024-02-01T10:00:00+01:00' } },
      { patientKey: key, action: 'created' },
    );
    const newer = personaEvent(
      { ...bare, status: 'completed', meta: { lastUpdated: '2024-02-01T10:00:01+01:00' } },
      { patientKey: key, action: 'updated' },
    );
    expect(recordsFrom(key, [newer, older]).entries[ref].resource.status).toBe('completed');
    const early = personaEvent(bare, { patientKey: key, action: 'created', time: '2024-02-01T10:00:00Z' });
    const late = personaEvent(
      { ...bare, status: 'completed' },
      { patientKey: key, action: 'updated', time: '2024-02-01T10:05:00Z' },
    );
    expect(recordsFrom(key, [late, early]).entries[ref].resource.status).toBe('completed');
  });

  test('a delete is a tombstone at its version and keeps the last live body for history', () => {
    const deleted = personaDeleteEvent(BaselineChestCtOrderCompleted, {
      patientKey: key,
      time: '2024-02-07T00:00:00Z',
    });
    const records = recordsFrom(key, [created, completed, deleted]);
    expect(records.entries[ref].stamp.deleted).toBe(true);
    expect(records.entries[ref].lastLive?.resource).toEqual(BaselineChestCtOrderCompleted);
  });

  test('a delete that arrives before the versions it deletes still wins, and learns their newest body', () => {
    const deleted = personaDeleteEvent(BaselineChestCtOrderCompleted, {
      patientKey: key,
      time: '2024-02-07T00:00:00Z',
    });
    const records = recordsFrom(key, [deleted, created, completed]);
    expect(records).toEqual(recordsFrom(key, [created, completed, deleted]));
  });

  test('a delete event carrying only a stub belongs to the patient of its Kafka key', () => {
    const stub = {
      key,
      action: 'deleted',
      attributes: {
        id: 'e1',
        subject: 'ImagingStudy/s1',
        time: '2024-01-01T00:00:00Z',
      },
      resource: { resourceType: 'ImagingStudy', status: 'unknown', meta: { versionId: '3' } },
    } as unknown as TimelineInputEvent;
    const records = applyEvent(emptyPatientRecords(key), stub).records;
    const entry = records.entries['ImagingStudy/s1'];
    expect(entry.stamp.deleted).toBe(true);
    expect(entryPatientKey(entry)).toBe(key);
  });

  test('the input records are never modified', () => {
    const before = recordsFrom(key, [created]);
    const snapshot = structuredClone(before);
    applyEvent(before, completed);
    expect(before).toEqual(snapshot);
  });
});

describe('malformed events are refused with a permanent error', () => {
  const cases: [string, TimelineInputEvent, string][] = [
    [
      'a resource type the timeline does not take',
      {
        key,
        action: 'created',
        attributes: {},
        resource: { resourceType: 'Patient', id: 'p' },
      } as unknown as TimelineInputEvent,
      'UNSUPPORTED_RESOURCE_TYPE',
    ],
    [
      'a resource without id nor subject',
      {
        key,
        action: 'created',
        attributes: {},
        resource: { ...BaselineChestCtOrder, id: undefined },
      },
      'MISSING_RESOURCE_ID',
    ],
    // An unknown action, or an event type naming another resource type, never reaches the domain:
    // decodeImagingEvent refuses it (packages/fhir-events imaging-event.test.ts).
  ];
  test.each(cases)('%s', (_name, event, code) => {
    let caught: unknown;
    try {
      applyEvent(emptyPatientRecords(key), event);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TimelineDomainError);
    expect(caught).toMatchObject({ code, retriable: false });
  });

  test('an event without resource id takes the id from its subject', () => {
    const event: TimelineInputEvent = {
      key,
      action: 'created',
      attributes: { subject: 'ServiceRequest/from-subject' },
      resource: { ...BaselineChestCtOrder, id: undefined },
    };
    expect(Object.keys(applyEvent(emptyPatientRecords(key), event).records.entries)).toEqual([
      'ServiceRequest/from-subject',
    ]);
  });
});
