import { describe, expect, test } from 'vitest';
import { exam, timelineOf, roles } from './baseline.fixtures.ts';

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
