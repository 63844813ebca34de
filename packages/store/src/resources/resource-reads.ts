import type { Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../database.ts';
import { StoreError } from '../errors.ts';
import { checkResourceId, checkResourceType, parseVersionId } from './resource-ids.ts';
import type { HistoryEntry, SearchCriteria, StoredResource } from './resource.types.ts';
import { identifierSearchToken, patientSearchToken } from './search-tokens.ts';

/** The reads of the resource repository: current version, one version, history and search. */

/** Results per search when the client does not say. */
export const DEFAULT_SEARCH_COUNT = 100;
/** Largest page a search returns, so one request cannot read a whole table into memory. */
export const MAX_SEARCH_COUNT = 1000;

export async function readResource<R extends Resource>(
  q: Queryable,
  type: R['resourceType'],
  id: string,
): Promise<StoredResource<R>> {
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
}

export async function readVersion<R extends Resource>(
  q: Queryable,
  type: R['resourceType'],
  id: string,
  versionId: string,
): Promise<StoredResource<R>> {
  checkResourceType(type);
  checkResourceId(id);
  const version = parseVersionId(versionId);
  if (version === undefined) {
    throw new StoreError('NOT_FOUND', `${type}/${id} has no such version`);
  }
  const { rows } = await q.query<{ deleted: boolean; content: string | null }>(
    'SELECT deleted, content FROM fhir_resource_versions WHERE resource_type = $1 AND id = $2 AND version_id = $3',
    [type, id, version],
  );
  return parseVersion<R>(rows.at(0), `${type}/${id}/_history/${version}`);
}

export async function readHistory<R extends Resource>(
  q: Queryable,
  type: R['resourceType'],
  id: string,
  { _count = DEFAULT_SEARCH_COUNT }: { _count?: number } = {},
): Promise<HistoryEntry<R>[]> {
  checkResourceType(type);
  checkResourceId(id);
  const { rows } = await q.query<{
    version_id: number;
    last_updated: Date;
    deleted: boolean;
    content: string | null;
  }>(
    `SELECT version_id, last_updated, deleted, content FROM fhir_resource_versions
     WHERE resource_type = $1 AND id = $2 ORDER BY version_id DESC LIMIT $3`,
    [type, id, checkCount(_count)],
  );
  if (rows.length === 0 && _count > 0) {
    throw new StoreError('NOT_FOUND', `${type}/${id} does not exist`);
  }
  return rows.map((row) => ({
    versionId: String(row.version_id),
    lastUpdated: row.last_updated.toISOString(),
    deleted: row.deleted,
    ...(row.content === null ? {} : { resource: JSON.parse(row.content) as StoredResource<R> }),
  }));
}

export async function searchResources<R extends Resource>(
  q: Queryable,
  type: R['resourceType'],
  { identifier, patient, _count = DEFAULT_SEARCH_COUNT }: SearchCriteria = {},
): Promise<StoredResource<R>[]> {
  checkResourceType(type);
  const tokens: string[] = [];
  if (identifier !== undefined) {
    tokens.push(identifierSearchToken(identifier));
  }
  if (patient !== undefined) {
    tokens.push(patientSearchToken(patient));
  }
  const limit = checkCount(_count);
  if (limit === 0) {
    return [];
  }
  return searchWithTokens(q, type, tokens, limit);
}

/** Current, not deleted resources of `type` whose search tokens include all of `tokens`, newest first. */
export async function searchWithTokens<R extends Resource>(
  q: Queryable,
  type: string,
  tokens: string[],
  limit: number,
): Promise<StoredResource<R>[]> {
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
}

function parseVersion<R extends Resource>(
  row: { deleted: boolean; content: string | null } | undefined,
  name: string,
): StoredResource<R> {
  if (!row) {
    throw new StoreError('NOT_FOUND', `${name} does not exist`);
  }
  if (row.deleted || row.content === null) {
    throw new StoreError('DELETED', `${name} was deleted`);
  }
  return JSON.parse(row.content) as StoredResource<R>;
}

function checkCount(count: number): number {
  if (!Number.isInteger(count) || count < 0) {
    throw new StoreError('INVALID_ARGUMENT', '_count must be a non-negative integer');
  }
  return Math.min(count, MAX_SEARCH_COUNT);
}
