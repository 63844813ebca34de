import type { CodeableConcept, DiagnosticReport, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { regionsFromText, regionsOfCoding, sortRegions, type BodyRegion } from './body-region.ts';
import { codingsOf, conceptTexts, firstText } from './fhir-text.ts';
import { examDateOf, type ExamDate } from './exam-date.ts';
import type { AccessionNumber } from '../linking/identifiers.ts';
import type { ExamGroup } from '../linking/link-exams.ts';
import { familyFromText, familyOfModalities, studyModalityCodes, type ModalityFamily } from './modality.ts';
import { examPurpose, type PurposeDecision } from './purpose.ts';

/** What an exam is, read from its parts: when, what modality, which body region, why. */
export interface ExamFacts {
  order: ServiceRequest | null;
  study: ImagingStudy | null;
  reports: DiagnosticReport[];
  date: ExamDate | null;
  modality: ModalityFamily | null;
  modalityCodes: string[];
  bodyRegion: BodyRegion[];
  purpose: PurposeDecision;
  description: string | null;
  studyUid: string | null;
  accessionNumbers: AccessionNumber[];
}

function regionsOfTexts(texts: readonly (string | undefined)[]): BodyRegion[] {
  return sortRegions(texts.flatMap((text) => (text ? regionsFromText(text) : [])));
}

/**
 * Body region, from the most specific source that names one: the study's series body sites, the
 * order's coded body site, the study's descriptions, the order's procedure, the report's code.
 */
function bodyRegionOf(
  order: ServiceRequest | null,
  study: ImagingStudy | null,
  reports: readonly DiagnosticReport[],
): BodyRegion[] {
  const sources: (() => BodyRegion[])[] = [
    () =>
      sortRegions(
        (study?.series ?? []).flatMap((series) => (series.bodySite ? regionsOfCoding(series.bodySite) : [])),
      ),
    () => sortRegions(codingsOf(order?.bodySite ?? []).flatMap(regionsOfCoding)),
    () => regionsOfTexts(conceptTexts(order?.bodySite ?? [])),
    () =>
      regionsOfTexts([
        study?.description,
        ...(study?.series ?? []).map((series) => series.description),
        ...conceptTexts(study?.procedureCode ?? []),
      ]),
    () => regionsOfTexts(conceptTexts([order?.code])),
    () => regionsOfTexts(conceptTexts(reports.map((report) => report.code))),
  ];
  for (const source of sources) {
    const regions = source();
    if (regions.length > 0) {
      return regions;
    }
  }
  return [];
}

function modalityOf(
  order: ServiceRequest | null,
  study: ImagingStudy | null,
  reports: readonly DiagnosticReport[],
  codes: readonly string[],
): ModalityFamily | null {
  return (
    familyOfModalities(codes) ??
    familyFromText(conceptTexts([order?.code])) ??
    familyFromText([study?.description ?? '', ...conceptTexts(study?.procedureCode ?? [])]) ??
    familyFromText(conceptTexts(reports.map((report) => report.code)))
  );
}

function accessionsOfGroup(group: ExamGroup): AccessionNumber[] {
  const all = [
    ...(group.order?.accessions ?? []),
    ...(group.study?.accessions ?? []),
    ...group.reports.flatMap((r) => r.accessions),
  ];
  const unique: AccessionNumber[] = [];
  for (const accession of all) {
    if (!unique.some((a) => a.value === accession.value && a.issuer === accession.issuer)) {
      unique.push(accession);
    }
  }
  const key = (a: AccessionNumber): string => `${a.value}|${a.issuer ?? ''}`;
  return unique.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

// A delete event may carry a stub without the (otherwise required) code.
function reportCode(report: DiagnosticReport | undefined): CodeableConcept | undefined {
  const code: CodeableConcept | undefined = report ? report.code : undefined;
  return code;
}

/** Reads the facts of one exam group. */
export function examFactsOf(group: ExamGroup): ExamFacts {
  const order = group.order?.resource ?? null;
  const study = group.study?.resource ?? null;
  const reports = group.reports.map((part) => part.resource);
  const modalityCodes = study ? studyModalityCodes(study) : [];
  return {
    order,
    study,
    reports,
    date: examDateOf({ order, study, reports }),
    modality: modalityOf(order, study, reports, modalityCodes),
    modalityCodes,
    bodyRegion: bodyRegionOf(order, study, reports),
    purpose: examPurpose({ order, study }),
    description: firstText(
      order?.code?.text,
      order?.code?.coding?.[0]?.display,
      study?.description,
      study?.procedureCode?.[0]?.text,
      reportCode(reports[0])?.text,
      reportCode(reports[0])?.coding?.[0]?.display,
    ),
    studyUid: group.study?.uid ?? null,
    accessionNumbers: accessionsOfGroup(group),
  };
}
