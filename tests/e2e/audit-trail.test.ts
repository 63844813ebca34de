/**
 * The audit trail end to end, on the real broker and stores: the intake and timeline services
 * record an AuditEvent for each write and read, accepted or refused, on `imaging.audit.v1`, and
 * the timeline service serves them at `GET /fhir/AuditEvent?patient=`.
 */
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { patientKeyOfAuditEvent } from '@oncoimg/fhir-events';
import { readTopic, testAuth, testKafkaBrokers, type TopicReader } from '@oncoimg/testing';
import { DiagnosticChestCtOrder, LungCancerPatient, ResponsePatient } from '@oncoimg/testing/personas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startSystem, type RunningSystem } from '../support/running-system.ts';

const FHIR = { 'content-type': 'application/fhir+json' };
const PATIENT = LungCancerPatient.key;
const { meta: _meta, id: _id, ...order } = DiagnosticChestCtOrder;

const subtypeOf = (event: AuditEvent) => event.subtype?.at(0)?.code;
const queryOf = (event: AuditEvent) => {
  const query = event.entity?.find((entity) => entity.query)?.query;
  return query ? Buffer.from(query, 'base64').toString('utf8') : undefined;
};
const clientOf = (event: AuditEvent) =>
  event.agent.find((agent) => agent.who?.identifier?.system === 'urn:ietf:params:oauth:client-id')?.who
    ?.identifier?.value;

