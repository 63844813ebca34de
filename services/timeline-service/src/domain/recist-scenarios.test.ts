import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  ConfirmedResponseScenario,
  EquivocalNewLesionScenario,
  NodeAxisScenario,
  NonTargetOnlyScenario,
  NonTargetProgressionScenario,
  OldBaselineScenario,
  PlanningCtScenario,
  ReappearanceScenario,
  ReportTargetsScenario,
  TargetSelectionScenario,
  TargetsGoneScenario,
  TwoTracksScenario,
  recordsFrom,
  timelineFrom,
  type RecistScenario,
} from './timeline.fixtures.ts';
import { buildTimeline } from './build-timeline.ts';
import type { TimelineExam } from './timeline.types.ts';

// The issue's cases, built as the FHIR resources the services store, through the whole timeline build.
function run(scenario: RecistScenario) {
  const timeline = timelineFrom(scenario.patient.key, scenario.events);
  const exam = (id: string): TimelineExam => {
    const examId = `ServiceRequest/${`${scenario.patient.identifier.value}-${id}`.toLowerCase()}`;
    const found = timeline.exams.find((e) => e.examId === examId);
    if (!found) {
      throw new Error(`no exam ${examId}`);
    }
    return found;
  };
  return { timeline, exam };
}

describe('the planning invariant and baselines per track, as the issue found them', () => {
  test('a planning CT with RTSTRUCT ordered for palliative thoracic RT is no baseline: 40 → 45 mm is SD, not PD +125 %', () => {
    const { exam } = run(PlanningCtScenario);
    expect(exam('plan')).toMatchObject({ purpose: 'planning', role: 'planning', isBaseline: false });
    expect(exam('b')).toMatchObject({
      isBaseline: true,
      baselineRule: 'last-before-treatment',
      warnings: [],
    });
    expect(exam('f1')).toMatchObject({ followUpOf: exam('b').examId });
    expect(exam('f1').response).toMatchObject({ category: 'SD', percentFromBaseline: 12.5 });
  });

  test('a chest CT and a brain MR before treatment are two tracks; the chest follow-up answers PR', () => {
    const { exam, timeline } = run(TwoTracksScenario);
    expect(exam('chest').isBaseline).toBe(true);
    expect(exam('brain').isBaseline).toBe(true);
    expect(exam('f1')).toMatchObject({ followUpOf: exam('chest').examId, response: { category: 'PR' } });
    expect(exam('f2').followUpOf).toBe(exam('brain').examId);
    expect(timeline.episodes[0].lines[0].tracks.map((t) => [t.modality, t.followUpExamIds])).toEqual([
      ['CT', [exam('f1').examId]],
      ['MR', [exam('f2').examId]],
    ]);
  });

  test('a baseline 200 days before treatment is used, with a warning on the exam and the timeline', () => {
    const { exam, timeline } = run(OldBaselineScenario);
    const warning = {
      code: 'baseline-older-than-window',
      message: expect.stringContaining('200 days') as string,
    };
    expect(exam('b').warnings).toEqual([warning]);
    expect(timeline.warnings).toEqual([{ ...warning, examId: exam('b').examId }]);
    expect(exam('f1').response?.category).toBe('PR');
  });

  test('the window is a setting: 250 days accepts the same baseline', () => {
    const { patient, events } = OldBaselineScenario;
    expect(buildTimeline(recordsFrom(patient.key, events), { baselineWindowDays: 250 }).warnings).toEqual([]);
  });
});

