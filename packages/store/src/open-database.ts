import { silentLogger, type Logger } from '@oncoimg/telemetry';
import type { Database } from './database.ts';
import { StoreError } from './errors.ts';
import { openPgliteDatabase } from './pglite-database.ts';
import { openPostgresDatabase } from './postgres-database.ts';
import { checkSchemaName } from './schema-name.ts';

export interface OpenDatabaseOptions {
  /** `postgres://…` (a DATABASE_URL): a PostgreSQL server through a connection pool. Wins over dataDir. */
  url?: string;
  /** PGlite data folder (created if missing); with neither url nor dataDir, PGlite in memory. */
  dataDir?: string;
  /** Schema to create if missing and run every statement in (search_path). Lower-case identifier. */
  schema?: string;
  /** Pool size on a server. */
  max?: number;
  /** Shown in pg_stat_activity, so operators can tell which service holds a connection. */
  applicationName?: string;
  logger?: Logger;
}

/**
 * Opens the database: a PostgreSQL server when `url` is given, else PGlite (a folder or memory).
 * Fails fast with CONNECTION_FAILED when the server cannot be reached, so a wrong DATABASE_URL
 * shows at start-up rather than on the first request.
 */
export async function openDatabase({
  url,
  dataDir,
  schema,
  max = 10,
  applicationName = 'oncoimg',
  logger = silentLogger,
}: OpenDatabaseOptions = {}): Promise<Database> {
  if (schema !== undefined) {
    checkSchemaName(schema);
  }
  if (url !== undefined && url !== '') {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      // The URL may carry a password: name the expected form, never echo it.
      throw new StoreError('INVALID_ARGUMENT', 'database url must start with postgres:// or postgresql://');
    }
    return openPostgresDatabase({ url, schema, max, applicationName, logger });
  }
  return openPgliteDatabase({ dataDir, schema });
}
