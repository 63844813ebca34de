import type { Condition, DiagnosticReport, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { personaEvents, type PersonaEvent, type PersonaResource } from './events.ts';
import { personaPatient, type PurposeCode } from './imaging-builders.ts';
import { personaExam, reportOf, studyOf } from './persona-exams.ts';
import { SNOMED } from './systems.ts';
import { doseObservation, tumourSize, withContained, type Length } from './tumour-findings.ts';

/**
 * A synthetic patient with metastatic colorectal cancer measured by RECIST 1.1 over two lines of
 * treatment. Three target lesions, each identified a different way: a liver metastasis by DICOM
 * tracking UID (mCODE TumorSize, in cm), a lung nodule by tracking identifier (LOINC 21889-1, in
 * mm), a porta hepatis lymph node by tracking identifier and short axis.
 *
 * | exam            | liver | lung | node (short axis) | sum   | expected                         |
 * | --------------- | ----- | ---- | ----------------- | ----- | -------------------------------- |
 * | baseline line 1 | 42    | 20   | 18                | 80    | baseline                         |
 * | response 1      | 26    | 14   | 12                | 52    | PR (−35 % from baseline)         |
 * | response 2      | 33    | 18   | 13                | 64    | PD (+23.1 %, +12 mm from nadir)  |
 * | baseline line 2 | 34    | 18   | 14                | 66    | baseline of line 2               |
 * | line 2 response | 32    | 18   | 13                | 63    | SD (nadir reset to 66)           |
 *
 * A liver MR between them is not ionizing and not a follow-up of the CTs. The CT reports carry
 * dose Observations. All data is made up.
 */
export const ResponsePatient = personaPatient('RP-0001');

export const ResponseCondition: Condition = {
  resourceType: 'Condition',
  id: 'rp-crc-1',
  code: { coding: [{ system: SNOMED, code: '363406005', display: 'Malignant neoplasm of colon' }] },
  subject: { type: 'Patient', identifier: { ...ResponsePatient.identifier } },
};

const patient = ResponsePatient;
const condition = ResponseCondition.id;
const mm = (value: number): Length => ({ value, unit: 'mm' });
const cm = (value: number): Length => ({ value, unit: 'cm' });

interface Sizes {
  liver: Length;
  lung: Length;
  nodeShortAxis: Length;
}

function targetLesions(prefix: string, sizes: Sizes) {
  return [
    ...tumourSize({
      id: `${prefix}-liver`,
      patient,
      lesion: {
        trackingUid: '2.25.700700700700700700700700700700001',
        bodySite: { snomed: '10200004', display: 'Liver structure' },
      },
      longest: sizes.liver,
      shape: 'mcode',
    }),
    ...tumourSize({
      id: `${prefix}-lung`,
      patient,
      lesion: {
        trackingId: 'T2 lung nodule',
        bodySite: { snomed: '39607008', display: 'Lung structure', laterality: 'right' },
      },
      longest: sizes.lung,
    }),
    ...tumourSize({
      id: `${prefix}-node`,
      patient,
      lesion: {
        trackingId: 'T3 porta hepatis node',
        onObservation: true,
        bodySite: { snomed: '59441001', display: 'Structure of lymph node' },
      },
      longest: mm(sizes.nodeShortAxis.value + 7),
      shortAxis: sizes.nodeShortAxis,
      node: true,
    }),
  ];
}

interface ExamOptions {
  key: string;
  accession: string;
  uidSuffix: string;
  purpose: PurposeCode;
  authored: string;
  started: string;
  issued: string;
  sizes: Sizes;
  conclusion: string;
  doses: { dlp?: number; effective?: number };
}

function ctExam(options: ExamOptions): {
  order: ServiceRequest;
  study: ImagingStudy;
  report: DiagnosticReport;
} {
  const { key, accession, uidSuffix, purpose, authored, started, issued, sizes, conclusion, doses } = options;
  const exam = personaExam(patient, condition, {
    id: `rp-${key}`,
    procedure: { loinc: '36267-3', text: 'CT Chest and Abdomen and Pelvis W contrast IV' },
    ordered: authored,
    accession,
    purpose,
    study: {
      uid: `2.25.700700700700700700700700700${uidSuffix}`,
      started,
      series: [
        {
          uid: `2.25.700700700700700700700700700${uidSuffix}1`,
          modality: 'CT',
          bodyPart: { snomed: '416775004', display: 'Chest, Abdomen and Pelvis' },
          instances: 600,
        },
      ],
    },
    report: { issued, link: 'study', conclusion },
  });
  const report = withContained(reportOf(exam), [
    ...targetLesions(key, sizes),
    ...(doses.dlp !== undefined ? [doseObservation(`${key}-dlp`, 'dlp-total', doses.dlp)] : []),
    ...(doses.effective !== undefined
      ? [doseObservation(`${key}-dose`, 'effective-dose', doses.effective)]
      : []),
  ]);
  return { order: exam.order, study: studyOf(exam), report };
}

export const ResponseBaselineCt = ctExam({
  key: 'baseline1',
  accession: 'RP2001',
  uidSuffix: '100',
  purpose: 'baseline',
  authored: '2024-02-26T09:00:00+01:00',
  started: '2024-03-04T10:00:00+01:00',
  issued: '2024-03-04T15:00:00+01:00',
  sizes: { liver: cm(4.2), lung: mm(20), nodeShortAxis: mm(18) },
  conclusion: 'Baseline: liver, lung and porta hepatis nodal metastases measured.',
  doses: { dlp: 620, effective: 9.3 },
});

export const ResponseFirstFollowUpCt = ctExam({
  key: 'response1',
  accession: 'RP2002',
  uidSuffix: '200',
  purpose: 'response',
  authored: '2024-05-13T09:00:00+02:00',
  started: '2024-05-27T10:00:00+02:00',
  issued: '2024-05-27T16:00:00+02:00',
  sizes: { liver: cm(2.6), lung: mm(14), nodeShortAxis: mm(12) },
  conclusion: 'All target lesions smaller.',
  doses: { dlp: 600 },
});

const liverMr = personaExam(patient, condition, {
  id: 'rp-liver-mr',
  procedure: { loinc: '24867-2', text: 'MR Liver W contrast IV' },
  ordered: '2024-06-03T09:00:00+02:00',
  accession: 'RP2003',
  purpose: 'response',
  study: {
    uid: '2.25.700700700700700700700700700300',
    started: '2024-06-10T11:00:00+02:00',
    series: [
      {
        uid: '2.25.7007007007007007007007007003001',
        modality: 'MR',
        bodyPart: { snomed: '10200004', display: 'Liver structure' },
        instances: 300,
      },
    ],
  },
});
export const ResponseLiverMrOrder: ServiceRequest = liverMr.order;
export const ResponseLiverMrStudy: ImagingStudy = studyOf(liverMr);

export const ResponseSecondFollowUpCt = ctExam({
  key: 'response2',
  accession: 'RP2004',
  uidSuffix: '400',
  purpose: 'response',
  authored: '2024-08-05T09:00:00+02:00',
  started: '2024-08-19T10:00:00+02:00',
  issued: '2024-08-19T16:00:00+02:00',
  sizes: { liver: mm(33), lung: mm(18), nodeShortAxis: mm(13) },
  conclusion: 'Target lesions larger than at the previous exam.',
  doses: { effective: 9 },
});

export const ResponseSecondLineBaselineCt = ctExam({
  key: 'baseline2',
  accession: 'RP2005',
  uidSuffix: '500',
  purpose: 'baseline',
  authored: '2024-08-26T09:00:00+02:00',
  started: '2024-09-02T10:00:00+02:00',
  issued: '2024-09-02T16:00:00+02:00',
  sizes: { liver: mm(34), lung: mm(18), nodeShortAxis: mm(14) },
  conclusion: 'Baseline before second-line chemotherapy.',
  doses: {},
});

export const ResponseSecondLineFollowUpCt = ctExam({
  key: 'response3',
  accession: 'RP2006',
  uidSuffix: '600',
  purpose: 'response',
  authored: '2024-11-11T09:00:00+01:00',
  started: '2024-11-25T10:00:00+01:00',
  issued: '2024-11-25T16:00:00+01:00',
  sizes: { liver: mm(32), lung: mm(18), nodeShortAxis: mm(13) },
  conclusion: 'Target lesions about the same.',
  doses: {},
});

const ct = (exam: { order: ServiceRequest; study: ImagingStudy; report: DiagnosticReport }) => [
  exam.order,
  exam.study,
  exam.report,
];

/** Every resource of the pathway, in the order the systems would send them. */
export const ResponsePathwayResources: readonly PersonaResource[] = [
  ...ct(ResponseBaselineCt),
  ...ct(ResponseFirstFollowUpCt),
  ResponseLiverMrOrder,
  ResponseLiverMrStudy,
  ...ct(ResponseSecondFollowUpCt),
  ...ct(ResponseSecondLineBaselineCt),
  ...ct(ResponseSecondLineFollowUpCt),
];

/** The pathway as the events the intake services publish, in delivery order. */
export function responsePathwayEvents(): PersonaEvent[] {
  return personaEvents(ResponsePathwayResources, ResponsePatient.key);
}
