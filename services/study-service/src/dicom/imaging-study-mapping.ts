import type {
  CodeableConcept,
  Coding,
  Identifier,
  ImagingStudy,
  ImagingStudySeries,
  ImagingStudySeriesInstance,
} from '@medplum/fhirtypes';
import { bodySiteOfBodyPart, fhirSystemOfScheme, SNOMED_SYSTEM } from './body-part.ts';
import {
  accessionIdentifierOf,
  IDENTIFIER_TYPE_SYSTEM,
  patientIdentifierOf,
  type IdentifierMappingOptions,
} from './dicom-identifiers.ts';
import { DicomError } from './dicom-error.ts';
import type { DicomCode, DicomInstanceHeader } from './dicom-instance-header.ts';

export const DICOM_UID_SYSTEM = 'urn:dicom:uid';
export const DICOM_DCM_SYSTEM = 'http://dicom.nema.org/resources/ontology/DCM';
/** R4 codes an instance's SOP class as a URI: `urn:oid:<SOP Class UID>`. */
export const SOP_CLASS_SYSTEM = 'urn:ietf:rfc:3986';

/**
 * Modalities of radiotherapy objects. A study holding one is a radiotherapy planning study: the
 * study-level `modality` list carries the code, which is what the timeline reads to label the exam
 * "planning" (timeline-service domain/purpose.ts, RT_MODALITIES in domain/modality.ts).
 */
export const RADIOTHERAPY_MODALITIES: readonly string[] = [
  'RTSTRUCT',
  'RTPLAN',
  'RTDOSE',
  'RTIMAGE',
  'RTRECORD',
];

export type ImagingStudyMappingOptions = IdentifierMappingOptions;

const LATERALITY: Readonly<Record<'L' | 'R', Coding>> = {
  L: { system: SNOMED_SYSTEM, code: '7771000', display: 'Left' },
  R: { system: SNOMED_SYSTEM, code: '24028007', display: 'Right' },
};

const ACTIVE_STATUSES: readonly (ImagingStudy['status'] | undefined)[] = [undefined, 'registered', 'unknown'];

/** The Study Instance UID identifier: `urn:dicom:uid` / `urn:oid:<uid>`. */
export function studyUidIdentifier(studyInstanceUid: string): Identifier {
  return { system: DICOM_UID_SYSTEM, value: `urn:oid:${studyInstanceUid}` };
}

/** The Study Instance UID of an ImagingStudy, from its `urn:dicom:uid` identifier. */
export function studyInstanceUidOf(study: ImagingStudy): string | undefined {
  const value = study.identifier?.find((id) => id.system === DICOM_UID_SYSTEM)?.value;
  return value?.startsWith('urn:oid:') ? value.slice('urn:oid:'.length) : value;
}

/** True when the study holds a radiotherapy object (study-level modality or any series). */
export function isRadiotherapyStudy(study: ImagingStudy): boolean {
  const codes = [
    ...(study.modality ?? []).map((coding) => coding.code),
    ...(study.series ?? []).map((series) => series.modality.code),
  ];
  return codes.some((code) => code !== undefined && RADIOTHERAPY_MODALITIES.includes(code.toUpperCase()));
}

/** Instances grouped by Study Instance UID, in order of first appearance. */
export function groupByStudy(instances: readonly DicomInstanceHeader[]): Map<string, DicomInstanceHeader[]> {
  return Map.groupBy(instances, (instance) => instance.studyInstanceUid);
}

function codingOf(code: DicomCode): Coding {
  const system = fhirSystemOfScheme(code.scheme);
  return {
    ...(system ? { system } : {}),
    code: code.code,
    ...(code.meaning ? { display: code.meaning } : {}),
  };
}

function bodySiteOf(header: DicomInstanceHeader): Coding | undefined {
  const region = header.anatomicRegion;
  if (region && fhirSystemOfScheme(region.scheme) === SNOMED_SYSTEM) {
    return codingOf(region);
  }
  if (header.bodyPartExamined) {
    return bodySiteOfBodyPart(header.bodyPartExamined);
  }
  return region ? { display: region.meaning ?? region.code } : undefined;
}

function procedureCodeOf(headers: readonly DicomInstanceHeader[]): CodeableConcept[] | undefined {
  const coded = headers.find((h) => h.procedureCodes.length > 0)?.procedureCodes;
  if (coded) {
    return coded.map((code) => ({
      coding: [codingOf(code)],
      ...(code.meaning ? { text: code.meaning } : {}),
    }));
  }
  const described = headers.find((h) => h.requestedProcedureDescription)?.requestedProcedureDescription;
  return described ? [{ text: described }] : undefined;
}

