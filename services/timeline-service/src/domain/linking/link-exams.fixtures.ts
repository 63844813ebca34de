/** Test support for the linking tests: one patient and CT chest orders, studies and reports to link. */
import type { ServiceRequest } from '@medplum/fhirtypes';
import {
  imagingOrder,
  imagingReport,
  imagingStudy,
  personaEvents,
  personaPatient,
  timelineFrom,
  type PersonaResource,
} from '../timeline.fixtures.ts';

export const patient = personaPatient('LK-0001');
export const timelineOf = (...resources: PersonaResource[]) =>
  timelineFrom(patient.key, personaEvents(resources, patient.key));

export const order = (
  id: string,
  options: Partial<Parameters<typeof imagingOrder>[0]> = {},
): ServiceRequest =>
  imagingOrder({
    id,
    patient,
    procedure: { text: 'CT Chest' },
    authoredOn: '2024-03-01T09:00:00Z',
    ...options,
  });
export const study = (id: string, options: Partial<Parameters<typeof imagingStudy>[0]> = {}) =>
  imagingStudy({
    id,
    patient,
    uid: `2.25.9${id.replace(/\D/g, '') || '0'}`,
    started: '2024-03-02T09:00:00Z',
    series: [
      { uid: `2.25.8${id.replace(/\D/g, '') || '0'}`, modality: 'CT', bodyPart: { display: 'CHEST' } },
    ],
    ...options,
  });
export const report = (id: string, options: Partial<Parameters<typeof imagingReport>[0]> = {}) =>
  imagingReport({
    id,
    patient,
    status: 'final',
    code: { text: 'CT Chest' },
    effective: '2024-03-02T09:00:00Z',
    issued: '2024-03-02T12:00:00Z',
    ...options,
  });
