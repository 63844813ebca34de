import { describe, expect, test } from 'vitest';
import { exam, timelineOf, roles } from './baseline.fixtures.ts';

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
