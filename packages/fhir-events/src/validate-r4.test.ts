import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateR4 } from './validate-r4.ts';

const fixtures =
  process.env.ONCOIMG_FIXTURES ?? join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'fixtures');

function r4Examples(): string[] {
  const dir = join(fixtures, 'fhir', 'r4-examples');
  try {
    return readdirSync(dir)
      .filter((f) => /^(servicerequest|imagingstudy|diagnosticreport)/i.test(f) && f.endsWith('.json'))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

describe('R4 validation', () => {
  it('accepts a minimal valid ServiceRequest', () => {
    expect(
      validateR4({
        resourceType: 'ServiceRequest',
        status: 'active',
        intent: 'order',
        subject: { reference: 'Patient/1' },
      }),
    ).toEqual([]);
  });

  it('names the missing required element and where it is', () => {
    const issues = validateR4({
      resourceType: 'ServiceRequest',
      intent: 'order',
      subject: { reference: 'Patient/1' },
    });
    expect(issues).toEqual([
      expect.objectContaining({ severity: 'error', expression: ['ServiceRequest.status'] }),
    ]);
  });

  it('refuses unknown properties', () => {
    const issues = validateR4({
      resourceType: 'ImagingStudy',
      status: 'available',
      subject: { reference: 'Patient/1' },
      colour: 'red',
    });
    expect(issues.some((issue) => issue.expression?.includes('ImagingStudy.colour'))).toBe(true);
  });

  it.each(r4Examples())('accepts the official HL7 R4 example %s', (file) => {
    expect(validateR4(JSON.parse(readFileSync(file, 'utf8')))).toEqual([]);
  });
});