function newSeries(header: DicomInstanceHeader): ImagingStudySeries {
  const bodySite = bodySiteOf(header);
  return {
    uid: header.seriesInstanceUid,
    ...(header.seriesNumber !== undefined && header.seriesNumber >= 0 ? { number: header.seriesNumber } : {}),
    modality: { system: DICOM_DCM_SYSTEM, code: header.modality },
    ...(header.seriesDescription ? { description: header.seriesDescription } : {}),
    ...(bodySite ? { bodySite } : {}),
    ...(header.laterality ? { laterality: LATERALITY[header.laterality] } : {}),
    ...(header.seriesDateTime ? { started: header.seriesDateTime } : {}),
    instance: [],
  };
}

// DICOM fills what the resource does not say yet; what it says (from an earlier upload or a FHIR
// write) stays, so merging is idempotent and never overwrites a curated value.
function fillSeries(series: ImagingStudySeries, header: DicomInstanceHeader): void {
  const fresh = newSeries(header);
  if (series.number === undefined && fresh.number !== undefined) {
    series.number = fresh.number;
  }
  if (series.description === undefined && fresh.description !== undefined) {
    series.description = fresh.description;
  }
  if (series.bodySite === undefined && fresh.bodySite !== undefined) {
    series.bodySite = fresh.bodySite;
  }
  if (series.laterality === undefined && fresh.laterality !== undefined) {
    series.laterality = fresh.laterality;
  }
  if (series.started === undefined && fresh.started !== undefined) {
    series.started = fresh.started;
  }
}

function newInstance(header: DicomInstanceHeader): ImagingStudySeriesInstance {
  return {
    uid: header.sopInstanceUid,
    sopClass: { system: SOP_CLASS_SYSTEM, code: `urn:oid:${header.sopClassUid}` },
    ...(header.instanceNumber !== undefined && header.instanceNumber >= 0
      ? { number: header.instanceNumber }
      : {}),
    ...(header.title ? { title: header.title } : {}),
  };
}

function byNumberThenUid(a: { number?: number; uid: string }, b: { number?: number; uid: string }): number {
  const an = a.number ?? Number.POSITIVE_INFINITY;
  const bn = b.number ?? Number.POSITIVE_INFINITY;
  return an !== bn ? an - bn : a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0;
}

function sameIdentifier(a: Identifier, b: Identifier): boolean {
  const isAccession = (id: Identifier) =>
    (id.type?.coding ?? []).some(
      (c) => c.code === 'ACSN' && (c.system ?? IDENTIFIER_TYPE_SYSTEM) === IDENTIFIER_TYPE_SYSTEM,
    );
  return a.value === b.value && (a.system ?? '') === (b.system ?? '') && isAccession(a) === isAccession(b);
}

function patientOf(
  headers: readonly DicomInstanceHeader[],
  options: ImagingStudyMappingOptions,
): Identifier | undefined {
  const patients = new Map<string, Identifier>();
  for (const header of headers) {
    const identifier = patientIdentifierOf(header, options);
    if (identifier) {
      patients.set(`${identifier.system ?? ''}|${identifier.value ?? ''}`, identifier);
    }
  }
  // One study, one patient: a mix-up here would file images in the wrong record.
  if (patients.size > 1) {
    throw new DicomError(
      'INVALID',
      'instances of one Study Instance UID name different patients (Patient ID)',
    );
  }
  return patients.values().next().value;
}

/**
 * Merges DICOM instances of one study into its ImagingStudy (`existing`, or a new one): series by
 * Series Instance UID, instances by SOP Instance UID, with modality (DICOM DCM), description, body
 * site (SNOMED CT where the body part is known), laterality, SOP class, numbers, counts, the
 * study-level modality list, start, description, procedure, accession number (`v2-0203#ACSN`,
 * system from its issuer) and the subject's Patient identifier. RT objects put their modality
 * (RTPLAN, RTSTRUCT, RTDOSE, RTIMAGE, RTRECORD) in the study-level list, which marks the study as
 * radiotherapy planning for the timeline.
 *
 * Pure and idempotent: merging an instance already present changes nothing; `existing` keeps its
 * id, meta and every value it already has (DICOM only fills gaps); series and instances are kept
 * in number, then UID order, so the result does not depend on upload order. A study without any
 * Patient ID gets no subject, which intake validation then refuses.
 *
 * Throws DicomError INVALID when the instances belong to several studies or another study than
 * `existing`, name different patients, or name another patient than `existing` (same system,
 * other value).
 */
