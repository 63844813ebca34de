import type { DiagnosticReport, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { CANCER_TYPES, type CancerType, type ExamTemplate } from './catalogue.ts';
import { FAMILY_NAMES, GIVEN_NAMES } from './names.ts';
import { imagingReport, patientRef, type LesionMeasurement, type PurposeCode } from '@oncoimg/fhir-builders';
import { CONCLUSION_OF, describeLesions, pad, patientBuilder, type Exam } from './patient-builder.ts';
import { deriveSeed, mulberry32, type Prng } from './prng.ts';
import { drawFollowUps, RESPONSE_PATHWAYS, sumOf, type ResponsePathway } from './response-trajectory.ts';

export { RESPONSE_PATHWAYS, recistCategory, type ResponsePathway } from './response-trajectory.ts';
import { confirmingFollowUps, NON_TARGET_OF, withNonTarget } from './recist-findings.ts';

/** Medical record numbers of the synthetic cohort (made up). */
export const SYNTHETIC_MRN_SYSTEM = 'https://oncoimg.example.org/fhir/sid/synthetic-mrn';

export type CohortResource = ServiceRequest | ImagingStudy | DiagnosticReport;

/** What makes a patient's data awkward on purpose. */
export type CohortFeature =
  /** Their resources arrive shuffled: reports before studies, studies before orders. */
  | 'out-of-order'
  /** A follow-up report sent with a unit error, then entered-in-error and re-issued. */
  | 'correction'
  /** An outside CT reviewed: a report with no study and no order. */
  | 'report-without-images'
  /** Surveillance finds a recurrence. */
  | 'recurrence'
  /** Disease followed but not measured: a non-target lesion, present at every measured exam. */
  | 'non-target-disease'
  /** The baseline is more than 4 weeks before the planning scan: the timeline warns. */
  | 'old-baseline';

/** How much longer than usual an old baseline waits for the planning scan: past RECIST's 4 weeks. */
const OLD_BASELINE_EXTRA_DAYS = 30;

export interface CohortFollowUp {
  /** The report that carries the measurements. */
  reportId: string;
  date: string;
  sumMm: number;
  /** RECIST 1.1 from the sums: what the timeline should show. */
  category: ResponsePathway;
  /** The report of the later follow-up that confirms this PR (at least 4 weeks on), else null. */
  confirmedBy: string | null;
}

export interface SyntheticPatient {
  index: number;
  mrn: string;
  /** The timeline's patient key: `system|value` of the MRN. */
  patientKey: string;
  name: { given: string; family: string; display: string };
  cancer: CancerType['key'];
  pathway: ResponsePathway;
  features: CohortFeature[];
  baseline: {
    reportId: string;
    date: string;
    sumMm: number;
    /** Whole days from the baseline to the planning scan that marks treatment start. */
    daysBeforeTreatment: number;
  };
  followUps: CohortFollowUp[];
  /** Every version of every resource of this patient, in the order the systems send them. */
  arrivals: CohortResource[];
}

export interface SyntheticCohort {
  seed: number;
  patients: SyntheticPatient[];
}

export interface GenerateCohortOptions {
  patients: number;
  seed: number;
}

function generatePatient(
  seed: number,
  index: number,
  pathway: ResponsePathway,
  family: string,
): SyntheticPatient {
  const prng = mulberry32(deriveSeed(seed, `patient-${String(index)}`));
  const cancer = prng.pick(CANCER_TYPES);
  const given = prng.pick(GIVEN_NAMES);
  const mrn = `SYN-${String(seed)}-${pad(index + 1, 4)}`;
  const name = { given, family, display: `${given} ${family}` };
  const subject = patientRef(SYNTHETIC_MRN_SYSTEM, mrn, name.display);
  const { prefix, at, exam } = patientBuilder(seed, index, prng, subject);
  const condition = `${prefix}-condition`;
  const features: CohortFeature[] = [];
  if (index % 4 === 1) {
    features.push('out-of-order');
  }
  if (index === 0) {
    features.push('correction');
  }
  if (index % 5 === 2) {
    features.push('report-without-images');
  }
  if (index % 3 === 0) {
    features.push('non-target-disease');
  }
  if (index % 4 === 2) {
    features.push('old-baseline');
  }
  const unit = prng.pick(['mm', 'cm'] as const);

  const exams: Exam[] = [];
  let day = prng.int(0, 540);
  const fromTemplate = (key: string, template: ExamTemplate, purpose?: PurposeCode): Exam =>
    exam({
      key,
      day,
      procedure: template.procedure,
      series: template.series,
      ...(template.description ? { description: template.description } : {}),
      ...(purpose ? { purpose } : template.purposeCode ? { purpose: template.purposeCode } : {}),
      ...(template.reason ? { reason: template.reason } : {}),
      condition,
      report: template.conclusion ? { conclusion: template.conclusion } : null,
    });

  // Diagnosis, then biopsy guidance, then staging.
  exams.push(fromTemplate('diagnosis', cancer.diagnosis));
  if (features.includes('report-without-images')) {
    day += prng.int(1, 3);
    const issued = at(day, prng.int(9, 16));
    exams.push({
      reports: [
        imagingReport({
          id: `${prefix}-outside-review-report`,
          patient: subject,
          status: 'final',
          code: { text: `${cancer.measured.procedure.text} (outside images, second opinion)` },
          effective: issued,
          issued,
          conclusion: 'Second opinion on outside imaging from the referring hospital: findings confirmed.',
          versionId: null,
        }),
      ],
    });
  }
  day += prng.int(5, 12);
  exams.push(fromTemplate('guidance', cancer.guidance));
  cancer.staging.forEach((template, i) => {
    day += i === 0 ? prng.int(4, 9) : prng.int(1, 4);
    exams.push(fromTemplate(`staging${String(i + 1)}`, template));
  });

  // Baseline, measured; then the planning scan that marks treatment start.
  day += prng.int(6, 14);
  const baselineLesions: LesionMeasurement[] = cancer.lesions.map((template) => ({
    trackingId: template.trackingId,
    site: template.site,
    ...(template.laterality ? { laterality: template.laterality } : {}),
    node: template.node,
    mm: prng.int(template.baselineMm[0], template.baselineMm[1]),
  }));
  const measured = (
    key: string,
    purpose: PurposeCode | undefined,
    reason: string | undefined,
    report: Parameters<typeof exam>[0]['report'],
  ) =>
    exam({
      key,
      day,
      procedure: cancer.measured.procedure,
      series: [cancer.measured.series],
      ...(purpose ? { purpose } : {}),
      ...(reason ? { reason } : {}),
      condition,
      report,
    });
  const nonTarget = features.includes('non-target-disease') ? NON_TARGET_OF[cancer.key] : null;
  const nonTargetWords = nonTarget ? ` Non-target: ${nonTarget.words}, present.` : '';
  const withNonTargetPresent = (e: Exam): Exam =>
    nonTarget ? { ...e, reports: e.reports.map((r) => withNonTarget(r, nonTarget, 'present')) } : e;
  const baselineExam = withNonTargetPresent(
    measured('baseline', 'baseline', `Baseline before ${cancer.treatment}`, {
      conclusion: `Baseline: ${describeLesions(baselineLesions, cancer, unit)}.${nonTargetWords}`,
      measurements: { lesions: baselineLesions, unit },
    }),
  );
  exams.push(baselineExam);
  const baselineDay = day;
  day += prng.int(3, 10) + (features.includes('old-baseline') ? OLD_BASELINE_EXTRA_DAYS : 0);
  const baseline = {
    reportId: baselineExam.reports[0].id ?? '',
    date: baselineExam.study?.started ?? '',
    sumMm: sumOf(baselineLesions),
    daysBeforeTreatment: day - baselineDay,
  };
  exams.push(fromTemplate('planning', cancer.planning));

  // Follow-ups every 6–12 weeks.
  const { measurements, expected } = drawFollowUps(prng, baselineLesions, pathway, index);
  const followUps: CohortFollowUp[] = [];
  let correctionPending = features.includes('correction');
  measurements.forEach((lesions, i) => {
    // Counted from the previous scan of the series, the baseline for the first one.
    day = (i === 0 ? baselineDay : day) + prng.int(42, 84);
    const category = expected[i];
    const explicit = prng.chance(0.5);
    const followUp = measured(
      `followup${String(i + 1)}`,
      explicit ? 'response' : undefined,
      explicit ? undefined : `Response assessment after ${String(2 + 2 * i)} cycles of ${cancer.treatment}`,
      {
        conclusion: `${CONCLUSION_OF[category].words}: ${describeLesions(lesions, cancer, unit)}.${nonTargetWords}`,
        ...(prng.chance(0.6) ? { diseaseStatus: CONCLUSION_OF[category].status } : {}),
        measurements: { lesions, unit },
      },
    );
    if (correctionPending) {
      // The report first went out with centimetres typed as millimetres; the RIS marks it
      // entered-in-error and issues a corrected report under a new id.
      correctionPending = false;
      const correct = followUp.reports[0];
      const wrong = imagingReport({
        id: correct.id ?? '',
        patient: subject,
        status: 'final',
        code: cancer.measured.procedure,
        effective: correct.effectiveDateTime ?? '',
        issued: correct.issued ?? '',
        imagingStudy: { study: followUp.study?.id ?? '' },
        conclusion: correct.conclusion ?? '',
        measurements: { lesions: lesions.map((l) => ({ ...l, mm: l.mm / 10 })), unit: 'mm' },
        versionId: null,
      });
      followUp.reports = [
        wrong,
        { ...wrong, status: 'entered-in-error' },
        { ...correct, id: `${correct.id ?? ''}-corrected` },
      ];
    }
    exams.push(withNonTargetPresent(followUp));
    followUps.push({
      reportId: followUp.reports.at(-1)?.id ?? '',
      date: followUp.study?.started ?? '',
      sumMm: sumOf(lesions),
      category,
      confirmedBy: null,
    });
  });
  confirmingFollowUps(expected).forEach((later, i) => {
    if (later !== null) {
      followUps[i].confirmedBy = followUps[later].reportId;
    }
  });

  // After treatment: surveillance (and sometimes a recurrence) or, after progression, a new line.
  if (pathway !== 'PD') {
    day += prng.int(84, 140);
    const recurrence = prng.chance(0.35);
    if (recurrence) {
      features.push('recurrence');
    }
    exams.push(
      measured('surveillance1', undefined, 'Surveillance after completion of treatment', {
        conclusion: recurrence
          ? 'Recurrence: new enhancing soft tissue at the treated site, suspicious for local recurrence.'
          : 'No evidence of recurrence.',
        diseaseStatus: recurrence ? 'worse' : 'stable',
      }),
    );
  }
  day += prng.int(20, 60);
  const pending = measured(
    pathway === 'PD' ? 'line2-baseline' : 'surveillance2',
    pathway === 'PD' ? 'baseline' : undefined,
    pathway === 'PD' ? 'Baseline before second-line treatment' : 'Surveillance, next scheduled scan',
    null,
  );
  // Ordered, not yet done: only the order has arrived.
  exams.push({ ...(pending.order ? { order: pending.order } : {}), reports: [] });

  const inOrder = exams.flatMap((e) => [
    ...(e.order ? [e.order] : []),
    ...(e.study ? [e.study] : []),
    ...e.reports,
  ]);
  const arrivals = features.includes('out-of-order') ? shuffleKeepingVersions(prng, inOrder) : inOrder;
  return {
    index,
    mrn,
    patientKey: `${SYNTHETIC_MRN_SYSTEM}|${mrn}`,
    name,
    cancer: cancer.key,
    pathway,
    features,
    baseline,
    followUps,
    arrivals,
  };
}

/**
 * Shuffles the arrivals, except that versions of one resource keep their order: a PUT of version 1
 * after version 2 would roll the resource back, which no real system does.
 */
function shuffleKeepingVersions(prng: Prng, resources: readonly CohortResource[]): CohortResource[] {
  const shuffled = prng.shuffle(resources);
  const keyOf = (r: CohortResource) => `${r.resourceType}/${r.id ?? ''}`;
  const versions = new Map<string, CohortResource[]>();
  for (const r of resources) {
    versions.set(keyOf(r), [...(versions.get(keyOf(r)) ?? []), r]);
  }
  return shuffled.map((r) => versions.get(keyOf(r))?.shift() ?? r);
}

/**
 * A deterministic synthetic oncology cohort: the same seed gives the same patients, resources and
 * arrival order. Each patient follows a realistic imaging pathway (diagnosis, biopsy guidance,
 * staging, baseline, radiotherapy planning, follow-ups every 6–12 weeks ending in PR, SD or PD,
 * surveillance); patients rotate through the three response pathways so every cohort of three or
 * more has all of them. Some patients' data arrives out of order, one report is corrected
 * (entered-in-error), some have a report without images. Everything is made up.
 */
export function generateCohort({ patients, seed }: GenerateCohortOptions): SyntheticCohort {
  if (!Number.isInteger(patients) || patients < 0) {
    throw new Error(`patients must be a whole number ≥ 0, not ${String(patients)}`);
  }
  if (!Number.isInteger(seed)) {
    throw new Error(`seed must be an integer, not ${String(seed)}`);
  }
  const cohortPrng = mulberry32(deriveSeed(seed, 'cohort'));
  const offset = cohortPrng.int(0, RESPONSE_PATHWAYS.length - 1);
  const families = cohortPrng.shuffle(FAMILY_NAMES);
  return {
    seed,
    patients: Array.from({ length: patients }, (_, index) =>
      generatePatient(
        seed,
        index,
        RESPONSE_PATHWAYS[(index + offset) % RESPONSE_PATHWAYS.length],
        // Unique while the cohort is smaller than the list; a suffix tells later ones apart.
        `${families[index % families.length]}${index >= families.length ? `-${String(Math.floor(index / families.length) + 1)}` : ''}`,
      ),
    ),
  };
}

/** Every resource of the cohort in arrival order: patient by patient, each in their own order. */
export function cohortArrivals(cohort: SyntheticCohort): CohortResource[] {
  return cohort.patients.flatMap((p) => p.arrivals);
}
