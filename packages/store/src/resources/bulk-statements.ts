import type { Queryable } from '../database.ts';
import { StoreError } from '../errors.ts';
import { withTraceContext } from '../outbox/enqueue-outbox.ts';
import { preparedStatement } from '../prepared-statements.ts';
import { IDENTIFIER_LOCK_NAMESPACE, MAX_IDENTIFIER_MATCHES } from './resource-repository.ts';
import type { StoredResource } from './resource.types.ts';

/**
 * The statements of a bulk write: whatever the number of entries, one statement locks the current
 * rows, two lock and look up the identifiers of conditional creates, and one writes every
 * version, current row and outbox row. Arrays travel as one parameter each (`unnest`), so the
 * statement text never changes and PostgreSQL's parameter limit never applies.
 */

/** A resource as it is before the bulk write, locked until the transaction ends. */
export interface LockedCurrent {
  type: string;
  id: string;
  version: number;
  lastUpdated: Date;
  deleted: boolean;
  /** The current content; for a deleted resource, the last version before its deletion. */
  resource: StoredResource | undefined;
}

export const keyOf = (type: string, id: string): string => `${type}/${id}`;

const LOCK_CURRENT_MANY = preparedStatement(
  'oncoimg_lock_current_many',
  `
  SELECT r.resource_type, r.id, r.version_id, r.last_updated, r.deleted,
    CASE WHEN r.deleted THEN (
      SELECT p.content FROM fhir_resource_versions p
      WHERE p.resource_type = r.resource_type AND p.id = r.id AND NOT p.deleted
      ORDER BY p.version_id DESC LIMIT 1
    ) ELSE v.content END AS content
  FROM fhir_resources r
  JOIN fhir_resource_versions v USING (resource_type, id, version_id)
  JOIN unnest($1::text[], $2::text[]) AS k(resource_type, id) USING (resource_type, id)
  ORDER BY r.resource_type, r.id
  FOR UPDATE OF r`,
);

/** Locks the current rows of `keys` (in one order, so two bulk writes cannot deadlock) and reads them. */
export async function lockCurrentMany(
  tx: Queryable,
  keys: readonly { type: string; id: string }[],
): Promise<Map<string, LockedCurrent>> {
  const found = new Map<string, LockedCurrent>();
  if (keys.length === 0) {
    return found;
  }
  const { rows } = await tx.query<{
    resource_type: string;
    id: string;
    version_id: number;
    last_updated: Date;
    deleted: boolean;
    content: string | null;
  }>(LOCK_CURRENT_MANY, [keys.map((k) => k.type), keys.map((k) => k.id)]);
  for (const row of rows) {
    found.set(keyOf(row.resource_type, row.id), {
      type: row.resource_type,
      id: row.id,
      version: row.version_id,
      lastUpdated: row.last_updated,
      deleted: row.deleted,
      resource: row.content === null ? undefined : (JSON.parse(row.content) as StoredResource),
    });
  }
  return found;
}

// Same keys as the repository's findByIdentifier, so one-by-one and bulk writes exclude each other.
const LOCK_IDENTIFIERS = `
  SELECT pg_advisory_xact_lock($1, h)
  FROM (SELECT DISTINCT hashtext($2 || ' ' || t) AS h FROM unnest($3::text[]) AS t ORDER BY 1) AS keys`;

const FIND_IDENTIFIERS = `
  SELECT k.token, m.id, m.content
  FROM unnest($2::text[]) AS k(token)
  CROSS JOIN LATERAL (
    SELECT r.id, v.content
    FROM fhir_resources r
    JOIN fhir_resource_versions v USING (resource_type, id, version_id)
    WHERE r.resource_type = $1 AND NOT r.deleted AND r.search_tokens @> ARRAY[k.token]
    ORDER BY r.last_updated DESC, r.id
    LIMIT ${String(MAX_IDENTIFIER_MATCHES)}
  ) AS m`;

/**
 * Locks the identifier search tokens until the transaction ends, then reads the current resources
 * of `type` carrying each. The lock comes first, in its own statement: the lookup's snapshot must
 * include what a concurrent conditional create committed before releasing the lock.
 */
