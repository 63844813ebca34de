import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fixturesDir } from '../fixtures.ts';
import type { DiagnosticReport, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';

function readExample(file: string, resourceType: string): { resourceType: string } {
  const resource = JSON.parse(
    readFileSync(path.join(fixturesDir(), 'fhir', 'r4-examples', file), 'utf8'),
  ) as { resourceType?: string };
  if (resource.resourceType !== resourceType) {
    throw new Error(`${file} is not a ${resourceType}`);
  }
  return { ...resource, resourceType };
}

/** HL7 FHIR R4 example `servicerequest-example-di`: "Chest CT" for Patient/dicom, reason "Check for metastatic disease". */
export function hl7ServiceRequestDi(): ServiceRequest {
  return readExample('servicerequest-example-di.json', 'ServiceRequest') as ServiceRequest;
}

/** HL7 FHIR R4 example `imagingstudy-example`: one CT series of Patient/dicom with a Study UID, no accession, no basedOn. */
export function hl7ImagingStudyExample(): ImagingStudy {
  return readExample('imagingstudy-example.json', 'ImagingStudy') as ImagingStudy;
}

/** HL7 FHIR R4 example `diagnosticreport-example-ultrasound`: a final abdominal ultrasound report of Patient/example, no links. */
export function hl7DiagnosticReportUltrasound(): DiagnosticReport {
  return readExample('diagnosticreport-example-ultrasound.json', 'DiagnosticReport') as DiagnosticReport;
}
