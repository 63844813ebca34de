import { OperationOutcomeError } from '@medplum/core';
import { DEFAULT_SEARCH_COUNT, MAX_SEARCH_COUNT, type SearchCriteria } from '@oncoimg/store';
import type { Request } from 'express';
import { SEARCH_PARAMETERS } from './capability-statement.ts';
import { outcomeWithStatus } from './outcomes.ts';

/** The URL the router is mounted at, as the client reached it: `http://host:port/fhir`. */
export function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
}

/** Refuses a `{type}` path segment other than the one resource type this service serves. */
export function requireType(type: unknown, served: string): void {
  if (type !== served) {
    throw new OperationOutcomeError(
      outcomeWithStatus(404, 'not-supported', `this service serves ${served} only, not ${String(type)}`),
    );
  }
}

/** A PUT body must name the resource the URL names. */
export function requireIdOfUrl(body: Record<string, unknown>, id: unknown, resourceType: string): void {
  if (body.id !== id) {
    throw new OperationOutcomeError(
      outcomeWithStatus(400, 'invalid', 'resource id must equal the id in the URL', `${resourceType}.id`),
    );
  }
}

/** `identifier=system|value` of an If-None-Exist header; other search parameters are not supported. */
export function parseIfNoneExist(header: string): string {
  const query = new URLSearchParams(header.replace(/^.*\?/, ''));
  const keys = [...new Set(query.keys())];
  const identifier = query.get('identifier');
  if (keys.length !== 1 || !identifier) {
    throw new OperationOutcomeError(
      outcomeWithStatus(
        400,
        'not-supported',
        'If-None-Exist supports one parameter: identifier=system|value',
        'If-None-Exist',
      ),
    );
  }
  return identifier;
}

/** The search criteria of `GET /fhir/{Type}?…`; unknown parameters and a bad `_count` are refused. */
export function parseSearchQuery(query: Readonly<Record<string, unknown>>): SearchCriteria {
  const known = new Set<string>(SEARCH_PARAMETERS);
  const unknown = Object.keys(query).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new OperationOutcomeError(
      outcomeWithStatus(
        400,
        'not-supported',
        `unsupported search parameter ${unknown.join(', ')}`,
        unknown[0],
      ),
    );
  }
  const text = (name: string) => {
    const value = query[name];
    return typeof value === 'string' ? value : undefined;
  };
  const count = text('_count') === undefined ? DEFAULT_SEARCH_COUNT : Number(text('_count'));
  if (!Number.isInteger(count) || count < 1 || count > MAX_SEARCH_COUNT) {
    throw new OperationOutcomeError(
      outcomeWithStatus(400, 'invalid', `_count must be 1 to ${String(MAX_SEARCH_COUNT)}`, '_count'),
    );
  }
  return { identifier: text('identifier'), patient: text('patient') ?? text('subject'), _count: count };
}
