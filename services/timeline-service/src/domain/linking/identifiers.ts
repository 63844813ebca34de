import type { Identifier } from '@medplum/fhirtypes';

/** HL7 v2 table 0203 (identifier type); code `ACSN` marks an accession number. */
export const IDENTIFIER_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v2-0203';
export const ACCESSION_TYPE_CODE = 'ACSN';

/** The identifier system FHIR uses for DICOM UIDs (value `urn:oid:1.2.3…`). */
export const DICOM_UID_SYSTEM = 'urn:dicom:uid';

/**
 * An accession number and who issued it. Accession numbers are only unique per issuer; without an
 * issuer they are only trusted within one patient (real DICOM reuses accession "2" across patients),
 * which the timeline guarantees by linking inside one patient's records only.
 */
export interface AccessionNumber {
  value: string;
  issuer: string | null;
}

/** True when the identifier's type is `v2-0203#ACSN`. */
export function isAccessionIdentifier(identifier: Identifier): boolean {
  return (identifier.type?.coding ?? []).some(
    (coding) =>
      coding.code === ACCESSION_TYPE_CODE &&
      (coding.system === undefined || coding.system === IDENTIFIER_TYPE_SYSTEM),
  );
}

/**
 * Who issued an identifier: its `system`, else its assigner (the assigner's identifier, reference or
 * name). DICOM carries the issuer in (0008,0051) Issuer of Accession Number, which maps to `assigner`.
 */
export function issuerOf(identifier: Identifier): string | null {
  const system = identifier.system?.trim();
  if (system) {
    return system;
  }
  const assigner = identifier.assigner;
  if (!assigner) {
    return null;
  }
  const assignerId = assigner.identifier;
  if (assignerId?.value) {
    return assignerId.system ? `${assignerId.system}|${assignerId.value}` : assignerId.value;
  }
  return assigner.reference?.trim() || assigner.display?.trim() || null;
}

/** The accession number an identifier carries, if it is one. */
export function accessionOf(identifier: Identifier): AccessionNumber | undefined {
  const value = identifier.value?.trim();
  if (!value || !isAccessionIdentifier(identifier)) {
    return undefined;
  }
  return { value, issuer: issuerOf(identifier) };
}

/** All accession numbers among identifiers, without duplicates. */
export function accessionsOf(identifiers: readonly Identifier[] | undefined): AccessionNumber[] {
  const found: AccessionNumber[] = [];
  for (const identifier of identifiers ?? []) {
    const accession = accessionOf(identifier);
    if (accession && !found.some((a) => a.value === accession.value && a.issuer === accession.issuer)) {
      found.push(accession);
    }
  }
  return found;
}

/**
 * Two accession numbers name the same exam when the values are equal and the issuers do not
 * disagree: an accession without issuer matches any issuer within the patient (PACS often drops
 * the issuer the RIS set), two different issuers never match.
 */
export function accessionsMatch(a: AccessionNumber, b: AccessionNumber): boolean {
  return a.value === b.value && (a.issuer === null || b.issuer === null || a.issuer === b.issuer);
}

/** `urn:oid:1.2.3` and ` 1.2.3 ` are the same UID. */
export function normalizeDicomUid(value: string): string {
  const trimmed = value.trim();
  return trimmed.toLowerCase().startsWith('urn:oid:') ? trimmed.slice('urn:oid:'.length) : trimmed;
}

/**
 * The DICOM UID an identifier carries: system `urn:dicom:uid`, or a `urn:oid:` value under the
 * generic URI system (some servers write Study UIDs that way).
 */
export function dicomUidOf(identifier: Identifier): string | undefined {
  const value = identifier.value?.trim();
  if (!value) {
    return undefined;
  }
  const system = identifier.system?.trim().toLowerCase();
  if (system === DICOM_UID_SYSTEM) {
    return normalizeDicomUid(value);
  }
  if (system === 'urn:ietf:rfc:3986' && value.toLowerCase().startsWith('urn:oid:')) {
    return normalizeDicomUid(value);
  }
  return undefined;
}

/** The DICOM UIDs among identifiers, in order, without duplicates. */
export function dicomUidsOf(identifiers: readonly Identifier[] | undefined): string[] {
  return distinctKeys(identifiers, dicomUidOf);
}

/** `system|value` of a business identifier that is neither an accession number nor a DICOM UID. */
export function businessIdentifierKey(identifier: Identifier): string | undefined {
  if (isAccessionIdentifier(identifier) || dicomUidOf(identifier)) {
    return undefined;
  }
  const system = identifier.system?.trim();
  const value = identifier.value?.trim();
  return system && value ? `${system}|${value}` : undefined;
}

/** The business identifier keys among identifiers, without duplicates. */
export function businessIdentifierKeys(identifiers: readonly Identifier[] | undefined): string[] {
  return distinctKeys(identifiers, businessIdentifierKey);
}

/** What `keyOf` gives for each identifier that has one, in order, without duplicates. */
function distinctKeys(
  identifiers: readonly Identifier[] | undefined,
  keyOf: (identifier: Identifier) => string | undefined,
): string[] {
  const keys: string[] = [];
  for (const identifier of identifiers ?? []) {
    const key = keyOf(identifier);
    if (key && !keys.includes(key)) {
      keys.push(key);
    }
  }
  return keys;
}