export function mergeIntoImagingStudy(
  existing: ImagingStudy | undefined,
  instances: readonly DicomInstanceHeader[],
  options: ImagingStudyMappingOptions = {},
): ImagingStudy {
  const studyUids = [...new Set(instances.map((instance) => instance.studyInstanceUid))];
  if (studyUids.length > 1) {
    throw new DicomError('INVALID', 'instances of several studies: group them by Study Instance UID first');
  }
  const studyUid = studyUids.at(0);
  if (studyUid === undefined) {
    if (existing) {
      return structuredClone(existing);
    }
    throw new DicomError('INVALID', 'no DICOM instances to map');
  }
  const existingUid = existing ? studyInstanceUidOf(existing) : undefined;
  if (existing && existingUid !== undefined && existingUid !== studyUid) {
    throw new DicomError('INVALID', 'the instances belong to another study than the ImagingStudy given');
  }

  const patient = patientOf(instances, options);
  // Typed as required, but a study mapped from files without Patient ID has none.
  const subject = (existing as Partial<ImagingStudy> | undefined)?.subject?.identifier;
  if (patient && subject && subject.system === patient.system && subject.value !== patient.value) {
    throw new DicomError('INVALID', 'the study is already filed under another patient');
  }

  // The ImagingStudy type requires a subject; without Patient ID there is none to give (see above).
  const study: ImagingStudy = existing
    ? structuredClone(existing)
    : ({ resourceType: 'ImagingStudy', status: 'available' } as ImagingStudy);
  if (ACTIVE_STATUSES.includes(study.status)) {
    study.status = 'available';
  }
  if (!existingUid) {
    study.identifier = [studyUidIdentifier(studyUid), ...(study.identifier ?? [])];
  }
  for (const header of instances) {
    const accession = accessionIdentifierOf(header, options);
    if (accession && !(study.identifier ?? []).some((id) => sameIdentifier(id, accession))) {
      study.identifier = [...(study.identifier ?? []), accession];
    }
  }
  if (!(study as Partial<ImagingStudy>).subject && patient) {
    study.subject = { type: 'Patient', identifier: patient };
  }

  const series = study.series ?? [];
  const seriesOfInstance = new Map<string, ImagingStudySeries>();
  for (const s of series) {
    for (const instance of s.instance ?? []) {
      seriesOfInstance.set(instance.uid, s);
    }
  }
  for (const header of [...instances].sort((a, b) =>
    byNumberThenUid(
      { number: a.instanceNumber, uid: a.sopInstanceUid },
      { number: b.instanceNumber, uid: b.sopInstanceUid },
    ),
  )) {
    let target = series.find((s) => s.uid === header.seriesInstanceUid);
    if (target) {
      fillSeries(target, header);
    } else {
      target = newSeries(header);
      series.push(target);
    }
    const known = seriesOfInstance.get(header.sopInstanceUid);
    if (known) {
      // Already filed (here or, against the standard's uniqueness, in another series): keep as is,
      // only fill what the earlier copy lacked.
      const instance = known.instance?.find((i) => i.uid === header.sopInstanceUid);
      if (instance && known === target) {
        const fresh = newInstance(header);
        if (instance.number === undefined && fresh.number !== undefined) {
          instance.number = fresh.number;
        }
        if (instance.title === undefined && fresh.title !== undefined) {
          instance.title = fresh.title;
        }
      }
      continue;
    }
    target.instance = [...(target.instance ?? []), newInstance(header)];
    seriesOfInstance.set(header.sopInstanceUid, target);
  }
  for (const s of series) {
    s.instance?.sort(byNumberThenUid);
    s.numberOfInstances = Math.max(s.numberOfInstances ?? 0, s.instance?.length ?? 0);
  }
  series.sort(byNumberThenUid);
  study.series = series;

  const modalityCodes = new Set(
    series.map((s) => s.modality.code).filter((code): code is string => Boolean(code)),
  );
  const otherModalities = (study.modality ?? []).filter((coding) => {
    if (coding.code && (coding.system ?? DICOM_DCM_SYSTEM) === DICOM_DCM_SYSTEM) {
      modalityCodes.add(coding.code);
      return false;
    }
    return true;
  });
  study.modality = [
    ...[...modalityCodes].sort().map((code): Coding => ({ system: DICOM_DCM_SYSTEM, code })),
    ...otherModalities,
  ];
  study.numberOfSeries = Math.max(study.numberOfSeries ?? 0, series.length);
  study.numberOfInstances = Math.max(
    study.numberOfInstances ?? 0,
    series.reduce((sum, s) => sum + (s.numberOfInstances ?? 0), 0),
  );

  const started = instances
    .map((h) => h.studyDateTime)
    .filter((value): value is string => Boolean(value))
    .sort()[0];
  if (!study.started && started) {
    study.started = started;
  }
  const description = instances.find((h) => h.studyDescription)?.studyDescription;
  if (!study.description && description) {
    study.description = description;
  }
  const procedureCode = procedureCodeOf(instances);
  if (!study.procedureCode?.length && procedureCode) {
    study.procedureCode = procedureCode;
  }
  return study;
}
