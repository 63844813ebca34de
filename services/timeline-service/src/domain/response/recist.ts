import {
  NO_IDENTITY,
  currentValue,
  firstSighting,
  hundredths,
  matchMeasurements,
  namesOf,
  stateOf,
  toMm,
  untracked,
} from './follow-up-lesions.ts';
import { isStrongKey, sameKey } from './lesion-match.ts';
import { assessNonTargets, nonTargetResponse, type BaselineNonTarget } from './non-target.ts';
import { overallResponse, overallRule } from './overall-response.ts';
import {
  RECIST,
  type LineState,
  type RecistAssessment,
  type RecistBaseline,
  type RecistFindings,
  type RecistTarget,
} from './recist-model.ts';
import type {
  NonTargetFinding,
  OverallParts,
  ResponseCategory,
  TargetLesionEvidence,
  TumourMeasurement,
  UntrackedLesion,
} from './response.types.ts';
import { selectTargets, type IdentifiedMeasurement } from './target-selection.ts';

export * from './recist-model.ts';

function percent(changeH: number, ofH: number): number | null {
  if (ofH === 0) {
    return null;
  }
  const value = Math.round((changeH / ofH) * 1000) / 10;
  return value === 0 ? 0 : value;
}

function signed(value: number | null, unit: string): string {
  if (value === null) {
    return 'n/a';
  }
  return `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(value)}${unit}`;
}

/**
 * The target and non-target lesions and the target sum at a baseline. A second measurement of the
 * same lesion is kept out; the identified ones are selected by `selectTargets` (RECIST 1.1, or the
 * report's own target marks). The report's non-target Observations are non-targets too.
 */
export function recistBaseline(
  examId: string,
  measurements: readonly TumourMeasurement[],
  nonTargetFindings: readonly NonTargetFinding[] = [],
): RecistBaseline {
  const identified: IdentifiedMeasurement[] = [];
  const left: UntrackedLesion[] = [];
  for (const measurement of measurements) {
    const lesion = measurement.lesion;
    if (!lesion) {
      left.push(untracked(measurement, NO_IDENTITY));
      continue;
    }
    const twin = identified.find((t) =>
      t.lesion.keys.some((k) => isStrongKey(k) && lesion.keys.some((l) => sameKey(k, l))),
    );
    if (twin) {
      left.push(untracked(measurement, `a second measurement of ${twin.lesion.lesionId} in the same report`));
      continue;
    }
    identified.push({ ...measurement, lesion });
  }
  const choice = selectTargets(identified);
  const targets: RecistTarget[] = choice.targets.map((m) => ({
    lesionId: m.lesion.lesionId,
    display: m.lesion.display,
    node: m.node,
    diameterKind: m.diameterKind,
    keys: m.lesion.keys,
    baselineMm: m.diameterMm,
    baselineSource: m.source,
  }));
  left.push(...choice.normal.map(({ measurement, why }) => untracked(measurement, why)));
  const nonTargets: BaselineNonTarget[] = [
    ...choice.nonTargets.map(({ measurement: m, why }) => ({
      lesionId: m.lesion.lesionId,
      display: m.lesion.display,
      node: m.node,
      why,
      keys: m.lesion.keys,
      baselineSource: m.source,
      baselineMm: m.diameterMm,
    })),
    ...nonTargetFindings
      .filter((f) => f.state !== 'absent')
      .map((f) => ({
        lesionId: f.lesion?.lesionId ?? f.source,
        display: f.lesion?.display ?? null,
        node: false,
        why: 'stated by the report as a non-target lesion',
        keys: f.lesion?.keys ?? [],
        baselineSource: f.source,
        baselineMm: null,
      })),
  ];
  const sumH = targets.reduce((sum, t) => sum + hundredths(t.baselineMm), 0);
  return { examId, targets, sumMm: toMm(sumH), untracked: left, nonTargets, selection: choice.selection };
}

/**
 * One follow-up against its baseline and the line so far. The target response is decided in this
 * order: reappearance after CR (PD); a target not evaluated (NE, unless the lesions measured
 * already make PD); PD by the sum; CR; PR; SD. It is then combined with the non-target response
 * and new lesions (RECIST 1.1 table 4, or table 5 without targets) into the overall response.
 */
