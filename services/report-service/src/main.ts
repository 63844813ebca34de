/** Composition root of the report service: FHIR R4 intake of DiagnosticReport, published to Kafka. */
import { runIntakeService } from '@oncoimg/fhir-http';

await runIntakeService({
  name: 'report-service',
  resourceType: 'DiagnosticReport',
  defaultPort: 8083,
  schema: 'report_service',
});
