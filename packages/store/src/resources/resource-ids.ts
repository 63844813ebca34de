import { StoreError } from '../errors.ts';

/** FHIR logical id: https://hl7.org/fhir/R4/datatypes.html#id */
export const RESOURCE_ID = /^[A-Za-z0-9\-.]{1,64}$/;

const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/;

/** Returns the id, or throws INVALID_ARGUMENT when it is not a FHIR logical id. */
export function checkResourceId(id: unknown): string {
  if (typeof id !== 'string' || !RESOURCE_ID.test(id)) {
    throw new StoreError('INVALID_ARGUMENT', `resource id must match ${RESOURCE_ID.source}`);
  }
  return id;
}

/** Returns the type, or throws INVALID_ARGUMENT when it cannot be a FHIR resource type name. */
export function checkResourceType(type: unknown): string {
  if (typeof type !== 'string' || !RESOURCE_TYPE.test(type)) {
    throw new StoreError('INVALID_ARGUMENT', 'resourceType must be a FHIR resource type name');
  }
  return type;
}

/**
 * The version number an If-Match value names. Accepts what clients send: the ETag `W/"3"`, a
 * quoted `"3"` or a bare `3`. Anything else is INVALID_ARGUMENT.
 */
export function parseIfMatch(ifMatch: string): number {
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(ifMatch);
  if (!match) {
    throw new StoreError('INVALID_ARGUMENT', 'If-Match must name a version, e.g. W/"3"');
  }
  return Number(match[1]);
}

/** The version number of a `_history/{vid}` segment, or undefined when it cannot name a version. */
export function parseVersionId(versionId: string): number | undefined {
  return /^[1-9]\d{0,8}$/.test(versionId) ? Number(versionId) : undefined;
}
