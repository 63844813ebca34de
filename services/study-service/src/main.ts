/** Composition root of the study service: FHIR R4 intake of ImagingStudy and DICOM upload, published to Kafka. */
import { runIntakeService } from '@oncoimg/fhir-http';
import { addDicomUpload } from './dicom-upload.route.ts';

await runIntakeService({
  name: 'study-service',
  resourceType: 'ImagingStudy',
  defaultPort: 8082,
  schema: 'study_service',
  extend: addDicomUpload,
});
