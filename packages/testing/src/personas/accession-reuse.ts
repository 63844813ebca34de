import type { ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { personaPatient } from './imaging-builders.ts';
import { personaExam, studyOf, type ExamRow } from './persona-exams.ts';

/**
 * Two patients whose exams both carry accession number "2" with no issuer, as real DICOM test data
 * does (pydicom's CT_small and MR_small both say "2"). Each must link only to its own order.
 */
export const AccessionTwoFirstPatient = personaPatient('AR-0001');
export const AccessionTwoSecondPatient = personaPatient('AR-0002');

const accessionTwo = (
  id: string,
  procedure: ExamRow['procedure'],
  ordered: string,
  study: NonNullable<ExamRow['study']>,
): ExamRow => ({ id, procedure, ordered, accession: '2', accessionIssuer: null, study });

const first = personaExam(
  AccessionTwoFirstPatient,
  undefined,
  accessionTwo('ar1', { loinc: '24627-2', text: 'CT Chest' }, '2024-03-01T09:00:00Z', {
    uid: '2.25.200200200200200200200200200200101',
    started: '2024-03-02T09:00:00Z',
    series: [{ modality: 'CT', bodyPart: { display: 'CHEST' } }],
  }),
);
const second = personaExam(
  AccessionTwoSecondPatient,
  undefined,
  accessionTwo('ar2', { loinc: '24590-2', text: 'MR Brain' }, '2024-03-01T10:00:00Z', {
    uid: '2.25.200200200200200200200200200200201',
    started: '2024-03-02T10:00:00Z',
    series: [{ modality: 'MR', bodyPart: { display: 'HEAD' } }],
  }),
);

export const AccessionTwoFirstOrder: ServiceRequest = first.order;
export const AccessionTwoFirstStudy: ImagingStudy = studyOf(first);
export const AccessionTwoSecondOrder: ServiceRequest = second.order;
export const AccessionTwoSecondStudy: ImagingStudy = studyOf(second);
