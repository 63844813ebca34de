/**
 * Statements run often enough to be prepared once per server connection: PostgreSQL then parses
 * and plans them once instead of on every call. Only statements whose text never changes belong
 * here (a text built per call would leave a prepared statement behind each time). PGlite runs
 * in-process and ignores this.
 */
const names = new Map<string, string>();

/** Registers `sql` as a prepared statement named `name` and returns it unchanged. */
export function preparedStatement(name: string, sql: string): string {
  names.set(sql, name);
  return sql;
}

/** The name `sql` was registered under, if it was. */
export function preparedNameOf(sql: string): string | undefined {
  return names.get(sql);
}
