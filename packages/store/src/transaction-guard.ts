import type { Queryable } from './database.ts';
import { StoreError } from './errors.ts';

/**
 * A Queryable that refuses work once its transaction has ended. Without it, a `tx` kept by
 * mistake past the callback would run on a pooled connection now serving someone else.
 */
export function guardTransaction(tx: Queryable): { queryable: Queryable; end(): void } {
  let open = true;
  const check = (): void => {
    if (!open) {
      throw new StoreError('INVALID_ARGUMENT', 'this transaction has already ended');
    }
  };
  return {
    queryable: checkedQueryable(tx, check),
    end: () => {
      open = false;
    },
  };
}

/** `inner`, with `check` run before every statement: it throws when `inner` may no longer be used. */
export function checkedQueryable(inner: Queryable, check: () => void): Queryable {
  return {
    query: async (sql, params) => {
      check();
      return inner.query(sql, params);
    },
    exec: async (sql) => {
      check();
      return inner.exec(sql);
    },
    copyFrom: async (sql, data) => {
      check();
      return inner.copyFrom(sql, data);
    },
  };
}
