import type { Condition, DiagnosticReport, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { personaEvents, type PersonaEvent, type PersonaResource } from './events.ts';
import { nextVersion, personaPatient } from './imaging-builders.ts';
import { personaExams, reportOf, studyOf, type ExamRow } from './persona-exams.ts';
import { SNOMED } from './systems.ts';

/**
 * A full oncology imaging pathway of one synthetic patient with non-small cell lung cancer:
 * diagnosis (chest X-ray, chest CT, CT-guided biopsy) → staging (CT chest/abdomen/pelvis,
 * whole-body PET-CT, brain MR) → baseline chest CT → radiotherapy planning CT → two response
 * follow-ups → surveillance → a surveillance CT ordered and not yet done.
 *
 * Each exam links by a different rule of the design brief, so one pathway exercises them all:
 * accession (issuer on the order, none on the study, as PACS sends it), `ImagingStudy.basedOn`,
 * `DiagnosticReport.imagingStudy` (literal and by Study UID), report accession only, and
 * `DiagnosticReport.basedOn` → order. All data is made up.
 */
export const LungCancerPatient = personaPatient('LC-0001');

export const LungCancerCondition: Condition = {
  resourceType: 'Condition',
  id: 'lc-nsclc-1',
  clinicalStatus: {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
  },
  code: { coding: [{ system: SNOMED, code: '254637007', display: 'Non-small cell lung cancer' }] },
  subject: { type: 'Patient', identifier: { ...LungCancerPatient.identifier } },
};

const chest = { snomed: '51185008', display: 'Thoracic structure' };
const chestAndAbdomen = { snomed: '416550000', display: 'Chest and Abdomen' };
const wholeBody = { snomed: '38266002', display: 'Entire body' };
const ctChest = { loinc: '24627-2', text: 'CT Chest' };
/** Study Instance UID of exam `n`; its series follow as `…02`, `…03`. */
const uid = (n: number): string => `2.25.1001001001001001001001001001${String(n).padStart(3, '0')}01`;

/** The exams in pathway order; each comment names the link rule it exercises. */
const rows = {
  // 1. Diagnosis: chest X-ray. Links by accession; report → study literal.
  cxr: {
    id: 'lc-cxr',
    procedure: { loinc: '36643-5', text: 'XR Chest 2 Views' },
    ordered: '2024-01-02T10:00:00+01:00',
    accession: 'LC1001',
    reason: 'Persistent cough, suspected lung mass',
    study: {
      uid: uid(1),
      started: '2024-01-03T09:15:00+01:00',
      series: [{ modality: 'DX', bodyPart: { display: 'CHEST' }, instances: 2 }],
    },
    report: {
      issued: '2024-01-03T11:40:00+01:00',
      link: 'study',
      conclusion: 'Right upper lobe mass, 3 cm. CT recommended.',
    },
  },
  // 2. Diagnosis: chest CT. Report preliminary, then final; report → study by Study UID.
  ctDx: {
    id: 'lc-ct-dx',
    procedure: ctChest,
    ordered: '2024-01-03T12:00:00+01:00',
    accession: 'LC1002',
    reason: 'Suspicious lung mass on chest X-ray',
    study: {
      uid: uid(2),
      started: '2024-01-10T14:05:00+01:00',
      series: [{ modality: 'CT', bodyPart: chest, instances: 240 }],
    },
    report: { issued: '2024-01-10T16:00:00+01:00', link: 'study-uid', status: 'preliminary' },
  },
  // 3. CT-guided biopsy. The study has no accession and names its order in basedOn; the report names the order.
  biopsy: {
    id: 'lc-biopsy',
    procedure: { text: 'CT guided biopsy of lung' },
    ordered: '2024-01-12T09:00:00+01:00',
    placerNumber: 'PLC-2024-0017',
    reason: 'Tissue diagnosis of right upper lobe mass',
    study: {
      uid: uid(3),
      started: '2024-01-17T10:30:00+01:00',
      basedOnOrder: true,
      series: [{ modality: 'CT', bodyPart: chest, description: 'Biopsy guidance', instances: 12 }],
    },
    report: {
      issued: '2024-01-17T13:00:00+01:00',
      link: 'placer',
      conclusion: 'Uncomplicated CT-guided core biopsy of the right upper lobe mass.',
    },
  },
  // 4. Staging CT chest/abdomen/pelvis: explicit purpose code; the report links by accession only.
  stagingCt: {
    id: 'lc-staging-ct',
    procedure: { loinc: '36267-3', text: 'CT Chest and Abdomen and Pelvis W contrast IV' },
    ordered: '2024-01-19T09:00:00+01:00',
    accession: 'LC1004',
    purpose: 'staging',
    study: {
      uid: uid(4),
      started: '2024-01-24T08:45:00+01:00',
      series: [
        {
          modality: 'CT',
          bodyPart: { snomed: '416775004', display: 'Chest, Abdomen and Pelvis' },
          instances: 600,
        },
      ],
    },
    report: {
      issued: '2024-01-24T15:10:00+01:00',
      link: 'accession',
      conclusion: 'Right upper lobe primary, ipsilateral hilar nodes. No abdominal metastases.',
    },
  },
  // 5. Staging PET-CT, whole body: purpose from the reason text.
  stagingPet: {
    id: 'lc-staging-pet',
    procedure: { loinc: '44136-0', text: 'PET-CT whole body FDG' },
    ordered: '2024-01-19T09:05:00+01:00',
    accession: 'LC1005',
    reason: 'Staging of non-small cell lung cancer',
    study: {
      uid: uid(5),
      started: '2024-01-26T11:00:00+01:00',
      series: [
        { modality: 'PT', bodyPart: wholeBody, instances: 300 },
        { modality: 'CT', bodyPart: wholeBody, instances: 300 },
      ],
    },
    report: {
      issued: '2024-01-26T17:20:00+01:00',
      link: 'study',
      conclusion: 'FDG-avid right upper lobe primary and hilar nodes; no distant metastases.',
    },
  },
  // 6. Staging brain MR.
  stagingMr: {
    id: 'lc-staging-mr',
    procedure: { loinc: '24590-2', text: 'MR Brain W and WO contrast IV' },
    ordered: '2024-01-19T09:10:00+01:00',
    accession: 'LC1006',
    reason: 'Staging, exclude brain metastases',
    study: {
      uid: uid(6),
      started: '2024-01-29T16:30:00+01:00',
      series: [{ modality: 'MR', bodyPart: { snomed: '12738006', display: 'Brain' }, instances: 180 }],
    },
    report: { issued: '2024-01-30T09:00:00+01:00', link: 'study', conclusion: 'No intracranial metastases.' },
  },
  // 7. Baseline chest CT, ordered as baseline: rule 1 of the brief picks it.
  baseline: {
    id: 'lc-baseline-ct',
    procedure: ctChest,
    ordered: '2024-01-31T09:00:00+01:00',
    accession: 'LC1007',
    purpose: 'baseline',
    study: {
      uid: uid(7),
      started: '2024-02-05T14:00:00+01:00',
      series: [{ modality: 'CT', bodyPart: chest, instances: 250 }],
    },
    report: {
      issued: '2024-02-05T17:30:00+01:00',
      link: 'study',
      conclusion: 'Baseline: right upper lobe mass 34 mm, hilar node 18 mm short axis.',
    },
  },
  // 8. Radiotherapy planning CT: CT + RTSTRUCT, never reported, marks treatment start.
  planning: {
    id: 'lc-planning-ct',
    procedure: { text: 'CT simulation thorax' },
    ordered: '2024-02-06T09:00:00+01:00',
    accession: 'LC1008',
    reason: 'Radiotherapy planning, curative chemoradiotherapy',
    study: {
      uid: uid(8),
      started: '2024-02-12T08:00:00+01:00',
      description: 'RT planning CT thorax',
      series: [
        { modality: 'CT', bodyPart: chest, instances: 180 },
        { modality: 'RTSTRUCT', description: 'Structure set', instances: 1 },
      ],
    },
  },
  // 9. First response CT: explicit purpose code; 91 days after baseline.
  response1: {
    id: 'lc-response1-ct',
    procedure: ctChest,
    ordered: '2024-04-22T09:00:00+02:00',
    accession: 'LC1009',
    purpose: 'response',
    study: {
      uid: uid(9),
      started: '2024-05-06T09:30:00+02:00',
      series: [{ modality: 'CT', bodyPart: chest, instances: 250 }],
    },
    report: {
      issued: '2024-05-06T14:00:00+02:00',
      link: 'study',
      conclusion: 'Partial response: mass 20 mm.',
    },
  },
  // 10. Second response CT: purpose from reason words; 182 days after baseline.
  response2: {
    id: 'lc-response2-ct',
    procedure: ctChest,
    ordered: '2024-07-22T09:00:00+02:00',
    accession: 'LC1010',
    reason: 'Response assessment after chemoradiotherapy',
    study: {
      uid: uid(10),
      started: '2024-08-05T10:00:00+02:00',
      series: [{ modality: 'CT', bodyPart: chest, instances: 250 }],
    },
    report: {
      issued: '2024-08-05T15:00:00+02:00',
      link: 'study',
      conclusion: 'Continued response: mass 14 mm.',
    },
  },
  // 11. Surveillance CT chest and abdomen: 364 days after baseline.
  surveillance: {
    id: 'lc-surveillance-ct',
    procedure: { loinc: '42274-1', text: 'CT Chest and Abdomen W contrast IV' },
    ordered: '2025-01-20T09:00:00+01:00',
    accession: 'LC1011',
    reason: 'Surveillance after chemoradiotherapy',
    bodySite: chestAndAbdomen,
    study: {
      uid: uid(11),
      started: '2025-02-03T10:00:00+01:00',
      series: [{ modality: 'CT', bodyPart: chestAndAbdomen, instances: 400 }],
    },
    report: { issued: '2025-02-03T16:00:00+01:00', link: 'study', conclusion: 'No evidence of recurrence.' },
  },
  // 12. Next surveillance CT: ordered, not yet performed.
  nextSurveillance: {
    id: 'lc-surveillance2-ct',
    procedure: ctChest,
    ordered: '2025-07-21T09:00:00+02:00',
    occurrence: '2025-08-04T09:00:00+02:00',
    accession: 'LC1012',
    reason: 'Surveillance, 18 months after treatment',
  },
} satisfies Record<string, ExamRow>;

const exams = personaExams(LungCancerPatient, LungCancerCondition.id, rows);

export const DiagnosticChestXrayOrder: ServiceRequest = exams.cxr.order;
export const DiagnosticChestXrayStudy: ImagingStudy = studyOf(exams.cxr);
export const DiagnosticChestXrayReport: DiagnosticReport = reportOf(exams.cxr);
export const DiagnosticChestCtOrder: ServiceRequest = exams.ctDx.order;
export const DiagnosticChestCtStudy: ImagingStudy = studyOf(exams.ctDx);
export const DiagnosticChestCtPreliminaryReport: DiagnosticReport = reportOf(exams.ctDx);
export const DiagnosticChestCtFinalReport: DiagnosticReport = nextVersion(
  DiagnosticChestCtPreliminaryReport,
  '2024-01-11T08:30:00+01:00',
  {
    status: 'final',
    conclusion: 'Spiculated right upper lobe mass 32 mm, suspicious for primary lung cancer.',
  },
);
export const BiopsyGuidanceCtOrder: ServiceRequest = exams.biopsy.order;
export const BiopsyGuidanceCtStudy: ImagingStudy = studyOf(exams.biopsy);
export const BiopsyGuidanceCtReport: DiagnosticReport = reportOf(exams.biopsy);
export const StagingCtCapOrder: ServiceRequest = exams.stagingCt.order;
export const StagingCtCapStudy: ImagingStudy = studyOf(exams.stagingCt);
export const StagingCtCapReport: DiagnosticReport = reportOf(exams.stagingCt);
export const StagingPetCtOrder: ServiceRequest = exams.stagingPet.order;
export const StagingPetCtStudy: ImagingStudy = studyOf(exams.stagingPet);
export const StagingPetCtReport: DiagnosticReport = reportOf(exams.stagingPet);
export const StagingBrainMrOrder: ServiceRequest = exams.stagingMr.order;
export const StagingBrainMrStudy: ImagingStudy = studyOf(exams.stagingMr);
export const StagingBrainMrReport: DiagnosticReport = reportOf(exams.stagingMr);
export const BaselineChestCtOrder: ServiceRequest = exams.baseline.order;
export const BaselineChestCtOrderCompleted: ServiceRequest = nextVersion(
  BaselineChestCtOrder,
  '2024-02-05T15:00:00+01:00',
  { status: 'completed' },
);
export const BaselineChestCtStudy: ImagingStudy = studyOf(exams.baseline);
export const BaselineChestCtReport: DiagnosticReport = reportOf(exams.baseline);
export const PlanningCtOrder: ServiceRequest = exams.planning.order;
export const PlanningCtStudy: ImagingStudy = studyOf(exams.planning);
export const FirstResponseChestCtOrder: ServiceRequest = exams.response1.order;
export const FirstResponseChestCtStudy: ImagingStudy = studyOf(exams.response1);
export const FirstResponseChestCtReport: DiagnosticReport = reportOf(exams.response1);
export const SecondResponseChestCtOrder: ServiceRequest = exams.response2.order;
export const SecondResponseChestCtStudy: ImagingStudy = studyOf(exams.response2);
export const SecondResponseChestCtReport: DiagnosticReport = reportOf(exams.response2);
export const SurveillanceCtOrder: ServiceRequest = exams.surveillance.order;
export const SurveillanceCtStudy: ImagingStudy = studyOf(exams.surveillance);
export const SurveillanceCtReport: DiagnosticReport = reportOf(exams.surveillance);
export const NextSurveillanceCtOrder: ServiceRequest = exams.nextSurveillance.order;

/** Every version of every resource of the pathway, in the order the systems would send them. */
export const LungCancerPathwayResources: readonly PersonaResource[] = [
  DiagnosticChestXrayOrder,
  DiagnosticChestXrayStudy,
  DiagnosticChestXrayReport,
  DiagnosticChestCtOrder,
  DiagnosticChestCtStudy,
  DiagnosticChestCtPreliminaryReport,
  DiagnosticChestCtFinalReport,
  BiopsyGuidanceCtOrder,
  BiopsyGuidanceCtStudy,
  BiopsyGuidanceCtReport,
  StagingCtCapOrder,
  StagingPetCtOrder,
  StagingBrainMrOrder,
  StagingCtCapStudy,
  StagingCtCapReport,
  StagingPetCtStudy,
  StagingPetCtReport,
  StagingBrainMrStudy,
  StagingBrainMrReport,
  BaselineChestCtOrder,
  BaselineChestCtStudy,
  BaselineChestCtOrderCompleted,
  BaselineChestCtReport,
  PlanningCtOrder,
  PlanningCtStudy,
  FirstResponseChestCtOrder,
  FirstResponseChestCtStudy,
  FirstResponseChestCtReport,
  SecondResponseChestCtOrder,
  SecondResponseChestCtStudy,
  SecondResponseChestCtReport,
  SurveillanceCtOrder,
  SurveillanceCtStudy,
  SurveillanceCtReport,
  NextSurveillanceCtOrder,
];

/** The pathway as the events the order, study and report services publish, in delivery order. */
export function lungCancerPathwayEvents(): PersonaEvent[] {
  return personaEvents(LungCancerPathwayResources, LungCancerPatient.key);
}
