import type { ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { imagingOrder, imagingStudy, personaPatient } from './imaging-builders.ts';

/**
 * Two patients whose exams both carry accession number "2" with no issuer, as real DICOM test data
 * does (pydicom's CT_small and MR_small both say "2"). Each must link only to its own order.
 */
export const AccessionTwoFirstPatient = personaPatient('AR-0001');
export const AccessionTwoSecondPatient = personaPatient('AR-0002');

export const AccessionTwoFirstOrder: ServiceRequest = imagingOrder({
  id: 'ar1-order',
  patient: AccessionTwoFirstPatient,
  procedure: { loinc: '24627-2', text: 'CT Chest' },
  authoredOn: '2024-03-01T09:00:00Z',
  accession: '2',
  accessionIssuer: null,
});
export const AccessionTwoFirstStudy: ImagingStudy = imagingStudy({
  id: 'ar1-study',
  patient: AccessionTwoFirstPatient,
  uid: '2.25.200200200200200200200200200200101',
  started: '2024-03-02T09:00:00Z',
  accession: '2',
  series: [{ uid: '2.25.200200200200200200200200200200102', modality: 'CT', bodyPart: { display: 'CHEST' } }],
});
export const AccessionTwoSecondOrder: ServiceRequest = imagingOrder({
  id: 'ar2-order',
  patient: AccessionTwoSecondPatient,
  procedure: { loinc: '24590-2', text: 'MR Brain' },
  authoredOn: '2024-03-01T10:00:00Z',
  accession: '2',
  accessionIssuer: null,
});
export const AccessionTwoSecondStudy: ImagingStudy = imagingStudy({
  id: 'ar2-study',
  patient: AccessionTwoSecondPatient,
  uid: '2.25.200200200200200200200200200200201',
  started: '2024-03-02T10:00:00Z',
  accession: '2',
  series: [{ uid: '2.25.200200200200200200200200200200202', modality: 'MR', bodyPart: { display: 'HEAD' } }],
});
