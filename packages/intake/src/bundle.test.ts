import type { ServiceRequest } from '@medplum/fhirtypes';
import type { StoredResource } from '@oncoimg/store';
import { describe, expect, it } from 'vitest';
import { responseEntry } from './bundle.ts';
import type { WriteOutcome } from './resource-writer.ts';

const order = {
  resourceType: 'ServiceRequest',
  id: 'o1',
  status: 'active',
  intent: 'order',
  subject: { reference: 'Patient/p1' },
  meta: { versionId: '1', lastUpdated: '2025-01-02T03:04:05.000Z' },
} as StoredResource<ServiceRequest>;

const write = (action: WriteOutcome['action']): WriteOutcome => ({
  action,
  resource: order,
  versionId: '1',
  lastUpdated: order.meta.lastUpdated,
});
const location = () => 'ServiceRequest/o1/_history/1';

describe('responseEntry', () => {
  it('answers 201 to any write that made the resource, a PUT to a new id included', () => {
    expect(responseEntry(write('created'), location).response?.status).toBe('201 Created');
  });

  it('answers 200 to an update or an unchanged write, and 204 without a body to a delete', () => {
    expect(responseEntry(write('updated'), location).response?.status).toBe('200 OK');
    expect(responseEntry(write('unchanged'), location).response?.status).toBe('200 OK');
    const deleted = responseEntry(write('deleted'), location);
    expect(deleted.response?.status).toBe('204 No Content');
    expect(deleted.resource).toBeUndefined();
  });
});
