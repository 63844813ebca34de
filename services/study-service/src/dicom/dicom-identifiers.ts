import type { Identifier } from '@medplum/fhirtypes';
import type { DicomInstanceHeader, DicomIssuer } from './dicom-instance-header.ts';
import { UID_PATTERN } from './transfer-syntax.ts';

export const IDENTIFIER_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v2-0203';

/**
 * System of Patient IDs whose issuer is unknown. A DICOM Patient ID has no FHIR system; deployments
 * that know which EHR assigns them set `defaultPatientIdSystem` (or `issuerSystems`) so studies
 * share the patient key of that EHR's orders and reports.
 */
export const DEFAULT_PATIENT_ID_SYSTEM = 'urn:oncoimg:dicom:patient-id';

/**
 * Prefix of the system of a Patient ID issued by a local namespace that is neither an OID, a URI
 * nor configured: `urn:oncoimg:dicom:issuer:HOSPITAL_A`. Patient IDs are unique per issuer only,
 * so issuers must stay apart.
 */
export const LOCAL_ISSUER_SYSTEM_PREFIX = 'urn:oncoimg:dicom:issuer:';

export interface IdentifierMappingOptions {
  /** FHIR identifier systems of local issuer names, e.g. `{ HOSPITAL_A: 'https://hospital-a.example/mrn' }`. */
  issuerSystems?: Readonly<Record<string, string>>;
  /** System of Patient IDs without issuer; default DEFAULT_PATIENT_ID_SYSTEM. */
  defaultPatientIdSystem?: string;
}

const URI = /^(?:https?:\/\/\S+|urn:[a-z0-9][a-z0-9-]{0,31}:\S+)$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function systemOfName(name: string): string | undefined {
  if (UID_PATTERN.test(name)) {
    return `urn:oid:${name}`;
  }
  if (URI.test(name)) {
    return name;
  }
  return undefined;
}

/**
 * The FHIR system an issuer stands for: its universal entity id (ISO → `urn:oid:`, UUID →
 * `urn:uuid:`, URI as is), else its local namespace when configured or itself an OID or URI.
 */
export function systemOfIssuer(
  issuer: DicomIssuer | undefined,
  { issuerSystems = {} }: IdentifierMappingOptions = {},
): string | undefined {
  const universal = issuer?.universalEntityId;
  if (universal) {
    const type = issuer.universalEntityIdType;
    if ((type === 'ISO' || type === undefined) && UID_PATTERN.test(universal)) {
      return `urn:oid:${universal}`;
    }
    if (type === 'UUID' && UUID.test(universal)) {
      return `urn:uuid:${universal.toLowerCase()}`;
    }
    if ((type === 'URI' || type === 'URL' || type === undefined) && URI.test(universal)) {
      return universal;
    }
  }
  const local = issuer?.localNamespace;
  if (!local) {
    return undefined;
  }
  return Object.hasOwn(issuerSystems, local) ? issuerSystems[local] : systemOfName(local);
}

/** The Patient identifier of an instance: Patient ID with the system of its issuer (see the constants). */
export function patientIdentifierOf(
  header: DicomInstanceHeader,
  options: IdentifierMappingOptions = {},
): Identifier | undefined {
  const value = header.patientId;
  if (!value) {
    return undefined;
  }
  const local = header.patientIdIssuer?.localNamespace;
  const system =
    systemOfIssuer(header.patientIdIssuer, options) ??
    (local
      ? `${LOCAL_ISSUER_SYSTEM_PREFIX}${encodeURIComponent(local)}`
      : (options.defaultPatientIdSystem ?? DEFAULT_PATIENT_ID_SYSTEM));
  return { system, value };
}

/**
 * The accession number as a FHIR identifier typed `v2-0203#ACSN`. Its issuer becomes the `system`
 * when it names one (universal entity id, configured or URI-shaped local name) and the assigner's
 * display otherwise, as the R4 DICOM mapping puts Issuer of Accession Number in `assigner`.
 */
export function accessionIdentifierOf(
  header: DicomInstanceHeader,
  options: IdentifierMappingOptions = {},
): Identifier | undefined {
  const value = header.accessionNumber;
  if (!value) {
    return undefined;
  }
  const system = systemOfIssuer(header.accessionNumberIssuer, options);
  const local = header.accessionNumberIssuer?.localNamespace;
  return {
    type: { coding: [{ system: IDENTIFIER_TYPE_SYSTEM, code: 'ACSN' }] },
    ...(system ? { system } : {}),
    value,
    ...(local ? { assigner: { display: local } } : {}),
  };
}
