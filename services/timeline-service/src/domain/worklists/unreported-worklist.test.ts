import { describe, expect, test } from 'vitest';
import { unreportedWorklist } from './unreported-worklist.ts';
import {
  BaselineChestCtOrder,
  BaselineChestCtStudy,
  LungCancerPatient,
  PlanningCtOrder,
  PlanningCtStudy,
  StagingCtCapOrder,
  StagingCtCapStudy,
  imagingOrder,
  imagingStudy,
  personaEvents,
  personaPatient,
  timelineFrom,
} from '../timeline.fixtures.ts';

const HOUR = 3_600_000;
const lung = timelineFrom(
  LungCancerPatient.key,
  personaEvents(
    [
      BaselineChestCtOrder,
      BaselineChestCtStudy,
      PlanningCtOrder,
      PlanningCtStudy,
      StagingCtCapOrder,
      StagingCtCapStudy,
    ],
    LungCancerPatient.key,
  ),
);
const other = personaPatient('WL-0002');
const otherTimeline = timelineFrom(
  other.key,
  personaEvents(
    [
      imagingOrder({
        id: 'w-order',
        patient: other,
        procedure: { text: 'MR Brain' },
        authoredOn: '2024-02-05T07:00:00Z',
        accession: 'W1',
      }),
      imagingStudy({
        id: 'w-study',
        patient: other,
        uid: '2.25.55',
        started: '2024-02-05T12:00:00Z',
        accession: 'W1',
        series: [{ uid: '2.25.56', modality: 'MR' }],
      }),
    ],
    other.key,
  ),
);

describe('the unreported worklist', () => {
  test('lists performed exams without a final report older than the threshold, oldest first, planning scans excluded', () => {
    const items = unreportedWorklist([lung, otherTimeline], {
      now: new Date('2024-02-06T12:00:00Z'),
      olderThanMs: 12 * HOUR,
    });
    expect(items.map((i) => [i.patientKey, i.examId, i.studyUid])).toEqual([
      [LungCancerPatient.key, 'ServiceRequest/lc-staging-ct-order', '2.25.100100100100100100100100100100401'],
      [other.key, 'ServiceRequest/w-order', '2.25.55'],
      [
        LungCancerPatient.key,
        'ServiceRequest/lc-baseline-ct-order',
        '2.25.100100100100100100100100100100701',
      ],
    ]);
    expect(items.every((i) => i.purpose !== 'planning')).toBe(true);
  });

  test('leaves out exams performed more recently than the threshold', () => {
    const items = unreportedWorklist([lung, otherTimeline], {
      now: Date.parse('2024-02-06T06:00:00Z'),
      olderThanMs: 24 * HOUR,
    });
    expect(items.map((i) => i.examId)).toEqual(['ServiceRequest/lc-staging-ct-order']);
    expect(items[0]?.waitingMs).toBe(
      Date.parse('2024-02-06T06:00:00Z') - Date.parse('2024-01-24T08:45:00+01:00'),
    );
  });

  test('is empty once every exam has its final report', () => {
    const reported = timelineFrom(LungCancerPatient.key, []);
    expect(unreportedWorklist([reported], { now: 0, olderThanMs: 0 })).toEqual([]);
  });
});
