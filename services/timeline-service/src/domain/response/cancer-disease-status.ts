import type { Observation, Reference } from '@medplum/fhirtypes';
import { PATIENT_EPISODE } from '../records/episode.ts';
import type { DiseaseStatus } from '@oncoimg/fhir-events';
import { DISEASE_STATUS_CODES } from './disease-status.ts';
import {
  CANCER_DISEASE_STATUS_CODE,
  LOINC_SYSTEM,
  MCODE_CANCER_DISEASE_STATUS_PROFILE,
  MCODE_EVIDENCE_TYPE_EXTENSION,
  SNOMED_SYSTEM,
} from './response-codes.ts';
import { DERIVED_RESPONSE_LABEL } from './response.types.ts';

export interface DiseaseStatusDraftOptions {
  status: DiseaseStatus;
  /** Shown as the value's text, e.g. "RECIST 1.1 PR (partial response)". */
  text: string;
  reason: string;
  /** The report's subject, copied. */
  subject: Observation['subject'];
  /** The episode: `Condition/123`, `Condition?identifier=system|value` or the patient-wide episode. */
  episodeId: string;
  effective: string | null;
  reports: readonly string[];
}

function conditionReference(episodeId: string): Reference | undefined {
  if (episodeId === PATIENT_EPISODE) {
    return undefined;
  }
  const logical = /^Condition\?identifier=([^|]*)\|(.+)$/.exec(episodeId);
  if (logical) {
    return { type: 'Condition', identifier: { system: logical[1], value: logical[2] } };
  }
  return episodeId.startsWith('Condition/') ? { reference: episodeId } : undefined;
}

/**
 * A draft mCODE CancerDiseaseStatus Observation (`status: preliminary`): what the timeline
 * derived, for a clinician to confirm. Evidence type imaging (SNOMED CT 363679005); the focus is
 * the episode's Condition; derived from the reports read. It has no id: it is not stored.
 */
export function draftCancerDiseaseStatus(options: DiseaseStatusDraftOptions): Observation {
  const { status, text, reason, subject, episodeId, effective, reports } = options;
  const focus = conditionReference(episodeId);
  return {
    resourceType: 'Observation',
    meta: { profile: [MCODE_CANCER_DISEASE_STATUS_PROFILE] },
    extension: [
      {
        url: MCODE_EVIDENCE_TYPE_EXTENSION,
        valueCodeableConcept: {
          coding: [{ system: SNOMED_SYSTEM, code: '363679005', display: 'Imaging (procedure)' }],
        },
      },
    ],
    status: 'preliminary',
    category: [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'imaging' }],
      },
    ],
    code: {
      coding: [
        { system: LOINC_SYSTEM, code: CANCER_DISEASE_STATUS_CODE, display: 'Cancer disease progression' },
      ],
    },
    ...(subject ? { subject } : {}),
    ...(focus ? { focus: [focus] } : {}),
    ...(effective ? { effectiveDateTime: effective } : {}),
    valueCodeableConcept: {
      coding: [{ system: SNOMED_SYSTEM, ...DISEASE_STATUS_CODES[status] }],
      text,
    },
    ...(reports.length ? { derivedFrom: reports.map((reference) => ({ reference })) } : {}),
    note: [{ text: `${DERIVED_RESPONSE_LABEL}. ${reason}` }],
  };
}
