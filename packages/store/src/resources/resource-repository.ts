import { randomUUID } from 'node:crypto';
import type { Meta, Resource } from '@medplum/fhirtypes';
import type { Database, Queryable } from '../database.ts';
import { StoreError } from '../errors.ts';
import { jsonEqual } from './json-equal.ts';
import { checkResourceId, checkResourceType, parseIfMatch, parseVersionId } from './resource-ids.ts';
import { identifierSearchToken, patientSearchToken, searchTokensOf } from './search-tokens.ts';

/** What a write did. `unchanged`: the content equals the current version, so no version (and no event) is made. */
export type WriteAction = 'created' | 'updated' | 'deleted' | 'unchanged';

/** A resource as the repository stores and returns it: with its id, version and time of update. */
export type StoredResource<R extends Resource = Resource> = R & {
  id: string;
  meta: Meta & { versionId: string; lastUpdated: string };
};

export interface WriteResult<R extends Resource = Resource> {
  action: WriteAction;
  /** The current version as stored; for a delete, the last version before it (the event's body). */
  resource: StoredResource<R>;
  /** Version this write made (for `unchanged`, the current one). A delete makes a version too. */
  versionId: string;
  lastUpdated: string;
}

export interface HistoryEntry<R extends Resource = Resource> {
  versionId: string;
  lastUpdated: string;
  deleted: boolean;
  /** Absent for the version that records a deletion. */
  resource?: StoredResource<R>;
}

export interface SearchCriteria {
  /** `system|value`, `|value` (no system) or `value` (any system). */
  identifier?: string;
  /** A patient key (`system|value`), a reference (`Patient/7`) or a bare Patient id. */
  patient?: string;
  /** Page size; default DEFAULT_SEARCH_COUNT, at most MAX_SEARCH_COUNT. */
  _count?: number;
}

/** Results per search when the client does not say. */
export const DEFAULT_SEARCH_COUNT = 100;
/** Largest page a search returns, so one request cannot read a whole table into memory. */
export const MAX_SEARCH_COUNT = 1000;
/** Most matches a conditional lookup returns: callers only tell none, one and several apart. */
const MAX_IDENTIFIER_MATCHES = 100;
/** First key of the advisory locks that serialise conditional creates of the same identifier. */
export const IDENTIFIER_LOCK_NAMESPACE = 0x69646e74; // 'idnt'

export interface ResourceRepository {
  /** Stores a new resource under a server-assigned UUID (any id in the body is ignored), version 1. */
  create<R extends Resource>(tx: Queryable, resource: R): Promise<WriteResult<R>>;
  /**
   * Stores a new version of `resource.id`, creating it when absent (FHIR PUT). With `ifMatch`,
   * the current version must be that one, else VERSION_CONFLICT. An update that changes nothing
   * returns `unchanged` and makes no version, so a client's retry has no effect.
   */
  update<R extends Resource>(
    tx: Queryable,
    resource: R,
    options?: { ifMatch?: string },
  ): Promise<WriteResult<R>>;
  /** Records a deletion as a new version; history stays. NOT_FOUND when the resource never existed. */
  delete(tx: Queryable, type: string, id: string, options?: { ifMatch?: string }): Promise<WriteResult>;
  /** The current version; NOT_FOUND, or DELETED (HTTP 410) when its last version is a deletion. */
  read<R extends Resource = Resource>(
    type: R['resourceType'],
    id: string,
    q?: Queryable,
  ): Promise<StoredResource<R>>;
  /** One version; NOT_FOUND, or DELETED for the version that records a deletion. */
  vread<R extends Resource = Resource>(
    type: R['resourceType'],
    id: string,
    versionId: string,
    q?: Queryable,
  ): Promise<StoredResource<R>>;
  /** Every version, newest first; NOT_FOUND when the resource never existed. */
  history<R extends Resource = Resource>(
    type: R['resourceType'],
    id: string,
    options?: { _count?: number },
    q?: Queryable,
  ): Promise<HistoryEntry<R>[]>;
  /** Current, not deleted resources matching every criterion given, most recently updated first. */
  search<R extends Resource = Resource>(
    type: R['resourceType'],
    criteria?: SearchCriteria,
    q?: Queryable,
  ): Promise<StoredResource<R>[]>;
  /**
   * Resources of `type` carrying the identifier (`If-None-Exist: identifier=…`, or the study of a
   * Study Instance UID). Holds a transaction lock on the identifier until `tx` ends, so two
   * conditional creates of the same identifier cannot both see "none" and both create.
   */
  findByIdentifier<R extends Resource = Resource>(
    tx: Queryable,
    type: R['resourceType'],
    identifier: string,
  ): Promise<StoredResource<R>[]>;
}

