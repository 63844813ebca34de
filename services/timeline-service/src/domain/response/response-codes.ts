import type { CodeSystem, Coding } from '@medplum/fhirtypes';
import { CANCER_DISEASE_STATUS_LOINC, TUMOUR_ASSESSMENT_SYSTEM } from '@oncoimg/fhir-events';

export const LOINC_SYSTEM = 'http://loinc.org';
export const SNOMED_SYSTEM = 'http://snomed.info/sct';
export const UCUM_SYSTEM = 'http://unitsofmeasure.org';
export const DCM_SYSTEM = 'http://dicom.nema.org/resources/ontology/DCM';

/** LOINC 21889-1 "Size Tumor": the code of a tumour measurement and of the mCODE TumorSize profile. */
export const TUMOUR_SIZE_CODE = '21889-1';
/** LOINC 33728-7 "Size.maximum dimension in Tumor": mCODE's `tumorLongestDimension` component. */
export const LONGEST_DIMENSION_CODE = '33728-7';
/** LOINC 33729-5 "Size additional dimension in Tumor": mCODE's `tumorOtherDimension` component. */
export const OTHER_DIMENSION_CODE = '33729-5';
/** SNOMED CT 103339001 "Long axis" (DICOM CID 7470): accepted as the longest diameter too. */
export const LONG_AXIS_CODE = '103339001';
/** SNOMED CT 103340004 "Short axis" (DICOM CID 7470): how RECIST measures a lymph node. */
export const SHORT_AXIS_CODE = '103340004';
/** SNOMED CT 59441001 "Structure of lymph node". */
export const LYMPH_NODE_CODE = '59441001';

/** DICOM 112039 "Tracking Identifier" and 112040 "Tracking Unique Identifier" (TID 1500, the DICOM SR → FHIR mapping). */
export const TRACKING_IDENTIFIER_CODE = '112039';
export const TRACKING_UID_CODE = '112040';

export const MCODE_TUMOR_SIZE_PROFILE = 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-tumor-size';
export const MCODE_CANCER_DISEASE_STATUS_PROFILE =
  'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-cancer-disease-status';
export const MCODE_EVIDENCE_TYPE_EXTENSION =
  'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-cancer-disease-status-evidence-type';
/** LOINC 97509-4 "Cancer disease progression": the code of mCODE CancerDiseaseStatus. */
export const CANCER_DISEASE_STATUS_CODE = CANCER_DISEASE_STATUS_LOINC;

export { TUMOUR_ASSESSMENT_SYSTEM };

export const TUMOUR_ASSESSMENT_CODES = [
  'new-lesion',
  'lymph-node',
  'new-lesion-equivocal',
  'target-lesion',
  'non-target-lesion',
  'too-small-to-measure',
  'present',
  'absent',
  'unequivocal-progression',
  'not-evaluable',
] as const;
export type TumourAssessmentCode = (typeof TUMOUR_ASSESSMENT_CODES)[number];

const DEFINITIONS: Record<TumourAssessmentCode, { display: string; definition: string }> = {
  'new-lesion': {
    display: 'New lesion',
    definition:
      'An unequivocal new lesion. As Observation.code: the report states a new lesion (valueBoolean false states there is none). ' +
      "In a measurement's Observation.interpretation or .category: the measured lesion is new.",
  },
  'lymph-node': {
    display: 'Lymph node',
    definition:
      "The measured lesion is a lymph node, measured by its short axis. Used in Observation.category, or in the focus BodyStructure's morphology.",
  },
  'new-lesion-equivocal': {
    display: 'Equivocal new lesion',
    definition:
      'A possible new lesion (Observation.code, or a measurement’s interpretation/category). Not progression until a later exam confirms it; progression then dates from this first sighting.',
  },
  'target-lesion': {
    display: 'Target lesion',
    definition:
      'In a measurement’s category or interpretation: the report chose this lesion as a RECIST target. When a baseline report marks targets, its choice replaces the selection rule.',
  },
  'non-target-lesion': {
    display: 'Non-target lesion',
    definition:
      'As Observation.code: a non-target lesion, identified like a measurement, valueCodeableConcept present, absent, unequivocal-progression or not-evaluable. In a measurement’s category: the report does not want it as a target.',
  },
  'too-small-to-measure': {
    display: 'Too small to measure',
    definition:
      'In a measurement’s interpretation or category: the lesion is present but too small to measure; it needs no value and RECIST counts 5 mm.',
  },
  present: { display: 'Present', definition: 'Non-target lesion present (CDISC tumour state PRESENT).' },
  absent: { display: 'Absent', definition: 'Non-target lesion gone; a node is normal (< 10 mm short axis).' },
  'unequivocal-progression': {
    display: 'Unequivocal progression',
    definition: 'Non-target disease has unequivocally progressed (CDISC UNEQUIVOCAL PROGRESSION).',
  },
  'not-evaluable': { display: 'Not evaluable', definition: 'The non-target lesion could not be evaluated.' },
};

/** The CodeSystem resource, for publication. */
export const TUMOUR_ASSESSMENT_CODE_SYSTEM: CodeSystem = {
  resourceType: 'CodeSystem',
  id: 'tumour-assessment',
  url: TUMOUR_ASSESSMENT_SYSTEM,
  version: '1.0.0',
  name: 'TumourAssessment',
  title: 'Tumour assessment markers for RECIST 1.1',
  status: 'active',
  experimental: false,
  publisher: 'oncoimg',
  description:
    'Marks new lesions, lymph nodes, targets and non-targets on tumour Observations, and the state of a non-target lesion.',
  caseSensitive: true,
  content: 'complete',
  count: TUMOUR_ASSESSMENT_CODES.length,
  concept: TUMOUR_ASSESSMENT_CODES.map((code) => ({ code, ...DEFINITIONS[code] })),
};

/** True when a coding is `system#code` (a coding without a system does not match). */
export function isCoding(coding: Coding | undefined, system: string, code: string): boolean {
  return coding?.system === system && coding.code?.trim() === code;
}
