import type { OperationOutcome } from '@medplum/fhirtypes';
import { RETRY_AFTER_SECONDS, UNKNOWN_ROUTE } from '@oncoimg/fhir-http';
import { createIntakeService, type IntakeService } from '@oncoimg/intake';
import { openDatabase, type Database } from '@oncoimg/store';
import { authFetch, DiagnosticChestCtOrder, testAuth, testKafkaBrokers, uniqueName } from '@oncoimg/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serviceRequestIntakeRules } from './service-request.intake-rules.ts';

describe('order service intake', () => {
  let db: Database;
  let service: IntakeService;
  let base: string;

  beforeEach(async () => {
    // Its own PGlite, so closing it stops the database this service uses, as an outage would.
    db = await openDatabase();
    service = createIntakeService({
      access: (await testAuth()).access,
      name: 'order-service',
      resourceType: 'ServiceRequest',
      rules: serviceRequestIntakeRules,
      db,
      brokers: testKafkaBrokers(),
      topics: { serviceRequest: uniqueName('orders') },
    });
    base = `http://127.0.0.1:${String((await service.start()).port)}`;
  });

  afterEach(async () => {
    await service.stop();
    await db.close();
  });

  it('names where a rule of its own is broken', async () => {
    const { meta: _meta, ...order } = DiagnosticChestCtOrder;
    const res = await authFetch(`${base}/fhir/ServiceRequest`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ ...order, status: 'bogus' }),
    });
    expect(res.status).toBe(400);
    const outcome = (await res.json()) as OperationOutcome;
    expect(outcome.issue.flatMap((i) => i.expression ?? [])).toContain('ServiceRequest.status');
  });

  it('answers unknown routes and a stopped database as the timeline service does', async () => {
    const elsewhere = await authFetch(`${base}/no/such/route`);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await elsewhere.json()).toEqual(UNKNOWN_ROUTE);
    const underFhir = await authFetch(`${base}/fhir/ServiceRequest/x/y/z`);
    expect(underFhir.status).toBe(404);
    expect(underFhir.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(await underFhir.json()).toEqual(UNKNOWN_ROUTE);

    await db.close();
    const down = await authFetch(`${base}/fhir/ServiceRequest?identifier=x`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe(String(RETRY_AFTER_SECONDS));
    expect(await down.json()).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'transient' }],
    });
    expect((await authFetch(`${base}/readyz`)).status).toBe(503);
  });
});