interface CurrentRow {
  version_id: number;
  last_updated: Date;
  deleted: boolean;
  content: string | null;
}

const INSERT_NEW = `
  WITH current AS (
    INSERT INTO fhir_resources (resource_type, id, version_id, last_updated, deleted, search_tokens)
    VALUES ($1, $2, $3, $4, false, $5::text[])
    ON CONFLICT (resource_type, id) DO NOTHING
    RETURNING resource_type, id, version_id, last_updated
  )
  INSERT INTO fhir_resource_versions (resource_type, id, version_id, last_updated, deleted, content)
  SELECT resource_type, id, version_id, last_updated, false, $6::text FROM current`;

const WRITE_VERSION = `
  WITH current AS (
    UPDATE fhir_resources
    SET version_id = $3, last_updated = $4, deleted = $5, search_tokens = $6::text[]
    WHERE resource_type = $1 AND id = $2 AND version_id = $7
    RETURNING resource_type, id, version_id, last_updated, deleted
  )
  INSERT INTO fhir_resource_versions (resource_type, id, version_id, last_updated, deleted, content)
  SELECT resource_type, id, version_id, last_updated, deleted, $8::text FROM current`;

const LOCK_CURRENT = `
  SELECT r.version_id, r.last_updated, r.deleted, v.content
  FROM fhir_resources r
  JOIN fhir_resource_versions v USING (resource_type, id, version_id)
  WHERE r.resource_type = $1 AND r.id = $2
  FOR UPDATE OF r`;

/**
 * FHIR resource storage for the intake services: versions, history, deletion, identifier and
 * patient search. Writes take the caller's transaction so the outbox event commits with them.
 * A write costs one or two statements: the current row and the version are written together.
 */
