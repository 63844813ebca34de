import type { DiagnosticReport } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { diagnosticReportIntakeRules } from './diagnostic-report.intake-rules.ts';

const report = (status: string): DiagnosticReport =>
  ({ resourceType: 'DiagnosticReport', status, code: { text: 'CT chest' } }) as DiagnosticReport;

describe('DiagnosticReport intake rules', () => {
  it('accepts each status of the R4 value set and refuses any other', () => {
    expect(diagnosticReportIntakeRules.check(report('final'))).toEqual([]);
    expect(diagnosticReportIntakeRules.check(report('amended'))).toEqual([]);
    expect(diagnosticReportIntakeRules.check(report('signed'))).toMatchObject([
      { code: 'code-invalid', expression: ['DiagnosticReport.status'] },
    ]);
  });
});