export async function lockIdentifierMatches(
  tx: Queryable,
  type: string,
  tokens: readonly string[],
): Promise<Map<string, StoredResource[]>> {
  const matches = new Map<string, StoredResource[]>(tokens.map((token) => [token, []]));
  if (tokens.length === 0) {
    return matches;
  }
  await tx.query(LOCK_IDENTIFIERS, [IDENTIFIER_LOCK_NAMESPACE, type, [...new Set(tokens)]]);
  const { rows } = await tx.query<{ token: string; content: string }>(FIND_IDENTIFIERS, [
    type,
    [...new Set(tokens)],
  ]);
  for (const row of rows) {
    matches.get(row.token)?.push(JSON.parse(row.content) as StoredResource);
  }
  return matches;
}

/** One version to store. */
export interface VersionRow {
  type: string;
  id: string;
  version: number;
  lastUpdated: string;
  deleted: boolean;
  /** The JSON as served; null for the version that records a deletion. */
  content: string | null;
}

/** The current row a resource ends with; `previous` is its locked version, undefined for a new resource. */
export interface CurrentRow {
  type: string;
  id: string;
  version: number;
  lastUpdated: string;
  deleted: boolean;
  tokens: string[];
  previous: number | undefined;
}

/** An outbox row of a bulk write: text values only (FHIR JSON). */
export interface BulkOutboxMessage {
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

// New resources are a plain INSERT: a concurrent creator of the same id makes the statement fail
// (and the transaction roll back) instead of losing a version.
const WRITE_ALL = preparedStatement(
  'oncoimg_write_all',
  `
  WITH versions AS (
    INSERT INTO fhir_resource_versions (resource_type, id, version_id, last_updated, deleted, content)
    SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[], $5::bool[], $6::text[])
  ), created AS (
    INSERT INTO fhir_resources (resource_type, id, version_id, last_updated, deleted, search_tokens)
    SELECT t, i, n, at, d, ARRAY(SELECT jsonb_array_elements_text(tok::jsonb))
    FROM unnest($7::text[], $8::text[], $9::int[], $10::timestamptz[], $11::bool[], $12::text[])
      AS x(t, i, n, at, d, tok)
    RETURNING 1
  ), updated AS (
    UPDATE fhir_resources r
    SET version_id = x.n, last_updated = x.at, deleted = x.d,
      search_tokens = ARRAY(SELECT jsonb_array_elements_text(x.tok::jsonb))
    FROM unnest($13::text[], $14::text[], $15::int[], $16::timestamptz[], $17::bool[], $18::text[], $19::int[])
      AS x(t, i, n, at, d, tok, prev)
    WHERE r.resource_type = x.t AND r.id = x.i AND r.version_id = x.prev
    RETURNING 1
  ), enqueued AS (
    INSERT INTO outbox (topic, message_key, value, headers)
    SELECT topic, k, val, h::jsonb
    FROM unnest($20::text[], $21::text[], $22::text[], $23::text[]) WITH ORDINALITY AS o(topic, k, val, h, ord)
    ORDER BY ord
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM updated)::int AS updated`,
);

/**
 * Writes every version, current row and outbox message in ONE statement: on its own (outside a
 * transaction) it is atomic, so a bulk of plain creates costs one round trip. Outbox rows get
 * increasing ids in the order given, as `enqueueOutbox` gives them.
 */
export async function writeAll(
  q: Queryable,
  versions: readonly VersionRow[],
  current: readonly CurrentRow[],
  outbox: readonly BulkOutboxMessage[],
): Promise<void> {
  const created = current.filter((row) => row.previous === undefined);
  const updated = current.filter((row) => row.previous !== undefined);
  const columns = (rows: readonly CurrentRow[]) => [
    rows.map((r) => r.type),
    rows.map((r) => r.id),
    rows.map((r) => r.version),
    rows.map((r) => r.lastUpdated),
    rows.map((r) => r.deleted),
    rows.map((r) => JSON.stringify(r.tokens)),
  ];
  const { rows } = await q.query<{ updated: number }>(WRITE_ALL, [
    versions.map((v) => v.type),
    versions.map((v) => v.id),
    versions.map((v) => v.version),
    versions.map((v) => v.lastUpdated),
    versions.map((v) => v.deleted),
    versions.map((v) => v.content),
    ...columns(created),
    ...columns(updated),
    updated.map((r) => r.previous),
    outbox.map((m) => m.topic),
    outbox.map((m) => m.key),
    outbox.map((m) => m.value),
    outbox.map((m) => JSON.stringify(withTraceContext(m.headers))),
  ]);
  // The rows were locked FOR UPDATE: a mismatch is a defect, and the caller's transaction rolls back.
  if ((rows.at(0)?.updated ?? 0) !== updated.length) {
    throw new StoreError('SERIALIZATION_FAILURE', 'a resource changed during a bulk write; try again');
  }
}
