import { describe, expect, test } from 'vitest';
import { assessTreatmentLine, recistBaseline } from './recist.ts';
import type { NewLesionFinding, ResponseCategory, TumourMeasurement } from './response.types.ts';

interface LesionSpec {
  id: string;
  mm: number;
  node?: boolean;
  newLesion?: boolean;
  /** Identify by body site only (no tracking identifier). */
  site?: string;
}

function measurement(exam: string, spec: LesionSpec): TumourMeasurement {
  const key = spec.site
    ? { source: 'body-site' as const, value: spec.site }
    : { source: 'tracking-id' as const, value: spec.id };
  return {
    source: `DiagnosticReport/${exam}#${spec.id}`,
    lesion: { keys: [key], lesionId: `${key.source}:${key.value}`, display: spec.id },
    node: spec.node ?? false,
    nodeEvidence: spec.node ? 'test' : null,
    longestDiameterMm: spec.node ? null : spec.mm,
    shortAxisMm: spec.node ? spec.mm : null,
    otherDimensionsMm: [],
    diameterMm: spec.mm,
    diameterKind: spec.node ? 'short-axis' : 'longest-diameter',
    newLesion: spec.newLesion ?? false,
    notes: [],
  };
}

interface FollowUpSpec {
  lesions: LesionSpec[];
  newLesions?: NewLesionFinding[];
}

/** The scans of one treatment line: the baseline's lesions, then each follow-up's. */
interface Exams {
  baseline: LesionSpec[];
  followUps: FollowUpSpec[];
}

/** The one builder of the tables: a follow-up is its lesions, or those and the new lesions its report states. */
const baselineThen = (baseline: LesionSpec[], ...followUps: (LesionSpec[] | FollowUpSpec)[]): Exams => ({
  baseline,
  followUps: followUps.map((f) => (Array.isArray(f) ? { lesions: f } : f)),
});

function run({ baseline, followUps }: Exams) {
  const line = recistBaseline(
    'baseline',
    baseline.map((spec) => measurement('baseline', spec)),
  );
  return assessTreatmentLine(
    line,
    followUps.map((f, index) => ({
      examId: `f${index + 1}`,
      findings: {
        measurements: f.lesions.map((spec) => measurement(`f${index + 1}`, spec)),
        newLesions: f.newLesions ?? [],
      },
    })),
  );
}

/** What the last follow-up should say; the nadir is the baseline's unless `nadirExamId` says otherwise. */
interface Answer {
  category: ResponseCategory;
  sum: number | null;
  fromBaseline: number | null;
  fromNadir: number | null;
  nadir: number;
  nadirExamId?: string;
}

// Asymmetric matchers are typed `any`; say what they stand for.
const matching = (pattern: RegExp | string): string =>
  (typeof pattern === 'string' ? expect.stringContaining(pattern) : expect.stringMatching(pattern)) as string;

const A = (mm: number): LesionSpec => ({ id: 'A', mm });
const B = (mm: number): LesionSpec => ({ id: 'B', mm });
const N = (mm: number): LesionSpec => ({ id: 'N', mm, node: true });
/** A lesion first measured at follow-up and flagged new. */
const C = (mm: number): LesionSpec => ({ id: 'C', mm, newLesion: true });
/** A lesion known only by its body site, the liver (no tracking identifier). */
const inLiver = (id: string, mm: number): LesionSpec => ({ id, mm, site: 'sct|10200004' });
const boneLesionStated: NewLesionFinding = {
  source: 'DiagnosticReport/f1#new',
  lesionId: null,
  display: 'bone',
};

