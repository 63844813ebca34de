import type { Reference, Resource } from '@medplum/fhirtypes';
import { IMAGING_RESOURCE_TYPES, type ImagingResourceType } from '@oncoimg/fhir-events';

// The timeline is built from the three resources the intake topics carry.
export { IMAGING_RESOURCE_TYPES, type ImagingResource, type ImagingResourceType } from '@oncoimg/fhir-events';

/** True when `value` names one of the three imaging resource types. */
export function isImagingResourceType(value: unknown): value is ImagingResourceType {
  return typeof value === 'string' && (IMAGING_RESOURCE_TYPES as readonly string[]).includes(value);
}

/** The literal target of a reference: `ImagingStudy/abc` → `{ resourceType: 'ImagingStudy', id: 'abc' }`. */
export interface LiteralTarget {
  resourceType: string;
  id: string;
}

// Relative, absolute and versioned references all name a resource by their last `Type/id` pair:
// https://pacs.example.org/fhir/ImagingStudy/7/_history/2 → ImagingStudy/7.
const LITERAL_REFERENCE = /(?:^|\/)([A-Z][A-Za-z]{1,63})\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

/** Parses a literal reference; contained (`#x`), URN and malformed references give undefined. */
export function parseLiteralReference(reference: string | undefined): LiteralTarget | undefined {
  if (!reference || reference.startsWith('#') || reference.startsWith('urn:')) {
    return undefined;
  }
  const match = LITERAL_REFERENCE.exec(reference);
  return match ? { resourceType: match[1], id: match[2] } : undefined;
}

/** The resource a `#id` reference points to inside `contained`. */
export function resolveContained(
  reference: Reference,
  contained: readonly Resource[] | undefined,
): Resource | undefined {
  const target = reference.reference;
  if (!target?.startsWith('#')) {
    return undefined;
  }
  return contained?.find((resource) => resource.id === target.slice(1));
}

/** `ServiceRequest/123`: how the timeline names a resource it holds. */
export function referenceString(resourceType: string, id: string): string {
  return `${resourceType}/${id}`;
}
