import { describe, expect, it } from 'vitest';
import {
  auditInputsOf,
  interactionOf,
  outcomeDescOf,
  patientOfUrl,
  type AnsweredRequest,
} from './audit-request.ts';
import { isAuditedPath } from './audit-trail.ts';

const MRN = 'https://hospital.example/mrn|A123';
const context = { observer: 'oncoimg/order-service', recorded: new Date(0), newId: () => 'id' };

describe('what a request is, for the audit trail', () => {
  it('derives the FHIR interaction from method and path', () => {
    expect(interactionOf('POST', '/fhir/ServiceRequest')).toBe('create');
    expect(interactionOf('POST', '/fhir')).toBe('batch');
    expect(interactionOf('POST', '/dicom/studies')).toBe('create');
    expect(interactionOf('PUT', '/fhir/ServiceRequest/o1')).toBe('update');
    expect(interactionOf('DELETE', '/fhir/ServiceRequest/o1')).toBe('delete');
    expect(interactionOf('GET', '/fhir/ServiceRequest?patient=x')).toBe('search-type');
    expect(interactionOf('GET', '/fhir/ServiceRequest/o1')).toBe('read');
    expect(interactionOf('GET', '/fhir/ServiceRequest/o1/_history')).toBe('history-instance');
    expect(interactionOf('GET', '/fhir/ServiceRequest/o1/_history/2')).toBe('vread');
    expect(interactionOf('GET', '/api/patients/Patient%2F7/timeline')).toBe('read');
    expect(interactionOf('GET', '/api/events')).toBe('search-type');
  });

  it('finds the patient in the timeline path or a single patient search parameter', () => {
    expect(patientOfUrl(`/api/patients/${encodeURIComponent(MRN)}/timeline`)).toBe(MRN);
    expect(patientOfUrl(`/fhir/AuditEvent?patient=${encodeURIComponent(MRN)}&_count=5`)).toBe(MRN);
    expect(patientOfUrl('/fhir/ServiceRequest?patient=a&patient=b')).toBeUndefined();
    expect(patientOfUrl('/api/patients?q=smith')).toBeUndefined();
  });

  it('says why a request was refused from WWW-Authenticate', () => {
    expect(outcomeDescOf(200, undefined)).toBeUndefined();
    expect(outcomeDescOf(403, 'Bearer error="insufficient_scope", scope="system/ServiceRequest.c"')).toBe(
      '403 Forbidden: missing scope system/ServiceRequest.c',
    );
    expect(
      outcomeDescOf(401, 'Bearer realm="oncoimg", error="invalid_token", error_description="token expired"'),
    ).toBe('401 Unauthorized: token expired');
    expect(outcomeDescOf(401, 'Bearer realm="oncoimg"')).toBe(
      '401 Unauthorized: a bearer access token is required',
    );
    expect(outcomeDescOf(404, undefined)).toBe('404 Not Found');
  });

  it('audits audited paths only', () => {
    expect(['/fhir/ServiceRequest', '/fhir', '/api/events', '/dicom/studies'].map(isAuditedPath)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(
      ['/fhir/metadata', '/fhir/.well-known/smart-configuration', '/api', '/healthz', '/metrics', '/'].map(
        isAuditedPath,
      ),
    ).toEqual([false, false, false, false, false, false]);
  });
});

describe('auditInputsOf', () => {
  const refusedWrite: AnsweredRequest = {
    method: 'POST',
    url: '/fhir/ServiceRequest',
    status: 403,
    wwwAuthenticate: 'Bearer error="insufficient_scope", scope="patient/ServiceRequest.c"',
    address: '127.0.0.1',
    caller: { subject: 'patient', clientId: 'timeline-web', patient: MRN },
    note: {},
  };

  it('records a refused write against the token’s patient, with the request instead of a resource', () => {
    const [input] = auditInputsOf(refusedWrite, context);
    expect(input).toMatchObject({
      interaction: 'create',
      status: 403,
      outcomeDesc: '403 Forbidden: missing scope patient/ServiceRequest.c',
      patient: MRN,
      query: 'POST /fhir/ServiceRequest',
      caller: { subject: 'patient', clientId: 'timeline-web' },
    });
    expect(input.what).toBeUndefined();
  });

  it('records what the route noted for an accepted write', () => {
    const [input] = auditInputsOf(
      { ...refusedWrite, status: 201, note: { patient: 'Patient/7', what: 'ServiceRequest/o1/_history/1' } },
      context,
    );
    expect(input).toMatchObject({ status: 201, patient: 'Patient/7', what: 'ServiceRequest/o1/_history/1' });
    expect(input.query).toBeUndefined();
  });

  it('records one event per Bundle entry, each with its own outcome', () => {
    const inputs = auditInputsOf(
      {
        ...refusedWrite,
        url: '/fhir',
        status: 200,
        note: {
          interaction: 'batch',
          entries: [
            { interaction: 'create', status: 201, patient: 'Patient/1', what: 'ServiceRequest/a/_history/1' },
            { interaction: 'update', status: 400 },
          ],
        },
      },
      context,
    );
    expect(inputs.map((i) => [i.interaction, i.status, i.patient, i.what])).toEqual([
      ['create', 201, 'Patient/1', 'ServiceRequest/a/_history/1'],
      ['update', 400, MRN, undefined],
    ]);
    expect(inputs[1].outcomeDesc).toBe('400 Bad Request');
  });
});
