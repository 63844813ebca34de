import { describe, expect, test } from 'vitest';
import {
  imagingOrder,
  imagingReport,
  imagingStudy,
  personaEvents,
  personaPatient,
  timelineFrom,
  type PersonaResource,
  type PurposeCode,
} from './test-personas.ts';

const patient = personaPatient('BL-0001');
let uid = 0;

interface ExamSpec {
  id: string;
  date: string;
  modality?: string;
  bodyPart?: string;
  purpose?: PurposeCode;
  reason?: string;
  condition?: string;
  performed?: boolean;
  series?: string[];
}

/** One exam: an order, and unless `performed: false` its study and final report. */
function exam({
  id,
  date,
  modality = 'CT',
  bodyPart = 'CHEST',
  purpose,
  reason,
  condition,
  performed = true,
  series = [],
}: ExamSpec): PersonaResource[] {
  const order = imagingOrder({
    id,
    patient,
    procedure: { text: `${modality} ${bodyPart}` },
    authoredOn: `${date}T08:00:00Z`,
    accession: `ACC-${id}`,
    ...(purpose ? { purpose } : {}),
    ...(reason ? { reason } : {}),
    ...(condition ? { condition } : {}),
  });
  if (!performed) return [order];
  uid += 1;
  const study = imagingStudy({
    id: `${id}-study`,
    patient,
    uid: `2.25.7${uid}`,
    started: `${date}T10:00:00Z`,
    accession: `ACC-${id}`,
    series: [modality, ...series].map((m, i) => ({
      uid: `2.25.7${uid}.${i}`,
      modality: m,
      bodyPart: { display: bodyPart },
    })),
  });
  const report = imagingReport({
    id: `${id}-report`,
    patient,
    status: 'final',
    code: { text: `${modality} ${bodyPart}` },
    effective: `${date}T10:00:00Z`,
    issued: `${date}T15:00:00Z`,
    imagingStudy: { study: `${id}-study` },
  });
  return purpose === 'planning' || series.includes('RTSTRUCT') ? [order, study] : [order, study, report];
}

const timelineOf = (...exams: PersonaResource[][]) =>
  timelineFrom(patient.key, personaEvents(exams.flat(), patient.key));
const roles = (timeline: ReturnType<typeof timelineOf>) =>
  timeline.exams.map((e) => [e.examId.replace('ServiceRequest/', ''), e.role, e.daysSinceBaseline] as const);

describe('rule 1: the latest exam ordered as baseline before treatment starts', () => {
  test('an exam ordered with purpose baseline is the baseline, even when later diagnostic exams precede treatment', () => {
    const timeline = timelineOf(
      exam({ id: 'dx', date: '2024-01-02' }),
      exam({ id: 'base', date: '2024-01-10', purpose: 'baseline' }),
      exam({ id: 'extra', date: '2024-01-15' }),
      exam({ id: 'plan', date: '2024-01-20', purpose: 'planning', series: ['RTSTRUCT'] }),
    );
    expect(timeline.currentBaseline).toMatchObject({
      examId: 'ServiceRequest/base',
      rule: 'ordered-baseline',
      line: 1,
    });
  });

  test('of two baseline orders before treatment starts, the later one is the baseline (a repeat)', () => {
    const timeline = timelineOf(
      exam({ id: 'base1', date: '2024-01-10', purpose: 'baseline' }),
      exam({ id: 'base2', date: '2024-01-12', purpose: 'baseline' }),
      exam({ id: 'resp', date: '2024-03-01', purpose: 'response' }),
    );
    expect(timeline.episodes[0]?.lines).toHaveLength(1);
    expect(timeline.currentBaseline?.examId).toBe('ServiceRequest/base2');
    expect(roles(timeline)).toEqual([
      ['base1', 'other', null],
      ['base2', 'baseline', 0],
      ['resp', 'follow-up', 49],
    ]);
  });

  test('a baseline only ordered, not yet performed, is not a baseline yet', () => {
    const timeline = timelineOf(
      exam({ id: 'dx', date: '2024-01-02' }),
      exam({ id: 'base', date: '2024-01-10', purpose: 'baseline', performed: false }),
    );
    expect(timeline.currentBaseline).toMatchObject({
      examId: 'ServiceRequest/dx',
      rule: 'earliest-diagnostic',
    });
    expect(timeline.pending.ordered).toEqual(['ServiceRequest/base']);
  });
});

