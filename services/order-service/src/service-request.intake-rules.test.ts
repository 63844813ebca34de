import { OperationOutcomeError } from '@medplum/core';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { validateIntake } from '@oncoimg/intake';
import { DiagnosticChestCtOrder } from '@oncoimg/testing';
import { describe, expect, it } from 'vitest';
import { serviceRequestIntakeRules } from './service-request.intake-rules.ts';

function issuesOf(resource: Record<string, unknown>): OperationOutcomeIssue[] {
  try {
    validateIntake(resource, 'ServiceRequest', serviceRequestIntakeRules);
  } catch (error) {
    if (error instanceof OperationOutcomeError) {
      return error.outcome.issue;
    }
    throw error;
  }
  return [];
}

const order = (): Record<string, unknown> =>
  structuredClone(DiagnosticChestCtOrder) as unknown as Record<string, unknown>;

describe('ServiceRequest intake rules', () => {
  it('accepts the persona’s order', () => {
    expect(issuesOf(order())).toEqual([]);
  });

  it('refuses a status outside the R4 value set, which the R4 validator lets through', () => {
    expect(issuesOf({ ...order(), status: 'bogus' })).toMatchObject([
      { code: 'code-invalid', expression: ['ServiceRequest.status'] },
    ]);
  });

  it('refuses an intent outside the R4 value set', () => {
    expect(issuesOf({ ...order(), intent: 'wish' })).toMatchObject([
      { code: 'code-invalid', expression: ['ServiceRequest.intent'] },
    ]);
  });
});