describe('audit trail across the services', () => {
  let system: RunningSystem;
  let audits: TopicReader;

  beforeAll(async () => {
    system = await startSystem();
    audits = await readTopic(testKafkaBrokers(), system.topics.audit);
  });
  afterAll(async () => {
    await audits.stop();
    await system.stop();
  });

  /** The trail of PATIENT as `token` sees it at the timeline service. */
  async function search(scope: string, query = `patient=${encodeURIComponent(PATIENT)}`, claims = {}) {
    const auth = await testAuth();
    return fetch(`${system.timelineBase}/fhir/AuditEvent?${query}`, {
      headers: await auth.bearer(scope, { client_id: 'audit-reader', ...claims }),
    });
  }

  it('records an accepted write, a refused write and a timeline read, on the topic and at GET /fhir/AuditEvent', async () => {
    const auth = await testAuth();
    const accepted = await fetch(`${system.orderBase}/ServiceRequest`, {
      method: 'POST',
      headers: {
        ...FHIR,
        ...(await auth.bearer('system/ServiceRequest.c', { client_id: 'ehr-dev', sub: 'ehr-dev' })),
      },
      body: JSON.stringify(order),
    });
    expect(accepted.status).toBe(201);
    const { id } = (await accepted.json()) as { id: string };

    // A patient app may read, never write: refused, and audited against its patient.
    const refused = await fetch(`${system.orderBase}/ServiceRequest`, {
      method: 'POST',
      headers: {
        ...FHIR,
        ...(await auth.bearer('patient/ServiceRequest.rs', {
          client_id: 'timeline-web',
          sub: 'patient-user',
          patient: PATIENT,
        })),
      },
      body: JSON.stringify(order),
    });
    expect(refused.status).toBe(403);
    const noToken = await fetch(`${system.orderBase}/ServiceRequest`, {
      method: 'POST',
      headers: FHIR,
      body: '{}',
    });
    expect(noToken.status).toBe(401);

    const timelineUrl = `${system.timelineBase}/api/patients/${encodeURIComponent(PATIENT)}/timeline`;
    const reader = await auth.bearer('user/ImagingStudy.rs user/DiagnosticReport.rs', {
      client_id: 'timeline-web',
      sub: 'clinician',
      fhirUser: 'Practitioner/dev-clinician',
    });
    await eventually(
      async () => ((await fetch(timelineUrl, { headers: reader })).status === 200 ? true : undefined),
      'the timeline',
    );

    // On the topic, keyed by the patient; the request without a token has no patient and no agent.
    await eventually(async () => (audits.messages.length >= 4 ? true : undefined), 'audit messages');
    const onTopic = audits.messages.map((m) => ({
      key: m.key,
      event: JSON.parse(m.value?.toString() ?? '{}') as AuditEvent,
    }));
    const created = onTopic.find(({ event }) => event.outcome === '0' && subtypeOf(event) === 'create');
    expect(created?.key).toBe(PATIENT);
    expect(created?.event.entity?.map((e) => e.what?.reference).filter(Boolean)).toEqual([
      `ServiceRequest/${id}/_history/1`,
    ]);
    expect(created && clientOf(created.event)).toBe('ehr-dev');
    const anonymous = onTopic.find(({ event }) => event.outcomeDesc?.startsWith('401'));
    expect(anonymous?.key).toBe('');
    expect(anonymous?.event.agent).toEqual([expect.objectContaining({ who: { display: 'unknown' } })]);

    // At the timeline service, newest first, once its consumer stored them.
    const trail = await eventually(async () => {
      const res = await search('system/AuditEvent.rs');
      const bundle = (await res.json()) as Bundle<AuditEvent>;
      const events = (bundle.entry ?? []).flatMap((entry) => (entry.resource ? [entry.resource] : []));
      return events.some((e) => subtypeOf(e) === 'read' && e.outcome === '0')
        ? { bundle, events }
        : undefined;
    }, 'the trail at GET /fhir/AuditEvent');
    expect(trail.bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    const { events } = trail;
    expect(events.every((e) => patientKeyOfAuditEvent(e) === PATIENT)).toBe(true);
    const write = events.find((e) => subtypeOf(e) === 'create' && e.outcome === '0');
    expect(write).toMatchObject({ action: 'C', source: { observer: { display: 'oncoimg/order-service' } } });
    const denied = events.find((e) => subtypeOf(e) === 'create' && e.outcome === '4');
    expect(denied?.outcomeDesc).toBe('403 Forbidden: missing scope patient/ServiceRequest.c');
    expect(denied?.agent.find((a) => a.requestor)?.who?.identifier?.value).toBe('patient-user');
    const read = events.find((e) => subtypeOf(e) === 'read');
    expect(read).toMatchObject({
      action: 'R',
      source: { observer: { display: 'oncoimg/timeline-service' } },
    });
    expect(read?.agent.find((a) => a.requestor)?.who?.reference).toBe('Practitioner/dev-clinician');
    expect(read && queryOf(read)).toBe(`GET /api/patients/${encodeURIComponent(PATIENT)}/timeline`);
    const recorded = events.map((e) => e.recorded);
    expect(recorded).toEqual([...recorded].sort().reverse());
  });

  it('needs */AuditEvent.rs to search the trail, audits the search itself, and pages it', async () => {
    const refused = await search('system/ServiceRequest.rs');
    expect(refused.status).toBe(403);
    expect(
      ((await refused.json()) as { issue: { details: { text: string } }[] }).issue[0].details.text,
    ).toMatch(/AuditEvent\.rs/);
    expect((await search('system/AuditEvent.rs')).status).toBe(200);

    // The refused search is in the trail of the patient it asked about.
    const page = await eventually(async () => {
      const res = await search('system/AuditEvent.rs', `patient=${encodeURIComponent(PATIENT)}&_count=1`);
      const bundle = (await res.json()) as Bundle<AuditEvent>;
      const all = await search('system/AuditEvent.rs', `patient=${encodeURIComponent(PATIENT)}&_count=100`);
      const events = ((await all.json()) as Bundle<AuditEvent>).entry?.map((e) => e.resource) ?? [];
      return events.some((e) => e && subtypeOf(e) === 'search-type' && e.outcome === '4')
        ? bundle
        : undefined;
    }, 'the refused search in the trail');
    expect(page.entry).toHaveLength(1);
    expect(page.total).toBeGreaterThan(1);
    const next = page.link?.find((link) => link.relation === 'next')?.url;
    expect(next).toMatch(/_offset=1/);
    const auth = await testAuth();
    const second = await fetch(next ?? '', { headers: await auth.bearer('system/AuditEvent.rs') });
    expect(((await second.json()) as Bundle).link?.some((link) => link.relation === 'previous')).toBe(true);
  });

  it('shows a patient-context token its own patient’s trail only', async () => {
    const other = await search('patient/AuditEvent.rs', undefined, { patient: ResponsePatient.key });
    expect(other.status).toBe(200);
    expect(((await other.json()) as Bundle).total).toBe(0);
    const own = await search('patient/AuditEvent.rs', undefined, { patient: PATIENT });
    expect(((await own.json()) as Bundle).total).toBeGreaterThan(0);
  });
});
