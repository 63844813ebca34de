import {
  equivocalNewLesion,
  lesion,
  marked,
  nonTargetLesion,
  recistScenario,
  type NonTargetStateCode,
  type RecistScenario,
} from './recist-scenarios.ts';

/**
 * The cases, one patient each. Days count from 6 January 2025. A planning scan (RTPLAN
 * series) or a response-assessment order marks treatment start. All data is made up.
 */

/** A planning CT with RTSTRUCT ordered "Metastatic NSCLC, palliative thoracic RT" is no baseline: 40 → 45 mm is SD, not PD +125 % against the planning CT's 20 mm. */
export const PlanningCtScenario: RecistScenario = recistScenario('RS-RT', (p) => [
  { id: 'b', day: 0, reason: 'Staging', findings: lesion(p, 'b', 'A', 40, { organ: 'lung' }) },
  {
    id: 'plan',
    day: 14,
    rt: 'RTSTRUCT',
    reason: 'Metastatic NSCLC, palliative thoracic RT',
    findings: lesion(p, 'plan', 'A', 20, { organ: 'lung' }),
  },
  { id: 'f1', day: 70, purpose: 'response', findings: lesion(p, 'f1', 'A', 45, { organ: 'lung' }) },
]);

/** A chest CT and a brain MR before treatment: two tracks; the chest follow-up is measured against the chest CT (PR). */
export const TwoTracksScenario: RecistScenario = recistScenario('RS-TRK', (p) => [
  { id: 'chest', day: 0, findings: lesion(p, 'chest', 'A', 40, { organ: 'lung' }) },
  { id: 'brain', day: 10, modality: 'MR', bodyPart: 'HEAD' },
  { id: 'plan', day: 20, rt: 'RTPLAN' },
  { id: 'f1', day: 60, purpose: 'response', findings: lesion(p, 'f1', 'A', 20, { organ: 'lung' }) },
  { id: 'f2', day: 65, modality: 'MR', bodyPart: 'HEAD', purpose: 'response' },
]);

/** A baseline 200 days before treatment start: used, with a `baseline-older-than-window` warning. */
export const OldBaselineScenario: RecistScenario = recistScenario('RS-OLD', (p) => [
  { id: 'b', day: 0, findings: lesion(p, 'b', 'A', 40, { organ: 'lung' }) },
  { id: 'f1', day: 200, purpose: 'response', findings: lesion(p, 'f1', 'A', 25, { organ: 'lung' }) },
]);

/** An 8 mm lesion and a 12 mm short-axis node are non-targets: 30 → 20 mm is PR (all counted: −20 %, SD). */
export const TargetSelectionScenario: RecistScenario = recistScenario('RS-SEL', (p) => [
  {
    id: 'b',
    day: 0,
    findings: [
      ...lesion(p, 'b', 'A', 30, { organ: 'lung' }),
      ...lesion(p, 'b', 'B', 8, { organ: 'liver' }),
      ...lesion(p, 'b', 'N', 12, { node: 'short-axis', organ: 'node' }),
    ],
  },
  { id: 'plan', day: 10, rt: 'RTPLAN' },
  {
    id: 'f1',
    day: 42,
    purpose: 'response',
    findings: [
      ...lesion(p, 'f1', 'A', 20, { organ: 'lung' }),
      ...lesion(p, 'f1', 'B', 8, { organ: 'liver' }),
      ...lesion(p, 'f1', 'N', 12, { node: 'short-axis', organ: 'node' }),
    ],
  },
]);

/** A node of 20 mm short axis measured only by its 35 mm long axis at follow-up: NE, not PD. */
export const NodeAxisScenario: RecistScenario = recistScenario('RS-NODE', (p) => [
  {
    id: 'b',
    day: 0,
    findings: [
      ...lesion(p, 'b', 'A', 30, { organ: 'lung' }),
      ...lesion(p, 'b', 'N', 20, { node: 'short-axis' }),
    ],
  },
  { id: 'plan', day: 10, rt: 'RTPLAN' },
  {
    id: 'f1',
    day: 42,
    purpose: 'response',
    findings: [
      ...lesion(p, 'f1', 'A', 30, { organ: 'lung' }),
      ...lesion(p, 'f1', 'N', 35, { node: 'long-axis-only' }),
    ],
  },
]);

/** 30 → 0 → 4 mm: CR, then PD (reappearance), not PR. */
export const ReappearanceScenario: RecistScenario = recistScenario('RS-CR', (p) => [
  { id: 'b', day: 0, findings: lesion(p, 'b', 'A', 30, { organ: 'liver' }) },
  { id: 'plan', day: 10, rt: 'RTPLAN' },
  { id: 'f1', day: 42, purpose: 'response', findings: lesion(p, 'f1', 'A', 0, { organ: 'liver' }) },
  { id: 'f2', day: 84, purpose: 'response', findings: lesion(p, 'f2', 'A', 4, { organ: 'liver' }) },
]);

// A lung target and a bone non-target, at baseline then at one follow-up.
function targetAndBone(mrn: string, followUp: { target: number; bone: NonTargetStateCode }): RecistScenario {
  return recistScenario(mrn, (p) => [
    {
      id: 'b',
      day: 0,
      findings: [...lesion(p, 'b', 'A', 40, { organ: 'lung' }), nonTargetLesion('b', 'E', 'present', 'bone')],
    },
    { id: 'plan', day: 10, rt: 'RTPLAN' },
    {
      id: 'f1',
      day: 42,
      purpose: 'response',
      findings: [
        ...lesion(p, 'f1', 'A', followUp.target, { organ: 'lung' }),
        nonTargetLesion('f1', 'E', followUp.bone, 'bone'),
      ],
    },
  ]);
}

