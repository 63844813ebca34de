import type { Observation } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { assessTreatmentLine, recistBaseline } from './recist.ts';
import { TUMOUR_ASSESSMENT_SYSTEM } from './response-codes.ts';
import type { TumourMeasurement } from './response.types.ts';
import { readTumourMeasurement } from './tumour-measurement.ts';

/**
 * RECIST 1.1 (Eisenhauer et al. 2009, 4.3.2 and appendix): a target lesion present but too small
 * to measure counts 5 mm, one gone 0 mm; a lesion that splits counts the sum of its fragments;
 * lesions that coalesce give their diameter to one of them, the others 0 mm.
 */
function measured(
  exam: string,
  ids: string[],
  mm: number,
  { node = false, tooSmall = false, fragment = '' } = {},
): TumourMeasurement {
  const name = ids.join('+') + fragment;
  return {
    source: `DiagnosticReport/${exam}#${name}`,
    lesion: {
      keys: ids.map((value) => ({ source: 'tracking-id' as const, value })),
      lesionId: `tracking-id:${ids[0]}`,
      display: name,
    },
    node,
    nodeEvidence: node ? 'test' : null,
    longestDiameterMm: node ? null : mm,
    shortAxisMm: node ? mm : null,
    otherDimensionsMm: [],
    diameterMm: mm,
    diameterKind: node ? 'short-axis' : 'longest-diameter',
    newLesion: false,
    ...(tooSmall ? { tooSmallToMeasure: true } : {}),
    notes: [],
  };
}

function lastOf(baseline: TumourMeasurement[], followUp: TumourMeasurement[]) {
  const line = recistBaseline('baseline', baseline);
  return assessTreatmentLine(line, [
    { examId: 'f1', findings: { measurements: followUp, newLesions: [] } },
  ])[0];
}

describe('RECIST 1.1: a lesion too small to measure', () => {
  test('a target the report states present but too small to measure counts 5 mm, not 0 and not NE', () => {
    const last = lastOf(
      [measured('baseline', ['A'], 30), measured('baseline', ['B'], 20)],
      [measured('f1', ['A'], 10), measured('f1', ['B'], 5, { tooSmall: true })],
    );
    expect(last).toMatchObject({ category: 'PR', sumMm: 15, percentFromBaseline: -70, complete: true });
    expect(last.lesions[1]).toMatchObject({
      lesionId: 'tracking-id:B',
      currentMm: 5,
      state: 'measured',
      note: 'too small to measure: counted as 5 mm',
    });
  });

  test('a target stated as disappeared counts 0 mm', () => {
    const last = lastOf(
      [measured('baseline', ['A'], 30), measured('baseline', ['B'], 20)],
      [measured('f1', ['A'], 10), measured('f1', ['B'], 0)],
    );
    expect(last).toMatchObject({ category: 'PR', sumMm: 10, percentFromBaseline: -80 });
    expect(last.lesions[1]).toMatchObject({ currentMm: 0, state: 'gone' });
  });

  test('a node target too small to measure counts 5 mm: under 10 mm, normal', () => {
    const last = lastOf(
      [measured('baseline', ['N'], 20, { node: true })],
      [measured('f1', ['N'], 5, { tooSmall: true })],
    );
    expect(last).toMatchObject({ category: 'CR', sumMm: 5 });
    expect(last.lesions[0]).toMatchObject({ currentMm: 5, state: 'node-normal' });
  });

  test('read from the report: interpretation tumour-assessment#too-small-to-measure and no value', () => {
    const observation: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '21889-1' }] },
      identifier: [
        {
          type: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '112039' }] },
          value: 'B',
        },
      ],
      interpretation: [{ coding: [{ system: TUMOUR_ASSESSMENT_SYSTEM, code: 'too-small-to-measure' }] }],
    };
    const reading = readTumourMeasurement(observation, { source: 'DiagnosticReport/f1#b' });
    expect(reading).toMatchObject({
      kind: 'measurement',
      measurement: {
        diameterMm: 5,
        tooSmallToMeasure: true,
        lesion: { lesionId: 'tracking-id:B' },
        notes: ['too small to measure: counted as 5 mm'],
      },
    });
  });
});

describe('RECIST 1.1: split and merged lesions', () => {
  test('a target that fragments counts the sum of its fragments: 30 → 12 + 8 = 20 mm, −33.3 %, PR', () => {
    const last = lastOf(
      [measured('baseline', ['A'], 30)],
      [measured('f1', ['A'], 12, { fragment: 'a' }), measured('f1', ['A'], 8, { fragment: 'b' })],
    );
    expect(last).toMatchObject({ category: 'PR', sumMm: 20, percentFromBaseline: -33.3, untracked: [] });
    expect(last.lesions[0]).toMatchObject({
      currentMm: 20,
      currentSource: 'DiagnosticReport/f1#Aa',
      state: 'measured',
      note: 'split: sum of 2 fragments (12 + 8 mm)',
    });
  });

  test('fragments that grew are summed too: 30 → 20 + 17 = 37 mm, +23.3 % and +7 mm, PD', () => {
    const last = lastOf(
      [measured('baseline', ['A'], 30)],
      [measured('f1', ['A'], 20, { fragment: 'a' }), measured('f1', ['A'], 17, { fragment: 'b' })],
    );
    expect(last).toMatchObject({ category: 'PD', sumMm: 37, percentFromNadir: 23.3 });
  });

  test('a node fragment without its short axis leaves the node target not evaluable', () => {
    const noShortAxis: TumourMeasurement = {
      ...measured('f1', ['N'], 12, { fragment: 'b' }),
      node: true,
      shortAxisMm: null,
      longestDiameterMm: 12,
    };
    const last = lastOf(
      [measured('baseline', ['N'], 20, { node: true })],
      [measured('f1', ['N'], 9, { node: true, fragment: 'a' }), noShortAxis],
    );
    expect(last.category).toBe('NE');
    expect(last.lesions[0]).toMatchObject({ currentMm: null, state: 'not-evaluable' });
  });

  test('two targets 20 + 15 mm merged into one 28 mm lesion: the sum is 28, the first holds it, the other 0 mm', () => {
    const last = lastOf(
      [measured('baseline', ['A'], 20), measured('baseline', ['B'], 15)],
      [measured('f1', ['A', 'B'], 28)],
    );
    expect(last).toMatchObject({ category: 'SD', sumMm: 28, percentFromBaseline: -20, untracked: [] });
    expect(last.lesions).toMatchObject([
      {
        lesionId: 'tracking-id:A',
        currentMm: 28,
        state: 'measured',
        note: 'merged: holds tracking-id:B, which count 0 mm',
      },
      {
        lesionId: 'tracking-id:B',
        currentMm: 0,
        currentSource: 'DiagnosticReport/f1#A+B',
        note: 'merged into tracking-id:A: counted as 0 mm',
      },
    ]);
  });

  test('the merged lesion goes to the first target in the baseline order, whatever order its keys name them', () => {
    const last = lastOf(
      [measured('baseline', ['A'], 20), measured('baseline', ['B'], 15)],
      [measured('f1', ['B', 'A'], 10)],
    );
    expect(last).toMatchObject({ category: 'PR', sumMm: 10 });
    expect(last.lesions.map((l) => l.currentMm)).toEqual([10, 0]);
  });
});