export function assessFollowUp(
  baseline: RecistBaseline,
  line: LineState,
  examId: string,
  findings: RecistFindings,
): RecistAssessment {
  const nadir = line;
  const { matched, left, newLesions, equivocal } = matchMeasurements(baseline, findings);
  const lesions: TargetLesionEvidence[] = baseline.targets.map((target) => {
    const { mm, source, note } = currentValue(target, matched.get(target));
    return {
      lesionId: target.lesionId,
      display: target.display,
      node: target.node,
      diameterKind: target.diameterKind,
      baselineMm: target.baselineMm,
      baselineSource: target.baselineSource,
      currentMm: mm,
      currentSource: source,
      state: stateOf(target, mm, note),
      ...(note ? { note } : {}),
    };
  });
  const nonTargets = assessNonTargets(baseline.nonTargets, findings.nonTargets ?? [], findings.measurements);
  const missing = lesions.filter((l) => l.state === 'missing' || l.state === 'not-evaluable');
  const complete = missing.length === 0;
  const sumH = lesions.reduce((sum, l) => sum + (l.currentMm === null ? 0 : hundredths(l.currentMm)), 0);
  const baseH = hundredths(baseline.sumMm);
  const nadirH = hundredths(nadir.sumMm);
  const fromNadirH = sumH - nadirH;
  const fromBaseH = sumH - baseH;
  const progressionBySum =
    fromNadirH * 100 >= RECIST.progressionPercent * nadirH &&
    fromNadirH >= hundredths(RECIST.progressionMinimumMm);
  const sum = toMm(sumH);
  const pctBase = percent(fromBaseH, baseH);
  const pctNadir = percent(fromNadirH, nadirH);
  const versusNadir = `${signed(pctNadir, ' %')} and ${signed(toMm(fromNadirH), ' mm')} from the nadir ${nadir.sumMm} mm`;
  const reappeared = line.afterCompleteResponse
    ? [
        ...lesions.filter((l) => l.state === 'measured'),
        ...nonTargets.filter((n) => n.state === 'present' || n.state === 'unequivocal-progression'),
      ].map((l) => l.display ?? l.lesionId)
    : [];

  let targetCategory: ResponseCategory | null = null;
  let targetReason: string;
  if (baseline.targets.length === 0) {
    targetReason = 'No target lesions: non-target disease only.';
  } else if (reappeared.length > 0) {
    targetCategory = 'PD';
    targetReason = `PD: after a complete response, ${reappeared.join(', ')} ${reappeared.length === 1 ? 'is' : 'are'} seen again.`;
  } else if (!complete && progressionBySum) {
    targetCategory = 'PD';
    targetReason = `PD: ${missing.length} target lesion(s) not evaluated, but the measured ones alone are ${versusNadir} (PD needs +${RECIST.progressionPercent} % and +${RECIST.progressionMinimumMm} mm).`;
  } else if (!complete) {
    targetCategory = 'NE';
    targetReason = `NE: target lesion(s) ${missing.map((l) => `${l.lesionId}${l.note ? ` (${l.note})` : ''}`).join(', ')} not evaluated at this exam.`;
  } else if (progressionBySum) {
    targetCategory = 'PD';
    targetReason = `PD: the sum ${sum} mm is ${versusNadir} (PD needs +${RECIST.progressionPercent} % and +${RECIST.progressionMinimumMm} mm).`;
  } else if (lesions.every((l) => l.state === 'gone' || l.state === 'node-normal')) {
    targetCategory = 'CR';
    targetReason = `CR: every target lesion is gone${lesions.some((l) => l.node) ? `, lymph nodes under ${RECIST.normalNodeShortAxisMm} mm short axis` : ''}.`;
  } else if (fromBaseH * 100 <= -RECIST.partialResponsePercent * baseH) {
    targetCategory = 'PR';
    targetReason = `PR: the sum ${sum} mm is ${signed(pctBase, ' %')} from the baseline ${baseline.sumMm} mm (PR needs −${RECIST.partialResponsePercent} % or less).`;
  } else {
    targetCategory = 'SD';
    targetReason = `SD: the sum ${sum} mm is ${signed(pctBase, ' %')} from the baseline ${baseline.sumMm} mm and ${versusNadir}: neither −${RECIST.partialResponsePercent} % from baseline nor +${RECIST.progressionPercent} % and +${RECIST.progressionMinimumMm} mm from the nadir.`;
  }
  const nonTargetCategory = nonTargetResponse(nonTargets);
  const overall: OverallParts = {
    targets: targetCategory,
    nonTargets: nonTargetCategory,
    newLesions: newLesions.length > 0 ? 'yes' : equivocal.length > 0 ? 'equivocal' : 'no',
    table: baseline.targets.length > 0 ? 4 : 5,
  };
  const category = overallResponse(overall);
  const progressionSince = newLesions.length > 0 ? firstSighting(line.equivocal ?? [], newLesions) : null;
  const nonTargetPd = nonTargets
    .filter((n) => n.state === 'unequivocal-progression')
    .map((n) => n.display ?? n.lesionId);
  // The decisive finding first, then the table's combination, then what else was seen.
  const lead =
    newLesions.length > 0
      ? `PD: ${newLesions.length === 1 ? 'a new lesion' : `${newLesions.length} new lesions`} (${namesOf(newLesions)})${progressionSince ? `, first seen as equivocal at ${progressionSince}: progression dates from there` : ''}, whatever the sum.`
      : nonTargetCategory === 'PD' && targetCategory !== 'PD'
        ? `PD: unequivocal progression of non-target disease (${nonTargetPd.join(', ')}), whatever the targets.`
        : targetCategory === category
          ? targetReason
          : `${category}: ${targetCategory === 'CR' ? 'every target lesion is gone but non-target disease is still present or not evaluated' : `non-target disease ${nonTargetCategory ?? 'none'}`}.`;
  const details = [
    category === targetCategory && newLesions.length === 0 ? '' : targetReason,
    equivocal.length > 0
      ? `Equivocal new lesion(s) ${namesOf(equivocal)}: not PD until a later exam confirms them.`
      : '',
  ].filter(Boolean);
  const reason = [lead, overallRule(overall, category), ...details].join(' ');
  const showSum = baseline.targets.length > 0 && (complete || targetCategory === 'PD');
  return {
    examId,
    category,
    reason,
    overall,
    nonTargets,
    equivocalNewLesions: equivocal,
    progressionSinceExamId: progressionSince,
    sumMm: showSum ? sum : null,
    baselineSumMm: baseline.sumMm,
    nadirSumMm: nadir.sumMm,
    nadirExamId: nadir.examId,
    percentFromBaseline: showSum ? pctBase : null,
    percentFromNadir: showSum ? pctNadir : null,
    changeFromBaselineMm: showSum ? toMm(fromBaseH) : null,
    changeFromNadirMm: showSum ? toMm(fromNadirH) : null,
    lesions,
    newLesions,
    untracked: left,
    complete,
  };
}