/** Shrinking targets (40 → 20 mm) with unequivocal non-target progression: PD, not PR. */
export const NonTargetProgressionScenario: RecistScenario = targetAndBone('RS-NTPD', {
  target: 20,
  bone: 'unequivocal-progression',
});

/** Targets gone with non-target disease still present: PR, not CR. */
export const TargetsGoneScenario: RecistScenario = targetAndBone('RS-NTCR', { target: 0, bone: 'present' });

/** 80 → 50 → 46 mm, 56 days apart: PR confirmed by the second assessment; best overall response PR. */
export const ConfirmedResponseScenario: RecistScenario = recistScenario('RS-PR', (p) => {
  const targets = (exam: string, a: number, b: number) => [
    ...lesion(p, exam, 'A', a, { organ: 'lung' }),
    ...lesion(p, exam, 'B', b, { organ: 'liver' }),
  ];
  return [
    { id: 'b', day: 0, findings: targets('b', 50, 30) },
    { id: 'plan', day: 10, rt: 'RTPLAN' },
    { id: 'f1', day: 56, purpose: 'response', findings: targets('f1', 30, 20) },
    { id: 'f2', day: 112, purpose: 'response', findings: targets('f2', 28, 18) },
  ];
});

/** An equivocal new lesion at f1 (SD), confirmed at f2: PD at f2, dated from f1. */
export const EquivocalNewLesionScenario: RecistScenario = recistScenario('RS-EQ', (p) => [
  { id: 'b', day: 0, findings: lesion(p, 'b', 'A', 40, { organ: 'lung' }) },
  { id: 'plan', day: 10, rt: 'RTPLAN' },
  {
    id: 'f1',
    day: 56,
    purpose: 'response',
    findings: [...lesion(p, 'f1', 'A', 38, { organ: 'lung' }), equivocalNewLesion('f1', 'L9')],
  },
  {
    id: 'f2',
    day: 112,
    purpose: 'response',
    findings: [
      ...lesion(p, 'f2', 'A', 38, { organ: 'lung' }),
      ...lesion(p, 'f2', 'L9', 12, { organ: 'liver', newLesion: true }),
    ],
  },
]);

/** Non-target disease only (table 5): non-CR/non-PD, then CR when it is gone. */
export const NonTargetOnlyScenario: RecistScenario = recistScenario('RS-NT', () => [
  { id: 'b', day: 0, findings: [nonTargetLesion('b', 'E', 'present', 'bone')] },
  { id: 'plan', day: 10, rt: 'RTPLAN' },
  { id: 'f1', day: 56, purpose: 'response', findings: [nonTargetLesion('f1', 'E', 'present', 'bone')] },
  { id: 'f2', day: 112, purpose: 'response', findings: [nonTargetLesion('f2', 'E', 'absent', 'bone')] },
]);

/** The report marks its own target (A); the larger B is then a non-target. */
export const ReportTargetsScenario: RecistScenario = recistScenario('RS-MARK', (p) => [
  {
    id: 'b',
    day: 0,
    findings: [
      ...marked(lesion(p, 'b', 'A', 20, { organ: 'lung' }), 'target-lesion'),
      ...lesion(p, 'b', 'B', 30, { organ: 'liver' }),
    ],
  },
  { id: 'plan', day: 10, rt: 'RTPLAN' },
  {
    id: 'f1',
    day: 42,
    purpose: 'response',
    findings: [
      ...lesion(p, 'f1', 'A', 12, { organ: 'lung' }),
      ...marked(lesion(p, 'f1', 'B', 1, { organ: 'liver' }), 'too-small-to-measure'),
    ],
  },
]);

/**
 * The whole course the issue asks to see end to end: 80 → 50 → 46 mm with bone disease present (a
 * PR, confirmed 56 days later), then the bone metastasis progresses unequivocally while the targets
 * hold: PD from non-target progression; the line's best overall response stays the confirmed PR.
 */
export const ConfirmedThenNonTargetProgressionScenario: RecistScenario = recistScenario('RS-COURSE', (p) => {
  const findings = (exam: string, a: number, b: number, bone: NonTargetStateCode) => [
    ...lesion(p, exam, 'A', a, { organ: 'lung' }),
    ...lesion(p, exam, 'B', b, { organ: 'liver' }),
    nonTargetLesion(exam, 'E', bone, 'bone'),
  ];
  return [
    { id: 'b', day: 0, findings: findings('b', 50, 30, 'present') },
    { id: 'plan', day: 10, rt: 'RTPLAN' },
    { id: 'f1', day: 56, purpose: 'response', findings: findings('f1', 30, 20, 'present') },
    { id: 'f2', day: 112, purpose: 'response', findings: findings('f2', 28, 18, 'present') },
    { id: 'f3', day: 168, purpose: 'response', findings: findings('f3', 28, 18, 'unequivocal-progression') },
  ];
});

/** Every case above by name, for tests that run them all (one set of services for all of them). */
export const RecistScenarioCases = {
  planningCt: PlanningCtScenario,
  twoTracks: TwoTracksScenario,
  oldBaseline: OldBaselineScenario,
  targetSelection: TargetSelectionScenario,
  nodeAxis: NodeAxisScenario,
  reappearance: ReappearanceScenario,
  nonTargetProgression: NonTargetProgressionScenario,
  targetsGone: TargetsGoneScenario,
  confirmedResponse: ConfirmedResponseScenario,
  equivocalNewLesion: EquivocalNewLesionScenario,
  nonTargetOnly: NonTargetOnlyScenario,
  reportTargets: ReportTargetsScenario,
  confirmedThenNonTargetProgression: ConfirmedThenNonTargetProgressionScenario,
} as const satisfies Record<string, RecistScenario>;
