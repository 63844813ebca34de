import type { Meta, Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../database.ts';

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
