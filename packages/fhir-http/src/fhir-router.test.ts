import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { StoreError, type StoredResource, type WriteResult } from '@oncoimg/store';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNKNOWN_ROUTE } from './error-edge.ts';
import { createFhirRouter, type FhirBackend } from './fhir-router.ts';
import { RETRY_AFTER_SECONDS } from './outcomes.ts';

const FHIR = { 'content-type': 'application/fhir+json' };

function stored(body: Record<string, unknown>, versionId = '1'): StoredResource {
  return {
    ...(body as unknown as Resource),
    id: typeof body.id === 'string' ? body.id : 'new-1',
    meta: { versionId, lastUpdated: '2025-01-02T03:04:05.000Z' },
  };
}

function written(action: WriteResult['action'], resource: StoredResource): WriteResult {
  return { action, resource, versionId: resource.meta.versionId, lastUpdated: resource.meta.lastUpdated };
}

/** A backend in memory: what each route asked for, and failures on chosen ids. */
function fakeBackend(): FhirBackend & { calls: string[] } {
  const calls: string[] = [];
  const fail = (id: string) => {
    if (id === 'db-down') {
      throw new StoreError('CONNECTION_FAILED', 'connection refused');
    }
    if (id === 'defect') {
      throw new TypeError('secret detail');
    }
  };
  return {
    calls,
    resourceType: 'ServiceRequest',
    create: async (body, { ifNoneExist }) => {
      calls.push(`create ${String(ifNoneExist)}`);
      return written('created', stored(body));
    },
    update: async (body, { ifMatch }) => {
      calls.push(`update ${String(body.id)} ${String(ifMatch)}`);
      return written('updated', stored(body, '2'));
    },
    delete: async (id) => {
      calls.push(`delete ${id}`);
      return written('deleted', stored({ resourceType: 'ServiceRequest', id }, '3'));
    },
    read: async (id) => {
      fail(id);
      return stored({ resourceType: 'ServiceRequest', id });
    },
    vread: async (id, versionId) => stored({ resourceType: 'ServiceRequest', id }, versionId),
    history: async (id) => [
      { versionId: '2', lastUpdated: 'now', deleted: true },
      {
        versionId: '1',
        lastUpdated: 'then',
        deleted: false,
        resource: stored({ resourceType: 'ServiceRequest', id }),
      },
    ],
    search: async (criteria) => {
      calls.push(`search ${JSON.stringify(criteria)}`);
      return [stored({ resourceType: 'ServiceRequest', id: 'found' })];
    },
    bundle: async (body) => [
      {
        resourceType: 'OperationOutcome',
        id: 'allok',
        issue: [{ severity: 'information', code: 'informational' }],
      },
      {
        resourceType: 'Bundle',
        type: 'batch-response',
        total: Array.isArray(body.entry) ? body.entry.length : 0,
      },
    ],
  };
}

describe('createFhirRouter with a backend in memory', () => {
  const backend = fakeBackend();
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = express();
    app.use(
      '/fhir',
      createFhirRouter({ backend, bodyLimitBytes: 4_096, software: { name: 'test', version: '1' } }),
    );
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/fhir`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('creates with 201, Location, ETag, and passes If-None-Exist on', async () => {
    const res = await fetch(`${base}/ServiceRequest`, {
      method: 'POST',
      headers: { ...FHIR, 'if-none-exist': 'identifier=a|1' },
      body: JSON.stringify({ resourceType: 'ServiceRequest' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`${base}/ServiceRequest/new-1/_history/1`);
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(backend.calls).toContain('create identifier=a|1');
  });

  it('updates with If-Match, and refuses a body naming another id', async () => {
    const put = (id: string, body: object) =>
      fetch(`${base}/ServiceRequest/${id}`, {
        method: 'PUT',
        headers: { ...FHIR, 'if-match': 'W/"1"' },
        body: JSON.stringify(body),
      });
    expect((await put('a', { resourceType: 'ServiceRequest', id: 'a' })).status).toBe(200);
    expect(backend.calls).toContain('update a W/"1"');
    expect((await put('a', { resourceType: 'ServiceRequest', id: 'b' })).status).toBe(400);
  });

  it('reads, reads a version, lists history and searches', async () => {
    expect((await fetch(`${base}/ServiceRequest/a`)).headers.get('etag')).toBe('W/"1"');
    expect((await fetch(`${base}/ServiceRequest/a/_history/7`)).headers.get('etag')).toBe('W/"7"');
    const history = (await (await fetch(`${base}/ServiceRequest/a/_history`)).json()) as Bundle;
    expect(history.entry?.map((e) => e.response?.status)).toEqual(['204', '201']);
    const search = (await (await fetch(`${base}/ServiceRequest?patient=Patient/1`)).json()) as Bundle;
    expect(search.entry?.[0]?.fullUrl).toBe(`${base}/ServiceRequest/found`);
    expect(backend.calls).toContain('search {"patient":"Patient/1","_count":100}');
  });

  it('hands a Bundle to the backend', async () => {
    const res = await fetch(base, {
      method: 'POST',
      headers: FHIR,
      body: JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry: [{}, {}] }),
    });
    expect(((await res.json()) as Bundle).total).toBe(2);
  });

  it('answers OperationOutcomes for another type, an unknown route, a database outage and a defect', async () => {
    expect((await fetch(`${base}/Patient/a`)).status).toBe(404);
    const unknown = await fetch(`${base}/ServiceRequest/a/b/c`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(await unknown.json()).toEqual(UNKNOWN_ROUTE);
    const down = await fetch(`${base}/ServiceRequest/db-down`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe(String(RETRY_AFTER_SECONDS));
    const defect = await fetch(`${base}/ServiceRequest/defect`);
    expect(defect.status).toBe(500);
    const text = await defect.text();
    expect(text).not.toContain('secret detail');
    expect((JSON.parse(text) as OperationOutcome).resourceType).toBe('OperationOutcome');
  });

  it('refuses a body of another media type with 415 before reading it', async () => {
    const res = await fetch(`${base}/ServiceRequest`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(415);
  });

  it('serves its CapabilityStatement at /metadata', async () => {
    const statement = (await (await fetch(`${base}/metadata`)).json()) as {
      rest: { resource: { type: string }[] }[];
    };
    expect(statement.rest[0]?.resource[0]?.type).toBe('ServiceRequest');
  });
});
