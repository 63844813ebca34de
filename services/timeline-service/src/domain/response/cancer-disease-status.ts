import type { Extension, Observation, Reference } from '@medplum/fhirtypes';
import {
  RECIST_RESPONSE_EXTENSION,
  RECIST_RESPONSE_SYSTEM,
  RESPONSE_METHOD_SYSTEM,
  type DiseaseStatus,
  type ResponseCategory,
} from '@oncoimg/fhir-events';
import { PATIENT_EPISODE } from '../records/episode.ts';
import { stableId } from './observation-id.ts';
import {
  CANCER_DISEASE_STATUS_CODE,
  LOINC_SYSTEM,
  MCODE_CANCER_DISEASE_STATUS_PROFILE,
  MCODE_EVIDENCE_TYPE_EXTENSION,
  SNOMED_SYSTEM,
  TUMOUR_SIZE_CODE,
  UCUM_SYSTEM,
} from './response-codes.ts';

/**
 * The mCODE ConditionStatusTrendVS value of each status (mCODE STU3/4, `VS_Other.fsh`). SNOMED CT
 * 260415000 "Not detected" left that value set (FHIR-32837) and is not in its maximum value set
 * either, so a complete response states "improved"; the RECIST extension still says CR, and the
 * value's text says what was seen.
 */
export const CONDITION_STATUS_TREND: Readonly<Record<DiseaseStatus, { code: string; display: string }>> = {
  improved: { code: '268910001', display: "Patient's condition improved (finding)" },
  stable: { code: '359746009', display: "Patient's condition stable (finding)" },
  worse: { code: '271299001', display: "Patient's condition worsened (finding)" },
  undetermined: { code: '709137006', display: 'Patient condition undetermined (finding)' },
  'not-detected': { code: '268910001', display: "Patient's condition improved (finding)" },
};

/** What R4 lets an Observation be derived from (a DiagnosticReport is not among them). */
type DerivedFrom = NonNullable<Observation['derivedFrom']>[number];

/** R4 core extension for a record that supports an event: how the Observation names its report. */
export const SUPPORTING_INFO_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/workflow-supportingInfo';

/** SNOMED CT 363679005 "Imaging (procedure)", in mCODE's CancerDiseaseStatusEvidenceTypeVS. */
const IMAGING_EVIDENCE = { system: SNOMED_SYSTEM, code: '363679005', display: 'Imaging (procedure)' };

/** The note every derived Observation opens with (the timeline's label says the same in short). */
export const DERIVED_NOTE = 'Derived by software; needs clinician confirmation.';

const METHOD_DISPLAY = { 'recist-1.1': 'RECIST 1.1', 'conclusion-code': "Report's disease-status code" };

/** One tumour measurement the response used, as the timeline read it. */
export interface MeasurementEvidence {
  /** Where it was read: `DiagnosticReport/abc#m1`. */
  source: string;
  /** "Target lesion 1 (liver segment 6), follow-up". */
  label: string;
  mm: number;
  /** The date of the exam it was measured on. */
  date: string | null;
}

export interface CancerDiseaseStatusOptions {
  patientKey: string;
  examId: string;
  status: DiseaseStatus;
  method: 'recist-1.1' | 'conclusion-code';
  /** Null on the conclusion-code path. */
  category: ResponseCategory | null;
  /** Shown as the value's text, e.g. "RECIST 1.1 PR (partial response)". */
  text: string;
  reason: string;
  /** The report's subject; the patient key stands in when the report has none. */
  subject: Observation['subject'];
  /** The episode: `Condition/123`, `Condition?identifier=system|value` or the patient-wide episode. */
  episodeId: string;
  effective: string | null;
  /** `DiagnosticReport/abc`: the report read. */
  report: string;
  /** `ImagingStudy/abc`: the exam's study, when the timeline holds it. */
  study: string | null;
  measurements: readonly MeasurementEvidence[];
}

function escapeXhtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The id of the CancerDiseaseStatus of a patient's exam: the same on every recomputation. */
export function cancerDiseaseStatusId(patientKey: string, examId: string): string {
  return stableId('cds', [patientKey, examId]);
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

/** The subject from the patient key: `Patient/{id}` literally, `system|value` as an identifier. */
export function subjectOfPatientKey(patientKey: string): NonNullable<Observation['subject']> {
  if (patientKey.startsWith('Patient/')) {
    return { reference: patientKey };
  }
  const bar = patientKey.indexOf('|');
  return {
    type: 'Patient',
    identifier:
      bar < 0
        ? { value: patientKey }
        : { system: patientKey.slice(0, bar), value: patientKey.slice(bar + 1) },
  };
}

/**
 * The measurements, contained: they live inside their reports (`#m1` in a DiagnosticReport), which
 * another resource cannot reference, so a copy of what was read is carried and `derivedFrom` points
 * to it, its display naming the source.
 */
function containedMeasurements(
  measurements: readonly MeasurementEvidence[],
  subject: NonNullable<Observation['subject']>,
): { contained: Observation[]; references: DerivedFrom[] } {
  const contained = measurements.map((m, index): Observation => ({
    resourceType: 'Observation',
    id: `m${String(index + 1)}`,
    status: 'preliminary',
    code: {
      coding: [{ system: LOINC_SYSTEM, code: TUMOUR_SIZE_CODE, display: 'Size Tumor' }],
      text: m.label,
    },
    subject,
    ...(m.date ? { effectiveDateTime: m.date } : {}),
    valueQuantity: { value: m.mm, unit: 'mm', system: UCUM_SYSTEM, code: 'mm' },
  }));
  const references = measurements.map((m, index) => ({
    reference: `#m${String(index + 1)}`,
    display: m.source,
  }));
  return { contained, references };
}

/**
 * The mCODE CancerDiseaseStatus Observation of a follow-up's derived response (STU3/4 profile
 * `mcode-cancer-disease-status`): LOINC 97509-4; `status: preliminary`, since software derived it
 * and a clinician has to confirm it (the note says so); the value from ConditionStatusTrendVS;
 * evidence type imaging; subject the patient; focus the episode's Condition when orders name one
 * (mCODE makes focus must-support, not required, so it is left out otherwise); effective the exam
 * date; `derivedFrom` the study and the measurements; the report through `workflow-supportingInfo`
 * (R4 `Observation.derivedFrom` cannot target a DiagnosticReport); the RECIST category in an
 * extension and the method in `method` (the profile rules out `component`). Its id is stable per
 * patient and exam, so a recomputation replaces it.
 */
export function cancerDiseaseStatus(options: CancerDiseaseStatusOptions): Observation {
  const { patientKey, examId, status, method, category, text, reason, episodeId, effective } = options;
  const subject = options.subject ?? subjectOfPatientKey(patientKey);
  const focus = conditionReference(episodeId);
  const { contained, references } = containedMeasurements(options.measurements, subject);
  const extension: Extension[] = [
    { url: MCODE_EVIDENCE_TYPE_EXTENSION, valueCodeableConcept: { coding: [IMAGING_EVIDENCE] } },
    { url: SUPPORTING_INFO_EXTENSION, valueReference: { reference: options.report } },
  ];
  if (category) {
    extension.push({
      url: RECIST_RESPONSE_EXTENSION,
      valueCodeableConcept: { coding: [{ system: RECIST_RESPONSE_SYSTEM, code: category }] },
    });
  }
  const derivedFrom: DerivedFrom[] = [
    ...(options.study ? [{ reference: options.study }] : []),
    ...references,
  ];
  return {
    resourceType: 'Observation',
    id: cancerDiseaseStatusId(patientKey, examId),
    meta: { profile: [MCODE_CANCER_DISEASE_STATUS_PROFILE] },
    text: {
      status: 'generated',
      div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>${escapeXhtml(text)}</p><p>${escapeXhtml(DERIVED_NOTE)}</p></div>`,
    },
    ...(contained.length ? { contained } : {}),
    extension,
    status: 'preliminary',
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'imaging' }] },
    ],
    code: {
      coding: [
        { system: LOINC_SYSTEM, code: CANCER_DISEASE_STATUS_CODE, display: 'Cancer disease progression' },
      ],
    },
    subject,
    ...(focus ? { focus: [focus] } : {}),
    ...(effective ? { effectiveDateTime: effective } : {}),
    valueCodeableConcept: { coding: [{ system: SNOMED_SYSTEM, ...CONDITION_STATUS_TREND[status] }], text },
    method: { coding: [{ system: RESPONSE_METHOD_SYSTEM, code: method, display: METHOD_DISPLAY[method] }] },
    ...(derivedFrom.length ? { derivedFrom } : {}),
    note: [{ text: `${DERIVED_NOTE} ${reason}` }],
  };
}