describe('rule 2: the latest diagnostic exam before the first planning scan or treatment start', () => {
  test('the latest diagnostic exam before the planning scan is the baseline; guidance does not count', () => {
    const timeline = timelineOf(
      exam({ id: 'dx', date: '2024-01-02' }),
      exam({ id: 'staging', date: '2024-01-08', reason: 'Staging' }),
      exam({ id: 'biopsy', date: '2024-01-12', reason: 'CT guided biopsy' }),
      exam({ id: 'plan', date: '2024-01-20', series: ['RTSTRUCT'] }),
      exam({ id: 'fu', date: '2024-04-20' }),
    );
    expect(timeline.currentBaseline).toMatchObject({
      examId: 'ServiceRequest/staging',
      rule: 'last-before-treatment',
    });
    expect(timeline.episodes[0]?.lines[0]).toMatchObject({
      treatmentStartExamId: 'ServiceRequest/plan',
      followUpExamIds: ['ServiceRequest/fu'],
    });
  });

  test('the first exam ordered for response marks treatment start when there is no planning scan', () => {
    const timeline = timelineOf(
      exam({ id: 'dx1', date: '2024-01-02' }),
      exam({ id: 'dx2', date: '2024-01-09' }),
      exam({ id: 'resp', date: '2024-03-01', reason: 'Response assessment' }),
      exam({ id: 'late', date: '2024-05-01' }),
    );
    expect(timeline.currentBaseline).toMatchObject({
      examId: 'ServiceRequest/dx2',
      rule: 'last-before-treatment',
    });
    expect(roles(timeline)).toEqual([
      ['dx1', 'other', null],
      ['dx2', 'baseline', 0],
      ['resp', 'follow-up', 52],
      ['late', 'follow-up', 113],
    ]);
  });
});

describe('rule 3: the earliest diagnostic exam of the episode', () => {
  test('without baseline order or treatment start, the earliest diagnostic exam is the baseline', () => {
    const timeline = timelineOf(
      exam({ id: 'first', date: '2024-01-02' }),
      exam({ id: 'second', date: '2024-02-02' }),
    );
    expect(timeline.currentBaseline).toMatchObject({
      examId: 'ServiceRequest/first',
      rule: 'earliest-diagnostic',
    });
    expect(roles(timeline)).toEqual([
      ['first', 'baseline', 0],
      ['second', 'follow-up', 31],
    ]);
  });

  test('when nothing diagnostic precedes the planning scan, the earliest diagnostic exam after it is the baseline', () => {
    const timeline = timelineOf(
      exam({ id: 'plan', date: '2024-01-05', series: ['RTSTRUCT'] }),
      exam({ id: 'after', date: '2024-03-01' }),
    );
    expect(timeline.currentBaseline).toMatchObject({
      examId: 'ServiceRequest/after',
      rule: 'earliest-diagnostic',
    });
  });
});

describe('planning scans', () => {
  test('are labelled planning, never chosen as baseline or follow-up, never awaiting a report', () => {
    const timeline = timelineOf(
      exam({ id: 'plan', date: '2024-01-05', series: ['RTSTRUCT'] }),
      exam({ id: 'plan2', date: '2024-02-05', purpose: 'planning' }),
    );
    expect(timeline.exams.map((e) => [e.role, e.planning, e.purpose, e.status])).toEqual([
      ['planning', true, 'planning', 'performed'],
      ['planning', true, 'planning', 'performed'],
    ]);
    expect(timeline.currentBaseline).toBeNull();
    expect(timeline.pending.unreported).toEqual([]);
  });
});

describe('follow-ups', () => {
  test('only later exams of the same modality family and an overlapping region follow up the baseline', () => {
    const timeline = timelineOf(
      exam({ id: 'base', date: '2024-01-10', purpose: 'baseline', bodyPart: 'CHEST' }),
      exam({ id: 'plan', date: '2024-01-20', series: ['RTSTRUCT'] }),
      exam({ id: 'cap', date: '2024-04-10', bodyPart: 'CHEST ABDOMEN PELVIS' }),
      exam({ id: 'brain', date: '2024-04-11', bodyPart: 'BRAIN' }),
      exam({ id: 'pet', date: '2024-04-12', modality: 'PT', bodyPart: 'WHOLEBODY', series: ['CT'] }),
      exam({ id: 'mr', date: '2024-04-13', modality: 'MR', bodyPart: 'CHEST' }),
    );
    expect(roles(timeline)).toEqual([
      ['base', 'baseline', 0],
      ['plan', 'planning', null],
      ['cap', 'follow-up', 91],
      ['brain', 'other', null],
      ['pet', 'other', null],
      ['mr', 'other', null],
    ]);
    expect(timeline.exams.find((e) => e.examId === 'ServiceRequest/cap')).toMatchObject({
      followUpOf: 'ServiceRequest/base',
      treatmentLine: 1,
    });
  });

  test('a PET-CT baseline is followed up by PET-CT, not by CT', () => {
    const timeline = timelineOf(
      exam({
        id: 'pet',
        date: '2024-01-10',
        modality: 'PT',
        bodyPart: 'WHOLEBODY',
        series: ['CT'],
        purpose: 'baseline',
      }),
      exam({ id: 'ct', date: '2024-03-10' }),
      exam({ id: 'pet2', date: '2024-03-11', modality: 'PT', bodyPart: 'WHOLEBODY', series: ['CT'] }),
    );
    expect(roles(timeline)).toEqual([
      ['pet', 'baseline', 0],
      ['ct', 'other', null],
      ['pet2', 'follow-up', 61],
    ]);
  });

  test('diagnostic exams before the baseline are not follow-ups', () => {
    const timeline = timelineOf(
      exam({ id: 'dx', date: '2024-01-02' }),
      exam({ id: 'base', date: '2024-01-10', purpose: 'baseline' }),
    );
    expect(roles(timeline)[0]).toEqual(['dx', 'other', null]);
  });
});

