import type { DiagnosticReport, ImagingStudy, Reference, Resource, ServiceRequest } from '@medplum/fhirtypes';

/** Resources whose subject decides the Kafka key. */
export type SubjectResource = ServiceRequest | ImagingStudy | DiagnosticReport;

/**
 * The patient key: `system|value` of the subject's identifier when present, else the literal
 * `Patient/{id}` reference. Returns undefined when the subject does not identify a Patient.
 *
 * A contained Patient (`#p1`) is followed to its identifier, because systems do not share ids:
 * the identifier is the only key that joins the same patient across EHR, PACS and RIS.
 */
export function patientKeyOf(resource: SubjectResource): string | undefined {
  return patientKeyOfReference(resource.subject, resource.contained);
}

export function patientKeyOfReference(
  subject: Reference | undefined,
  contained?: Resource[],
): string | undefined {
  if (!subject) {
    return undefined;
  }
  if (subject.type && subject.type !== 'Patient') {
    return undefined;
  }
  const identifier = subject.identifier;
  if (identifier?.system && identifier.value) {
    return `${identifier.system}|${identifier.value}`;
  }
  const reference = subject.reference;
  if (!reference) {
    return undefined;
  }
  if (reference.startsWith('#')) {
    const patient = contained?.find((r) => r.resourceType === 'Patient' && r.id === reference.slice(1));
    const identifiers = patient && 'identifier' in patient ? patient.identifier : undefined;
    const id = (Array.isArray(identifiers) ? identifiers : identifiers ? [identifiers] : []).find(
      (i) => i.system && i.value,
    );
    return id ? `${id.system}|${id.value}` : undefined;
  }
  // Absolute and versioned references name the same patient: https://x/fhir/Patient/7/_history/2 → Patient/7
  const match = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
  return match ? `Patient/${match[1]}` : undefined;
}
