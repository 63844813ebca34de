import type { DiagnosticReport, Observation } from '@medplum/fhirtypes';
import { SNOMED, TUMOUR_ASSESSMENT_SYSTEM, trackingIdentifier, type BodyPart } from '@oncoimg/fhir-builders';
import type { CancerType } from './catalogue.ts';

/** Disease a report follows without measuring it: a RECIST non-target lesion. */
export interface NonTargetTemplate {
  trackingId: string;
  site: BodyPart;
  /** The words a report uses for it. */
  words: string;
}

const bone: BodyPart = { snomed: '272673000', display: 'Bone structure' };

/** What a patient with non-target disease has besides the targets, by cancer. */
export const NON_TARGET_OF: Readonly<Record<CancerType['key'], NonTargetTemplate>> = {
  lung: { trackingId: 'N1 T8 vertebral metastasis', site: bone, words: 'sclerotic T8 vertebral metastasis' },
  rectal: {
    trackingId: 'N1 peritoneal deposits',
    site: { snomed: '15425007', display: 'Peritoneum' },
    words: 'small peritoneal deposits',
  },
  'head-and-neck': {
    trackingId: 'N1 right level IV node',
    site: { snomed: '59441001', display: 'Structure of lymph node' },
    words: 'right level IV node of 12 mm short axis',
  },
  breast: { trackingId: 'N1 bone metastases', site: bone, words: 'sclerotic bone metastases in T10 and L2' },
};

/** The CDISC tumour states a report gives a non-target lesion. */
export type NonTargetState = 'present' | 'absent' | 'unequivocal-progression' | 'not-evaluable';

/**
 * A `tumour-assessment#non-target-lesion` statement, contained in the report and listed in its
 * `result`: the lesion by its tracking identifier, its state as a `tumour-assessment` code.
 */
export function withNonTarget(
  report: DiagnosticReport,
  lesion: NonTargetTemplate,
  state: NonTargetState,
): DiagnosticReport {
  const id = `non-target-${String((report.contained ?? []).length + 1)}`;
  const observation: Observation = {
    resourceType: 'Observation',
    id,
    identifier: [trackingIdentifier(lesion.trackingId)],
    status: 'final',
    code: {
      coding: [{ system: TUMOUR_ASSESSMENT_SYSTEM, code: 'non-target-lesion', display: 'Non-target lesion' }],
      text: lesion.words,
    },
    bodySite: { coding: [{ system: SNOMED, code: lesion.site.snomed, display: lesion.site.display }] },
    valueCodeableConcept: { coding: [{ system: TUMOUR_ASSESSMENT_SYSTEM, code: state }] },
  };
  return {
    ...report,
    contained: [...(report.contained ?? []), observation],
    result: [...(report.result ?? []), { reference: `#${id}` }],
  };
}

/**
 * For each follow-up, the index of the later one that confirms its PR (RECIST 1.1: a PR or CR at
 * least 4 weeks on, no PD between), else null. Follow-ups are 6–12 weeks apart, so any later one is
 * far enough.
 */
export function confirmingFollowUps(categories: readonly string[]): (number | null)[] {
  return categories.map((category, index) => {
    if (category !== 'PR') {
      return null;
    }
    for (let later = index + 1; later < categories.length; later++) {
      if (categories[later] === 'PD') {
        return null;
      }
      if (categories[later] === 'PR' || categories[later] === 'CR') {
        return later;
      }
    }
    return null;
  });
}
