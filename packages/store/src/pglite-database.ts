import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir } from 'node:fs/promises';
import { PGlite, types } from '@electric-sql/pglite';
import type { Database, Queryable, QueryResult } from './database.ts';
import { StoreError, toStoreError, withStoreErrors } from './errors.ts';
import { closableDatabase } from './closable-database.ts';
import { guardTransaction } from './transaction-guard.ts';

export interface PgliteDatabaseOptions {
  /** Folder of the database files; undefined keeps the database in memory. */
  dataDir: string | undefined;
  schema: string | undefined;
}

interface PgliteRunner {
  query(
    sql: string,
    params?: unknown[],
    options?: { blob?: Blob },
  ): Promise<{ rows: unknown[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
}

function copyFromBlob(sql: string): string {
  const blobSql = sql.replace(/\bFROM\s+STDIN\b/i, "FROM '/dev/blob'");
  if (blobSql === sql) {
    throw new StoreError('INVALID_ARGUMENT', 'copyFrom takes a COPY … FROM STDIN statement');
  }
  return blobSql;
}

/**
 * PostgreSQL in WASM, in this process. It has ONE connection: PGlite's own mutex runs transactions
 * one at a time, and statements outside a transaction wait until it ends. A statement on the
 * database itself from inside a transaction would therefore wait forever; it is refused instead.
 */
export async function openPgliteDatabase({ dataDir, schema }: PgliteDatabaseOptions): Promise<Database> {
  if (dataDir !== undefined) {
    await mkdir(dataDir, { recursive: true });
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      ...(dataDir === undefined ? {} : { dataDir }),
      // Same values as node-postgres gives, so code behaves the same on both targets.
      parsers: {
        [types.INT8]: (value: string) => value,
        [types.NUMERIC]: (value: string) => value,
        [types.BYTEA]: (value: string) => Buffer.from(value.slice(2), 'hex'),
      },
    });
    if (schema !== undefined) {
      await pglite.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path TO ${schema}`);
    }
  } catch (error) {
    throw toStoreError(error);
  }

  const transactionScope = new AsyncLocalStorage<{ open: boolean }>();
  const checkOutsideTransaction = (): void => {
    if (transactionScope.getStore()?.open) {
      throw new StoreError(
        'INVALID_ARGUMENT',
        'the database was used inside one of its own transactions; use the transaction (tx) instead',
      );
    }
  };
  const queryableOf = (runner: PgliteRunner): Queryable => ({
    query: <T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> =>
      withStoreErrors(async () => {
        const result = await runner.query(sql, params === undefined ? undefined : [...params]);
        return { rows: result.rows as T[], rowCount: result.affectedRows || result.rows.length };
      }),
    exec: (sql: string): Promise<void> =>
      withStoreErrors(async () => {
        await runner.exec(sql);
      }),
    // PGlite has no client stream: COPY reads the rows from a blob it mounts as /dev/blob.
    copyFrom: (sql: string, data: string): Promise<void> =>
      withStoreErrors(async () => {
        await runner.query(copyFromBlob(sql), [], { blob: new Blob([data]) });
      }),
  });

  return closableDatabase({
    kind: 'pglite',
    schema,
    queryable: queryableOf(pglite),
    check: checkOutsideTransaction,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const scope = { open: true };
      let callerError: { error: unknown } | undefined;
      try {
        return await pglite.transaction(async (tx) => {
          const guard = guardTransaction(queryableOf(tx));
          try {
            return await transactionScope.run(scope, () => fn(guard.queryable));
          } catch (error) {
            callerError = { error };
            throw error;
          } finally {
            guard.end();
            scope.open = false;
          }
        });
      } catch (error) {
        // The caller's own errors pass unchanged; only PGlite's (BEGIN, COMMIT, ROLLBACK) are translated.
        if (callerError?.error === error) {
          throw error;
        }
        throw toStoreError(error);
      }
    },
    close: () => pglite.close(),
  });
}
