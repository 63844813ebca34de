import { describe, expect, it } from 'vitest';
import { decide, patientKeyOfClaim } from './access.ts';
import { can, isScopeCovered, parseResourceScope, parseScopes, scopeNeeded } from './scopes.ts';

describe('SMART scopes', () => {
  it('parses v2 scopes with their interactions', () => {
    expect(parseResourceScope('system/ServiceRequest.cu')).toMatchObject({
      context: 'system',
      resourceType: 'ServiceRequest',
      interactions: new Set(['c', 'u']),
    });
    expect(parseResourceScope('patient/*.rs')?.interactions).toEqual(new Set(['r', 's']));
  });

  it('reads v1 read, write and * as rs, cud and cruds', () => {
    expect(parseResourceScope('user/ImagingStudy.read')?.interactions).toEqual(new Set(['r', 's']));
    expect(parseResourceScope('system/ServiceRequest.write')?.interactions).toEqual(new Set(['c', 'u', 'd']));
    expect(parseResourceScope('patient/*.*')?.interactions).toEqual(new Set(['c', 'r', 'u', 'd', 's']));
  });

  it('refuses permissions out of v2 order, unknown contexts and query-restricted scopes', () => {
    expect(parseResourceScope('system/ServiceRequest.uc')).toBeUndefined();
    expect(parseResourceScope('admin/ServiceRequest.c')).toBeUndefined();
    const grant = parseScopes('patient/Observation.rs?category=laboratory openid launch');
    expect(grant.resources).toEqual([]);
    expect([...grant.others]).toEqual(['openid', 'launch']);
  });

  it('allows an interaction through a wildcard type or an exact type, in the asked contexts', () => {
    const grant = parseScopes('system/ServiceRequest.c user/*.rs');
    expect(can(grant, { resourceType: 'ServiceRequest', interaction: 'c' })).toBe(true);
    expect(can(grant, { resourceType: 'ServiceRequest', interaction: 'u' })).toBe(false);
    expect(can(grant, { resourceType: 'ImagingStudy', interaction: 's' })).toBe(true);
    expect(can(grant, { resourceType: 'ImagingStudy', interaction: 's', contexts: ['system'] })).toBe(false);
  });

  it('covers a requested scope only with the same context and every permission', () => {
    const allowed = parseScopes('system/*.cruds patient/*.rs openid');
    expect(isScopeCovered('system/ServiceRequest.c', allowed)).toBe(true);
    expect(isScopeCovered('patient/ImagingStudy.read', allowed)).toBe(true);
    expect(isScopeCovered('patient/ImagingStudy.cu', allowed)).toBe(false);
    expect(isScopeCovered('user/ImagingStudy.rs', allowed)).toBe(false);
    expect(isScopeCovered('openid', allowed)).toBe(true);
    expect(isScopeCovered('launch', allowed)).toBe(false);
  });

  it('names the narrowest missing scope', () => {
    expect(scopeNeeded('ServiceRequest', ['u', 'c'], 'system')).toBe('system/ServiceRequest.cu');
  });
});

describe('patient context', () => {
  it('maps a SMART patient id to Patient/id and keeps a patient key as it is', () => {
    expect(patientKeyOfClaim('123')).toBe('Patient/123');
    expect(patientKeyOfClaim('Patient/123')).toBe('Patient/123');
    expect(patientKeyOfClaim('urn:oid:1.2.3|MRN-7')).toBe('urn:oid:1.2.3|MRN-7');
    expect(patientKeyOfClaim('a b')).toBeUndefined();
    expect(patientKeyOfClaim(42)).toBeUndefined();
  });

  it('restricts reads to the patient when only patient/ scopes allow them', () => {
    const identity = { grant: parseScopes('patient/*.rs'), patient: 'Patient/1' };
    expect(decide(identity, 'ImagingStudy', ['r', 's'])).toEqual({ allowed: true, patient: 'Patient/1' });
    expect(decide(identity, 'ImagingStudy', ['c'])).toEqual({
      allowed: false,
      missing: 'patient/ImagingStudy.c',
    });
  });

  it('does not restrict when a user/ or system/ scope allows the same', () => {
    const identity = { grant: parseScopes('patient/*.rs user/ImagingStudy.rs'), patient: 'Patient/1' };
    expect(decide(identity, 'ImagingStudy', ['r', 's'])).toEqual({ allowed: true, patient: undefined });
  });

  it('allows nothing through patient/ scopes without a patient claim', () => {
    const identity = { grant: parseScopes('patient/*.rs'), patient: undefined };
    expect(decide(identity, 'ImagingStudy', ['r', 's'])).toEqual({
      allowed: false,
      missing: 'system/ImagingStudy.rs',
    });
  });
});
