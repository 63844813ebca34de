import type { Bundle, CapabilityStatement, OperationOutcome, ServiceRequest } from '@medplum/fhirtypes';
import {
  DiagnosticChestCtOrder,
  fetchPatiently,
  LungCancerPatient,
  refusedTokens,
  ResponsePatient,
  testAuth,
  testDatabaseTargets,
} from '@oncoimg/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { FHIR, useIntakeService, withoutMeta } from './intake-service.fixtures.ts';

// PostgreSQL when there is one: PGlite runs in the test's own event loop.
const target = testDatabaseTargets().at(-1) ?? { name: 'pglite' };
const fetch = fetchPatiently;

const textOf = async (res: Response) =>
  ((await res.json()) as OperationOutcome).issue.map((issue) => issue.details?.text ?? '').join(' ');

/** The chest CT order of another patient (ResponsePatient), with identifiers of its own. */
const otherPatientsOrder: ServiceRequest = {
  ...withoutMeta(DiagnosticChestCtOrder),
  id: 'other-patients-order',
  identifier: DiagnosticChestCtOrder.identifier?.map((i) => ({ ...i, value: `${i.value ?? ''}-other` })),
  subject: { type: 'Patient', identifier: { ...ResponsePatient.identifier } },
};
const ownOrder: ServiceRequest = { ...withoutMeta(DiagnosticChestCtOrder), id: 'own-order' };

