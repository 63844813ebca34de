import type { DiagnosticReport } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import type { TimelineInputEvent } from '../records/input-event.ts';
import {
  imagingOrder,
  imagingReport,
  imagingStudy,
  nextVersion,
  personaDeleteEvent,
  personaEvents,
  personaPatient,
  timelineFrom,
  type PersonaEvent,
  type PersonaResource,
} from '../timeline.fixtures.ts';

const patient = personaPatient('ST-0001');
const events = (...resources: PersonaResource[]): PersonaEvent[] => personaEvents(resources, patient.key);
const orderV1 = imagingOrder({
  id: 'o1',
  patient,
  procedure: { text: 'CT Chest' },
  authoredOn: '2024-03-01T09:00:00Z',
  accession: 'S1',
});
const studyV1 = imagingStudy({
  id: 's1',
  patient,
  uid: '2.25.31',
  started: '2024-03-02T09:00:00Z',
  accession: 'S1',
  series: [{ uid: '2.25.32', modality: 'CT', bodyPart: { display: 'CHEST' } }],
});
const preliminary = imagingReport({
  id: 'r1',
  patient,
  status: 'preliminary',
  code: { text: 'CT Chest' },
  effective: '2024-03-02T09:00:00Z',
  issued: '2024-03-02T11:00:00Z',
  imagingStudy: { study: 's1' },
});
const final = nextVersion(preliminary, '2024-03-02T15:00:00Z', { status: 'final' });
const amended = nextVersion(final, '2024-03-04T10:00:00Z', { status: 'amended' });

describe('the state of an exam', () => {
  test.each([
    ['an order alone', [orderV1], 'ordered'],
    ['an order and its available study', [orderV1, studyV1], 'performed'],
    ['a preliminary report', [orderV1, studyV1, preliminary], 'preliminary'],
    ['a final report', [orderV1, studyV1, preliminary, final], 'final'],
    ['an amended report', [orderV1, studyV1, preliminary, final, amended], 'amended'],
    [
      'an order marked completed before its study arrives',
      [nextVersion(orderV1, '2024-03-02T10:00:00Z', { status: 'completed' })],
      'performed',
    ],
    [
      'a study only registered, nothing available yet',
      [orderV1, { ...studyV1, status: 'registered' as const }],
      'ordered',
    ],
  ] as const)('%s is %s', (_name, resources, status) => {
    expect(timelineFrom(patient.key, events(...resources)).exams.map((e) => e.status)).toEqual([status]);
  });

  test('a corrected report counts as amended', () => {
    const corrected = nextVersion(final, '2024-03-05T10:00:00Z', { status: 'corrected' });
    expect(timelineFrom(patient.key, events(orderV1, studyV1, final, corrected)).exams[0]?.status).toBe(
      'amended',
    );
  });
});