describe('RECIST 1.1 through the whole timeline build', () => {
  test('an 8 mm lesion and a 12 mm short-axis node are non-targets: 30 → 20 mm is PR, not SD', () => {
    const { exam } = run(TargetSelectionScenario);
    const baseline = exam('b').response?.evidence;
    expect(baseline?.lesions.map((l) => l.lesionId)).toEqual(['tracking-id:A']);
    expect(baseline?.nonTargets.map((n) => [n.lesionId, n.why])).toEqual([
      ['tracking-id:B', expect.stringContaining('under 10 mm') as string],
      ['tracking-id:N', expect.stringContaining('10–15 mm') as string],
    ]);
    expect(baseline?.targetSelection?.rule).toBe('recist-1.1');
    expect(exam('f1').response).toMatchObject({
      category: 'PR',
      percentFromBaseline: -33.3,
      evidence: { overall: { targets: 'PR', nonTargets: 'non-CR/non-PD', newLesions: 'no', table: 4 } },
    });
  });

  test('a node followed by its long axis only is not evaluable, never a false PD', () => {
    const { exam } = run(NodeAxisScenario);
    const response = exam('f1').response;
    expect(response?.category).toBe('NE');
    expect(response?.evidence.lesions.find((l) => l.node)).toMatchObject({
      state: 'not-evaluable',
      currentMm: null,
    });
  });

  test('30 → 0 → 4 mm: a lesion that reappears after CR is PD', () => {
    const { exam } = run(ReappearanceScenario);
    expect(exam('f1').response?.category).toBe('CR');
    expect(exam('f2').response).toMatchObject({
      category: 'PD',
      reason: expect.stringMatching(/^PD: after a complete response/) as string,
    });
  });

  test('unequivocal non-target progression with shrinking targets is PD', () => {
    const { exam } = run(NonTargetProgressionScenario);
    expect(exam('f1').response).toMatchObject({
      category: 'PD',
      percentFromBaseline: -50,
      evidence: { overall: { targets: 'PR', nonTargets: 'PD' } },
    });
  });

  test('targets gone with non-target disease still present is PR, not CR', () => {
    const { exam } = run(TargetsGoneScenario);
    expect(exam('f1').response).toMatchObject({
      category: 'PR',
      evidence: { overall: { targets: 'CR', nonTargets: 'non-CR/non-PD' } },
    });
  });

  test('a PR confirmed 56 days later is the best overall response of the line', () => {
    const { exam } = run(ConfirmedResponseScenario);
    expect(exam('f1').response).toMatchObject({
      category: 'PR',
      evidence: { confirmedBy: exam('f2').examId },
    });
    expect(exam('b').response?.bestOverallResponse).toMatchObject({
      category: 'PR',
      confirmed: true,
      examId: exam('f1').examId,
      confirmedBy: exam('f2').examId,
    });
  });

  test('an equivocal new lesion is not PD until confirmed; then PD dates from its first sighting', () => {
    const { exam } = run(EquivocalNewLesionScenario);
    expect(exam('f1').response).toMatchObject({
      category: 'SD',
      evidence: { equivocalNewLesions: [{ lesionId: 'tracking-id:L9' }] },
    });
    expect(exam('f2').response).toMatchObject({
      category: 'PD',
      evidence: { progressionSince: { examId: exam('f1').examId, date: exam('f1').date } },
    });
  });

  test('non-target disease only follows table 5: non-CR/non-PD, then CR', () => {
    const { exam } = run(NonTargetOnlyScenario);
    expect(exam('f1').response).toMatchObject({
      category: 'non-CR/non-PD',
      evidence: { overall: { table: 5 } },
    });
    expect(exam('f2').response?.category).toBe('CR');
  });

  test('the report’s own target marks win, and a lesion too small to measure counts 5 mm', () => {
    const { exam } = run(ReportTargetsScenario);
    expect(exam('b').response?.evidence.targetSelection?.rule).toBe('report');
    expect(exam('b').response?.evidence.nonTargets.map((n) => n.lesionId)).toEqual(['tracking-id:B']);
    expect(exam('f1').response).toMatchObject({ category: 'PR', sumOfDiametersMm: 12 });
    expect(exam('f1').response?.evidence.nonTargets[0]).toMatchObject({ state: 'present' });
  });
});

describe('the new rules do not depend on the order events arrive in', () => {
  test('any arrival order of each scenario gives the in-order timeline', () => {
    const scenarios = [
      PlanningCtScenario,
      TwoTracksScenario,
      NodeAxisScenario,
      ReappearanceScenario,
      NonTargetProgressionScenario,
      ConfirmedResponseScenario,
      EquivocalNewLesionScenario,
      NonTargetOnlyScenario,
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...scenarios).chain((scenario) =>
          fc.tuple(
            fc.constant(scenario),
            fc.shuffledSubarray(scenario.events, {
              minLength: scenario.events.length,
              maxLength: scenario.events.length,
            }),
          ),
        ),
        ([scenario, delivered]) => {
          expect(timelineFrom(scenario.patient.key, delivered)).toEqual(
            timelineFrom(scenario.patient.key, scenario.events),
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});
