import type { Database, DatabaseKind, Queryable } from './database.ts';
import { StoreError } from './errors.ts';
import { checkedQueryable } from './transaction-guard.ts';

/** What a database target provides; `closableDatabase` adds what every target does the same way. */
export interface DatabaseDriver {
  kind: DatabaseKind;
  schema: string | undefined;
  /** Statements outside a transaction. */
  queryable: Queryable;
  /** A target's own refusal, run before every use of the open database (PGlite: not inside its own transaction). */
  check?: () => void;
  transaction: <T>(fn: (tx: Queryable) => Promise<T>) => Promise<T>;
  close: () => Promise<void>;
}

/** A Database over a driver: every use after `close()` fails with CLOSED, and the driver closes once. */
export function closableDatabase(driver: DatabaseDriver): Database {
  let closed = false;
  const check = (): void => {
    if (closed) {
      throw new StoreError('CLOSED', 'the database has been closed');
    }
    driver.check?.();
  };
  return {
    kind: driver.kind,
    schema: driver.schema,
    ...checkedQueryable(driver.queryable, check),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      check();
      return driver.transaction(fn);
    },
    async close() {
      if (closed) {
        return;
      }
      closed = true;
      await driver.close();
    },
  };
}
