import { OperationOutcomeError } from '@medplum/core';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { DiagnosticChestCtOrder, DiagnosticChestCtStudy } from '@oncoimg/testing';
import { describe, expect, it } from 'vitest';
import { requiredCodeIssues, validateIntake, type IntakeRules } from './intake-rules.ts';

function outcomeOf(
  resource: Record<string, unknown>,
  type: 'ServiceRequest' | 'ImagingStudy',
): OperationOutcome {
  try {
    validateIntake(resource, type);
  } catch (error) {
    if (error instanceof OperationOutcomeError) {
      return error.outcome;
    }
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

  it('refuses a subject that does not identify a Patient', () => {
    const outcome = outcomeOf({ ...order(), subject: { reference: 'Group/ward-7' } }, 'ServiceRequest');
    expect(outcome.issue).toMatchObject([{ code: 'required', expression: ['ServiceRequest.subject'] }]);
  });

  it('applies the rules of the resource type it is given, after the shared ones pass R4', () => {
    const rules: IntakeRules<'ServiceRequest'> = {
      resourceType: 'ServiceRequest',
      check: (resource) => requiredCodeIssues(resource, { status: ['active'] }),
    };
    const issues = (resource: Record<string, unknown>) => {
      try {
        validateIntake(resource, 'ServiceRequest', rules);
        return [];
      } catch (error) {
        return (error as OperationOutcomeError).outcome.issue;
      }
    };
    expect(issues({ ...order(), status: 'completed' })).toMatchObject([
      { code: 'code-invalid', expression: ['ServiceRequest.status'] },
    ]);
    expect(issues({ ...order(), status: 'active' })).toEqual([]);
  });

  it('reports R4 structure errors with the path of the element', () => {
    const outcome = outcomeOf({ ...order(), intent: 42 }, 'ServiceRequest');
    expect(outcome.issue.length).toBeGreaterThan(0);
    expect(outcome.issue.flatMap((issue) => issue.expression ?? []).join(' ')).toContain('intent');
  });
});
