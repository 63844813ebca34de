import { describe, expect, test } from 'vitest';
import { baselineWarnings, onePerTrack, type TrackExam } from './baseline-track.ts';

const exam = (
  examId: string,
  date: string,
  modality: TrackExam['modality'],
  region: 'CHEST' | 'HEAD',
): TrackExam => ({
  examId,
  date,
  modality,
  bodyRegion: [region],
});

describe('comparable tracks', () => {
  test('one exam per track: the latest before treatment, or the earliest after it', () => {
    const exams = [
      exam('ct1', '2025-01-01', 'CT', 'CHEST'),
      exam('mr1', '2025-01-05', 'MR', 'HEAD'),
      exam('ct2', '2025-01-10', 'CT', 'CHEST'),
    ];
    expect(onePerTrack(exams, true).map((e) => e.examId)).toEqual(['mr1', 'ct2']);
    expect(onePerTrack(exams, false).map((e) => e.examId)).toEqual(['ct1', 'mr1']);
  });
});

describe('baseline warnings', () => {
  const start = exam('plan', '2025-03-01', 'CT', 'CHEST');
  const options = { windowDays: 28, fallback: false };

  test('28 days before treatment start is within RECIST’s 4 weeks; 29 is not', () => {
    expect(baselineWarnings(exam('b', '2025-02-01', 'CT', 'CHEST'), start, options)).toEqual([]);
    expect(baselineWarnings(exam('b', '2025-01-31', 'CT', 'CHEST'), start, options)).toEqual([
      { code: 'baseline-older-than-window', message: expect.stringContaining('29 days') as string },
    ]);
  });

  test('a baseline after treatment start is flagged', () => {
    expect(baselineWarnings(exam('b', '2025-03-04', 'CT', 'CHEST'), start, options)).toEqual([
      {
        code: 'baseline-after-treatment-start',
        message: expect.stringContaining('3 day(s) after') as string,
      },
    ]);
  });

  test('with no treatment start the earliest exam is a fallback, and says so', () => {
    expect(
      baselineWarnings(exam('b', '2025-03-04', 'CT', 'CHEST'), null, { windowDays: 28, fallback: true }).map(
        (w) => w.code,
      ),
    ).toEqual(['baseline-fallback-earliest']);
  });
});