export function createResourceRepository({ db }: { db: Database }): ResourceRepository {
  const lastVersionBeforeDelete = async (q: Queryable, type: string, id: string, version: number) => {
    const { rows } = await q.query<{ content: string }>(
      `SELECT content FROM fhir_resource_versions
       WHERE resource_type = $1 AND id = $2 AND version_id < $3 AND NOT deleted
       ORDER BY version_id DESC LIMIT 1`,
      [type, id, version],
    );
    const row = rows.at(0);
    if (!row) throw new StoreError('QUERY_FAILED', `${type} history has no version before its deletion`);
    return JSON.parse(row.content) as Resource;
  };

  const searchWithTokens = async <R extends Resource>(
    q: Queryable,
    type: string,
    tokens: string[],
    limit: number,
  ): Promise<StoredResource<R>[]> => {
    const { rows } = await q.query<{ content: string }>(
      `SELECT v.content
       FROM fhir_resources r
       JOIN fhir_resource_versions v USING (resource_type, id, version_id)
       WHERE r.resource_type = $1 AND NOT r.deleted ${tokens.length > 0 ? 'AND r.search_tokens @> $3::text[]' : ''}
       ORDER BY r.last_updated DESC, r.id
       LIMIT $2`,
      tokens.length > 0 ? [type, limit, tokens] : [type, limit],
    );
    return rows.map((row) => JSON.parse(row.content) as StoredResource<R>);
  };

  const repository: ResourceRepository = {
    async create(tx, resource) {
      const type = checkResourceType(resource.resourceType);
      const id = randomUUID();
      const stored = withMeta(resource, id, 1, new Date());
      const { rowCount } = await tx.query(INSERT_NEW, [
        type,
        id,
        1,
        stored.meta.lastUpdated,
        searchTokensOf(stored),
        JSON.stringify(stored),
      ]);
      if (rowCount !== 1) throw new StoreError('UNIQUE_VIOLATION', `${type} id collision`);
      return written('created', stored);
    },

    async update(tx, resource, { ifMatch } = {}) {
      const type = checkResourceType(resource.resourceType);
      const id = checkResourceId(resource.id);
      const expected = ifMatch === undefined ? undefined : parseIfMatch(ifMatch);
      // Two rounds at most: when a concurrent PUT creates the same new id first, ours updates it.
      for (let round = 0; round < 2; round++) {
        const { rows } = await tx.query<CurrentRow>(LOCK_CURRENT, [type, id]);
        const current = rows.at(0);
        if (!current) {
          if (expected !== undefined) throw versionConflict(type, expected, undefined);
          const stored = withMeta(resource, id, 1, new Date());
          const { rowCount } = await tx.query(INSERT_NEW, [
            type,
            id,
            1,
            stored.meta.lastUpdated,
            searchTokensOf(stored),
            JSON.stringify(stored),
          ]);
          if (rowCount === 1) return written('created', stored);
          continue;
        }
        if (expected !== undefined && expected !== current.version_id) {
          throw versionConflict(type, expected, current.version_id);
        }
        if (!current.deleted && current.content !== null) {
          const existing = JSON.parse(current.content) as typeof resource;
          if (jsonEqual(withoutVersionMeta(existing), withoutVersionMeta(resource))) {
            return written('unchanged', existing as StoredResource<typeof resource>);
          }
        }
        const version = current.version_id + 1;
        const stored = withMeta(resource, id, version, nextTimestamp(current.last_updated));
        await tx.query(WRITE_VERSION, [
          type,
          id,
          version,
          stored.meta.lastUpdated,
          false,
          searchTokensOf(stored),
          current.version_id,
          JSON.stringify(stored),
        ]);
        return written(current.deleted ? 'created' : 'updated', stored);
      }
      throw new StoreError('SERIALIZATION_FAILURE', `${type} was created concurrently; try again`);
    },

    async delete(tx, type, id, { ifMatch } = {}) {
      checkResourceType(type);
      checkResourceId(id);
      const expected = ifMatch === undefined ? undefined : parseIfMatch(ifMatch);
      const { rows } = await tx.query<CurrentRow>(LOCK_CURRENT, [type, id]);
      const current = rows.at(0);
      if (!current) throw new StoreError('NOT_FOUND', `${type}/${id} does not exist`);
      if (expected !== undefined && expected !== current.version_id) {
        throw versionConflict(type, expected, current.version_id);
      }
      if (current.deleted) {
        const last = await lastVersionBeforeDelete(tx, type, id, current.version_id);
        return {
          action: 'unchanged',
          resource: last as StoredResource,
          versionId: String(current.version_id),
          lastUpdated: current.last_updated.toISOString(),
        };
      }
      const version = current.version_id + 1;
      const lastUpdated = nextTimestamp(current.last_updated).toISOString();
      await tx.query(WRITE_VERSION, [type, id, version, lastUpdated, true, [], current.version_id, null]);
      return {
        action: 'deleted',
        resource: JSON.parse(current.content ?? 'null') as StoredResource,
        versionId: String(version),
        lastUpdated,
      };
    },

    async read<R extends Resource>(type: R['resourceType'], id: string, q: Queryable = db) {
      checkResourceType(type);
      checkResourceId(id);
      const { rows } = await q.query<{ deleted: boolean; content: string | null }>(
        `SELECT r.deleted, v.content
         FROM fhir_resources r
         JOIN fhir_resource_versions v USING (resource_type, id, version_id)
         WHERE r.resource_type = $1 AND r.id = $2`,
        [type, id],
      );
      return parseVersion<R>(rows.at(0), `${type}/${id}`);
    },

    async vread<R extends Resource>(
      type: R['resourceType'],
      id: string,
      versionId: string,
      q: Queryable = db,
    ) {
      checkResourceType(type);
      checkResourceId(id);
      const version = parseVersionId(versionId);
      if (version === undefined) throw new StoreError('NOT_FOUND', `${type}/${id} has no such version`);
      const { rows } = await q.query<{ deleted: boolean; content: string | null }>(
        'SELECT deleted, content FROM fhir_resource_versions WHERE resource_type = $1 AND id = $2 AND version_id = $3',
        [type, id, version],
      );
      return parseVersion<R>(rows.at(0), `${type}/${id}/_history/${version}`);
    },

    async history(type, id, { _count = DEFAULT_SEARCH_COUNT } = {}, q = db) {
      checkResourceType(type);
      checkResourceId(id);
      const { rows } = await q.query<CurrentRow>(
        `SELECT version_id, last_updated, deleted, content FROM fhir_resource_versions
         WHERE resource_type = $1 AND id = $2 ORDER BY version_id DESC LIMIT $3`,
        [type, id, checkCount(_count)],
      );
      if (rows.length === 0 && _count > 0) throw new StoreError('NOT_FOUND', `${type}/${id} does not exist`);
      return rows.map((row) => ({
        versionId: String(row.version_id),
        lastUpdated: row.last_updated.toISOString(),
        deleted: row.deleted,
        ...(row.content === null ? {} : { resource: JSON.parse(row.content) as never }),
      }));
    },

    async search(type, { identifier, patient, _count = DEFAULT_SEARCH_COUNT } = {}, q = db) {
      checkResourceType(type);
      const tokens: string[] = [];
      if (identifier !== undefined) tokens.push(identifierSearchToken(identifier));
      if (patient !== undefined) tokens.push(patientSearchToken(patient));
      const limit = checkCount(_count);
      if (limit === 0) return [];
      return searchWithTokens(q, type, tokens, limit);
    },

    async findByIdentifier(tx, type, identifier) {
      checkResourceType(type);
      const token = identifierSearchToken(identifier);
      await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
        IDENTIFIER_LOCK_NAMESPACE,
        `${type} ${token}`,
      ]);
      return searchWithTokens(tx, type, [token], MAX_IDENTIFIER_MATCHES);
    },
  };
  return repository;
}

