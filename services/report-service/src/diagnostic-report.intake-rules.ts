import { requiredCodeIssues, type IntakeRules } from '@oncoimg/intake';

/** What the timeline needs of a report beyond R4: a status it can tell preliminary from final by. */
export const diagnosticReportIntakeRules: IntakeRules<'DiagnosticReport'> = {
  resourceType: 'DiagnosticReport',
  check: (resource) =>
    requiredCodeIssues(resource, {
      status: [
        'registered',
        'partial',
        'preliminary',
        'final',
        'amended',
        'corrected',
        'appended',
        'cancelled',
        'entered-in-error',
        'unknown',
      ],
    }),
};