describe('access control of an intake service (real service, real Kafka, test issuer)', () => {
  const intake = useIntakeService(target);
  beforeEach(() => intake.start('ServiceRequest'));

  const call = async (path: string, init: RequestInit & { scope?: string; patient?: string } = {}) => {
    const { scope, patient, ...rest } = init;
    const auth = await testAuth();
    const headers = {
      ...FHIR,
      ...(scope === undefined ? {} : await auth.bearer(scope, patient ? { patient } : {})),
      ...(rest.headers as Record<string, string> | undefined),
    };
    return fetch(`${intake.base}${path}`, { ...rest, headers });
  };

  it('refuses every bad token with 401, WWW-Authenticate and an OperationOutcome; the right token reads', async () => {
    const path = `/fhir/ServiceRequest?patient=${encodeURIComponent(LungCancerPatient.key)}`;
    for (const refused of await refusedTokens('system/ServiceRequest.rs')) {
      const res = await fetch(`${intake.base}${path}`, {
        headers: refused.authorization === undefined ? {} : { authorization: refused.authorization },
      });
      expect(res.status, refused.name).toBe(401);
      expect(res.headers.get('www-authenticate'), refused.name).toMatch(/^Bearer realm="oncoimg"/);
      expect(await textOf(res), refused.name).toMatch(refused.reason);
    }
    const allowed = await call(path, { scope: 'system/ServiceRequest.rs' });
    expect(allowed.status).toBe(200);
    expect(((await allowed.json()) as Bundle).resourceType).toBe('Bundle');
  });

  it('answers 403 naming the missing scope for each kind of write, and accepts it with the scope', async () => {
    const body = JSON.stringify(ownOrder);
    const readOnly = await call('/fhir/ServiceRequest', {
      method: 'POST',
      body,
      scope: 'system/ServiceRequest.rs',
    });
    expect(readOnly.status).toBe(403);
    expect(readOnly.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(await textOf(readOnly)).toBe('missing scope system/ServiceRequest.c');
    const createOnly = await call('/fhir/ServiceRequest/own-order', {
      method: 'PUT',
      body,
      scope: 'system/ServiceRequest.c',
    });
    expect(await textOf(createOnly)).toBe('missing scope system/ServiceRequest.cu');
    const put = await call('/fhir/ServiceRequest/own-order', {
      method: 'PUT',
      body,
      scope: 'system/ServiceRequest.cu',
    });
    expect(put.status).toBe(201);

    const bundle = JSON.stringify({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: otherPatientsOrder, request: { method: 'DELETE', url: 'ServiceRequest/own-order' } },
      ],
    });
    const noDelete = await call('/fhir', { method: 'POST', body: bundle, scope: 'system/ServiceRequest.cu' });
    expect(noDelete.status).toBe(403);
    expect(await textOf(noDelete)).toBe('missing scope system/ServiceRequest.d');
    const deleted = await call('/fhir', { method: 'POST', body: bundle, scope: 'system/ServiceRequest.d' });
    expect(deleted.status).toBe(200);
    expect((await call('/fhir/ServiceRequest/own-order', { scope: 'system/*.rs' })).status).toBe(410);
  });

  it('serves health, readiness, metadata and SMART discovery without a token; /metrics and /status need one', async () => {
    for (const path of ['/healthz', '/fhir/.well-known/smart-configuration']) {
      expect((await fetch(`${intake.base}${path}`)).status, path).toBe(200);
    }
    const { issuer } = (await testAuth()).issuer;
    const metadata = (await (await fetch(`${intake.base}/fhir/metadata`)).json()) as CapabilityStatement;
    const security = metadata.rest?.[0]?.security;
    expect(security?.service?.[0]?.coding?.[0]?.code).toBe('SMART-on-FHIR');
    expect(security?.extension?.[0]?.extension).toContainEqual({ url: 'token', valueUri: `${issuer}/token` });
    const discovery = (await (await fetch(`${intake.base}/fhir/.well-known/smart-configuration`)).json()) as {
      token_endpoint: string;
    };
    expect(discovery.token_endpoint).toBe(`${issuer}/token`);
    for (const path of ['/metrics', '/status', '/outbox/dead-letters']) {
      expect((await fetch(`${intake.base}${path}`)).status, path).toBe(401);
      // Telemetry is not started in this test: /metrics then answers 503 "not started", past the check.
      const allowed = await call(path, { scope: 'system/ServiceRequest.rs' });
      expect(allowed.status, path).toBe(path === '/metrics' ? 503 : 200);
    }
  });

  it('with a patient-bound token reads, searches and writes only that patient; a system token sees both', async () => {
    const system = { scope: 'system/ServiceRequest.cruds' };
    for (const order of [ownOrder, otherPatientsOrder]) {
      const put = await call(`/fhir/ServiceRequest/${order.id ?? ''}`, {
        method: 'PUT',
        body: JSON.stringify(order),
        ...system,
      });
      expect(put.status).toBe(201);
    }
    const patient = { scope: 'patient/ServiceRequest.cruds', patient: LungCancerPatient.key };

    expect((await call('/fhir/ServiceRequest/own-order', patient)).status).toBe(200);
    expect((await call('/fhir/ServiceRequest/other-patients-order', patient)).status).toBe(404);
    expect((await call('/fhir/ServiceRequest/other-patients-order', system)).status).toBe(200);
    expect((await call('/fhir/ServiceRequest/other-patients-order/_history', patient)).status).toBe(404);

    const ids = async (res: Response) =>
      ((await res.json()) as Bundle).entry?.map((e) => e.resource?.id) ?? [];
    expect(await ids(await call('/fhir/ServiceRequest', patient))).toEqual(['own-order']);
    const otherKey = encodeURIComponent(ResponsePatient.key);
    expect(await ids(await call(`/fhir/ServiceRequest?patient=${otherKey}`, patient))).toEqual([]);
    expect(await ids(await call(`/fhir/ServiceRequest?patient=${otherKey}`, system))).toEqual([
      'other-patients-order',
    ]);

    // Writing for another patient, or taking over its order with one's own subject, is refused.
    const update = { ...otherPatientsOrder, status: 'revoked' };
    const forOther = await call('/fhir/ServiceRequest/other-patients-order', {
      method: 'PUT',
      body: JSON.stringify(update),
      ...patient,
    });
    expect(forOther.status).toBe(404);
    const takeOver = await call('/fhir/ServiceRequest/other-patients-order', {
      method: 'PUT',
      body: JSON.stringify({ ...update, subject: ownOrder.subject }),
      ...patient,
    });
    expect(takeOver.status).toBe(404);
    const own = await call('/fhir/ServiceRequest/own-order', {
      method: 'PUT',
      body: JSON.stringify({ ...ownOrder, status: 'revoked' }),
      ...patient,
    });
    expect(own.status).toBe(200);
    const bySystem = await call('/fhir/ServiceRequest/other-patients-order', {
      method: 'PUT',
      body: JSON.stringify(update),
      ...system,
    });
    expect(bySystem.status).toBe(200);
  });
});
