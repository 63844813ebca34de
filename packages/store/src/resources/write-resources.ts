import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import type { Database, Queryable } from '../database.ts';
import { StoreError } from '../errors.ts';
import {
  keyOf,
  lockCurrentMany,
  lockIdentifierMatches,
  writeAll,
  type BulkOutboxMessage,
  type CurrentRow,
  type LockedCurrent,
  type VersionRow,
} from './bulk-statements.ts';
import { jsonEqual } from './json-equal.ts';
import { checkResourceId, checkResourceType, parseIfMatch } from './resource-ids.ts';
import {
  nextTimestamp,
  versionConflict,
  withMeta,
  withoutVersionMeta,
  written,
} from './resource-versions.ts';
import type { StoredResource, WriteResult } from './resource.types.ts';
import { identifierSearchToken, searchTokensOf } from './search-tokens.ts';

/** One write of a bulk, with the options of the one-by-one repository write it stands for. */
export type ResourceWriteRequest =
  | {
      method: 'create';
      resource: Resource;
      /** A server-assigned id chosen beforehand (a transaction's `urn:uuid:` entry); a new UUID when absent. */
      id?: string;
      /** `If-None-Exist`'s identifier search value (`system|value`): create only when nothing carries it. */
      ifNoneExist?: string;
    }
  | { method: 'update'; resource: Resource; ifMatch?: string }
  | { method: 'delete'; type: string; id: string; ifMatch?: string };

/** What one write did; `existing` marks a conditional create that found its match (nothing written). */
export type ResourceWriteAnswer =
  { ok: true; result: WriteResult; existing?: boolean } | { ok: false; error: unknown };

export interface WriteResourcesOptions {
  /** A FHIR transaction: the first failing write fails the bulk and nothing is written. Else each write fails alone. */
  atomic: boolean;
  /** The event of a write that made a version, enqueued in the outbox with it. */
  outboxMessage?: (result: WriteResult, index: number) => BulkOutboxMessage;
  /** The error of a conditional create whose identifier several resources carry. */
  severalMatches?: (count: number) => Error;
}

/** A resource as the bulk sees it at one point of its entries, in order. */
interface State {
  version: number;
  lastUpdated: Date;
  deleted: boolean;
  resource: StoredResource | undefined;
  /** Its version before the bulk; undefined when the bulk creates it. */
  locked: number | undefined;
}

/**
 * Writes many resources with a handful of statements, with the outcome the one-by-one writes would
 * have given in the same order: entries see the writes of the entries before them (a conditional
 * create finds a resource created earlier in the bulk, a second PUT of one id makes version 2).
 * Reads lock first (current rows, identifiers), the outcomes are worked out in memory, then one
 * statement writes everything. Without reads (plain creates) that statement is the whole
 * transaction: one round trip.
 */
export async function writeResources(
  db: Database,
  requests: readonly ResourceWriteRequest[],
  options: WriteResourcesOptions,
): Promise<ResourceWriteAnswer[]> {
  const needsReads = requests.some(
    (request) => request.method !== 'create' || request.ifNoneExist !== undefined,
  );
  if (!needsReads) {
    return resolveAndWrite(db, requests, options, new Map(), new Map());
  }
  return db.transaction(async (tx) => {
    const keys = new Map<string, { type: string; id: string }>();
    const tokens = new Map<string, string[]>();
    for (const request of requests) {
      const target = targetOf(request);
      if (target) {
        keys.set(keyOf(target.type, target.id), target);
      } else if (request.method === 'create' && request.ifNoneExist !== undefined) {
        const token = safeToken(request.ifNoneExist);
        if (token !== undefined) {
          const list = tokens.get(request.resource.resourceType) ?? [];
          tokens.set(request.resource.resourceType, [...list, token]);
        }
      }
    }
    const locked = await lockCurrentMany(tx, [...keys.values()]);
    const matches = new Map<string, StoredResource[]>();
    for (const [type, list] of tokens) {
      for (const [token, found] of await lockIdentifierMatches(tx, type, list)) {
        matches.set(`${type} ${token}`, found);
      }
    }
    return resolveAndWrite(tx, requests, options, locked, matches);
  });
}

