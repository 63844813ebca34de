import { describe, expect, test } from 'vitest';
import {
  accessionOf,
  accessionsMatch,
  businessIdentifierKey,
  dicomUidOf,
  issuerOf,
  normalizeDicomUid,
} from './identifiers.ts';

const ACSN = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] };

describe('accession numbers', () => {
  test('an identifier typed v2-0203#ACSN is an accession number, with its system as issuer', () => {
    expect(accessionOf({ type: ACSN, system: 'https://ris.example.org/acc', value: ' A123 ' })).toEqual({
      value: 'A123',
      issuer: 'https://ris.example.org/acc',
    });
  });

  test('an identifier of another type is not an accession number', () => {
    const placer = {
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'PLAC' }] },
      value: 'A123',
    };
    expect(accessionOf(placer)).toBeUndefined();
    expect(accessionOf({ system: 'https://ris.example.org/acc', value: 'A123' })).toBeUndefined();
  });

  test('without a system, the assigner names the issuer (DICOM Issuer of Accession Number)', () => {
    expect(
      issuerOf({
        type: ACSN,
        value: '2',
        assigner: { identifier: { system: 'urn:oid:1.2.3', value: 'RIS-A' } },
      }),
    ).toBe('urn:oid:1.2.3|RIS-A');
    expect(issuerOf({ type: ACSN, value: '2', assigner: { display: 'Radiology RIS' } })).toBe(
      'Radiology RIS',
    );
    expect(issuerOf({ type: ACSN, value: '2' })).toBeNull();
  });

  test('accession numbers of two different issuers never match, one without issuer matches either', () => {
    const a = { value: '2', issuer: 'ris-a' };
    const b = { value: '2', issuer: 'ris-b' };
    const none = { value: '2', issuer: null };
    expect(accessionsMatch(a, b)).toBe(false);
    expect(accessionsMatch(a, { value: '2', issuer: 'ris-a' })).toBe(true);
    expect(accessionsMatch(a, none)).toBe(true);
    expect(accessionsMatch(none, b)).toBe(true);
    expect(accessionsMatch(none, { value: '3', issuer: null })).toBe(false);
  });
});

describe('DICOM UIDs', () => {
  test('a urn:dicom:uid identifier gives the UID without its urn:oid: prefix', () => {
    expect(dicomUidOf({ system: 'urn:dicom:uid', value: 'urn:oid:2.16.124.113543.6003.1154777499' })).toBe(
      '2.16.124.113543.6003.1154777499',
    );
    expect(dicomUidOf({ system: 'urn:dicom:uid', value: '1.2.3' })).toBe('1.2.3');
  });

  test('a urn:oid value under the generic URI system is read as a UID too', () => {
    expect(dicomUidOf({ system: 'urn:ietf:rfc:3986', value: 'urn:oid:1.2.3' })).toBe('1.2.3');
    expect(dicomUidOf({ system: 'urn:ietf:rfc:3986', value: 'https://example.org/x' })).toBeUndefined();
  });

  test('normalizing is idempotent and ignores case of the prefix and surrounding blanks', () => {
    expect(normalizeDicomUid(' URN:OID:1.2.3 ')).toBe('1.2.3');
    expect(normalizeDicomUid(normalizeDicomUid('urn:oid:1.2.3'))).toBe('1.2.3');
  });

  test('accession numbers and UIDs are not business identifiers', () => {
    expect(businessIdentifierKey({ type: ACSN, system: 's', value: 'v' })).toBeUndefined();
    expect(businessIdentifierKey({ system: 'urn:dicom:uid', value: 'urn:oid:1.2' })).toBeUndefined();
    expect(businessIdentifierKey({ system: 'https://ehr.example.org/placer', value: 'P1' })).toBe(
      'https://ehr.example.org/placer|P1',
    );
  });
});
