import type { ServiceRequest } from '@medplum/fhirtypes';
import {
  isStoreError,
  migrate,
  outboxMigrations,
  resourceMigrations,
  type Database,
  type StoreErrorCode,
} from '@oncoimg/store';
import {
  BiopsyGuidanceCtOrder,
  DiagnosticChestCtOrder,
  DiagnosticChestXrayOrder,
  openTestDatabase,
  StagingCtCapOrder,
  testDatabaseTargets,
} from '@oncoimg/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withoutMeta } from './intake-service.fixtures.ts';
import { createIntakeWrites, type IntakeWrites } from './intake-writes.ts';

// The database itself refuses this id, as it would a value no validator foresaw.
const REFUSE_POISON = `
  CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.id = 'poison' THEN RAISE EXCEPTION 'refused' USING ERRCODE = '23514'; END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER refuse_poison BEFORE INSERT ON fhir_resources FOR EACH ROW EXECUTE FUNCTION refuse_poison();`;

const codeOf = (result: PromiseSettledResult<unknown>): StoreErrorCode | 'ok' | 'other' =>
  result.status === 'fulfilled' ? 'ok' : isStoreError(result.reason) ? result.reason.code : 'other';

describe.each(testDatabaseTargets())('group commit of single writes on $name', (target) => {
  let db: Database;
  let writes: IntakeWrites;
  beforeEach(async () => {
    db = await openTestDatabase(target);
    await migrate(db, [...resourceMigrations, ...outboxMigrations]);
    writes = createIntakeWrites({
      db,
      topic: 'imaging.servicerequest.test',
      source: 'oncoimg/test',
      groupCommit: { maxGroup: 100, maxConcurrent: 1 },
    });
  });
  afterEach(() => db.close());

  const outboxRows = async () =>
    (
      await db.query<{ n: string; transactions: string }>(
        'SELECT count(*) AS n, count(DISTINCT xmin::text) AS transactions FROM outbox',
      )
    ).rows[0];

  it('commits concurrent writes together, and answers each only with its own outcome', async () => {
    const orders = [
      DiagnosticChestCtOrder,
      DiagnosticChestXrayOrder,
      BiopsyGuidanceCtOrder,
      StagingCtCapOrder,
    ];
    const created = await Promise.all(
      orders.map((order) => writes.writeOne({ method: 'create', resource: withoutMeta(order) })),
    );
    expect(created.map((w) => [w.action, w.versionId])).toEqual(orders.map(() => ['created', '1']));
    expect(new Set(created.map((w) => w.resource.id)).size).toBe(4);
    // Sent in one tick to an idle queue: one transaction for the four.
    expect(await outboxRows()).toEqual({ n: '4', transactions: '1' });
  });

  it('fails a write alone when its group cannot be committed, and writes the rest of the group', async () => {
    const seeded = await writes.writeOne({ method: 'create', resource: withoutMeta(DiagnosticChestCtOrder) });
    await db.exec(REFUSE_POISON);
    const stored = seeded.resource as ServiceRequest;
    const results = await Promise.allSettled([
      writes.writeOne({ method: 'create', resource: withoutMeta(DiagnosticChestXrayOrder) }),
      writes.writeOne({ method: 'update', resource: { ...stored, status: 'revoked' }, ifMatch: 'W/"9"' }),
      writes.writeOne({ method: 'update', resource: { ...withoutMeta(StagingCtCapOrder), id: 'poison' } }),
      writes.writeOne({ method: 'delete', type: 'ServiceRequest', id: 'never-was' }),
      writes.writeOne({ method: 'update', resource: { ...stored, status: 'completed' } }),
      writes.writeOne({ method: 'create', resource: withoutMeta(BiopsyGuidanceCtOrder) }),
    ]);
    expect(results.map(codeOf)).toEqual([
      'ok',
      'VERSION_CONFLICT',
      'CONSTRAINT_VIOLATION',
      'NOT_FOUND',
      'ok',
      'ok',
    ]);
    const update = results[4];
    expect(update.status === 'fulfilled' && [update.value.action, update.value.versionId]).toEqual([
      'updated',
      '2',
    ]);
    // The seed, then one event per accepted write; nothing of the refused ones.
    expect((await outboxRows()).n).toBe('4');
    const { rows } = await db.query<{ id: string }>("SELECT id FROM fhir_resources WHERE id = 'poison'");
    expect(rows).toEqual([]);
  });
});
