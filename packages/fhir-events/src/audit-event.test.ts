import { describe, expect, it } from 'vitest';
import {
  auditOutcomeOf,
  buildAuditEvent,
  OAUTH_CLIENT_ID_SYSTEM,
  patientKeyOfAuditEvent,
  type AuditRecordInput,
} from './audit-event.ts';
import { validateR4 } from './validate-r4.ts';

const MRN = 'https://oncoimg.example.org/fhir/sid/synthetic-mrn|SYN-42-0001';

const acceptedOrder: AuditRecordInput = {
  id: 'a1',
  recorded: new Date('2026-03-01T10:00:00Z'),
  interaction: 'create',
  status: 201,
  caller: { subject: 'ehr-dev', clientId: 'ehr-dev' },
  address: '10.0.0.7',
  observer: 'oncoimg/order-service',
  patient: MRN,
  what: 'ServiceRequest/o1/_history/1',
};

describe('buildAuditEvent', () => {
  it('records an accepted create by a backend client as a valid BALP-style R4 AuditEvent', () => {
    const event = buildAuditEvent(acceptedOrder);
    expect(validateR4(event)).toEqual([]);
    // The validator does check: an AuditEvent needs an agent.
    expect(validateR4({ ...event, agent: [] })).not.toEqual([]);
    expect(event).toMatchObject({
      type: { code: 'rest' },
      subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'create' }],
      action: 'C',
      recorded: '2026-03-01T10:00:00.000Z',
      outcome: '0',
      source: { observer: { display: 'oncoimg/order-service' } },
    });
    expect(event.outcomeDesc).toBeUndefined();
    // The client asked for itself: one agent, the requestor, with its network address.
    expect(event.agent).toEqual([
      expect.objectContaining({
        who: { identifier: { system: OAUTH_CLIENT_ID_SYSTEM, value: 'ehr-dev' } },
        requestor: true,
        network: { address: '10.0.0.7', type: '2' },
      }),
    ]);
    expect(event.entity?.map((e) => e.what)).toEqual([
      {
        type: 'Patient',
        identifier: { system: 'https://oncoimg.example.org/fhir/sid/synthetic-mrn', value: 'SYN-42-0001' },
      },
      { reference: 'ServiceRequest/o1/_history/1' },
    ]);
    expect(patientKeyOfAuditEvent(event)).toBe(MRN);
  });

  it('names the user as requestor and the app as a second agent when a person signed in', () => {
    const event = buildAuditEvent({
      ...acceptedOrder,
      interaction: 'read',
      status: 200,
      what: undefined,
      query: 'GET /api/patients/Patient%2F7/timeline',
      patient: 'Patient/7',
      caller: { subject: 'clinician', clientId: 'timeline-web', fhirUser: 'Practitioner/dev-clinician' },
    });
    expect(validateR4(event)).toEqual([]);
    expect(event.action).toBe('R');
    const [user, client] = event.agent;
    expect(user).toMatchObject({ requestor: true, who: { reference: 'Practitioner/dev-clinician' } });
    expect(user.who?.identifier?.value).toBe('clinician');
    expect(client).toMatchObject({ requestor: false, who: { identifier: { value: 'timeline-web' } } });
    const query = event.entity?.find((e) => e.role?.code === '24')?.query ?? '';
    expect(Buffer.from(query, 'base64').toString('utf8')).toBe('GET /api/patients/Patient%2F7/timeline');
    expect(patientKeyOfAuditEvent(event)).toBe('Patient/7');
  });

  it('records a request without a valid token as refused by an unknown agent', () => {
    const event = buildAuditEvent({
      ...acceptedOrder,
      status: 401,
      outcomeDesc: '401 a bearer access token is required',
      caller: undefined,
      patient: undefined,
      what: undefined,
      query: 'POST /fhir/ServiceRequest',
    });
    expect(validateR4(event)).toEqual([]);
    expect(event.outcome).toBe('4');
    expect(event.outcomeDesc).toBe('401 a bearer access token is required');
    expect(event.agent).toEqual([expect.objectContaining({ who: { display: 'unknown' }, requestor: true })]);
    expect(patientKeyOfAuditEvent(event)).toBeUndefined();
  });

  it('maps statuses to BALP outcomes and interactions to actions', () => {
    expect([200, 201, 304, 403, 404, 429, 500, 503].map(auditOutcomeOf)).toEqual([
      '0',
      '0',
      '0',
      '4',
      '4',
      '4',
      '8',
      '8',
    ]);
    const actionOf = (interaction: AuditRecordInput['interaction']) =>
      buildAuditEvent({ ...acceptedOrder, interaction }).action;
    expect(['update', 'delete', 'search-type', 'vread', 'batch'].map((i) => actionOf(i as never))).toEqual([
      'U',
      'D',
      'E',
      'R',
      'E',
    ]);
    expect(buildAuditEvent({ ...acceptedOrder, status: 500 }).outcomeDesc).toBe('500');
  });
});