describe('a later order with purpose baseline starts a new line of treatment', () => {
  test('follow-ups belong to the latest baseline before them', () => {
    const timeline = timelineOf(
      exam({ id: 'base1', date: '2024-01-10', purpose: 'baseline' }),
      exam({ id: 'resp1', date: '2024-03-10', purpose: 'response' }),
      exam({ id: 'base2', date: '2024-09-10', purpose: 'baseline' }),
      exam({ id: 'resp2', date: '2024-11-10', purpose: 'response' }),
    );
    expect(
      timeline.episodes[0]?.lines.map((l) => [
        l.line,
        l.baselineExamId,
        l.rule,
        l.treatmentStartExamId,
        l.followUpExamIds,
      ]),
    ).toEqual([
      [1, 'ServiceRequest/base1', 'ordered-baseline', 'ServiceRequest/resp1', ['ServiceRequest/resp1']],
      [2, 'ServiceRequest/base2', 'ordered-baseline', 'ServiceRequest/resp2', ['ServiceRequest/resp2']],
    ]);
    expect(roles(timeline)).toEqual([
      ['base1', 'baseline', 0],
      ['resp1', 'follow-up', 60],
      ['base2', 'baseline', 0],
      ['resp2', 'follow-up', 61],
    ]);
    expect(timeline.currentBaseline).toMatchObject({ examId: 'ServiceRequest/base2', line: 2 });
    expect(timeline.exams.map((e) => e.treatmentLine)).toEqual([1, 1, 2, 2]);
  });
});

describe('episodes', () => {
  test('each Condition named by the orders is its own episode with its own baseline', () => {
    const timeline = timelineOf(
      exam({ id: 'lung-base', date: '2024-01-10', condition: 'lung', purpose: 'baseline' }),
      exam({
        id: 'breast-base',
        date: '2024-02-10',
        condition: 'breast',
        bodyPart: 'BREAST',
        modality: 'MR',
        purpose: 'baseline',
      }),
      exam({ id: 'lung-fu', date: '2024-04-10', condition: 'lung' }),
      exam({ id: 'breast-fu', date: '2024-05-10', condition: 'breast', bodyPart: 'BREAST', modality: 'MR' }),
    );
    expect(timeline.episodes.map((e) => [e.episodeId, e.currentBaselineExamId])).toEqual([
      ['Condition/lung', 'ServiceRequest/lung-base'],
      ['Condition/breast', 'ServiceRequest/breast-base'],
    ]);
    expect(roles(timeline)).toEqual([
      ['lung-base', 'baseline', 0],
      ['breast-base', 'baseline', 0],
      ['lung-fu', 'follow-up', 91],
      ['breast-fu', 'follow-up', 90],
    ]);
    expect(timeline.currentBaseline?.episodeId).toBe('Condition/breast');
  });

  test('with one Condition, exams that name none join it', () => {
    const timeline = timelineOf(
      exam({ id: 'a', date: '2024-01-10', condition: 'lung' }),
      exam({ id: 'b', date: '2024-02-10' }),
    );
    expect(timeline.exams.map((e) => [e.episodeId, e.episodeSource])).toEqual([
      ['Condition/lung', 'order'],
      ['Condition/lung', 'single-episode'],
    ]);
  });

  test('with several Conditions, an exam naming none joins the nearest earlier exam’s episode, else the next one’s', () => {
    const timeline = timelineOf(
      exam({ id: 'pre', date: '2024-01-01' }),
      exam({ id: 'lung', date: '2024-01-10', condition: 'lung' }),
      exam({ id: 'between', date: '2024-01-20' }),
      exam({ id: 'breast', date: '2024-02-10', condition: 'breast' }),
      exam({ id: 'after', date: '2024-03-10' }),
    );
    expect(
      timeline.exams.map((e) => [e.examId.replace('ServiceRequest/', ''), e.episodeId, e.episodeSource]),
    ).toEqual([
      ['pre', 'Condition/lung', 'nearest-later'],
      ['lung', 'Condition/lung', 'order'],
      ['between', 'Condition/lung', 'nearest-prior'],
      ['breast', 'Condition/breast', 'order'],
      ['after', 'Condition/breast', 'nearest-prior'],
    ]);
  });

  test('without any Condition, the patient has one episode', () => {
    const timeline = timelineOf(exam({ id: 'a', date: '2024-01-10' }));
    expect(timeline.episodes).toMatchObject([{ episodeId: 'patient', condition: null }]);
  });
});
