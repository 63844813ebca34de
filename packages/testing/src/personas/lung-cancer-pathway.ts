import type { Condition, DiagnosticReport, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { personaEvents, type PersonaEvent, type PersonaResource } from './events.ts';
import {
  imagingOrder,
  imagingReport,
  imagingStudy,
  nextVersion,
  personaPatient,
} from './imaging-builders.ts';
import { PERSONA_PLACER_SYSTEM, SNOMED } from './systems.ts';

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

const patient = LungCancerPatient;
const condition = LungCancerCondition.id;
const chest = { snomed: '51185008', display: 'Thoracic structure' };

// 1. Diagnosis: chest X-ray. Links by accession; report → study literal.
export const DiagnosticChestXrayOrder: ServiceRequest = imagingOrder({
  id: 'lc-cxr-order',
  patient,
  procedure: { loinc: '36643-5', text: 'XR Chest 2 Views' },
  authoredOn: '2024-01-02T10:00:00+01:00',
  accession: 'LC1001',
  reason: 'Persistent cough, suspected lung mass',
  condition,
});
export const DiagnosticChestXrayStudy: ImagingStudy = imagingStudy({
  id: 'lc-cxr-study',
  patient,
  uid: '2.25.100100100100100100100100100100101',
  started: '2024-01-03T09:15:00+01:00',
  accession: 'LC1001',
  series: [
    {
      uid: '2.25.100100100100100100100100100100102',
      modality: 'DX',
      bodyPart: { display: 'CHEST' },
      instances: 2,
    },
  ],
});
export const DiagnosticChestXrayReport: DiagnosticReport = imagingReport({
  id: 'lc-cxr-report',
  patient,
  status: 'final',
  code: { loinc: '36643-5', text: 'XR Chest 2 Views' },
  effective: '2024-01-03T09:15:00+01:00',
  issued: '2024-01-03T11:40:00+01:00',
  imagingStudy: { study: 'lc-cxr-study' },
  conclusion: 'Right upper lobe mass, 3 cm. CT recommended.',
});

// 2. Diagnosis: chest CT. Report preliminary, then final; report → study by Study UID.
export const DiagnosticChestCtOrder: ServiceRequest = imagingOrder({
  id: 'lc-ct-dx-order',
  patient,
  procedure: { loinc: '24627-2', text: 'CT Chest' },
  authoredOn: '2024-01-03T12:00:00+01:00',
  accession: 'LC1002',
  reason: 'Suspicious lung mass on chest X-ray',
  condition,
});
export const DiagnosticChestCtStudy: ImagingStudy = imagingStudy({
  id: 'lc-ct-dx-study',
  patient,
  uid: '2.25.100100100100100100100100100100201',
  started: '2024-01-10T14:05:00+01:00',
  accession: 'LC1002',
  series: [
    { uid: '2.25.100100100100100100100100100100202', modality: 'CT', bodyPart: chest, instances: 240 },
  ],
});
export const DiagnosticChestCtPreliminaryReport: DiagnosticReport = imagingReport({
  id: 'lc-ct-dx-report',
  patient,
  status: 'preliminary',
  code: { loinc: '24627-2', text: 'CT Chest' },
  effective: '2024-01-10T14:05:00+01:00',
  issued: '2024-01-10T16:00:00+01:00',
  imagingStudy: { uid: '2.25.100100100100100100100100100100201' },
});
export const DiagnosticChestCtFinalReport: DiagnosticReport = nextVersion(
  DiagnosticChestCtPreliminaryReport,
  '2024-01-11T08:30:00+01:00',
  {
    status: 'final',
    conclusion: 'Spiculated right upper lobe mass 32 mm, suspicious for primary lung cancer.',
  },
);

// 3. CT-guided biopsy. The study has no accession and names its order in basedOn; the report names the order.
export const BiopsyGuidanceCtOrder: ServiceRequest = imagingOrder({
  id: 'lc-biopsy-order',
  patient,
  procedure: { text: 'CT guided biopsy of lung' },
  authoredOn: '2024-01-12T09:00:00+01:00',
  placerNumber: 'PLC-2024-0017',
  reason: 'Tissue diagnosis of right upper lobe mass',
  condition,
});
export const BiopsyGuidanceCtStudy: ImagingStudy = imagingStudy({
  id: 'lc-biopsy-study',
  patient,
  uid: '2.25.100100100100100100100100100100301',
  started: '2024-01-17T10:30:00+01:00',
  basedOn: { order: 'lc-biopsy-order' },
  series: [
    {
      uid: '2.25.100100100100100100100100100100302',
      modality: 'CT',
      bodyPart: chest,
      description: 'Biopsy guidance',
      instances: 12,
    },
  ],
});
export const BiopsyGuidanceCtReport: DiagnosticReport = imagingReport({
  id: 'lc-biopsy-report',
  patient,
  status: 'final',
  code: { text: 'CT guided biopsy of lung' },
  effective: '2024-01-17T10:30:00+01:00',
  issued: '2024-01-17T13:00:00+01:00',
  basedOn: { identifier: { system: PERSONA_PLACER_SYSTEM, value: 'PLC-2024-0017' } },
  conclusion: 'Uncomplicated CT-guided core biopsy of the right upper lobe mass.',
});

// 4. Staging CT chest/abdomen/pelvis: explicit purpose code; the report links by accession only.
export const StagingCtCapOrder: ServiceRequest = imagingOrder({
  id: 'lc-staging-ct-order',
  patient,
  procedure: { loinc: '36267-3', text: 'CT Chest and Abdomen and Pelvis W contrast IV' },
  authoredOn: '2024-01-19T09:00:00+01:00',
  accession: 'LC1004',
  purpose: 'staging',
  condition,
});
export const StagingCtCapStudy: ImagingStudy = imagingStudy({
  id: 'lc-staging-ct-study',
  patient,
  uid: '2.25.100100100100100100100100100100401',
  started: '2024-01-24T08:45:00+01:00',
  accession: 'LC1004',
  series: [
    {
      uid: '2.25.100100100100100100100100100100402',
      modality: 'CT',
      bodyPart: { snomed: '416775004', display: 'Chest, Abdomen and Pelvis' },
      instances: 600,
    },
  ],
});
export const StagingCtCapReport: DiagnosticReport = imagingReport({
  id: 'lc-staging-ct-report',
  patient,
  status: 'final',
  code: { loinc: '36267-3', text: 'CT Chest and Abdomen and Pelvis W contrast IV' },
  effective: '2024-01-24T08:45:00+01:00',
  issued: '2024-01-24T15:10:00+01:00',
  accession: 'LC1004',
  conclusion: 'Right upper lobe primary, ipsilateral hilar nodes. No abdominal metastases.',
});

// 5. Staging PET-CT, whole body: purpose from the reason text.
export const StagingPetCtOrder: ServiceRequest = imagingOrder({
  id: 'lc-staging-pet-order',
  patient,
  procedure: { loinc: '44136-0', text: 'PET-CT whole body FDG' },
  authoredOn: '2024-01-19T09:05:00+01:00',
  accession: 'LC1005',
  reason: 'Staging of non-small cell lung cancer',
  condition,
});
export const StagingPetCtStudy: ImagingStudy = imagingStudy({
  id: 'lc-staging-pet-study',
  patient,
  uid: '2.25.100100100100100100100100100100501',
  started: '2024-01-26T11:00:00+01:00',
  accession: 'LC1005',
  series: [
    {
      uid: '2.25.100100100100100100100100100100502',
      modality: 'PT',
      bodyPart: { snomed: '38266002', display: 'Entire body' },
      instances: 300,
    },
    {
      uid: '2.25.100100100100100100100100100100503',
      modality: 'CT',
      bodyPart: { snomed: '38266002', display: 'Entire body' },
      instances: 300,
    },
  ],
});
export const StagingPetCtReport: DiagnosticReport = imagingReport({
  id: 'lc-staging-pet-report',
  patient,
  status: 'final',
  code: { loinc: '44136-0', text: 'PET-CT whole body FDG' },
  effective: '2024-01-26T11:00:00+01:00',
  issued: '2024-01-26T17:20:00+01:00',
  imagingStudy: { study: 'lc-staging-pet-study' },
  conclusion: 'FDG-avid right upper lobe primary and hilar nodes; no distant metastases.',
});

// 6. Staging brain MR.
export const StagingBrainMrOrder: ServiceRequest = imagingOrder({
  id: 'lc-staging-mr-order',
  patient,
  procedure: { loinc: '24590-2', text: 'MR Brain W and WO contrast IV' },
  authoredOn: '2024-01-19T09:10:00+01:00',
  accession: 'LC1006',
  reason: 'Staging, exclude brain metastases',
  condition,
});
export const StagingBrainMrStudy: ImagingStudy = imagingStudy({
  id: 'lc-staging-mr-study',
  patient,
  uid: '2.25.100100100100100100100100100100601',
  started: '2024-01-29T16:30:00+01:00',
  accession: 'LC1006',
  series: [
    {
      uid: '2.25.100100100100100100100100100100602',
      modality: 'MR',
      bodyPart: { snomed: '12738006', display: 'Brain' },
      instances: 180,
    },
  ],
});
export const StagingBrainMrReport: DiagnosticReport = imagingReport({
  id: 'lc-staging-mr-report',
  patient,
  status: 'final',
  code: { loinc: '24590-2', text: 'MR Brain W and WO contrast IV' },
  effective: '2024-01-29T16:30:00+01:00',
  issued: '2024-01-30T09:00:00+01:00',
  imagingStudy: { study: 'lc-staging-mr-study' },
  conclusion: 'No intracranial metastases.',
});

// 7. Baseline chest CT, ordered as baseline: rule 1 of the brief picks it.
export const BaselineChestCtOrder: ServiceRequest = imagingOrder({
  id: 'lc-baseline-ct-order',
  patient,
  procedure: { loinc: '24627-2', text: 'CT Chest' },
  authoredOn: '2024-01-31T09:00:00+01:00',
  accession: 'LC1007',
  purpose: 'baseline',
  condition,
});
export const BaselineChestCtOrderCompleted: ServiceRequest = nextVersion(
  BaselineChestCtOrder,
  '2024-02-05T15:00:00+01:00',
  {
    status: 'completed',
  },
);
export const BaselineChestCtStudy: ImagingStudy = imagingStudy({
  id: 'lc-baseline-ct-study',
  patient,
  uid: '2.25.100100100100100100100100100100701',
  started: '2024-02-05T14:00:00+01:00',
  accession: 'LC1007',
  series: [
    { uid: '2.25.100100100100100100100100100100702', modality: 'CT', bodyPart: chest, instances: 250 },
  ],
});
export const BaselineChestCtReport: DiagnosticReport = imagingReport({
  id: 'lc-baseline-ct-report',
  patient,
  status: 'final',
  code: { loinc: '24627-2', text: 'CT Chest' },
  effective: '2024-02-05T14:00:00+01:00',
  issued: '2024-02-05T17:30:00+01:00',
  imagingStudy: { study: 'lc-baseline-ct-study' },
  conclusion: 'Baseline: right upper lobe mass 34 mm, hilar node 18 mm short axis.',
});

// 8. Radiotherapy planning CT: CT + RTSTRUCT, never reported, marks treatment start.
export const PlanningCtOrder: ServiceRequest = imagingOrder({
  id: 'lc-planning-ct-order',
  patient,
  procedure: { text: 'CT simulation thorax' },
  authoredOn: '2024-02-06T09:00:00+01:00',
  accession: 'LC1008',
  reason: 'Radiotherapy planning, curative chemoradiotherapy',
  condition,
});
export const PlanningCtStudy: ImagingStudy = imagingStudy({
  id: 'lc-planning-ct-study',
  patient,
  uid: '2.25.100100100100100100100100100100801',
  started: '2024-02-12T08:00:00+01:00',
  accession: 'LC1008',
  description: 'RT planning CT thorax',
  series: [
    { uid: '2.25.100100100100100100100100100100802', modality: 'CT', bodyPart: chest, instances: 180 },
    {
      uid: '2.25.100100100100100100100100100100803',
      modality: 'RTSTRUCT',
      description: 'Structure set',
      instances: 1,
    },
  ],
});

// 9. First response CT: explicit purpose code; 91 days after baseline.
export const FirstResponseChestCtOrder: ServiceRequest = imagingOrder({
  id: 'lc-response1-ct-order',
  patient,
  procedure: { loinc: '24627-2', text: 'CT Chest' },
  authoredOn: '2024-04-22T09:00:00+02:00',
  accession: 'LC1009',
  purpose: 'response',
  condition,
});
export const FirstResponseChestCtStudy: ImagingStudy = imagingStudy({
  id: 'lc-response1-ct-study',
  patient,
  uid: '2.25.100100100100100100100100100100901',
  started: '2024-05-06T09:30:00+02:00',
  accession: 'LC1009',
  series: [
    { uid: '2.25.100100100100100100100100100100902', modality: 'CT', bodyPart: chest, instances: 250 },
  ],
});
export const FirstResponseChestCtReport: DiagnosticReport = imagingReport({
  id: 'lc-response1-ct-report',
  patient,
  status: 'final',
  code: { loinc: '24627-2', text: 'CT Chest' },
  effective: '2024-05-06T09:30:00+02:00',
  issued: '2024-05-06T14:00:00+02:00',
  imagingStudy: { study: 'lc-response1-ct-study' },
  conclusion: 'Partial response: mass 20 mm.',
});

// 10. Second response CT: purpose from reason words; 182 days after baseline.
export const SecondResponseChestCtOrder: ServiceRequest = imagingOrder({
  id: 'lc-response2-ct-order',
  patient,
  procedure: { loinc: '24627-2', text: 'CT Chest' },
  authoredOn: '2024-07-22T09:00:00+02:00',
  accession: 'LC1010',
  reason: 'Response assessment after chemoradiotherapy',
  condition,
});
export const SecondResponseChestCtStudy: ImagingStudy = imagingStudy({
  id: 'lc-response2-ct-study',
  patient,
  uid: '2.25.100100100100100100100100100101001',
  started: '2024-08-05T10:00:00+02:00',
  accession: 'LC1010',
  series: [
    { uid: '2.25.100100100100100100100100100101002', modality: 'CT', bodyPart: chest, instances: 250 },
  ],
});
export const SecondResponseChestCtReport: DiagnosticReport = imagingReport({
  id: 'lc-response2-ct-report',
  patient,
  status: 'final',
  code: { loinc: '24627-2', text: 'CT Chest' },
  effective: '2024-08-05T10:00:00+02:00',
  issued: '2024-08-05T15:00:00+02:00',
  imagingStudy: { study: 'lc-response2-ct-study' },
  conclusion: 'Continued response: mass 14 mm.',
});

// 11. Surveillance CT chest and abdomen: 364 days after baseline.
export const SurveillanceCtOrder: ServiceRequest = imagingOrder({
  id: 'lc-surveillance-ct-order',
  patient,
  procedure: { loinc: '42274-1', text: 'CT Chest and Abdomen W contrast IV' },
  authoredOn: '2025-01-20T09:00:00+01:00',
  accession: 'LC1011',
  reason: 'Surveillance after chemoradiotherapy',
  condition,
  bodySite: { snomed: '416550000', display: 'Chest and Abdomen' },
});
export const SurveillanceCtStudy: ImagingStudy = imagingStudy({
  id: 'lc-surveillance-ct-study',
  patient,
  uid: '2.25.100100100100100100100100100101101',
  started: '2025-02-03T10:00:00+01:00',
  accession: 'LC1011',
  series: [
    {
      uid: '2.25.100100100100100100100100100101102',
      modality: 'CT',
      bodyPart: { snomed: '416550000', display: 'Chest and Abdomen' },
      instances: 400,
    },
  ],
});
export const SurveillanceCtReport: DiagnosticReport = imagingReport({
  id: 'lc-surveillance-ct-report',
  patient,
  status: 'final',
  code: { loinc: '42274-1', text: 'CT Chest and Abdomen W contrast IV' },
  effective: '2025-02-03T10:00:00+01:00',
  issued: '2025-02-03T16:00:00+01:00',
  imagingStudy: { study: 'lc-surveillance-ct-study' },
  conclusion: 'No evidence of recurrence.',
});

// 12. Next surveillance CT: ordered, not yet performed.
export const NextSurveillanceCtOrder: ServiceRequest = imagingOrder({
  id: 'lc-surveillance2-ct-order',
  patient,
  procedure: { loinc: '24627-2', text: 'CT Chest' },
  authoredOn: '2025-07-21T09:00:00+02:00',
  occurrence: '2025-08-04T09:00:00+02:00',
  accession: 'LC1012',
  reason: 'Surveillance, 18 months after treatment',
  condition,
});

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
