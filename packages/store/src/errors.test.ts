import { describe, expect, it } from 'vitest';
import { StoreError, isStoreError, storeErrorCodeForSqlState, toStoreError } from './errors.ts';

/** What node-postgres and PGlite throw: an Error with the server's fields. */
function databaseError(code: string, message: string, fields: Record<string, string> = {}): Error {
  return Object.assign(new Error(message), { code, ...fields });
}

describe('SQLSTATE mapping', () => {
  it.each([
    ['40001', 'SERIALIZATION_FAILURE', true],
    ['40P01', 'DEADLOCK', true],
    ['55P03', 'LOCK_NOT_AVAILABLE', true],
    ['57014', 'QUERY_CANCELED', true],
    ['08006', 'CONNECTION_FAILED', true],
    ['57P01', 'CONNECTION_FAILED', true],
    ['53300', 'CONNECTION_FAILED', true],
    ['53100', 'RESOURCES_EXHAUSTED', true],
    ['23505', 'UNIQUE_VIOLATION', false],
    ['23503', 'FOREIGN_KEY_VIOLATION', false],
    ['23502', 'CONSTRAINT_VIOLATION', false],
    ['22P02', 'INVALID_DATA', false],
    ['42P01', 'QUERY_FAILED', false],
    ['XX000', 'QUERY_FAILED', false],
  ] as const)('maps SQLSTATE %s to %s (retriable: %s)', (sqlState, code, retriable) => {
    expect(storeErrorCodeForSqlState(sqlState)).toBe(code);
    expect(toStoreError(databaseError(sqlState, 'server said so'))).toMatchObject({
      code,
      retriable,
      sqlState,
    });
  });
});

describe('toStoreError', () => {
  it('treats a refused or dropped connection as retriable', () => {
    expect(toStoreError(databaseError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'))).toMatchObject({
      code: 'CONNECTION_FAILED',
      retriable: true,
    });
    expect(toStoreError(new Error('Connection terminated unexpectedly'))).toMatchObject({
      code: 'CONNECTION_FAILED',
      retriable: true,
    });
  });

  it('never repeats the value PostgreSQL quotes in a data error, which may be patient data', () => {
    const error = toStoreError(
      databaseError('22P02', 'invalid input syntax for type integer: "DOE^JOHN"', { column: 'age' }),
    );
    expect(error.code).toBe('INVALID_DATA');
    expect(error.message).not.toContain('DOE');
    expect(error.message).toContain('column age');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('names the constraint of a violation', () => {
    const error = toStoreError(
      databaseError('23505', 'duplicate key value violates unique constraint "outbox_pkey"', {
        constraint: 'outbox_pkey',
      }),
    );
    expect(error.message).toContain('outbox_pkey');
  });

  it('passes a StoreError through unchanged', () => {
    const original = new StoreError('VERSION_CONFLICT', 'stale');
    expect(toStoreError(original)).toBe(original);
  });

  it('treats anything else as a non-retriable query failure', () => {
    expect(toStoreError('weird')).toMatchObject({ code: 'QUERY_FAILED', retriable: false });
  });
});

describe('isStoreError', () => {
  it('checks the code when one is given', () => {
    const error = new StoreError('NOT_FOUND', 'no');
    expect(isStoreError(error)).toBe(true);
    expect(isStoreError(error, 'NOT_FOUND')).toBe(true);
    expect(isStoreError(error, 'DELETED')).toBe(false);
    expect(isStoreError(new Error('no'))).toBe(false);
  });
});
