import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import type { Database, Queryable } from '../database.ts';
import { StoreError } from '../errors.ts';
import { jsonEqual } from './json-equal.ts';
import { checkResourceId, checkResourceType, parseIfMatch } from './resource-ids.ts';
import {
  readHistory,
  readResource,
  readVersion,
  searchResources,
  searchWithTokens,
} from './resource-reads.ts';
import type { ResourceRepository, StoredResource } from './resource.types.ts';
import {
  nextTimestamp,
  versionConflict,
  withMeta,
  withoutVersionMeta,
  written,
} from './resource-versions.ts';
import { identifierSearchToken, searchTokensOf } from './search-tokens.ts';

/** Most matches a conditional lookup returns: callers only tell none, one and several apart. */
export const MAX_IDENTIFIER_MATCHES = 100;
/** First key of the advisory locks that serialise conditional creates of the same identifier. */
export const IDENTIFIER_LOCK_NAMESPACE = 0x69646e74; // 'idnt'

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
    if (!row) {
      throw new StoreError('QUERY_FAILED', `${type} history has no version before its deletion`);
    }
    return JSON.parse(row.content) as Resource;
  };

  const repository: ResourceRepository = {
    async create(tx, resource) {
      const type = checkResourceType(resource.resourceType);
      const id = randomUUID();
      const stored = await insertNew(tx, type, id, resource);
      if (!stored) {
        throw new StoreError('UNIQUE_VIOLATION', `${type} id collision`);
      }
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
          if (expected !== undefined) {
            throw versionConflict(type, expected, undefined);
          }
          const stored = await insertNew(tx, type, id, resource);
          if (stored) {
            return written('created', stored);
          }
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
      if (!current) {
        throw new StoreError('NOT_FOUND', `${type}/${id} does not exist`);
      }
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

    read: (type, id, q = db) => readResource(q, type, id),
    vread: (type, id, versionId, q = db) => readVersion(q, type, id, versionId),
    history: (type, id, options, q = db) => readHistory(q, type, id, options),
    search: (type, criteria, q = db) => searchResources(q, type, criteria),

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

/** Stores version 1 of a new resource; undefined when a resource of that type and id exists already. */
async function insertNew<R extends Resource>(
  tx: Queryable,
  type: string,
  id: string,
  resource: R,
): Promise<StoredResource<R> | undefined> {
  const stored = withMeta(resource, id, 1, new Date());
  const { rowCount } = await tx.query(INSERT_NEW, [
    type,
    id,
    1,
    stored.meta.lastUpdated,
    searchTokensOf(stored),
    JSON.stringify(stored),
  ]);
  return rowCount === 1 ? stored : undefined;
}
