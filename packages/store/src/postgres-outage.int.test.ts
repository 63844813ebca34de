import { createLogger } from '@oncoimg/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  postgresBinDirForTests,
  startPostgresInstance,
  type PostgresInstance,
} from '../../../tests/faults/support/postgres-instance.ts';
import type { Database } from './database.ts';
import { isStoreError, type StoreError } from './errors.ts';
import { openDatabase } from './open-database.ts';

const bin = postgresBinDirForTests();

async function rejection(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => new Error('resolved, but the server was stopped while it ran'),
    (error: unknown) => error,
  );
}

function expectUnavailable(error: unknown): void {
  expect(isStoreError(error), String(error)).toBe(true);
  expect(error as StoreError).toMatchObject({ code: 'CONNECTION_FAILED', retriable: true });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A server that goes away (a restart, a failover, a crash) must cost requests, never the process:
 * every call in flight fails with the retriable CONNECTION_FAILED, and the same Database works
 * again once the server is back.
 */
describe.skipIf(bin === undefined)('a PostgreSQL server stopped under load', () => {
  let server: PostgresInstance;
  let db: Database;
  const logLines: string[] = [];

  beforeAll(async () => {
    server = await startPostgresInstance(bin!);
    db = await openDatabase({
      url: server.url,
      schema: 'outage',
      max: 6,
      logger: createLogger({ service: 'store-test', level: 'warn', write: (line) => logLines.push(line) }),
    });
    await db.exec('CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)');
  }, 120_000);

  afterAll(async () => {
    await db.close().catch(() => undefined);
    await server.destroy();
  });

  it('fails queries and transactions in flight with the retriable unavailable error, and recovers after a restart', async () => {
    await db.query("INSERT INTO notes (body) VALUES ('before')");

    const runningQuery = rejection(db.query('SELECT pg_sleep(30)'));
    const queryInTransaction = rejection(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO notes (body) VALUES ('lost with its transaction')");
        await tx.query('SELECT pg_sleep(30)');
      }),
    );
    // This one is idle in its transaction when the server goes: the connection's 'error' event
    // fires with no statement to fail, which is what used to crash the process.
    const idleTransaction = rejection(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO notes (body) VALUES ('also lost')");
        await sleep(3_000);
        await tx.query("INSERT INTO notes (body) VALUES ('never written')");
      }),
    );
    await sleep(500);
    await server.stop({ mode: 'immediate' });

    for (const error of await Promise.all([runningQuery, queryInTransaction, idleTransaction])) {
      expectUnavailable(error);
    }
    expectUnavailable(await rejection(db.query('SELECT 1')));
    expectUnavailable(await rejection(db.transaction((tx) => tx.query('SELECT 1'))));

    await server.start();
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO notes (body) VALUES ('after')");
    });
    const { rows } = await db.query<{ body: string }>('SELECT body FROM notes ORDER BY id');
    expect(rows.map((row) => row.body)).toEqual(['before', 'after']);
    expect(logLines.join('\n')).toMatch(/connection lost/);
  });
});
