import type { Identifier, ImagingStudy, Reference, ServiceRequest } from '@medplum/fhirtypes';
import {
  accessionIdentifier,
  studyUidIdentifier,
  subjectOf,
  versionMeta,
  type PatientRef,
} from './identifiers.ts';
import { DICOM_DCM, SNOMED } from './systems.ts';

export interface SeriesOptions {
  /** The Series Instance UID; by default the study's UID with the series number appended. */
  uid?: string;
  modality: string;
  description?: string;
  /** SNOMED body part, or a DICOM Body Part Examined term alone (`{ display: 'CHEST' }`). */
  bodyPart?: { snomed?: string; display: string };
  instances?: number;
}

/** Who an order names: a literal id or an identifier. */
export type OrderLink = { order: string } | { identifier: Identifier };

export interface ImagingStudyOptions {
  id: string;
  patient: PatientRef;
  uid: string;
  started: string;
  series: readonly SeriesOptions[];
  accession?: string;
  /** PACS often drops the issuer of the accession number: none by default. */
  accessionIssuer?: string | null;
  /** The order this study was done for. */
  basedOn?: OrderLink;
  description?: string;
  status?: ImagingStudy['status'];
  /** Null: no `meta`, as the PACS sends it. */
  versionId?: string | null;
  lastUpdated?: string;
}

/** `basedOn` naming an order by literal reference or by identifier. */
export function basedOnOrder(link: OrderLink): Reference<ServiceRequest>[] {
  return [
    'order' in link
      ? { reference: `ServiceRequest/${link.order}` }
      : { type: 'ServiceRequest', identifier: link.identifier },
  ];
}

/** A study named by its literal id, or by its Study Instance UID (logical reference). */
export type StudyLink = { study: string } | { uid: string };

/** The reference to a study that a report's `imagingStudy` carries. */
export function studyReference(link: StudyLink): Reference<ImagingStudy> {
  return 'study' in link
    ? { reference: `ImagingStudy/${link.study}` }
    : { type: 'ImagingStudy', identifier: studyUidIdentifier(link.uid) };
}

/** An ImagingStudy as a PACS (or the study service's DICOM mapping) publishes it. */
export function imagingStudy(options: ImagingStudyOptions): ImagingStudy {
  const {
    id,
    patient,
    uid,
    started,
    series,
    accession,
    accessionIssuer = null,
    basedOn,
    description,
    status = 'available',
    versionId = '1',
    lastUpdated = started,
  } = options;
  const modalities = [...new Set(series.map((s) => s.modality))];
  return {
    resourceType: 'ImagingStudy',
    id,
    ...versionMeta(versionId, lastUpdated),
    identifier: [
      studyUidIdentifier(uid),
      ...(accession ? [accessionIdentifier(accession, accessionIssuer)] : []),
    ],
    status,
    modality: modalities.map((code) => ({ system: DICOM_DCM, code })),
    subject: subjectOf(patient),
    started,
    ...(basedOn ? { basedOn: basedOnOrder(basedOn) } : {}),
    ...(description ? { description } : {}),
    numberOfSeries: series.length,
    numberOfInstances: series.reduce((sum, s) => sum + (s.instances ?? 1), 0),
    series: series.map((s, index) => ({
      uid: s.uid ?? `${uid}.${String(index + 1)}`,
      number: index + 1,
      modality: { system: DICOM_DCM, code: s.modality },
      ...(s.description ? { description: s.description } : {}),
      numberOfInstances: s.instances ?? 1,
      ...(s.bodyPart
        ? {
            bodySite: s.bodyPart.snomed
              ? { system: SNOMED, code: s.bodyPart.snomed, display: s.bodyPart.display }
              : { code: s.bodyPart.display },
          }
        : {}),
    })),
  };
}
