import { OperationOutcomeError } from '@medplum/core';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { DEFAULT_SEARCH_COUNT, MAX_SEARCH_COUNT } from '@oncoimg/store';
import { describe, expect, it } from 'vitest';
import { parseIfNoneExist, parseSearchQuery, requireIdOfUrl, requireType } from './fhir-request.ts';
import { statusOf } from './outcomes.ts';

function refusal(run: () => unknown): [number, OperationOutcome] {
  try {
    run();
  } catch (error) {
    if (error instanceof OperationOutcomeError) {
      return [statusOf(error.outcome), error.outcome];
    }
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('parseIfNoneExist', () => {
  it('reads identifier=system|value, with or without a leading query mark or path', () => {
    expect(parseIfNoneExist('identifier=urn:x|42')).toBe('urn:x|42');
    expect(parseIfNoneExist('ServiceRequest?identifier=urn:x|42')).toBe('urn:x|42');
  });

  it('refuses any other search parameter, or more than one, with 400 naming the header', () => {
    for (const header of ['patient=Patient/1', 'identifier=a|1&status=active', '']) {
      const [status, outcome] = refusal(() => parseIfNoneExist(header));
      expect(status).toBe(400);
      expect(outcome.issue[0]?.expression).toEqual(['If-None-Exist']);
    }
  });
});

describe('parseSearchQuery', () => {
  it('takes identifier, patient or subject, and a page size', () => {
    expect(parseSearchQuery({ subject: 'Patient/1', _count: '5' })).toEqual({
      identifier: undefined,
      patient: 'Patient/1',
      _count: 5,
    });
    expect(parseSearchQuery({ identifier: 'a|1' })._count).toBe(DEFAULT_SEARCH_COUNT);
  });

  it('refuses unknown parameters and a page size out of bounds', () => {
    expect(refusal(() => parseSearchQuery({ status: 'active' }))[1].issue[0]?.expression).toEqual(['status']);
    for (const count of ['0', String(MAX_SEARCH_COUNT + 1), '2.5', 'many']) {
      expect(refusal(() => parseSearchQuery({ _count: count }))[0]).toBe(400);
    }
  });
});

describe('requireType and requireIdOfUrl', () => {
  it('answers 404 for a type this service does not serve', () => {
    expect(() => requireType('ServiceRequest', 'ServiceRequest')).not.toThrow();
    expect(refusal(() => requireType('Patient', 'ServiceRequest'))[0]).toBe(404);
  });

  it('answers 400 when the body names another resource than the URL', () => {
    expect(() => requireIdOfUrl({ id: 'a' }, 'a', 'ServiceRequest')).not.toThrow();
    const [status, outcome] = refusal(() => requireIdOfUrl({ id: 'b' }, 'a', 'ServiceRequest'));
    expect(status).toBe(400);
    expect(outcome.issue[0]?.expression).toEqual(['ServiceRequest.id']);
  });
});
