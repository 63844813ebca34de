import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, OperationOutcome, ServiceRequest } from '@medplum/fhirtypes';
import {
  authFetch,
  DiagnosticChestCtOrder,
  fixturesAvailable,
  fixturesDir,
  LungCancerPatient,
  testDatabaseTargets,
} from '@oncoimg/testing';
import { beforeEach, describe, expect, it } from 'vitest';

import { FHIR, useIntakeService, withoutMeta } from './intake-service.fixtures.ts';

describe.each(testDatabaseTargets())('intake service on real Kafka and $name', (target) => {
  const intake = useIntakeService(target);

  describe('orders', () => {
    beforeEach(() => intake.start('ServiceRequest'));

    it('creates an order, answers 201 with Location and ETag, and publishes it keyed by the patient', async () => {
      const res = await authFetch(`${intake.base}/fhir/ServiceRequest`, {
        method: 'POST',
        headers: FHIR,
        body: JSON.stringify(withoutMeta(DiagnosticChestCtOrder)),
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toContain('application/fhir+json');
      const created = (await res.json()) as ServiceRequest;
      expect(created.meta?.versionId).toBe('1');
      expect(res.headers.get('etag')).toBe('W/"1"');
      expect(res.headers.get('location')).toMatch(
        new RegExp(`/fhir/ServiceRequest/${created.id ?? ''}/_history/1$`),
      );

      const event = (await intake.reader.waitFor(1)).at(0);
      expect(event?.key).toBe(LungCancerPatient.key);
      expect(event?.headers).toMatchObject({
        ce_type: 'imaging.servicerequest.created',
        ce_source: 'oncoimg/test-service',
        ce_subject: `ServiceRequest/${created.id ?? ''}`,
        'content-type': 'application/fhir+json',
      });
      expect(JSON.parse(event?.value?.toString() ?? '{}')).toEqual(created);
    });

    it('honours If-None-Exist: a retried conditional create returns the first resource and publishes once', async () => {
      const accession = DiagnosticChestCtOrder.identifier?.find((i) => i.type)?.value ?? '';
      const ifNoneExist = `identifier=${DiagnosticChestCtOrder.identifier?.find((i) => i.type)?.system ?? ''}|${accession}`;
      const send = () =>
        authFetch(`${intake.base}/fhir/ServiceRequest`, {
          method: 'POST',
          headers: { ...FHIR, 'if-none-exist': ifNoneExist },
          body: JSON.stringify(withoutMeta(DiagnosticChestCtOrder)),
        });
      const first = await send();
      const second = await send();
      expect([first.status, second.status]).toEqual([201, 200]);
      expect(((await second.json()) as ServiceRequest).id).toBe(((await first.json()) as ServiceRequest).id);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(intake.reader.messages).toHaveLength(1);
    });

    it('updates with PUT and If-Match, reads versions and history, and deletes with a deleted event', async () => {
      const url = `${intake.base}/fhir/ServiceRequest/${DiagnosticChestCtOrder.id ?? ''}`;
      const body = withoutMeta(DiagnosticChestCtOrder);
      expect(
        (await authFetch(url, { method: 'PUT', headers: FHIR, body: JSON.stringify(body) })).status,
      ).toBe(201);
      const unchanged = await authFetch(url, { method: 'PUT', headers: FHIR, body: JSON.stringify(body) });
      expect(unchanged.status).toBe(200);
      const stale = await authFetch(url, {
        method: 'PUT',
        headers: { ...FHIR, 'if-match': 'W/"7"' },
        body: JSON.stringify({ ...body, status: 'completed' }),
      });
      expect(stale.status).toBe(412);
      const updated = await authFetch(url, {
        method: 'PUT',
        headers: { ...FHIR, 'if-match': 'W/"1"' },
        body: JSON.stringify({ ...body, status: 'completed' }),
      });
      expect(updated.status).toBe(200);
      expect(updated.headers.get('etag')).toBe('W/"2"');

      expect(((await (await authFetch(`${url}/_history/1`)).json()) as ServiceRequest).status).toBe('active');
      expect(((await (await authFetch(url)).json()) as ServiceRequest).status).toBe('completed');
      expect(((await (await authFetch(`${url}/_history`)).json()) as Bundle).total).toBe(2);

      expect((await authFetch(url, { method: 'DELETE' })).status).toBe(200);
      expect((await authFetch(url)).status).toBe(410);
      const events = await intake.reader.waitFor(3);
      expect(events.map((e) => e.headers.ce_type)).toEqual([
        'imaging.servicerequest.created',
        'imaging.servicerequest.updated',
        'imaging.servicerequest.deleted',
      ]);
    });

    it('searches by identifier and by patient', async () => {
      await authFetch(`${intake.base}/fhir/ServiceRequest`, {
        method: 'POST',
        headers: FHIR,
        body: JSON.stringify(withoutMeta(DiagnosticChestCtOrder)),
      });
      const byPatient = (await (
        await authFetch(
          `${intake.base}/fhir/ServiceRequest?patient=${encodeURIComponent(LungCancerPatient.key)}`,
        )
      ).json()) as Bundle;
      expect(byPatient).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
      const identifier = DiagnosticChestCtOrder.identifier?.[0];
      const byIdentifier = (await (
        await authFetch(
          `${intake.base}/fhir/ServiceRequest?identifier=${encodeURIComponent(`${identifier?.system ?? ''}|${identifier?.value ?? ''}`)}`,
        )
      ).json()) as Bundle;
      expect(byIdentifier.total).toBe(1);
      const none = (await (
        await authFetch(`${intake.base}/fhir/ServiceRequest?subject=Patient/nobody`)
      ).json()) as Bundle;
      expect(none.total).toBe(0);
    });

    it('runs a batch entry by entry and a transaction all or nothing', async () => {
      const good = withoutMeta(DiagnosticChestCtOrder);
      // The shared rules refuse it, whatever rules the resource type adds.
      const bad = { ...good, subject: { reference: 'Group/ward-7' } };
      const batch = await authFetch(`${intake.base}/fhir`, {
        method: 'POST',
        headers: FHIR,
        body: JSON.stringify({
          resourceType: 'Bundle',
          type: 'batch',
          entry: [
            { resource: good, request: { method: 'POST', url: 'ServiceRequest' } },
            { resource: bad, request: { method: 'POST', url: 'ServiceRequest' } },
          ],
        }),
      });
      const batchResponse = (await batch.json()) as Bundle;
      expect(batchResponse.type).toBe('batch-response');
      expect(batchResponse.entry?.map((e) => e.response?.status)).toEqual(['201 Created', '400']);

      const before = await intake.storedCount();
      const transaction = await authFetch(`${intake.base}/fhir`, {
        method: 'POST',
        headers: FHIR,
        body: JSON.stringify({
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            {
              fullUrl: 'urn:uuid:1d1a7a48-3c8e-4b7e-9a55-000000000001',
              resource: good,
              request: { method: 'POST', url: 'ServiceRequest' },
            },
            { resource: bad, request: { method: 'POST', url: 'ServiceRequest' } },
          ],
        }),
      });
      expect(transaction.status).toBe(400);
      const outcome = (await transaction.json()) as OperationOutcome;
      expect(outcome.issue[0]?.expression?.[0]).toMatch(/^Bundle\.entry\[1\]/);
      expect(await intake.storedCount()).toBe(before);

      const ok = await authFetch(`${intake.base}/fhir`, {
        method: 'POST',
        headers: FHIR,
        body: JSON.stringify({
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [good, good].map((resource) => ({
            resource,
            request: { method: 'POST', url: 'ServiceRequest' },
          })),
        }),
      });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as Bundle).entry?.map((e) => e.response?.status)).toEqual([
        '201 Created',
        '201 Created',
      ]);
      expect(await intake.storedCount()).toBe(before + 2);
    });

    it('tells the truth in its CapabilityStatement', async () => {
      const statement = (await (await authFetch(`${intake.base}/fhir/metadata`)).json()) as {
        fhirVersion: string;
        rest: { resource: { type: string; conditionalCreate: boolean }[] }[];
      };
      expect(statement.fhirVersion).toBe('4.0.1');
      expect(statement.rest[0]?.resource.map((r) => r.type)).toEqual(['ServiceRequest']);
      expect(statement.rest[0]?.resource[0]?.conditionalCreate).toBe(true);
    });

    it.each([
      ['malformed JSON', FHIR, '{"resourceType": "ServiceRequest",', 400],
      ['a wrong content type', { 'content-type': 'text/plain' }, '{}', 415],
      ['another resource type', FHIR, JSON.stringify({ resourceType: 'Patient' }), 400],
      ['a __proto__ key', FHIR, '{"resourceType":"ServiceRequest","__proto__":{"admin":true}}', 400],
      [
        'deep nesting',
        FHIR,
        `{"resourceType":"ServiceRequest","extension":${'['.repeat(200)}${']'.repeat(200)}}`,
        400,
      ],
      [
        'an unknown status',
        FHIR,
        JSON.stringify({ ...withoutMeta(DiagnosticChestCtOrder), status: 'bogus' }),
        400,
      ],
      [
        'no patient subject',
        FHIR,
        JSON.stringify({ ...withoutMeta(DiagnosticChestCtOrder), subject: { reference: 'Group/1' } }),
        400,
      ],
    ])(
      'refuses %s with an OperationOutcome, storing and publishing nothing',
      async (_name, headers, body, status) => {
        const res = await authFetch(`${intake.base}/fhir/ServiceRequest`, { method: 'POST', headers, body });
        expect(res.status).toBe(status);
        const outcome = (await res.json()) as OperationOutcome;
        expect(outcome.resourceType).toBe('OperationOutcome');
        expect(outcome.issue[0]?.details?.text).toBeTruthy();
        expect(await intake.storedCount()).toBe(0);
        expect((await authFetch(`${intake.base}/healthz`)).status).toBe(200);
      },
    );

    it.runIf(fixturesAvailable())(
      'answers every invalid file of the official validator suite with a 4xx and stores nothing',
      async () => {
        const dir = join(fixturesDir(), 'fhir', 'invalid');
        const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
        expect(files.length).toBeGreaterThan(0);
        for (const file of files) {
          const body = readFileSync(join(dir, file));
          for (const [method, url] of [
            ['POST', '/fhir/ServiceRequest'],
            ['POST', '/fhir'],
            ['PUT', '/fhir/ServiceRequest/x1'],
          ] as const) {
            const res = await authFetch(`${intake.base}${url}`, { method, headers: FHIR, body });
            expect(res.status, `${file} ${method} ${url}`).toBeGreaterThanOrEqual(400);
            expect(res.status, `${file} ${method} ${url}`).toBeLessThan(500);
          }
        }
        expect(await intake.storedCount()).toBe(0);
      },
    );

    it('answers 201 to a Bundle PUT that creates, as to a plain PUT, and 200 to one that updates', async () => {
      const order = { ...withoutMeta(DiagnosticChestCtOrder), id: 'put-creates-1' };
      const put = async (type: 'batch' | 'transaction', resource: ServiceRequest) => {
        const res = await authFetch(`${intake.base}/fhir`, {
          method: 'POST',
          headers: FHIR,
          body: JSON.stringify({
            resourceType: 'Bundle',
            type,
            entry: [{ resource, request: { method: 'PUT', url: `ServiceRequest/${resource.id ?? ''}` } }],
          }),
        });
        return ((await res.json()) as Bundle).entry?.map((e) => e.response?.status);
      };
      expect(await put('transaction', order)).toEqual(['201 Created']);
      expect(await put('transaction', { ...order, status: 'completed' })).toEqual(['200 OK']);
      expect(await put('batch', { ...order, id: 'put-creates-2' })).toEqual(['201 Created']);
    });

    it('shows readiness with the outbox backlog', async () => {
      const res = await authFetch(`${intake.base}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        ready: true,
        database: 'up',
        kafka: 'up',
        outbox: { backlog: 0 },
      });
    });
  });
});
