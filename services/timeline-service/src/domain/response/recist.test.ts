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

function run(baseline: LesionSpec[], followUps: FollowUpSpec[]) {
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

interface EdgeCase {
  name: string;
  baseline: LesionSpec[];
  followUps: FollowUpSpec[];
  /** Expected for the last follow-up. */
  category: ResponseCategory;
  sum: number | null;
  fromBaseline: number | null;
  fromNadir: number | null;
  nadir: number;
  nadirExamId: string;
}

// Asymmetric matchers are typed `any`; say what they stand for.
const matching = (pattern: RegExp | string): string =>
  (typeof pattern === 'string' ? expect.stringContaining(pattern) : expect.stringMatching(pattern)) as string;

const A = (mm: number): LesionSpec => ({ id: 'A', mm });
const B = (mm: number): LesionSpec => ({ id: 'B', mm });
const N = (mm: number): LesionSpec => ({ id: 'N', mm, node: true });

const edges: EdgeCase[] = [
  {
    name: 'exactly −30 % from baseline is a partial response',
    baseline: [A(60), B(40)],
    followUps: [{ lesions: [A(42), B(28)] }],
    category: 'PR',
    sum: 70,
    fromBaseline: -30,
    fromNadir: -30,
    nadir: 100,
    nadirExamId: 'baseline',
  },
  {
    name: 'a hair less than −30 % is stable disease',
    baseline: [A(60), B(40)],
    followUps: [{ lesions: [A(42), B(28.1)] }],
    category: 'SD',
    sum: 70.1,
    fromBaseline: -29.9,
    fromNadir: -29.9,
    nadir: 100,
    nadirExamId: 'baseline',
  },
  {
    name: '+20 % from the nadir but under 5 mm is stable disease',
    baseline: [A(10), B(10)],
    followUps: [{ lesions: [A(12.4), B(12)] }],
    category: 'SD',
    sum: 24.4,
    fromBaseline: 22,
    fromNadir: 22,
    nadir: 20,
    nadirExamId: 'baseline',
  },
  {
    name: 'exactly +20 % and exactly +5 mm from the nadir is progression',
    baseline: [A(15), B(10)],
    followUps: [{ lesions: [A(18), B(12)] }],
    category: 'PD',
    sum: 30,
    fromBaseline: 20,
    fromNadir: 20,
    nadir: 25,
    nadirExamId: 'baseline',
  },
  {
    name: 'the baseline is the nadir until a smaller sum comes: +22 % from baseline is progression',
    baseline: [A(30), B(20)],
    followUps: [{ lesions: [A(36), B(25)] }],
    category: 'PD',
    sum: 61,
    fromBaseline: 22,
    fromNadir: 22,
    nadir: 50,
    nadirExamId: 'baseline',
  },
  {
    name: 'a nadir after the baseline: −27 % from baseline but +21.7 % and +13 mm from the nadir is progression',
    baseline: [A(60), B(40)],
    followUps: [{ lesions: [A(36), B(24)] }, { lesions: [A(45), B(28)] }],
    category: 'PD',
    sum: 73,
    fromBaseline: -27,
    fromNadir: 21.7,
    nadir: 60,
    nadirExamId: 'f1',
  },
  {
    name: 'every target gone with a lymph node at 9 mm short axis is a complete response',
    baseline: [A(30), N(20)],
    followUps: [{ lesions: [A(0), N(9)] }],
    category: 'CR',
    sum: 9,
    fromBaseline: -82,
    fromNadir: -82,
    nadir: 50,
    nadirExamId: 'baseline',
  },
  {
    name: 'a lymph node at 10 mm short axis is not normal: a partial response, not complete',
    baseline: [A(30), N(20)],
    followUps: [{ lesions: [A(0), N(10)] }],
    category: 'PR',
    sum: 10,
    fromBaseline: -80,
    fromNadir: -80,
    nadir: 50,
    nadirExamId: 'baseline',
  },
  {
    name: 'a new lesion with a shrinking sum is progression',
    baseline: [A(60), B(40)],
    followUps: [{ lesions: [A(30), B(20), { id: 'C', mm: 8, newLesion: true }] }],
    category: 'PD',
    sum: 50,
    fromBaseline: -50,
    fromNadir: -50,
    nadir: 100,
    nadirExamId: 'baseline',
  },
  {
    name: 'a report stating a new lesion is progression whatever the sum',
    baseline: [A(60), B(40)],
    followUps: [
      {
        lesions: [A(30), B(20)],
        newLesions: [{ source: 'DiagnosticReport/f1#new', lesionId: null, display: 'bone' }],
      },
    ],
    category: 'PD',
    sum: 50,
    fromBaseline: -50,
    fromNadir: -50,
    nadir: 100,
    nadirExamId: 'baseline',
  },
  {
    name: 'a target missing at follow-up is not evaluable, with no sum',
    baseline: [A(60), B(40)],
    followUps: [{ lesions: [A(30)] }],
    category: 'NE',
    sum: null,
    fromBaseline: null,
    fromNadir: null,
    nadir: 100,
    nadirExamId: 'baseline',
  },
  {
    name: 'a target missing while the measured ones alone make +20 % and +5 mm is progression',
    baseline: [A(40), B(10)],
    followUps: [{ lesions: [A(61)] }],
    category: 'PD',
    sum: 61,
    fromBaseline: 22,
    fromNadir: 22,
    nadir: 50,
    nadirExamId: 'baseline',
  },
  {
    name: 'a not evaluable follow-up does not move the nadir',
    baseline: [A(60), B(40)],
    followUps: [{ lesions: [A(10)] }, { lesions: [A(50), B(30)] }],
    category: 'SD',
    sum: 80,
    fromBaseline: -20,
    fromNadir: -20,
    nadir: 100,
    nadirExamId: 'baseline',
  },
];

describe('RECIST 1.1 at its edges', () => {
  test.each(edges)('$name', (edge) => {
    const last = run(edge.baseline, edge.followUps).at(-1)!;
    expect({
      category: last.category,
      sum: last.sumMm,
      fromBaseline: last.percentFromBaseline,
      fromNadir: last.percentFromNadir,
      nadir: last.nadirSumMm,
      nadirExamId: last.nadirExamId,
    }).toEqual({
      category: edge.category,
      sum: edge.sum,
      fromBaseline: edge.fromBaseline,
      fromNadir: edge.fromNadir,
      nadir: edge.nadir,
      nadirExamId: edge.nadirExamId,
    });
  });

  test('a follow-up shows which lesions and which values gave its answer', () => {
    const [pd] = run([A(40), N(18)], [{ lesions: [A(30), { id: 'C', mm: 8, newLesion: true }] }]);
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

  test('the absolute change from baseline and nadir is given in mm', () => {
    const [, second] = run([A(60), B(40)], [{ lesions: [A(36), B(24)] }, { lesions: [A(45), B(28)] }]);
    expect(second).toMatchObject({ changeFromBaselineMm: -27, changeFromNadirMm: 13 });
  });

  test('a lesion measured at follow-up but not at baseline and not flagged new is neither a target nor new', () => {
    const [result] = run([A(60), B(40)], [{ lesions: [A(60), B(40), { id: 'X', mm: 12 }] }]);
    expect(result.category).toBe('SD');
    expect(result.untracked).toEqual([
      expect.objectContaining({
        lesionId: 'tracking-id:X',
        reason: matching(/not measured at baseline/),
      }),
    ]);
  });

  test('lesions known only by body site match when one target has that site', () => {
    const [result] = run(
      [{ id: 'liver', mm: 40, site: 'sct|10200004' }],
      [{ lesions: [{ id: 'liver-again', mm: 20, site: 'sct|10200004' }] }],
    );
    expect(result).toMatchObject({ category: 'PR', sumMm: 20 });
  });

  test('two targets sharing a body site without identifiers cannot be told apart: not evaluable', () => {
    const [result] = run(
      [
        { id: 'l1', mm: 30, site: 'sct|10200004' },
        { id: 'l2', mm: 20, site: 'sct|10200004' },
      ],
      [{ lesions: [{ id: 'l1', mm: 30, site: 'sct|10200004' }] }],
    );
    expect(result.category).toBe('NE');
    expect(result.untracked[0].reason).toMatch(/shared by several target lesions/);
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
