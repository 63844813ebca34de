import { CodedError } from '@oncoimg/fhir-events';

/**
 * Every failure of the store, with a closed code list and a retry flag.
 *
 * Codes are strings (not classes) because `instanceof` does not survive a process boundary, and
 * `retriable` is what a consumer uses to choose between retrying and the dead-letter topic.
 */

/** Running the same work again may succeed. */
const RETRIABLE_CODES = [
  /** The database cannot be reached, or dropped the connection. */
  'CONNECTION_FAILED',
  /** 40001: a concurrent transaction made this one unserialisable; running it again usually succeeds. */
  'SERIALIZATION_FAILURE',
  /** 40P01: the server broke a deadlock by aborting this transaction. */
  'DEADLOCK',
  /** 55P03: a lock could not be taken within lock_timeout / NOWAIT. */
  'LOCK_NOT_AVAILABLE',
  /** 57014: statement_timeout or a cancel request ended the statement. */
  'QUERY_CANCELED',
  /** Class 53: out of disk, memory or connections on the server. */
  'RESOURCES_EXHAUSTED',
  /** An operation did not finish within its time limit. */
  'TIMEOUT',
] as const;

/** Running the same work again fails the same way. */
const PERMANENT_CODES = [
  /** 23505 */
  'UNIQUE_VIOLATION',
  /** 23503 */
  'FOREIGN_KEY_VIOLATION',
  /** 23502, 23514, 23P01 and the rest of class 23. */
  'CONSTRAINT_VIOLATION',
  /** Class 22: a value the column type rejects. */
  'INVALID_DATA',
  /** Any other database error: a defect in our SQL or schema, not worth retrying. */
  'QUERY_FAILED',
  /** A migration failed or the recorded migrations disagree with the code. */
  'MIGRATION_FAILED',
  /** A conditional write (If-Match) named a version that is not the current one. */
  'VERSION_CONFLICT',
  /** The resource (or version) never existed. */
  'NOT_FOUND',
  /** The resource (or version) was deleted; HTTP answers 410 Gone. */
  'DELETED',
  /** The caller passed something the store refuses (bad id, bad schema name, misuse of a transaction). */
  'INVALID_ARGUMENT',
  /** The database was closed by this process. */
  'CLOSED',
] as const;

export const STORE_ERROR_CODES = [...RETRIABLE_CODES, ...PERMANENT_CODES] as const;

export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

const RETRIABLE: ReadonlySet<StoreErrorCode> = new Set<StoreErrorCode>(RETRIABLE_CODES);

export interface StoreErrorOptions {
  cause?: unknown;
  /** The SQLSTATE the server reported, when the error came from the database. */
  sqlState?: string;
}

/** A failure of the store. `retriable` says whether running the same work again may succeed. */
export class StoreError extends CodedError<StoreErrorCode> {
  readonly sqlState: string | undefined;

  constructor(code: StoreErrorCode, message: string, { cause, sqlState }: StoreErrorOptions = {}) {
    super(code, message, { cause, retriable: RETRIABLE.has(code) });
    this.sqlState = sqlState;
  }
}

/** True when `error` is a StoreError, and, when `code` is given, one with that code. */
export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}

/** The store error code for a PostgreSQL SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
export function storeErrorCodeForSqlState(sqlState: string): StoreErrorCode {
  switch (sqlState) {
    case '40001':
      return 'SERIALIZATION_FAILURE';
    case '40P01':
      return 'DEADLOCK';
    case '55P03':
      return 'LOCK_NOT_AVAILABLE';
    case '57014':
      return 'QUERY_CANCELED';
    case '23505':
      return 'UNIQUE_VIOLATION';
    case '23503':
      return 'FOREIGN_KEY_VIOLATION';
    // admin_shutdown, crash_shutdown, cannot_connect_now: the server is going away or not up yet.
    case '57P01':
    case '57P02':
    case '57P03':
      return 'CONNECTION_FAILED';
    // too_many_connections is transient like a refused connection, not like a full disk.
    case '53300':
      return 'CONNECTION_FAILED';
  }
  switch (sqlState.slice(0, 2)) {
    case '08':
      return 'CONNECTION_FAILED';
    case '53':
      return 'RESOURCES_EXHAUSTED';
    case '23':
      return 'CONSTRAINT_VIOLATION';
    case '22':
      return 'INVALID_DATA';
    default:
      return 'QUERY_FAILED';
  }
}

/** Node socket errors that mean "the server is unreachable right now". */
const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

/** Messages of node-postgres errors that carry no code but mean a lost or refused connection. */
const CONNECTION_MESSAGE =
  /connection terminated|terminating connection|timeout exceeded when trying to connect|not queryable|connection error|cannot use a pool after calling end/i;

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * Turns whatever the driver threw into a StoreError (a StoreError passes through unchanged).
 *
 * The message never repeats the server's text for data errors (class 22), because PostgreSQL
 * quotes the offending value there, and values may be patient data; the original stays in `cause`.
 */
export function toStoreError(error: unknown): StoreError {
  if (error instanceof StoreError) {
    return error;
  }
  const code = errorProperty(error, 'code');
  const message = error instanceof Error ? error.message : String(error);
  if (code !== undefined && SQLSTATE.test(code)) {
    const storeCode = storeErrorCodeForSqlState(code);
    const constraint = errorProperty(error, 'constraint');
    const safeMessage =
      storeCode === 'INVALID_DATA'
        ? `invalid data (SQLSTATE ${code}${columnSuffix(error)})`
        : `${message} (SQLSTATE ${code}${constraint ? `, constraint ${constraint}` : ''})`;
    return new StoreError(storeCode, safeMessage, { cause: error, sqlState: code });
  }
  if ((code !== undefined && NETWORK_ERROR_CODES.has(code)) || CONNECTION_MESSAGE.test(message)) {
    return new StoreError('CONNECTION_FAILED', `database connection failed: ${code ?? message}`, {
      cause: error,
    });
  }
  return new StoreError('QUERY_FAILED', message, { cause: error });
}

/** Runs `work`, turning whatever the driver throws into a StoreError. */
export async function withStoreErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toStoreError(error);
  }
}

function columnSuffix(error: unknown): string {
  const column = errorProperty(error, 'column');
  return column ? `, column ${column}` : '';
}

function errorProperty(error: unknown, name: string): string | undefined {
  if (typeof error !== 'object' || error === null || !(name in error)) {
    return undefined;
  }
  const value = (error as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
