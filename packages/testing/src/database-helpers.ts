/**
 * Database targets for integration tests: PGlite always, the PostgreSQL server
 * when the global set-up chose one (DATABASE_URL, or a testcontainers PostgreSQL).
 */
import { randomUUID } from 'node:crypto';
import { openDatabase, type Database } from '@oncoimg/store';
import { inject } from 'vitest';

export interface DatabaseTarget {
  name: 'pglite' | 'postgres';
  url?: string;
}

export function testDatabaseTargets(): DatabaseTarget[] {
  const url = inject('databaseUrl') ?? process.env.DATABASE_URL;
  return url ? [{ name: 'pglite' }, { name: 'postgres', url }] : [{ name: 'pglite' }];
}

/**
 * A PGlite instance takes seconds to initialise, so a test file keeps one and empties it for
 * each test (tests of a file run one after the other).
 */
let sharedPglite: Promise<Database> | undefined;

/**
 * A fresh, empty database: the file's PGlite instance with a new public schema, or a random
 * schema on the server, dropped on close.
 */
export async function openTestDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.name === 'pglite' || target.url === undefined) {
    sharedPglite ??= openDatabase();
    const db = await sharedPglite;
    await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public; SET search_path TO public');
    // Closing is a no-op: the next test empties the instance, the worker's exit frees it.
    return { ...db, kind: db.kind, schema: db.schema, close: () => Promise.resolve() };
  }
  const schema = `test_${randomUUID().replaceAll('-', '')}`;
  const db = await openDatabase({ url: target.url, schema, max: 5 });
  return {
    ...db,
    kind: db.kind,
    schema: db.schema,
    async close() {
      try {
        await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await db.close();
      }
    },
  };
}

/** Another connection pool on the same server schema: what a second instance of a service opens. */
export async function openSecondInstance(target: DatabaseTarget, db: Database): Promise<Database> {
  if (target.name === 'pglite' || target.url === undefined) {
    return db;
  }
  return openDatabase({ url: target.url, schema: db.schema, max: 5 });
}
