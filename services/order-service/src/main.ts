/** Composition root of the order service: FHIR R4 intake of ServiceRequest, published to Kafka. */
import { runIntakeService } from '@oncoimg/fhir-http';

await runIntakeService({
  name: 'order-service',
  resourceType: 'ServiceRequest',
  defaultPort: 8081,
  schema: 'order_service',
});
