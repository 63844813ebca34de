import { describe, expect, test } from 'vitest';
import { bestOverallResponse } from './best-response.ts';
import { overallResponse } from './overall-response.ts';
import type { OverallParts, ResponseCategory, TumourMeasurement } from './response.types.ts';
import { selectTargets, type IdentifiedMeasurement } from './target-selection.ts';

function measured(
  id: string,
  mm: number,
  { node = false, organ = id, mark = null }: { node?: boolean; organ?: string; mark?: boolean | null } = {},
): IdentifiedMeasurement {
  const measurement: TumourMeasurement = {
    source: `DiagnosticReport/b#${id}`,
    lesion: null,
    node,
    nodeEvidence: node ? 'test' : null,
    longestDiameterMm: node ? null : mm,
    shortAxisMm: node ? mm : null,
    otherDimensionsMm: [],
    diameterMm: mm,
    diameterKind: node ? 'short-axis' : 'longest-diameter',
    newLesion: false,
    reportTarget: mark,
    notes: [],
  };
  return {
    ...measurement,
    lesion: {
      keys: [
        { source: 'tracking-id', value: id },
        { source: 'body-site', value: `http://snomed.info/sct|${organ}` },
      ],
      lesionId: `tracking-id:${id}`,
      display: id,
    },
  };
}

const ids = (list: readonly { lesion: { lesionId: string } }[]): string[] =>
  list.map((m) => m.lesion.lesionId);

describe('RECIST 1.1 target selection (Eisenhauer et al. 2009, 3.2–3.3)', () => {
  test('measurable means ≥ 10 mm; a node is a target from 15 mm short axis, a non-target from 10, normal under 10', () => {
    const choice = selectTargets([
      measured('lesion10', 10),
      measured('lesion9', 9.9),
      measured('node15', 15, { node: true }),
      measured('node12', 12, { node: true }),
      measured('node9', 9, { node: true }),
    ]);
    expect(ids(choice.targets)).toEqual(['tracking-id:lesion10', 'tracking-id:node15']);
    expect(ids(choice.nonTargets.map((n) => n.measurement))).toEqual([
      'tracking-id:lesion9',
      'tracking-id:node12',
    ]);
    expect(ids(choice.normal.map((n) => n.measurement))).toEqual(['tracking-id:node9']);
  });

  test('at most 5 targets and 2 per organ, the largest first; lymph nodes together are one organ', () => {
    const choice = selectTargets([
      measured('lung1', 40, { organ: 'lung' }),
      measured('lung2', 30, { organ: 'lung' }),
      measured('lung3', 25, { organ: 'lung' }),
      measured('liver1', 35, { organ: 'liver' }),
      measured('adrenal', 20, { organ: 'adrenal' }),
      measured('bone', 15, { organ: 'bone' }),
      measured('skin', 12, { organ: 'skin' }),
      measured('nodeA', 20, { node: true, organ: 'a' }),
      measured('nodeB', 18, { node: true, organ: 'b' }),
      measured('nodeC', 17, { node: true, organ: 'c' }),
    ]);
    expect(ids(choice.targets)).toEqual([
      'tracking-id:lung1',
      'tracking-id:lung2',
      'tracking-id:liver1',
      'tracking-id:adrenal',
      'tracking-id:nodeA',
    ]);
    expect(choice.nonTargets.map((n) => [n.measurement.lesion.lesionId, n.why])).toContainEqual([
      'tracking-id:lung3',
      'beyond 2 targets in its organ',
    ]);
    expect(choice.nonTargets.map((n) => n.why)).toContain('beyond the 5 largest targets');
  });

  test('the report’s own target marks win over the rule', () => {
    const choice = selectTargets([measured('small', 8, { mark: true }), measured('big', 50)]);
    expect(choice.selection.rule).toBe('report');
    expect(ids(choice.targets)).toEqual(['tracking-id:small']);
    expect(ids(choice.nonTargets.map((n) => n.measurement))).toEqual(['tracking-id:big']);
  });
});

