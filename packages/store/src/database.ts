/** Rows of one statement. `rowCount` is the number of rows inserted, updated or deleted (or returned by a SELECT). */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/**
 * Something SQL runs on: the database itself or an open transaction. The same SQL runs on a
 * PostgreSQL server and on PGlite: `$1` placeholders; int8 and numeric come back as strings
 * (lossless), bytea as Buffer, timestamptz as Date, json/jsonb parsed.
 */
export interface Queryable {
  /** One statement, with `$1`… parameters. Pass jsonb values as `JSON.stringify(value)`. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** A script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * `COPY <table> (<columns>) FROM STDIN` with `data` in COPY's text format: one line per row,
   * columns separated by tabs, values escaped with `copyValue`. Loading many rows this way costs
   * the server about half of what an INSERT … SELECT from one large JSON parameter does.
   */
  copyFrom(sql: string, data: string): Promise<void>;
}

export type DatabaseKind = 'postgres' | 'pglite';

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** The schema every statement runs in (search_path), when one was chosen. */
  readonly schema: string | undefined;
  /**
   * Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws (the error is
   * rethrown unchanged). Use only `tx` inside `fn`: on PGlite the database has one connection, so
   * transactions run one at a time and using the database itself inside `fn` is refused.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Closes the pool or the PGlite instance. Safe to call twice. */
  close(): Promise<void>;
}