/**
 * Assesses the follow-ups of one treatment line in time order. The nadir starts at the baseline
 * sum and moves to every smaller sum of a follow-up whose targets were all measured. After an
 * overall CR, any lesion seen again is PD. Equivocal new lesions are remembered until confirmed.
 * A new line of treatment has its own baseline, so its nadir and sums start again.
 */
export function assessTreatmentLine(
  baseline: RecistBaseline,
  followUps: readonly { examId: string; findings: RecistFindings }[],
): RecistAssessment[] {
  let state: LineState = { sumMm: baseline.sumMm, examId: baseline.examId, equivocal: [] };
  return followUps.map(({ examId, findings }) => {
    const assessment = assessFollowUp(baseline, state, examId, findings);
    const lower =
      assessment.complete &&
      assessment.sumMm !== null &&
      hundredths(assessment.sumMm) < hundredths(state.sumMm);
    state = {
      ...(lower && assessment.sumMm !== null
        ? { sumMm: assessment.sumMm, examId }
        : { sumMm: state.sumMm, examId: state.examId }),
      afterCompleteResponse:
        assessment.category === 'CR' ||
        (state.afterCompleteResponse === true && assessment.category !== 'PD'),
      equivocal: [
        ...(state.equivocal ?? []),
        ...assessment.equivocalNewLesions.map((finding) => ({ examId, finding })),
      ],
    };
    return assessment;
  });
}
