import type {
  DiagnosticReport,
  Identifier,
  ImagingStudy,
  Reference,
  ServiceRequest,
} from '@medplum/fhirtypes';
import {
  accessionsOf,
  businessIdentifierKeys,
  dicomUidOf,
  dicomUidsOf,
  type AccessionNumber,
} from './identifiers.ts';
import { parseLiteralReference, referenceString, resolveContained } from '../records/imaging-resource.ts';

/**
 * Where a reference points, in every form the timeline can match: a literal id, business
 * identifiers, accession numbers and DICOM UIDs (from the reference's identifier, or from the
 * contained resource a `#id` reference names).
 */
export interface ReferenceTarget {
  /** `ServiceRequest/123` when the reference is literal. */
  literal: string | null;
  accessions: AccessionNumber[];
  uids: string[];
  identifierKeys: string[];
}

export interface OrderPart {
  ref: string;
  resource: ServiceRequest;
  accessions: AccessionNumber[];
  identifierKeys: string[];
  /** Study Instance UIDs a RIS may pre-assign on the order (IHE scheduled workflow). */
  studyUids: string[];
}

export interface StudyPart {
  ref: string;
  resource: ImagingStudy;
  /** Its own accession numbers and those its `basedOn` carries. */
  accessions: AccessionNumber[];
  identifierKeys: string[];
  uid: string | null;
  basedOn: ReferenceTarget[];
}

export interface ReportPart {
  ref: string;
  resource: DiagnosticReport;
  /** Its own accession numbers and those its `basedOn` / `imagingStudy` references carry. */
  accessions: AccessionNumber[];
  imagingStudy: ReferenceTarget[];
  basedOn: ReferenceTarget[];
}

function addAccessions(into: AccessionNumber[], from: readonly AccessionNumber[]): void {
  for (const accession of from) {
    if (!into.some((a) => a.value === accession.value && a.issuer === accession.issuer)) {
      into.push(accession);
    }
  }
}

function targetOf(
  reference: Reference,
  expectedType: string,
  contained: ImagingStudy['contained'],
): ReferenceTarget | undefined {
  if (reference.type && reference.type !== expectedType) {
    return undefined;
  }
  const literal = parseLiteralReference(reference.reference);
  if (literal && literal.resourceType !== expectedType) {
    return undefined;
  }
  const identifiers: Identifier[] = reference.identifier ? [reference.identifier] : [];
  const inline = resolveContained(reference, contained);
  if (inline) {
    if (inline.resourceType !== expectedType) {
      return undefined;
    }
    if ('identifier' in inline && Array.isArray(inline.identifier)) {
      identifiers.push(...inline.identifier);
    }
  }
  const target: ReferenceTarget = {
    literal: literal ? referenceString(literal.resourceType, literal.id) : null,
    accessions: accessionsOf(identifiers),
    uids: dicomUidsOf(identifiers),
    identifierKeys: businessIdentifierKeys(identifiers),
  };
  const empty =
    !target.literal && !target.accessions.length && !target.uids.length && !target.identifierKeys.length;
  return empty ? undefined : target;
}

function targetsOf(
  references: readonly Reference[] | undefined,
  expectedType: string,
  contained: ImagingStudy['contained'],
): ReferenceTarget[] {
  return (references ?? []).flatMap((reference) => targetOf(reference, expectedType, contained) ?? []);
}

/** Indexes an order for linking. */
export function orderPartOf(ref: string, resource: ServiceRequest): OrderPart {
  const identifiers = resource.identifier ?? [];
  return {
    ref,
    resource,
    accessions: accessionsOf(identifiers),
    identifierKeys: businessIdentifierKeys(identifiers),
    studyUids: dicomUidsOf(identifiers),
  };
}

/** Indexes a study for linking: Study Instance UID, accession numbers, `basedOn` orders. */
export function studyPartOf(ref: string, resource: ImagingStudy): StudyPart {
  const identifiers = resource.identifier ?? [];
  const basedOn = targetsOf(resource.basedOn, 'ServiceRequest', resource.contained);
  const accessions = accessionsOf(identifiers);
  for (const target of basedOn) {
    addAccessions(accessions, target.accessions);
  }
  return {
    ref,
    resource,
    accessions,
    identifierKeys: businessIdentifierKeys(identifiers),
    uid: identifiers.map(dicomUidOf).find((uid) => uid !== undefined) ?? null,
    basedOn,
  };
}

/**
 * Indexes a report for linking. The report's own `urn:dicom:uid` identifiers are not read as a
 * Study UID on purpose: a report converted from DICOM SR carries the SR's own instance UID there.
 */
export function reportPartOf(ref: string, resource: DiagnosticReport): ReportPart {
  const imagingStudy = targetsOf(resource.imagingStudy, 'ImagingStudy', resource.contained);
  const basedOn = targetsOf(resource.basedOn, 'ServiceRequest', resource.contained);
  const accessions = accessionsOf(resource.identifier);
  for (const target of [...imagingStudy, ...basedOn]) {
    addAccessions(accessions, target.accessions);
  }
  return { ref, resource, accessions, imagingStudy, basedOn };
}

/** Keys shared by parts that belong together, for relating removed parts to live exams. */
export function partKeys(part: OrderPart | StudyPart | ReportPart): string[] {
  const keys = new Set<string>([part.ref]);
  const addTarget = (target: ReferenceTarget): void => {
    if (target.literal) {
      keys.add(target.literal);
    }
    for (const accession of target.accessions) {
      keys.add(`acsn:${accession.value}`);
    }
    for (const uid of target.uids) {
      keys.add(`uid:${uid}`);
    }
    for (const key of target.identifierKeys) {
      keys.add(`id:${key}`);
    }
  };
  for (const accession of part.accessions) {
    keys.add(`acsn:${accession.value}`);
  }
  if ('studyUids' in part) {
    for (const uid of part.studyUids) {
      keys.add(`uid:${uid}`);
    }
    for (const key of part.identifierKeys) {
      keys.add(`id:${key}`);
    }
  } else if ('uid' in part) {
    if (part.uid) {
      keys.add(`uid:${part.uid}`);
    }
    for (const key of part.identifierKeys) {
      keys.add(`id:${key}`);
    }
    part.basedOn.forEach(addTarget);
  } else {
    part.imagingStudy.forEach(addTarget);
    part.basedOn.forEach(addTarget);
  }
  return [...keys];
}
