import type { Bundle, BundleEntry, ServiceRequest } from '@medplum/fhirtypes';
import {
  authFetch,
  BiopsyGuidanceCtOrder,
  DiagnosticChestCtOrder,
  DiagnosticChestXrayOrder,
  LungCancerPatient,
  StagingCtCapOrder,
  testDatabaseTargets,
} from '@oncoimg/testing';
import type { ConsumedMessage } from '@oncoimg/kafka';
import { beforeEach, describe, expect, it } from 'vitest';
import { FHIR, useIntakeService, withoutMeta } from './intake-service.fixtures.ts';

const accessionOf = (order: ServiceRequest): string => {
  const identifier = order.identifier?.find((i) => i.type);
  return `identifier=${identifier?.system ?? ''}|${identifier?.value ?? ''}`;
};
const distinct = (messages: ConsumedMessage[]): ConsumedMessage[] => [
  ...new Map(messages.map((m) => [m.headers.ce_id, m])).values(),
];
const post = (order: ServiceRequest, ifNoneExist?: string): BundleEntry => ({
  resource: withoutMeta(order),
  request: { method: 'POST', url: 'ServiceRequest', ...(ifNoneExist ? { ifNoneExist } : {}) },
});

describe.each(testDatabaseTargets())('Bundles written in bulk on $name', (target) => {
  const intake = useIntakeService(target);
  beforeEach(() => intake.start('ServiceRequest'));

  const send = async (type: 'batch' | 'transaction', entry: BundleEntry[]) => {
    const res = await authFetch(`${intake.base}/fhir`, {
      method: 'POST',
      headers: FHIR,
      body: JSON.stringify({ resourceType: 'Bundle', type, entry }),
    });
    return { status: res.status, body: (await res.json()) as Bundle };
  };
  const create = async (order: ServiceRequest) => {
    const res = await authFetch(`${intake.base}/fhir/ServiceRequest`, {
      method: 'POST',
      headers: FHIR,
      body: JSON.stringify(withoutMeta(order)),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as ServiceRequest;
  };
  const statuses = (bundle: Bundle) => bundle.entry?.map((e) => e.response?.status);

  it('fails the bad entries of a batch alone and stores, enqueues and publishes every other one', async () => {
    const existing = await create(DiagnosticChestCtOrder);
    await intake.reader.waitFor(1);
    const { status, body } = await send('batch', [
      post(DiagnosticChestXrayOrder),
      // Refused by validation, by the stored version (If-Match) and by the store (no such id).
      post({ ...DiagnosticChestXrayOrder, subject: { reference: 'Group/ward-7' } }),
      {
        resource: { ...existing, status: 'revoked' },
        request: { method: 'PUT', url: `ServiceRequest/${existing.id ?? ''}`, ifMatch: 'W/"7"' },
      },
      { request: { method: 'DELETE', url: 'ServiceRequest/never-was' } },
      {
        resource: { ...existing, status: 'completed' },
        request: { method: 'PUT', url: `ServiceRequest/${existing.id ?? ''}` },
      },
      post(BiopsyGuidanceCtOrder),
    ]);
    expect(status).toBe(200);
    expect(statuses(body)).toEqual(['201 Created', '400', '412', '404', '200 OK', '201 Created']);
    expect(body.entry?.[4]?.response?.etag).toBe('W/"2"');

    // One outbox row and one event per accepted entry, keyed by the patient, and nothing else.
    expect(await intake.storedCount()).toBe(1 + 3);
    // The relay publishes at least once: a retry after a slow acknowledgement repeats a ce_id.
    const events = distinct(await intake.reader.waitFor(4));
    expect(events.slice(1).map((e) => e.key)).toEqual([
      LungCancerPatient.key,
      LungCancerPatient.key,
      LungCancerPatient.key,
    ]);
    const published = events.slice(1).map((e) => JSON.parse(e.value?.toString() ?? '{}') as ServiceRequest);
    expect(published.map((r) => [r.id, r.meta?.versionId, r.status])).toEqual([
      [body.entry?.[0]?.resource?.id, '1', DiagnosticChestXrayOrder.status],
      [existing.id, '2', 'completed'],
      [body.entry?.[5]?.resource?.id, '1', BiopsyGuidanceCtOrder.status],
    ]);
    const read = await authFetch(`${intake.base}/fhir/ServiceRequest/${existing.id ?? ''}`);
    expect(((await read.json()) as ServiceRequest).status).toBe('completed');
  });

  it('writes nothing and publishes nothing for a transaction with one bad entry', async () => {
    const existing = await create(DiagnosticChestCtOrder);
    await intake.reader.waitFor(1);
    const before = await intake.storedCount();
    const { status } = await send('transaction', [
      post(DiagnosticChestXrayOrder),
      {
        resource: { ...existing, status: 'completed' },
        request: { method: 'PUT', url: `ServiceRequest/${existing.id ?? ''}` },
      },
      // Valid, but names a version that is not the current one: found only when the store is read.
      { request: { method: 'DELETE', url: `ServiceRequest/${existing.id ?? ''}`, ifMatch: 'W/"1"' } },
    ]);
    expect(status).toBe(412);
    expect(await intake.storedCount()).toBe(before);
    const search = await authFetch(
      `${intake.base}/fhir/ServiceRequest?identifier=${encodeURIComponent(accessionOf(DiagnosticChestXrayOrder).slice(11))}`,
    );
    expect(((await search.json()) as Bundle).entry ?? []).toEqual([]);
    const read = await authFetch(`${intake.base}/fhir/ServiceRequest/${existing.id ?? ''}`);
    expect(((await read.json()) as ServiceRequest).meta?.versionId).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(distinct(intake.reader.messages)).toHaveLength(1);
  });

  it('keeps If-None-Exist within a Bundle: a later entry finds what an earlier one created', async () => {
    const existing = await create(StagingCtCapOrder);
    for (const type of ['batch', 'transaction'] as const) {
      const order = type === 'batch' ? DiagnosticChestXrayOrder : BiopsyGuidanceCtOrder;
      const { status, body } = await send(type, [
        post(order, accessionOf(order)),
        post(order, accessionOf(order)),
        post(StagingCtCapOrder, accessionOf(StagingCtCapOrder)),
      ]);
      expect(status).toBe(200);
      expect(statuses(body)).toEqual(['201 Created', '200 OK', '200 OK']);
      expect(body.entry?.[1]?.resource?.id).toBe(body.entry?.[0]?.resource?.id);
      expect(body.entry?.[2]?.resource?.id).toBe(existing.id);
    }
    // The staging order once, and each conditional create once.
    expect(await intake.storedCount()).toBe(3);
    expect(distinct(await intake.reader.waitFor(3)).map((e) => e.headers.ce_type)).toEqual([
      'imaging.servicerequest.created',
      'imaging.servicerequest.created',
      'imaging.servicerequest.created',
    ]);
  });
});
