import type { DiagnosticReport, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../database.ts';
import { isStoreError } from '../errors.ts';
import { migrate } from '../migrate.ts';
import { enqueueOutbox } from '../outbox/enqueue-outbox.ts';
import { outboxMigrations } from '../outbox/outbox.migrations.ts';
import { openSecondInstance, openTestDatabase, testDatabaseTargets } from '@oncoimg/testing';
import { createResourceRepository } from './resource-repository.ts';
import type { ResourceRepository } from './resource.types.ts';
import { resourceMigrations } from './resource.migrations.ts';

const MRN = 'urn:oid:2.16.840.1.113883.19.5';
const ACCESSION = 'http://hospital.example/accession';

/** A chest CT ordered for baseline staging: subject by MRN and by reference, with an accession number. */
const chestCtOrder: ServiceRequest = {
  resourceType: 'ServiceRequest',
  status: 'active',
  intent: 'order',
  identifier: [{ system: ACCESSION, value: 'ACC-1001' }],
  subject: { reference: 'Patient/ada', identifier: { system: MRN, value: 'MRN-ADA' } },
  code: { text: 'CT chest with contrast' },
};

/** The study of that order, known by its Study Instance UID; the PACS only knows the patient's MRN. */
const chestCtStudy: ImagingStudy = {
  resourceType: 'ImagingStudy',
  status: 'available',
  identifier: [
    { system: 'urn:dicom:uid', value: 'urn:oid:1.2.840.99.1' },
    { system: ACCESSION, value: 'ACC-1001' },
  ],
  subject: { identifier: { system: MRN, value: 'MRN-ADA' } },
};

/** Another patient's order, sharing nothing with Ada's. */
const otherOrder: ServiceRequest = {
  resourceType: 'ServiceRequest',
  status: 'active',
  intent: 'order',
  identifier: [{ system: ACCESSION, value: 'ACC-2002' }],
  subject: { reference: 'Patient/bob' },
};

describe.each(testDatabaseTargets())('resource repository on $name', (target) => {
  let db: Database;
  let repo: ResourceRepository;
  beforeEach(async () => {
    db = await openTestDatabase(target);
    await migrate(db, [...outboxMigrations, ...resourceMigrations]);
    repo = createResourceRepository({ db });
  });
  afterEach(async () => {
    await db.close();
  });
  const write = <T>(fn: (tx: Parameters<Parameters<Database['transaction']>[0]>[0]) => Promise<T>) =>
    db.transaction(fn);

  it('creates version 1 under a new UUID and sets meta, whatever id the client sent', async () => {
    const { action, resource, versionId } = await write((tx) =>
      repo.create(tx, { ...chestCtOrder, id: 'mine' }),
    );
    expect(action).toBe('created');
    expect(resource.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(versionId).toBe('1');
    expect(resource.meta.versionId).toBe('1');
    expect(new Date(resource.meta.lastUpdated).toISOString()).toBe(resource.meta.lastUpdated);
    expect(Object.keys(resource).slice(0, 3)).toEqual(['resourceType', 'id', 'meta']);
    expect(await repo.read('ServiceRequest', resource.id)).toEqual(resource);
  });

  it('keeps every version: update makes version 2, vread still returns version 1, history lists both', async () => {
    const created = await write((tx) => repo.create(tx, chestCtOrder));
    const id = created.resource.id;
    const updated = await write((tx) => repo.update(tx, { ...created.resource, status: 'completed' }));
    expect(updated).toMatchObject({ action: 'updated', versionId: '2' });
    expect(await repo.read<ServiceRequest>('ServiceRequest', id)).toMatchObject({
      status: 'completed',
      meta: { versionId: '2' },
    });
    expect(await repo.vread<ServiceRequest>('ServiceRequest', id, '1')).toMatchObject({ status: 'active' });
    const history = await repo.history('ServiceRequest', id);
    expect(history.map((entry) => [entry.versionId, entry.deleted])).toEqual([
      ['2', false],
      ['1', false],
    ]);
    expect(updated.lastUpdated > created.lastUpdated).toBe(true);
  });

  it('makes no new version when an update changes nothing, so a client retry has no effect', async () => {
    const created = await write((tx) => repo.create(tx, chestCtOrder));
    const { meta: _meta, ...sameContent } = created.resource;
    const retried = await write((tx) => repo.update(tx, sameContent));
    expect(retried).toMatchObject({ action: 'unchanged', versionId: '1' });
    expect(await repo.history('ServiceRequest', created.resource.id)).toHaveLength(1);
  });

  it('creates a resource under the client id on PUT of an unknown id', async () => {
    const put = await write((tx) => repo.update(tx, { ...chestCtStudy, id: 'study-1.2' }));
    expect(put).toMatchObject({ action: 'created', versionId: '1', resource: { id: 'study-1.2' } });
  });

  it('refuses a PUT id that is not a FHIR id', async () => {
    await expect(write((tx) => repo.update(tx, { ...chestCtStudy, id: 'no/slashes' }))).rejects.toMatchObject(
      {
        code: 'INVALID_ARGUMENT',
      },
    );
  });

  it('refuses an update whose If-Match names an old version', async () => {
    const created = await write((tx) => repo.create(tx, chestCtOrder));
    await write((tx) => repo.update(tx, { ...created.resource, status: 'on-hold' }, { ifMatch: 'W/"1"' }));
    const stale = write((tx) =>
      repo.update(tx, { ...created.resource, status: 'revoked' }, { ifMatch: 'W/"1"' }),
    );
    await expect(stale).rejects.toMatchObject({ code: 'VERSION_CONFLICT', retriable: false });
    expect(await repo.read<ServiceRequest>('ServiceRequest', created.resource.id)).toMatchObject({
      status: 'on-hold',
    });
  });

  it('lets only one of two concurrent updates of the same version win', async () => {
    const created = await write((tx) => repo.create(tx, chestCtOrder));
    const attempt = (status: ServiceRequest['status']) =>
      write((tx) => repo.update(tx, { ...created.resource, status }, { ifMatch: '1' })).then(
        () => 'won',
        (error: unknown) => (isStoreError(error, 'VERSION_CONFLICT') ? 'conflict' : error),
      );
    const outcomes = await Promise.all([attempt('on-hold'), attempt('revoked')]);
    expect(outcomes.sort()).toEqual(['conflict', 'won']);
  });

  it('deletes by recording a version: read answers DELETED, history and old versions stay', async () => {
    const created = await write((tx) => repo.create(tx, chestCtOrder));
    const id = created.resource.id;
    const deleted = await write((tx) => repo.delete(tx, 'ServiceRequest', id));
    expect(deleted).toMatchObject({
      action: 'deleted',
      versionId: '2',
      resource: { id, meta: { versionId: '1' } },
    });
    await expect(repo.read('ServiceRequest', id)).rejects.toMatchObject({ code: 'DELETED' });
    await expect(repo.vread('ServiceRequest', id, '2')).rejects.toMatchObject({ code: 'DELETED' });
    expect(await repo.vread('ServiceRequest', id, '1')).toEqual(created.resource);
    const history = await repo.history('ServiceRequest', id);
    expect(history.map((entry) => [entry.versionId, entry.deleted, entry.resource === undefined])).toEqual([
      ['2', true, true],
      ['1', false, false],
    ]);
    expect(await repo.search('ServiceRequest', { identifier: `${ACCESSION}|ACC-1001` })).toEqual([]);
    expect(await write((tx) => repo.delete(tx, 'ServiceRequest', id))).toMatchObject({
      action: 'unchanged',
      versionId: '2',
    });
    const revived = await write((tx) => repo.update(tx, { ...chestCtOrder, id }));
    expect(revived).toMatchObject({ action: 'created', versionId: '3' });
  });

  it('answers NOT_FOUND for a resource or version that never existed', async () => {
    await expect(repo.read('ServiceRequest', 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(write((tx) => repo.delete(tx, 'ServiceRequest', 'nope'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const created = await write((tx) => repo.create(tx, chestCtOrder));
    await expect(repo.vread('ServiceRequest', created.resource.id, '9')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(repo.vread('ServiceRequest', created.resource.id, 'x')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(repo.read('ImagingStudy', created.resource.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('searches by identifier with or without system, and by patient key, reference or id', async () => {
    const order = (await write((tx) => repo.create(tx, chestCtOrder))).resource;
    const study = (await write((tx) => repo.create(tx, chestCtStudy))).resource;
    const other = (await write((tx) => repo.create(tx, otherOrder))).resource;
    const ids = (resources: { id?: string }[]) => resources.map((r) => r.id).sort();

    expect(ids(await repo.search('ServiceRequest', { identifier: `${ACCESSION}|ACC-1001` }))).toEqual([
      order.id,
    ]);
    expect(ids(await repo.search('ServiceRequest', { identifier: 'ACC-1001' }))).toEqual([order.id]);
    expect(
      ids(await repo.search('ImagingStudy', { identifier: 'urn:dicom:uid|urn:oid:1.2.840.99.1' })),
    ).toEqual([study.id]);
    expect(await repo.search('ServiceRequest', { identifier: 'other-system|ACC-1001' })).toEqual([]);
    expect(await repo.search('ServiceRequest', { identifier: '|ACC-1001' })).toEqual([]);

    expect(ids(await repo.search('ServiceRequest', { patient: `${MRN}|MRN-ADA` }))).toEqual([order.id]);
    expect(ids(await repo.search('ImagingStudy', { patient: `${MRN}|MRN-ADA` }))).toEqual([study.id]);
    expect(ids(await repo.search('ServiceRequest', { patient: 'Patient/ada' }))).toEqual([order.id]);
    expect(ids(await repo.search('ServiceRequest', { patient: 'bob' }))).toEqual([other.id]);
    expect(
      await repo.search('ServiceRequest', { patient: 'Patient/bob', identifier: `${ACCESSION}|ACC-1001` }),
    ).toEqual([]);
    expect(ids(await repo.search('ServiceRequest'))).toEqual(ids([order, other]));
    expect(await repo.search('ServiceRequest', { _count: 1 })).toHaveLength(1);
  });

  it('indexes the identifiers of the current version only', async () => {
    const created = await write((tx) => repo.create(tx, chestCtOrder));
    await write((tx) =>
      repo.update(tx, {
        ...created.resource,
        identifier: [{ system: ACCESSION, value: 'ACC-1001-CORRECTED' }],
      }),
    );
    expect(await repo.search('ServiceRequest', { identifier: 'ACC-1001' })).toEqual([]);
    expect(await repo.search('ServiceRequest', { identifier: 'ACC-1001-CORRECTED' })).toHaveLength(1);
  });

  it('finds resources by identifier for a conditional create', async () => {
    await write((tx) => repo.create(tx, chestCtStudy));
    const found = await write((tx) =>
      repo.findByIdentifier(tx, 'ImagingStudy', 'urn:dicom:uid|urn:oid:1.2.840.99.1'),
    );
    expect(found).toHaveLength(1);
    expect(
      await write((tx) => repo.findByIdentifier(tx, 'ServiceRequest', 'urn:dicom:uid|urn:oid:1.2.840.99.1')),
    ).toEqual([]);
  });

  it('creates once when two conditional creates of the same identifier race', async () => {
    const other = await openSecondInstance(target, db);
    const otherRepo = createResourceRepository({ db: other });
    const conditionalCreate = (instance: Database, repository: ResourceRepository) =>
      instance.transaction(async (tx) => {
        const existing = await repository.findByIdentifier(tx, 'DiagnosticReport', 'urn:report|R-1');
        if (existing.length > 0) {
          return 'existing';
        }
        const report: DiagnosticReport = {
          resourceType: 'DiagnosticReport',
          status: 'final',
          code: { text: 'CT chest report' },
          identifier: [{ system: 'urn:report', value: 'R-1' }],
        };
        await repository.create(tx, report);
        return 'created';
      });
    try {
      const outcomes = await Promise.all([
        conditionalCreate(db, repo),
        conditionalCreate(other, otherRepo),
        conditionalCreate(db, repo),
      ]);
      expect(outcomes.sort()).toEqual(['created', 'existing', 'existing']);
      expect(await repo.search('DiagnosticReport', { identifier: 'urn:report|R-1' })).toHaveLength(1);
    } finally {
      if (other !== db) {
        await other.close();
      }
    }
  });

  it('stores nothing, neither resource nor event, when the transaction rolls back', async () => {
    let id = '';
    await expect(
      write(async (tx) => {
        const { resource } = await repo.create(tx, chestCtOrder);
        id = resource.id;
        await enqueueOutbox(tx, {
          topic: 'imaging.servicerequest.v1',
          key: 'k',
          value: JSON.stringify(resource),
        });
        throw new Error('publishing refused');
      }),
    ).rejects.toThrow('publishing refused');
    await expect(repo.read('ServiceRequest', id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await db.query('SELECT count(*)::int AS n FROM outbox')).rows).toEqual([{ n: 0 }]);
  });
});