/** Each RECIST 1.1 threshold as a row: the scans, and the category and sums of the last follow-up. */
const edges: { name: string; exams: Exams; last: Answer }[] = [
  {
    name: 'exactly −30 % from baseline is a partial response',
    exams: baselineThen([A(60), B(40)], [A(42), B(28)]),
    last: { category: 'PR', sum: 70, fromBaseline: -30, fromNadir: -30, nadir: 100 },
  },
  {
    name: 'a hair less than −30 % is stable disease',
    exams: baselineThen([A(60), B(40)], [A(42), B(28.1)]),
    last: { category: 'SD', sum: 70.1, fromBaseline: -29.9, fromNadir: -29.9, nadir: 100 },
  },
  {
    name: '+20 % from the nadir but under 5 mm is stable disease',
    exams: baselineThen([A(10), B(10)], [A(12.4), B(12)]),
    last: { category: 'SD', sum: 24.4, fromBaseline: 22, fromNadir: 22, nadir: 20 },
  },
  {
    name: 'exactly +20 % and exactly +5 mm from the nadir is progression',
    exams: baselineThen([A(15), B(10)], [A(18), B(12)]),
    last: { category: 'PD', sum: 30, fromBaseline: 20, fromNadir: 20, nadir: 25 },
  },
  {
    name: 'the baseline is the nadir until a smaller sum comes: +22 % from baseline is progression',
    exams: baselineThen([A(30), B(20)], [A(36), B(25)]),
    last: { category: 'PD', sum: 61, fromBaseline: 22, fromNadir: 22, nadir: 50 },
  },
  {
    name: 'a nadir after the baseline: −27 % from baseline but +21.7 % and +13 mm from the nadir is progression',
    exams: baselineThen([A(60), B(40)], [A(36), B(24)], [A(45), B(28)]),
    last: { category: 'PD', sum: 73, fromBaseline: -27, fromNadir: 21.7, nadir: 60, nadirExamId: 'f1' },
  },
  {
    name: 'every target gone with a lymph node at 9 mm short axis is a complete response',
    exams: baselineThen([A(30), N(20)], [A(0), N(9)]),
    last: { category: 'CR', sum: 9, fromBaseline: -82, fromNadir: -82, nadir: 50 },
  },
  {
    name: 'a lymph node at 10 mm short axis is not normal: a partial response, not complete',
    exams: baselineThen([A(30), N(20)], [A(0), N(10)]),
    last: { category: 'PR', sum: 10, fromBaseline: -80, fromNadir: -80, nadir: 50 },
  },
  {
    name: 'a new lesion with a shrinking sum is progression',
    exams: baselineThen([A(60), B(40)], [A(30), B(20), C(8)]),
    last: { category: 'PD', sum: 50, fromBaseline: -50, fromNadir: -50, nadir: 100 },
  },
  {
    name: 'a report stating a new lesion is progression whatever the sum',
    exams: baselineThen([A(60), B(40)], { lesions: [A(30), B(20)], newLesions: [boneLesionStated] }),
    last: { category: 'PD', sum: 50, fromBaseline: -50, fromNadir: -50, nadir: 100 },
  },
  {
    name: 'a target missing at follow-up is not evaluable, with no sum',
    exams: baselineThen([A(60), B(40)], [A(30)]),
    last: { category: 'NE', sum: null, fromBaseline: null, fromNadir: null, nadir: 100 },
  },
  {
    name: 'a target missing while the measured ones alone make +20 % and +5 mm is progression',
    exams: baselineThen([A(40), B(10)], [A(61)]),
    last: { category: 'PD', sum: 61, fromBaseline: 22, fromNadir: 22, nadir: 50 },
  },
  {
    name: 'a not evaluable follow-up does not move the nadir',
    exams: baselineThen([A(60), B(40)], [A(10)], [A(50), B(30)]),
    last: { category: 'SD', sum: 80, fromBaseline: -20, fromNadir: -20, nadir: 100 },
  },
];

/** What else a follow-up reports: the named fields of the last follow-up, as `toMatchObject` reads them. */
const reports: { name: string; exams: Exams; last: object }[] = [
  {
    name: 'the absolute change from baseline and nadir is given in mm',
    exams: baselineThen([A(60), B(40)], [A(36), B(24)], [A(45), B(28)]),
    last: { changeFromBaselineMm: -27, changeFromNadirMm: 13 },
  },
  {
    name: 'a lesion measured at follow-up but not at baseline and not flagged new is neither a target nor new',
    exams: baselineThen([A(60), B(40)], [A(60), B(40), { id: 'X', mm: 12 }]),
    last: {
      category: 'SD',
      untracked: [{ lesionId: 'tracking-id:X', reason: matching(/not measured at baseline/) }],
    },
  },
  {
    name: 'lesions known only by body site match when one target has that site',
    exams: baselineThen([inLiver('liver', 40)], [inLiver('liver-again', 20)]),
    last: { category: 'PR', sumMm: 20 },
  },
  {
    name: 'two targets sharing a body site without identifiers cannot be told apart: not evaluable',
    exams: baselineThen([inLiver('l1', 30), inLiver('l2', 20)], [inLiver('l1', 30)]),
    last: { category: 'NE', untracked: [{ reason: matching(/shared by several target lesions/) }] },
  },
];

describe('RECIST 1.1 at its edges', () => {
  test.each(edges)('$name', ({ exams, last: expected }) => {
    const last = run(exams).at(-1)!;
    expect({
      category: last.category,
      sum: last.sumMm,
      fromBaseline: last.percentFromBaseline,
      fromNadir: last.percentFromNadir,
      nadir: last.nadirSumMm,
      nadirExamId: last.nadirExamId,
    }).toEqual({ nadirExamId: 'baseline', ...expected });
  });

  test.each(reports)('$name', ({ exams, last }) => {
    expect(run(exams).at(-1)).toMatchObject(last);
  });

  test('a follow-up shows which lesions and which values gave its answer', () => {
    const [pd] = run(baselineThen([A(40), N(18)], [A(30), C(8)]));
    expect(pd.lesions).toEqual([
      {
        lesionId: 'tracking-id:A',
        display: 'A',
        node: false,
        diameterKind: 'longest-diameter',
        baselineMm: 40,
        baselineSource: 'DiagnosticReport/baseline#A',
        currentMm: 30,
        currentSource: 'DiagnosticReport/f1#A',
        state: 'measured',
      },
      {
        lesionId: 'tracking-id:N',
        display: 'N',
        node: true,
        diameterKind: 'short-axis',
        baselineMm: 18,
        baselineSource: 'DiagnosticReport/baseline#N',
        currentMm: null,
        currentSource: null,
        state: 'missing',
      },
    ]);
    expect(pd.newLesions).toEqual([
      { source: 'DiagnosticReport/f1#C', lesionId: 'tracking-id:C', display: 'C' },
    ]);
    expect(pd.reason).toMatch(/^PD: a new lesion \(C\)/);
  });

  test('a measurement without any identity is not a target at baseline', () => {
    const baseline = recistBaseline('b', [
      measurement('b', A(30)),
      { ...measurement('b', B(20)), lesion: null },
    ]);
    expect(baseline.sumMm).toBe(30);
    expect(baseline.untracked).toEqual([
      expect.objectContaining({ reason: matching(/nothing identifies/) }) as object,
    ]);
  });
});
