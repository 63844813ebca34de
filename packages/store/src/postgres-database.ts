import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyStream } from 'pg-copy-streams';
import type { Logger } from '@oncoimg/telemetry';
import type { Database, Queryable, QueryResult } from './database.ts';
import { StoreError, toStoreError, withStoreErrors } from './errors.ts';
import { closableDatabase } from './closable-database.ts';
import { guardTransaction } from './transaction-guard.ts';
import { preparedNameOf } from './prepared-statements.ts';

/** How long to wait for a pooled connection before failing: a down database must fail a request, not hang it. */
export const CONNECT_TIMEOUT_MS = 10_000;

export interface PostgresDatabaseOptions {
  url: string;
  schema: string | undefined;
  max: number;
  applicationName: string;
  logger: Logger;
}

/** A PostgreSQL server through a node-postgres Pool. */
export async function openPostgresDatabase({
  url,
  schema,
  max,
  applicationName,
  logger,
}: PostgresDatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: applicationName,
    // Every connection of the pool starts in the schema, so no statement can run elsewhere.
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle connection dies when the server restarts; without a listener node would crash the
  // process. The pool drops the connection and the next query opens a new one.
  pool.on('error', (error) => {
    logger.warn('idle database connection lost', { error: toStoreError(error).code });
  });

  const run = async <T>(
    client: pg.Pool | pg.PoolClient,
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<T>> =>
    withStoreErrors(async () => {
      type Answer = pg.QueryResult<Record<string, unknown>>;
      const name = preparedNameOf(sql);
      const answer = (
        name === undefined
          ? await client.query(sql, params as unknown[] | undefined)
          : await client.query({ name, text: sql, values: params as unknown[] | undefined })
      ) as Answer | Answer[];
      // A script of several statements answers one result each; the last is the script's result.
      const result = Array.isArray(answer) ? answer.at(-1) : answer;
      if (result === undefined) {
        return { rows: [], rowCount: 0 };
      }
      return { rows: result.rows as T[], rowCount: result.rowCount ?? result.rows.length };
    });
  const copy = async (client: pg.PoolClient, sql: string, data: string): Promise<void> => {
    await pipeline(Readable.from([Buffer.from(data)]), client.query(copyStream(sql)));
  };
  const queryableOf = (client: pg.Pool | pg.PoolClient): Queryable => ({
    query: <T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> =>
      run<T>(client, sql, params),
    exec: async (sql) => {
      await run(client, sql);
    },
    copyFrom: (sql, data) =>
      withStoreErrors(async () => {
        if (!(client instanceof pg.Pool)) {
          return copy(client, sql, data);
        }
        // A COPY streams over one connection: outside a transaction it borrows one from the pool.
        const borrowed = await client.connect();
        try {
          await copy(borrowed, sql, data);
        } finally {
          borrowed.release();
        }
      }),
  });

  try {
    if (schema !== undefined) {
      await createSchema(pool, schema);
    } else {
      await pool.query('SELECT 1');
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw toStoreError(error);
  }

  return closableDatabase({
    kind: 'postgres',
    schema,
    queryable: queryableOf(pool),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await withStoreErrors(() => pool.connect());
      // pg-pool removes its own error listener while a client is checked out, so a connection the
      // server drops mid-transaction (a restart, a failover) would be an unhandled 'error' event
      // and kill the process. The pending or next statement fails instead, and the client is
      // destroyed on release rather than pooled.
      let broken: Error | undefined;
      const onClientError = (error: Error): void => {
        broken ??= error;
        logger.warn('database connection lost during a transaction', { error: toStoreError(error).code });
      };
      client.on('error', onClientError);
      const guard = guardTransaction(queryableOf(client));
      let finished = false;
      try {
        await run(client, 'BEGIN');
        const result = await fn(guard.queryable);
        guard.end();
        const commit = await client.query('COMMIT').catch((error: unknown) => {
          throw toStoreError(error);
        });
        finished = true;
        // PostgreSQL answers COMMIT of a transaction an earlier error aborted with a silent ROLLBACK.
        if (commit.command === 'ROLLBACK') {
          throw new StoreError(
            'QUERY_FAILED',
            'the transaction was aborted by an earlier error and rolled back',
          );
        }
        return result;
      } catch (error) {
        guard.end();
        if (!finished) {
          await client.query('ROLLBACK').catch((rollbackError: unknown) => {
            // The connection is unusable (e.g. the server went away): destroy it, don't pool it.
            broken ??= rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
          });
        }
        throw error;
      } finally {
        client.off('error', onClientError);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  });
}

async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (error) {
    // Two processes creating the same schema at once: the loser sees a duplicate, which is success.
    const code = toStoreError(error);
    if (code.sqlState !== '23505' && code.sqlState !== '42P06') {
      throw code;
    }
  }
}
