import { StoreError } from './errors.ts';

/**
 * Schema names the store accepts: lower-case SQL identifiers. They go into `search_path` and DDL
 * without quoting, so anything else is refused rather than escaped.
 */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Returns the schema name, or throws INVALID_ARGUMENT when it is not a plain lower-case identifier. */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new StoreError(
      'INVALID_ARGUMENT',
      `schema name must match ${SCHEMA_NAME.source}: ${JSON.stringify(schema)}`,
    );
  }
  return schema;
}
