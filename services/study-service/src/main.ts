/** Composition root of the study service: FHIR R4 intake of ImagingStudy and DICOM upload, published to Kafka. */
import { runIntakeService } from '@oncoimg/intake';
import { addDicomUpload } from './dicom-upload.route.ts';
import { imagingStudyIntakeRules } from './imaging-study.intake-rules.ts';

await runIntakeService({
  name: 'study-service',
  resourceType: 'ImagingStudy',
  rules: imagingStudyIntakeRules,
  defaultPort: 8082,
  schema: 'study_service',
  env: process.env,
  extend: addDicomUpload,
});
