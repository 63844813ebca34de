import type { Resource } from '@medplum/fhirtypes';
import { StoreError } from '../errors.ts';
import type { StoredResource, WriteAction, WriteResult } from './resource.types.ts';

/** How a new version of a resource is made: shared by the one-by-one and the bulk writes. */

/** The resource as stored: resourceType, id and meta first (as FHIR servers print them), then the rest. */
export function withMeta<R extends Resource>(
  resource: R,
  id: string,
  version: number,
  at: Date,
): StoredResource<R> {
  const { resourceType, id: _ignored, meta, ...rest } = resource;
  return {
    resourceType,
    id,
    meta: { ...meta, versionId: String(version), lastUpdated: at.toISOString() },
    ...rest,
  } as unknown as StoredResource<R>;
}

/** The resource without what the server sets, to compare content. */
export function withoutVersionMeta(resource: Resource): Resource {
  const { meta, ...rest } = resource;
  if (meta === undefined) {
    return resource;
  }
  const { versionId: _v, lastUpdated: _l, ...otherMeta } = meta;
  return Object.keys(otherMeta).length === 0 ? rest : { ...rest, meta: otherMeta };
}

/** Now, but never before the previous version (clocks of several instances may disagree slightly). */
export function nextTimestamp(previous: Date): Date {
  return new Date(Math.max(Date.now(), previous.getTime() + 1));
}

export function written<R extends Resource>(action: WriteAction, stored: StoredResource<R>): WriteResult<R> {
  return { action, resource: stored, versionId: stored.meta.versionId, lastUpdated: stored.meta.lastUpdated };
}

export function versionConflict(type: string, expected: number, current: number | undefined): StoreError {
  return new StoreError(
    'VERSION_CONFLICT',
    current === undefined
      ? `If-Match names version ${expected} of a ${type} that does not exist`
      : `If-Match names version ${expected}, the current ${type} version is ${current}`,
  );
}
