/** Composition root of the order service: FHIR R4 intake of ServiceRequest, published to Kafka. */
import { runIntakeService } from '@oncoimg/intake';
import { serviceRequestIntakeRules } from './service-request.intake-rules.ts';

await runIntakeService({
  name: 'order-service',
  resourceType: 'ServiceRequest',
  rules: serviceRequestIntakeRules,
  defaultPort: 8081,
  schema: 'order_service',
  env: process.env,
});
