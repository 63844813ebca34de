import type { ImagingStudy, Reference } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { patientKeyOf, patientKeyOfReference } from './patient-key.ts';

describe('patient key', () => {
  it('prefers the subject identifier (system|value) over the reference', () => {
    expect(
      patientKeyOfReference({ reference: 'Patient/9', identifier: { system: 'urn:mrn', value: '42' } }),
    ).toBe('urn:mrn|42');
  });
  it.each([
    ['Patient/abc', 'Patient/abc'],
    ['https://ehr.example.org/fhir/Patient/abc', 'Patient/abc'],
    ['Patient/abc/_history/3', 'Patient/abc'],
  ])('reduces the reference %s to %s', (reference, key) => {
    expect(patientKeyOfReference({ reference })).toBe(key);
  });
  it('follows a contained patient to its identifier', () => {
    const study: ImagingStudy = {
      resourceType: 'ImagingStudy',
      status: 'available',
      contained: [{ resourceType: 'Patient', id: 'p1', identifier: [{ system: 'urn:mrn', value: '7' }] }],
      subject: { reference: '#p1' },
    };
    expect(patientKeyOf(study)).toBe('urn:mrn|7');
  });
  it.each<[Reference | undefined]>([
    [{ reference: 'Group/1' }],
    [{ type: 'Device', identifier: { system: 's', value: 'v' } }],
    [{ display: 'John' }],
    [undefined],
  ])('gives no key for a subject that is not a patient: %j', (subject) => {
    expect(patientKeyOfReference(subject)).toBeUndefined();
  });
});
