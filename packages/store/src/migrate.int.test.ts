import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from './database.ts';
import { migrate, type Migration } from './migrate.ts';
import { outboxMigrations } from './outbox/outbox.migrations.ts';
import { resourceMigrations } from './resources/resource.migrations.ts';
import { openSecondInstance, openTestDatabase, testDatabaseTargets } from '@oncoimg/testing';

// Plain CREATE TABLE (no IF NOT EXISTS): running one twice would fail, so these tests see double runs.
const migrations: Migration[] = [
  {
    id: 'test.001-patients',
    sql: 'CREATE TABLE patients (id text PRIMARY KEY); CREATE INDEX patients_id ON patients (id)',
  },
  {
    id: 'test.002-exams',
    sql: 'CREATE TABLE exams (id text PRIMARY KEY, patient_id text REFERENCES patients)',
  },
];

describe.each(testDatabaseTargets())('migrations on $name', (target) => {
  let db: Database;
  beforeEach(async () => {
    db = await openTestDatabase(target);
  });
  afterEach(async () => {
    await db.close();
  });

  it('applies pending migrations in order and records them', async () => {
    expect(await migrate(db, migrations)).toEqual({ applied: ['test.001-patients', 'test.002-exams'] });
    const { rows } = await db.query<{ id: string }>(
      'SELECT id FROM schema_migrations ORDER BY applied_at, id',
    );
    expect(rows.map((row) => row.id)).toEqual(['test.001-patients', 'test.002-exams']);
    await db.exec("INSERT INTO patients VALUES ('p'); INSERT INTO exams VALUES ('e', 'p')");
    await expect(db.query("INSERT INTO exams VALUES ('x', 'nobody')")).rejects.toMatchObject({
      code: 'FOREIGN_KEY_VIOLATION',
    });
  });

  it('does nothing the second time', async () => {
    await migrate(db, migrations);
    expect(await migrate(db, migrations)).toEqual({ applied: [] });
  });

  it('applies only the migrations added since the last run', async () => {
    await migrate(db, migrations.slice(0, 1));
    expect(await migrate(db, migrations)).toEqual({ applied: ['test.002-exams'] });
  });

  it('applies the package migrations of the outbox and the resource repository', async () => {
    const { applied } = await migrate(db, [...outboxMigrations, ...resourceMigrations]);
    expect(applied).toEqual([...outboxMigrations, ...resourceMigrations].map((m) => m.id));
  });

  it('rolls a failing migration back entirely and reports MIGRATION_FAILED', async () => {
    const broken: Migration = {
      id: 'test.003-broken',
      sql: 'CREATE TABLE half_done (id int); SELECT * FROM missing',
    };
    await expect(migrate(db, [...migrations, broken])).rejects.toMatchObject({
      code: 'MIGRATION_FAILED',
      retriable: false,
    });
    const { rows } = await db.query(
      "SELECT to_regclass('half_done') AS half_done, to_regclass('exams') AS exams",
    );
    expect(rows[0]).toEqual({ half_done: null, exams: 'exams' });
    expect((await db.query('SELECT id FROM schema_migrations WHERE id = $1', [broken.id])).rows).toEqual([]);
  });

  it('refuses a recorded migration whose SQL was edited since', async () => {
    await migrate(db, migrations);
    const edited = [{ ...migrations[0], sql: 'CREATE TABLE patients (id uuid PRIMARY KEY)' }, migrations[1]];
    await expect(migrate(db, edited)).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
  });

  it('refuses a list that names a migration twice', async () => {
    await expect(migrate(db, [migrations[0], migrations[0]])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('applies each migration once when several instances migrate at the same moment', async () => {
    const others = await Promise.all([openSecondInstance(target, db), openSecondInstance(target, db)]);
    try {
      const results = await Promise.all([db, ...others].map((instance) => migrate(instance, migrations)));
      expect(results.flatMap((result) => result.applied).sort()).toEqual([
        'test.001-patients',
        'test.002-exams',
      ]);
    } finally {
      for (const other of others) {
        if (other !== db) {
          await other.close();
        }
      }
    }
  });
});
