import type { Identifier, Resource } from '@medplum/fhirtypes';
import { patientKeyOf, patientKeyOfReference, type SubjectResource } from '@oncoimg/fhir-events';
import { StoreError } from '../errors.ts';

/**
 * Search index entries of a resource, stored in one text[] column with a GIN index: one index
 * write per resource, whatever the number of identifiers. Each entry names its search parameter,
 * so `identifier=a|b` can never match a patient key `a|b`:
 *
 * - `identifier:{system}|{value}` and, for an identifier without system, `identifier:|{value}`;
 * - `identifier-value:{value}` for `identifier={value}` (any system);
 * - `patient:{key}` for each patient key: the subject's identifier key and its literal reference.
 */
export function searchTokensOf(resource: Resource): string[] {
  const tokens = new Set<string>();
  for (const identifier of identifiersOf(resource)) {
    if (!identifier.value) {
      continue;
    }
    tokens.add(`identifier:${identifier.system ?? ''}|${identifier.value}`);
    tokens.add(`identifier-value:${identifier.value}`);
  }
  for (const key of patientKeysOf(resource)) {
    tokens.add(`patient:${key}`);
  }
  return [...tokens];
}

/**
 * Every key that names the resource's patient. A subject with both an identifier and a reference
 * is found by either: the identifier is the Kafka key (`patientKeyOf`), the reference is what a
 * FHIR client searching `patient=Patient/7` knows.
 */
export function patientKeysOf(resource: Resource): string[] {
  if (!('subject' in resource) || resource.subject === undefined) {
    return [];
  }
  const subjectResource = resource as SubjectResource;
  const keys = new Set<string>();
  const primary = patientKeyOf(subjectResource);
  if (primary) {
    keys.add(primary);
  }
  const reference = subjectResource.subject?.reference;
  if (reference) {
    const literal = patientKeyOfReference(
      { reference, type: subjectResource.subject?.type },
      subjectResource.contained,
    );
    if (literal) {
      keys.add(literal);
    }
  }
  return [...keys];
}

/**
 * The index entry for an `identifier` search value: `system|value`, `|value` (no system) or
 * `value` (any system). A `|` or `\` inside a part is escaped with `\` as FHIR search does.
 */
export function identifierSearchToken(query: string): string {
  const separator = firstUnescapedPipe(query);
  if (separator === -1) {
    const value = unescapeSearch(query);
    if (value === '') {
      throw new StoreError('INVALID_ARGUMENT', 'identifier search needs a value');
    }
    return `identifier-value:${value}`;
  }
  const system = unescapeSearch(query.slice(0, separator));
  const value = unescapeSearch(query.slice(separator + 1));
  if (value === '') {
    throw new StoreError('INVALID_ARGUMENT', 'identifier search needs a value after "|"');
  }
  return `identifier:${system}|${value}`;
}

const LOGICAL_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * The index entry for a `patient` search value: a patient key (`system|value`), a reference
 * (`Patient/7`, absolute or versioned) or a bare id (`7`, meaning `Patient/7`, as FHIR reads it).
 */
export function patientSearchToken(patient: string): string {
  if (patient.includes('|')) {
    return `patient:${patient}`;
  }
  const reference = patientKeyOfReference({ reference: patient });
  if (reference) {
    return `patient:${reference}`;
  }
  if (LOGICAL_ID.test(patient)) {
    return `patient:Patient/${patient}`;
  }
  throw new StoreError(
    'INVALID_ARGUMENT',
    'patient search needs a patient key, a Patient reference or an id',
  );
}

function identifiersOf(resource: Resource): Identifier[] {
  if (!('identifier' in resource) || resource.identifier === undefined) {
    return [];
  }
  const identifier: unknown = resource.identifier;
  if (Array.isArray(identifier)) {
    return identifier as Identifier[];
  }
  // A few resource types have a single Identifier rather than a list.
  return typeof identifier === 'object' && identifier !== null ? [identifier] : [];
}

function firstUnescapedPipe(text: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
    } else if (text[i] === '|') {
      return i;
    }
  }
  return -1;
}

function unescapeSearch(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}
