import type { DiagnosticReport, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { accessionIdentifier, subjectOf, versionMeta, type PatientRef } from './identifiers.ts';
import { procedureCode, type Procedure } from './imaging-order.ts';
import { basedOnOrder, studyReference, type OrderLink, type StudyLink } from './imaging-study.ts';
import { RIS_ACCESSION_SYSTEM, SNOMED } from './systems.ts';
import {
  DISEASE_STATUS,
  tumourSizeObservation,
  type DiseaseStatus,
  type LesionMeasurement,
} from './tumour-size.ts';

export interface ImagingReportOptions {
  id: string;
  patient: PatientRef;
  status: DiagnosticReport['status'];
  code: Procedure;
  effective: string;
  issued: string;
  /** The study reported on: literal id, or its Study Instance UID (logical reference). */
  imagingStudy?: StudyLink;
  /** The order reported on: literal id, or an identifier (placer number). */
  basedOn?: OrderLink;
  accession?: string;
  accessionIssuer?: string | null;
  conclusion?: string;
  diseaseStatus?: DiseaseStatus;
  /** Target lesions, contained as tumour-size Observations and listed in `result`. */
  measurements?: { lesions: readonly LesionMeasurement[]; unit: 'mm' | 'cm' };
  /** Null: no `meta`, as the RIS sends it. */
  versionId?: string | null;
  lastUpdated?: string;
}

/** A radiology DiagnosticReport as a RIS sends it. */
export function imagingReport(options: ImagingReportOptions): DiagnosticReport {
  const {
    id,
    patient,
    status,
    code,
    effective,
    issued,
    imagingStudy: study,
    basedOn,
    accession,
    accessionIssuer = RIS_ACCESSION_SYSTEM,
    conclusion,
    diseaseStatus,
    measurements,
    versionId = '1',
    lastUpdated = issued,
  } = options;
  const observations = (measurements?.lesions ?? []).map((lesion, index) =>
    tumourSizeObservation(`lesion-${String(index + 1)}`, lesion, measurements?.unit ?? 'mm'),
  );
  return {
    resourceType: 'DiagnosticReport',
    id,
    ...versionMeta(versionId, lastUpdated),
    ...(accession ? { identifier: [accessionIdentifier(accession, accessionIssuer)] } : {}),
    ...(basedOn ? { basedOn: basedOnOrder(basedOn) } : {}),
    status,
    category: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD', display: 'Radiology' },
        ],
      },
    ],
    code: procedureCode(code),
    subject: subjectOf(patient),
    effectiveDateTime: effective,
    issued,
    ...(study ? { imagingStudy: [studyReference(study)] } : {}),
    ...(observations.length
      ? { contained: observations, result: observations.map((o) => ({ reference: `#${o.id ?? ''}` })) }
      : {}),
    ...(conclusion ? { conclusion } : {}),
    ...(diseaseStatus
      ? { conclusionCode: [{ coding: [{ system: SNOMED, ...DISEASE_STATUS[diseaseStatus] }] }] }
      : {}),
  };
}

/** A later version of a resource: same id, next `versionId`, with the changes applied. */
export function nextVersion<T extends ServiceRequest | ImagingStudy | DiagnosticReport>(
  resource: T,
  lastUpdated: string,
  changes: Partial<T>,
): T {
  const versionId = String(Number(resource.meta?.versionId ?? '1') + 1);
  return { ...resource, ...changes, meta: { ...resource.meta, versionId, lastUpdated } };
}