/** The resource as stored: resourceType, id and meta first (as FHIR servers print them), then the rest. */
function withMeta<R extends Resource>(resource: R, id: string, version: number, at: Date): StoredResource<R> {
  const { resourceType, id: _ignored, meta, ...rest } = resource;
  return {
    resourceType,
    id,
    meta: { ...meta, versionId: String(version), lastUpdated: at.toISOString() },
    ...rest,
  } as unknown as StoredResource<R>;
}

/** The resource without what the server sets, to compare content. */
function withoutVersionMeta(resource: Resource): Resource {
  const { meta, ...rest } = resource;
  if (meta === undefined) return resource;
  const { versionId: _v, lastUpdated: _l, ...otherMeta } = meta;
  return Object.keys(otherMeta).length === 0 ? rest : { ...rest, meta: otherMeta };
}

/** Now, but never before the previous version (clocks of several instances may disagree slightly). */
function nextTimestamp(previous: Date): Date {
  return new Date(Math.max(Date.now(), previous.getTime() + 1));
}

function written<R extends Resource>(action: WriteAction, stored: StoredResource<R>): WriteResult<R> {
  return { action, resource: stored, versionId: stored.meta.versionId, lastUpdated: stored.meta.lastUpdated };
}

function parseVersion<R extends Resource>(
  row: { deleted: boolean; content: string | null } | undefined,
  name: string,
): StoredResource<R> {
  if (!row) throw new StoreError('NOT_FOUND', `${name} does not exist`);
  if (row.deleted || row.content === null) throw new StoreError('DELETED', `${name} was deleted`);
  return JSON.parse(row.content) as StoredResource<R>;
}

function versionConflict(type: string, expected: number, current: number | undefined): StoreError {
  return new StoreError(
    'VERSION_CONFLICT',
    current === undefined
      ? `If-Match names version ${expected} of a ${type} that does not exist`
      : `If-Match names version ${expected}, the current ${type} version is ${current}`,
  );
}

function checkCount(count: number): number {
  if (!Number.isInteger(count) || count < 0) {
    throw new StoreError('INVALID_ARGUMENT', '_count must be a non-negative integer');
  }
  return Math.min(count, MAX_SEARCH_COUNT);
}