async function resolveAndWrite(
  q: Queryable,
  requests: readonly ResourceWriteRequest[],
  options: WriteResourcesOptions,
  locked: ReadonlyMap<string, LockedCurrent>,
  matches: ReadonlyMap<string, StoredResource[]>,
): Promise<ResourceWriteAnswer[]> {
  const states = new Map<string, State>();
  for (const [key, row] of locked) {
    states.set(key, { ...row, locked: row.version });
  }
  const versions: VersionRow[] = [];
  const answers: ResourceWriteAnswer[] = [];
  const outbox: BulkOutboxMessage[] = [];

  const store = (type: string, id: string, state: State): void => {
    states.set(keyOf(type, id), state);
    versions.push({
      type,
      id,
      version: state.version,
      lastUpdated: state.lastUpdated.toISOString(),
      deleted: state.deleted,
      content: state.deleted ? null : JSON.stringify(state.resource),
    });
  };

  const conditionalMatches = (type: string, token: string): StoredResource[] => {
    const found = (matches.get(`${type} ${token}`) ?? []).filter((r) => !states.has(keyOf(type, r.id)));
    for (const [key, state] of states) {
      if (key.startsWith(`${type}/`) && !state.deleted && state.resource) {
        if (searchTokensOf(state.resource).includes(token)) {
          found.push(state.resource);
        }
      }
    }
    return found;
  };

  const create = (resource: Resource, id: string): WriteResult => {
    const type = checkResourceType(resource.resourceType);
    checkResourceId(id);
    if (states.has(keyOf(type, id))) {
      throw new StoreError('UNIQUE_VIOLATION', `${type} id collision`);
    }
    const stored = withMeta(resource, id, 1, new Date());
    const state: State = {
      version: 1,
      lastUpdated: new Date(stored.meta.lastUpdated),
      deleted: false,
      resource: stored,
      locked: undefined,
    };
    store(type, id, state);
    return written('created', stored);
  };

  const run = (request: ResourceWriteRequest): { result: WriteResult; existing?: boolean } => {
    switch (request.method) {
      case 'create': {
        if (request.ifNoneExist !== undefined) {
          const type = checkResourceType(request.resource.resourceType);
          const found = conditionalMatches(type, identifierSearchToken(request.ifNoneExist));
          if (found.length > 1) {
            throw (
              options.severalMatches?.(found.length) ??
              new StoreError('VERSION_CONFLICT', `If-None-Exist matches ${String(found.length)} resources`)
            );
          }
          const match = found.at(0);
          if (match) {
            return { result: { ...written('unchanged', match) }, existing: true };
          }
        }
        return { result: create(request.resource, request.id ?? randomUUID()) };
      }
      case 'update': {
        const type = checkResourceType(request.resource.resourceType);
        const id = checkResourceId(request.resource.id);
        const expected = request.ifMatch === undefined ? undefined : parseIfMatch(request.ifMatch);
        const current = states.get(keyOf(type, id));
        if (!current) {
          if (expected !== undefined) {
            throw versionConflict(type, expected, undefined);
          }
          return { result: create(request.resource, id) };
        }
        if (expected !== undefined && expected !== current.version) {
          throw versionConflict(type, expected, current.version);
        }
        if (!current.deleted && current.resource) {
          if (jsonEqual(withoutVersionMeta(current.resource), withoutVersionMeta(request.resource))) {
            return { result: written('unchanged', current.resource) };
          }
        }
        const stored = withMeta(
          request.resource,
          id,
          current.version + 1,
          nextTimestamp(current.lastUpdated),
        );
        store(type, id, {
          ...current,
          version: current.version + 1,
          lastUpdated: new Date(stored.meta.lastUpdated),
          deleted: false,
          resource: stored,
        });
        return { result: written(current.deleted ? 'created' : 'updated', stored) };
      }
      case 'delete': {
        const type = checkResourceType(request.type);
        const id = checkResourceId(request.id);
        const expected = request.ifMatch === undefined ? undefined : parseIfMatch(request.ifMatch);
        const current = states.get(keyOf(type, id));
        if (!current) {
          throw new StoreError('NOT_FOUND', `${type}/${id} does not exist`);
        }
        if (expected !== undefined && expected !== current.version) {
          throw versionConflict(type, expected, current.version);
        }
        const last = current.resource as StoredResource;
        if (current.deleted) {
          return {
            result: {
              action: 'unchanged',
              resource: last,
              versionId: String(current.version),
              lastUpdated: current.lastUpdated.toISOString(),
            },
          };
        }
        const at = nextTimestamp(current.lastUpdated);
        store(type, id, { ...current, version: current.version + 1, lastUpdated: at, deleted: true });
        return {
          result: {
            action: 'deleted',
            resource: last,
            versionId: String(current.version + 1),
            lastUpdated: at.toISOString(),
          },
        };
      }
    }
  };

  for (const [index, request] of requests.entries()) {
    try {
      const answer = run(request);
      if (answer.result.action !== 'unchanged' && options.outboxMessage) {
        outbox.push(options.outboxMessage(answer.result, index));
      }
      answers.push({ ok: true, ...answer });
    } catch (error) {
      if (options.atomic) {
        throw error;
      }
      answers.push({ ok: false, error });
    }
  }
  if (versions.length > 0) {
    const current: CurrentRow[] = [...states.entries()]
      .filter(([, state]) => state.locked !== state.version)
      .map(([key, state]) => {
        const slash = key.indexOf('/');
        return {
          type: key.slice(0, slash),
          id: key.slice(slash + 1),
          version: state.version,
          lastUpdated: state.lastUpdated.toISOString(),
          deleted: state.deleted,
          tokens: state.deleted || !state.resource ? [] : searchTokensOf(state.resource),
          previous: state.locked,
        };
      });
    await writeAll(q, versions, current, outbox);
  }
  return answers;
}

function targetOf(request: ResourceWriteRequest): { type: string; id: string } | undefined {
  if (request.method === 'delete') {
    return typeof request.type === 'string' && typeof request.id === 'string'
      ? { type: request.type, id: request.id }
      : undefined;
  }
  if (request.method === 'update') {
    const { resourceType, id } = request.resource;
    return typeof id === 'string' ? { type: resourceType, id } : undefined;
  }
  return undefined;
}

/** The search token of an If-None-Exist value; undefined when it is invalid (its entry fails on its own). */
function safeToken(ifNoneExist: string): string | undefined {
  try {
    return identifierSearchToken(ifNoneExist);
  } catch {
    return undefined;
  }
}