describe('corrections take exams off the timeline and keep them in history', () => {
  test('a revoked order with nothing performed leaves the timeline as cancelled', () => {
    const revoked = nextVersion(orderV1, '2024-03-01T12:00:00Z', { status: 'revoked' });
    const timeline = timelineFrom(patient.key, events(orderV1, revoked));
    expect(timeline.exams).toEqual([]);
    expect(timeline.pending.ordered).toEqual([]);
    expect(timeline.removed).toMatchObject([
      {
        examId: 'ServiceRequest/o1',
        reason: 'cancelled',
        parts: [{ reference: 'ServiceRequest/o1', status: 'revoked', reason: 'cancelled', versionId: '2' }],
        relatedExamIds: [],
      },
    ]);
  });

  test('an order entered in error leaves the timeline as entered-in-error', () => {
    const wrong = nextVersion(orderV1, '2024-03-01T12:00:00Z', { status: 'entered-in-error' });
    expect(timelineFrom(patient.key, events(orderV1, wrong)).removed.map((r) => r.reason)).toEqual([
      'entered-in-error',
    ]);
  });

  test('a deleted order leaves the timeline as deleted, described by its last version', () => {
    const timeline = timelineFrom(patient.key, [
      ...events(orderV1),
      personaDeleteEvent(orderV1, { patientKey: patient.key, time: '2024-03-01T13:00:00Z' }),
    ]);
    expect(timeline.exams).toEqual([]);
    expect(timeline.removed).toMatchObject([
      {
        examId: 'ServiceRequest/o1',
        reason: 'deleted',
        description: 'CT Chest',
        accessionNumbers: [{ value: 'S1' }],
      },
    ]);
  });

  test('a study entered in error (e.g. the wrong patient) leaves its exam, whose order waits again', () => {
    const wrongPatient = nextVersion(studyV1, '2024-03-02T12:00:00Z', { status: 'entered-in-error' });
    const timeline = timelineFrom(patient.key, events(orderV1, studyV1, wrongPatient));
    expect(timeline.exams.map((e) => [e.examId, e.status, e.study])).toEqual([
      ['ServiceRequest/o1', 'ordered', null],
    ]);
    expect(timeline.removed).toMatchObject([
      { examId: 'ImagingStudy/s1', reason: 'entered-in-error', relatedExamIds: ['ServiceRequest/o1'] },
    ]);
  });

  test('a cancelled study with its revoked order leave together as one cancelled exam', () => {
    const cancelledStudy = nextVersion(studyV1, '2024-03-02T12:00:00Z', { status: 'cancelled' });
    const revoked = nextVersion(orderV1, '2024-03-02T12:00:00Z', { status: 'revoked' });
    const timeline = timelineFrom(patient.key, events(orderV1, studyV1, cancelledStudy, revoked));
    expect(timeline.exams).toEqual([]);
    expect(timeline.removed).toMatchObject([
      {
        examId: 'ServiceRequest/o1',
        reason: 'cancelled',
        parts: [{ reference: 'ServiceRequest/o1' }, { reference: 'ImagingStudy/s1' }],
      },
    ]);
  });

  test('a report entered in error leaves the exam, which is performed and awaiting a report again', () => {
    const wrongReport = nextVersion(final, '2024-03-03T09:00:00Z', { status: 'entered-in-error' });
    const timeline = timelineFrom(patient.key, events(orderV1, studyV1, final, wrongReport));
    expect(timeline.exams.map((e) => [e.status, e.reports])).toEqual([['performed', []]]);
    expect(timeline.pending.unreported).toEqual(['ServiceRequest/o1']);
    expect(timeline.removed).toMatchObject([
      { examId: 'DiagnosticReport/r1', reason: 'entered-in-error', relatedExamIds: ['ServiceRequest/o1'] },
    ]);
  });

  test('a revoked order whose study was performed anyway stays on the timeline through its study', () => {
    const revoked = nextVersion(orderV1, '2024-03-03T09:00:00Z', { status: 'revoked' });
    const timeline = timelineFrom(patient.key, events(orderV1, studyV1, revoked));
    expect(timeline.exams.map((e) => [e.examId, e.status])).toEqual([['ImagingStudy/s1', 'performed']]);
    expect(timeline.removed).toMatchObject([
      { examId: 'ServiceRequest/o1', reason: 'cancelled', relatedExamIds: ['ImagingStudy/s1'] },
    ]);
  });

  test('a delete that carries only a stub still shows in history, with what little it says', () => {
    const stub: TimelineInputEvent = {
      key: patient.key,
      action: 'deleted',
      attributes: {
        id: 'del-1',
        subject: 'DiagnosticReport/gone',
        time: '2024-03-05T00:00:00Z',
      },
      resource: { resourceType: 'DiagnosticReport', meta: { versionId: '4' } } as DiagnosticReport,
    };
    const timeline = timelineFrom(patient.key, [...events(orderV1), stub]);
    expect(timeline.exams.map((e) => e.examId)).toEqual(['ServiceRequest/o1']);
    expect(timeline.removed).toMatchObject([
      {
        examId: 'DiagnosticReport/gone',
        reason: 'deleted',
        parts: [{ reference: 'DiagnosticReport/gone', status: 'unknown', versionId: '4' }],
      },
    ]);
  });
});
