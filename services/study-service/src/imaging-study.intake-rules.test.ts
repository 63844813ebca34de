import { OperationOutcomeError } from '@medplum/core';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { validateIntake } from '@oncoimg/intake';
import { DiagnosticChestCtStudy } from '@oncoimg/testing';
import { describe, expect, it } from 'vitest';
import { imagingStudyIntakeRules } from './imaging-study.intake-rules.ts';

function issuesOf(resource: Record<string, unknown>): OperationOutcomeIssue[] {
  try {
    validateIntake(resource, 'ImagingStudy', imagingStudyIntakeRules);
  } catch (error) {
    if (error instanceof OperationOutcomeError) {
      return error.outcome.issue;
    }
    throw error;
  }
  return [];
}

const study = (): Record<string, unknown> =>
  structuredClone(DiagnosticChestCtStudy) as unknown as Record<string, unknown>;

describe('ImagingStudy intake rules', () => {
  it('accepts the persona’s study', () => {
    expect(issuesOf(study())).toEqual([]);
  });

  it('refuses an ImagingStudy without its Study Instance UID, or with a malformed one', () => {
    expect(issuesOf({ ...study(), identifier: [] })).toMatchObject([
      { code: 'required', expression: ['ImagingStudy.identifier'] },
    ]);
    expect(
      issuesOf({ ...study(), identifier: [{ system: 'urn:dicom:uid', value: 'urn:oid:1.2.03' }] }),
    ).toMatchObject([{ expression: ['ImagingStudy.identifier.value'] }]);
  });

  it('refuses a status outside the R4 value set', () => {
    expect(issuesOf({ ...study(), status: 'bogus' })).toMatchObject([
      { code: 'code-invalid', expression: ['ImagingStudy.status'] },
    ]);
  });
});
