import { OperationOutcomeError } from '@medplum/core';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { DiagnosticChestCtOrder, DiagnosticChestCtStudy } from '@oncoimg/testing';
import { describe, expect, it } from 'vitest';
import { validateIntake } from './intake-rules.ts';

function outcomeOf(
  resource: Record<string, unknown>,
  type: 'ServiceRequest' | 'ImagingStudy',
): OperationOutcome {
  try {
    validateIntake(resource, type);
  } catch (error) {
    if (error instanceof OperationOutcomeError) return error.outcome;
    throw error;
  }
  return { resourceType: 'OperationOutcome', issue: [] };
}

const order = (): Record<string, unknown> =>
  structuredClone(DiagnosticChestCtOrder) as unknown as Record<string, unknown>;
const study = (): Record<string, unknown> =>
  structuredClone(DiagnosticChestCtStudy) as unknown as Record<string, unknown>;

describe('validateIntake', () => {
  it('accepts the personas’ order and study', () => {
    expect(outcomeOf(order(), 'ServiceRequest').issue).toEqual([]);
    expect(outcomeOf(study(), 'ImagingStudy').issue).toEqual([]);
  });

  it('refuses a resource of another type at this endpoint', () => {
    const outcome = outcomeOf(study(), 'ServiceRequest');
    expect(outcome.issue).toMatchObject([{ code: 'not-supported', expression: ['resourceType'] }]);
  });

  it('refuses a status outside the R4 value set, which the R4 validator lets through', () => {
    const outcome = outcomeOf({ ...order(), status: 'bogus' }, 'ServiceRequest');
    expect(outcome.issue).toMatchObject([{ code: 'code-invalid', expression: ['ServiceRequest.status'] }]);
  });

  it('refuses a subject that does not identify a Patient', () => {
    const outcome = outcomeOf({ ...order(), subject: { reference: 'Group/ward-7' } }, 'ServiceRequest');
    expect(outcome.issue).toMatchObject([{ code: 'required', expression: ['ServiceRequest.subject'] }]);
  });

  it('refuses an ImagingStudy without its Study Instance UID, or with a malformed one', () => {
    const withoutUid = outcomeOf({ ...study(), identifier: [] }, 'ImagingStudy');
    expect(withoutUid.issue).toMatchObject([{ code: 'required', expression: ['ImagingStudy.identifier'] }]);
    const malformed = outcomeOf(
      { ...study(), identifier: [{ system: 'urn:dicom:uid', value: 'urn:oid:1.2.03' }] },
      'ImagingStudy',
    );
    expect(malformed.issue).toMatchObject([{ expression: ['ImagingStudy.identifier.value'] }]);
  });

  it('reports R4 structure errors with the path of the element', () => {
    const outcome = outcomeOf({ ...order(), intent: 42 }, 'ServiceRequest');
    expect(outcome.issue.length).toBeGreaterThan(0);
    expect(outcome.issue.flatMap((issue) => issue.expression ?? []).join(' ')).toContain('intent');
  });
});