describe('overall response: RECIST 1.1 tables 4 and 5', () => {
  const table4: [
    OverallParts['targets'],
    OverallParts['nonTargets'],
    OverallParts['newLesions'],
    ResponseCategory,
  ][] = [
    ['CR', 'CR', 'no', 'CR'],
    ['CR', null, 'no', 'CR'],
    ['CR', 'non-CR/non-PD', 'no', 'PR'],
    ['CR', 'NE', 'no', 'PR'],
    ['PR', 'non-CR/non-PD', 'no', 'PR'],
    ['PR', 'NE', 'no', 'PR'],
    ['SD', 'non-CR/non-PD', 'no', 'SD'],
    ['SD', 'NE', 'no', 'SD'],
    ['NE', 'non-CR/non-PD', 'no', 'NE'],
    ['PD', 'CR', 'no', 'PD'],
    ['PR', 'PD', 'no', 'PD'],
    ['CR', 'CR', 'yes', 'PD'],
    ['PR', 'non-CR/non-PD', 'equivocal', 'PR'],
  ];
  test.each(table4)(
    'table 4: targets %s, non-targets %s, new lesion %s → %s',
    (targets, nonTargets, newLesions, expected) => {
      expect(overallResponse({ targets, nonTargets, newLesions, table: 4 })).toBe(expected);
    },
  );

  const table5: [OverallParts['nonTargets'], OverallParts['newLesions'], ResponseCategory][] = [
    ['CR', 'no', 'CR'],
    ['non-CR/non-PD', 'no', 'non-CR/non-PD'],
    ['NE', 'no', 'NE'],
    ['PD', 'no', 'PD'],
    ['non-CR/non-PD', 'yes', 'PD'],
  ];
  test.each(table5)('table 5: non-targets %s, new lesion %s → %s', (nonTargets, newLesions, expected) => {
    expect(overallResponse({ targets: null, nonTargets, newLesions, table: 5 })).toBe(expected);
  });
});

describe('best overall response with confirmation (RECIST 1.1, 4.4)', () => {
  const point = (examId: string, date: string, category: ResponseCategory) => ({ examId, date, category });

  test('a PR confirmed by a PR 4 weeks later is the best response', () => {
    const { best, confirmations } = bestOverallResponse([
      point('f1', '2025-03-03', 'PR'),
      point('f2', '2025-03-31', 'PR'),
    ]);
    expect(best).toMatchObject({ category: 'PR', confirmed: true, examId: 'f1', confirmedBy: 'f2' });
    expect(confirmations.get('f1')).toBe('f2');
  });

  test('a PR followed only 27 days later is not confirmed and counts as SD', () => {
    const { best } = bestOverallResponse([point('f1', '2025-03-03', 'PR'), point('f2', '2025-03-30', 'PR')]);
    expect(best).toMatchObject({ category: 'SD', confirmed: false });
    expect(best.reason).toMatch(/Not confirmed/);
  });

  test('a CR needs a later CR; a PD in between ends the line’s best response', () => {
    expect(
      bestOverallResponse([point('f1', '2025-03-03', 'CR'), point('f2', '2025-04-14', 'PR')]).best.category,
    ).toBe('SD');
    expect(
      bestOverallResponse([
        point('f1', '2025-03-03', 'PR'),
        point('f2', '2025-03-17', 'PD'),
        point('f3', '2025-05-01', 'PR'),
      ]).best,
    ).toMatchObject({ category: 'SD', examId: 'f1' });
  });

  test('the confirmation interval is a setting', () => {
    const points = [point('f1', '2025-03-03', 'PR'), point('f2', '2025-03-24', 'PR')];
    expect(bestOverallResponse(points, { confirmationDays: 21 }).best.confirmed).toBe(true);
  });
});
