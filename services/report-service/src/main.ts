/** Composition root of the report service: FHIR R4 intake of DiagnosticReport, published to Kafka. */
import { runIntakeService } from '@oncoimg/intake';
import { diagnosticReportIntakeRules } from './diagnostic-report.intake-rules.ts';

await runIntakeService({
  name: 'report-service',
  resourceType: 'DiagnosticReport',
  rules: diagnosticReportIntakeRules,
  defaultPort: 8083,
  schema: 'report_service',
  env: process.env,
});
