import { createHash } from 'node:crypto';
import type { Database, Queryable } from './database.ts';
import { StoreError, isStoreError, toStoreError } from './errors.ts';

/** One schema change. `id` is global across packages (prefix it: `store.outbox.001-create`). */
export interface Migration {
  id: string;
  /** One or more statements. Never edit a released migration: add a new one. */
  sql: string;
}

/**
 * First key of the advisory lock migrators take (the second is the schema's hash). Any fixed
 * number works; it only has to differ from the other lock namespaces of this package.
 */
export const MIGRATION_LOCK_NAMESPACE = 0x6d696772; // 'migr'

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    id text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`;

export interface MigrateResult {
  /** Ids applied by this call, in order; empty when the schema was already up to date. */
  applied: string[];
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in the order given, each in its
 * own transaction with its record. Idempotent. Migrators of several processes on one server
 * schema take turns through an advisory lock, so each migration runs once.
 *
 * A recorded migration whose SQL has changed since is refused (MIGRATION_FAILED): the database
 * would otherwise silently differ from what the code describes.
 */
export async function migrate(db: Database, migrations: readonly Migration[]): Promise<MigrateResult> {
  checkIds(migrations);
  const recorded = await readRecorded(db);
  const applied: string[] = [];
  for (const migration of migrations) {
    const checksum = checksumOf(migration.sql);
    const known = recorded.get(migration.id);
    if (known !== undefined) {
      checkChecksum(migration.id, known, checksum);
      continue;
    }
    const ran = await db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1, hashtext(coalesce(current_schema(), '')))", [
        MIGRATION_LOCK_NAMESPACE,
      ]);
      await tx.exec(CREATE_MIGRATIONS_TABLE);
      // Re-read under the lock: another process may have applied it since the first look.
      const { rows } = await tx.query<{ checksum: string }>(
        'SELECT checksum FROM schema_migrations WHERE id = $1',
        [migration.id],
      );
      const recordedNow = rows.at(0);
      if (recordedNow) {
        checkChecksum(migration.id, recordedNow.checksum, checksum);
        return false;
      }
      await applyOne(tx, migration);
      await tx.query('INSERT INTO schema_migrations (id, checksum) VALUES ($1, $2)', [
        migration.id,
        checksum,
      ]);
      return true;
    });
    if (ran) {
      applied.push(migration.id);
    }
  }
  return { applied };
}

async function applyOne(tx: Queryable, migration: Migration): Promise<void> {
  try {
    await tx.exec(migration.sql);
  } catch (error) {
    const storeError = toStoreError(error);
    // A lost connection is worth another start; broken SQL is not.
    if (storeError.retriable) {
      throw storeError;
    }
    throw new StoreError('MIGRATION_FAILED', `migration ${migration.id} failed: ${storeError.message}`, {
      cause: error,
      ...(storeError.sqlState === undefined ? {} : { sqlState: storeError.sqlState }),
    });
  }
}

async function readRecorded(db: Database): Promise<Map<string, string>> {
  try {
    const { rows } = await db.query<{ id: string; checksum: string }>(
      'SELECT id, checksum FROM schema_migrations',
    );
    return new Map(rows.map((row) => [row.id, row.checksum]));
  } catch (error) {
    // 42P01 undefined_table: a fresh schema, nothing recorded yet.
    if (isStoreError(error) && error.sqlState === '42P01') {
      return new Map();
    }
    throw error;
  }
}

function checkIds(migrations: readonly Migration[]): void {
  const seen = new Set<string>();
  for (const { id } of migrations) {
    if (id.trim() === '') {
      throw new StoreError('INVALID_ARGUMENT', 'a migration has an empty id');
    }
    if (seen.has(id)) {
      throw new StoreError('INVALID_ARGUMENT', `migration id ${id} appears twice`);
    }
    seen.add(id);
  }
}

function checkChecksum(id: string, recorded: string, current: string): void {
  if (recorded !== current) {
    throw new StoreError(
      'MIGRATION_FAILED',
      `migration ${id} was applied with different SQL; add a new migration instead of editing it`,
    );
  }
}

function checksumOf(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}
