import type { ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { identifierSearchToken, patientKeysOf, patientSearchToken, searchTokensOf } from './search-tokens.ts';

const study: ImagingStudy = {
  resourceType: 'ImagingStudy',
  status: 'available',
  identifier: [
    { system: 'urn:dicom:uid', value: 'urn:oid:1.2.3' },
    { value: 'ACC-9' },
    { system: 'http://example.org/no-value' },
  ],
  subject: { reference: 'Patient/7', identifier: { system: 'urn:oid:2.16.1', value: 'MRN-1' } },
};

describe('search tokens of a resource', () => {
  it('indexes each identifier by system|value and by value alone, and each patient key', () => {
    expect(searchTokensOf(study).sort()).toEqual(
      [
        'identifier:urn:dicom:uid|urn:oid:1.2.3',
        'identifier-value:urn:oid:1.2.3',
        'identifier:|ACC-9',
        'identifier-value:ACC-9',
        'patient:urn:oid:2.16.1|MRN-1',
        'patient:Patient/7',
      ].sort(),
    );
  });

  it('finds the patient by identifier key and by literal reference when the subject has both', () => {
    expect(patientKeysOf(study)).toEqual(['urn:oid:2.16.1|MRN-1', 'Patient/7']);
  });

  it('follows a contained patient to its identifier', () => {
    const order: ServiceRequest = {
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      contained: [{ resourceType: 'Patient', id: 'p1', identifier: [{ system: 's', value: 'v' }] }],
      subject: { reference: '#p1' },
    };
    expect(patientKeysOf(order)).toEqual(['s|v']);
  });

  it('has no patient key for a subject that is not a patient', () => {
    const order: ServiceRequest = {
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: 'Group/3' },
    };
    expect(searchTokensOf(order)).toEqual([]);
  });
});

describe('search values', () => {
  it('reads system|value, |value and a bare value as FHIR token search does', () => {
    expect(identifierSearchToken('urn:dicom:uid|urn:oid:1.2.3')).toBe(
      'identifier:urn:dicom:uid|urn:oid:1.2.3',
    );
    expect(identifierSearchToken('|ACC-9')).toBe('identifier:|ACC-9');
    expect(identifierSearchToken('ACC-9')).toBe('identifier-value:ACC-9');
  });

  it('reads an escaped pipe as part of the value', () => {
    expect(identifierSearchToken('sys|a\\|b')).toBe('identifier:sys|a|b');
    expect(identifierSearchToken('a\\|b')).toBe('identifier-value:a|b');
  });

  it('refuses an identifier search without a value', () => {
    expect(() => identifierSearchToken('sys|')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => identifierSearchToken('')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('reads a patient as a key, a reference or a bare id', () => {
    expect(patientSearchToken('urn:oid:2.16.1|MRN-1')).toBe('patient:urn:oid:2.16.1|MRN-1');
    expect(patientSearchToken('Patient/7')).toBe('patient:Patient/7');
    expect(patientSearchToken('https://ehr.example/fhir/Patient/7/_history/2')).toBe('patient:Patient/7');
    expect(patientSearchToken('7')).toBe('patient:Patient/7');
    expect(() => patientSearchToken('Group/7')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
