import type { DiagnosticReport, Observation, Resource } from '@medplum/fhirtypes';
import { parseLiteralReference, resolveContained } from '../records/imaging-resource.ts';
import type { DiseaseStatus } from '@oncoimg/fhir-events';
import { diseaseStatusOfReport } from './disease-status.ts';
import { lesionIdentityOf } from './lesion-identity.ts';
import { readNonTarget } from './non-target.ts';
import { readTumourMeasurement, statesEquivocalNewLesion, statesNewLesion } from './tumour-measurement.ts';
import type { Coding } from '@medplum/fhirtypes';
import type { NewLesionFinding, NonTargetFinding, NotRead, TumourMeasurement } from './response.types.ts';

/** What one report says about the tumours. */
export interface ReportFindings {
  /** `DiagnosticReport/abc` */
  report: string;
  measurements: TumourMeasurement[];
  newLesions: NewLesionFinding[];
  /** Possible new lesions (`tumour-assessment#new-lesion-equivocal`). */
  equivocalNewLesions: NewLesionFinding[];
  /** `tumour-assessment#non-target-lesion` Observations. */
  nonTargets: NonTargetFinding[];
  /** The report says explicitly that there is no new lesion. */
  statesNoNewLesion: boolean;
  diseaseStatus: { status: DiseaseStatus; coding: Coding } | null;
  notRead: NotRead[];
}

/**
 * The Observations a report carries: those its `result` references as `#id`, then the other
 * Observations in `contained`. Each once, in that order.
 */
export function containedObservations(
  report: DiagnosticReport,
): { observation: Observation; fragment: string }[] {
  const contained: readonly Resource[] = report.contained ?? [];
  const found: { observation: Observation; fragment: string }[] = [];
  const seen = new Set<Resource>();
  const add = (resource: Resource | undefined): void => {
    if (resource?.resourceType !== 'Observation' || seen.has(resource)) {
      return;
    }
    seen.add(resource);
    found.push({ observation: resource, fragment: resource.id ?? String(found.length) });
  };
  for (const result of report.result ?? []) {
    add(resolveContained(result, contained));
  }
  for (const resource of contained) {
    add(resource);
  }
  return found;
}

/**
 * Reads the tumour findings of a report: measurements (see `readTumourMeasurement`), new
 * lesions, and a disease-status conclusion code. Observations are read when the report carries
 * them (`contained`, referenced by `#id` or not). A `result` that points to a standalone
 * Observation (`Observation/123`) is listed under `notRead`: the timeline receives reports, not
 * Observations, so it cannot see it yet.
 */
export function readReportFindings(reportRef: string, report: DiagnosticReport): ReportFindings {
  const contained: readonly Resource[] = report.contained ?? [];
  const findings: ReportFindings = {
    report: reportRef,
    measurements: [],
    newLesions: [],
    equivocalNewLesions: [],
    nonTargets: [],
    statesNoNewLesion: false,
    diseaseStatus: diseaseStatusOfReport(report),
    notRead: [],
  };
  for (const result of report.result ?? []) {
    if (result.reference?.startsWith('#')) {
      if (!resolveContained(result, contained)) {
        findings.notRead.push({
          source: `${reportRef}${result.reference}`,
          reason: 'no contained resource has this id',
        });
      }
      continue;
    }
    const literal = parseLiteralReference(result.reference);
    const name = literal
      ? `${literal.resourceType}/${literal.id}`
      : (result.reference ?? result.display ?? 'a result');
    findings.notRead.push({
      source: name,
      reason: 'a standalone Observation: only Observations the report contains are read',
    });
  }
  for (const { observation, fragment } of containedObservations(report)) {
    const source = `${reportRef}#${fragment}`;
    const newLesion = statesNewLesion(observation);
    if (newLesion !== undefined) {
      if (newLesion) {
        const lesion = lesionIdentityOf(observation, contained);
        findings.newLesions.push({
          source,
          lesionId: lesion?.lesionId ?? null,
          display: lesion?.display ?? null,
        });
      } else {
        findings.statesNoNewLesion = true;
      }
      continue;
    }
    if (statesEquivocalNewLesion(observation)) {
      const lesion = lesionIdentityOf(observation, contained);
      findings.equivocalNewLesions.push({
        source,
        lesionId: lesion?.lesionId ?? null,
        display: lesion?.display ?? null,
      });
      continue;
    }
    const nonTarget = readNonTarget(observation, { source, contained });
    if (nonTarget.kind === 'non-target') {
      findings.nonTargets.push(nonTarget.finding);
      continue;
    }
    if (nonTarget.kind === 'rejected') {
      findings.notRead.push({ source, reason: nonTarget.reason });
      continue;
    }
    const reading = readTumourMeasurement(observation, { source, contained });
    switch (reading.kind) {
      case 'measurement':
        findings.measurements.push(reading.measurement);
        break;
      case 'rejected':
        findings.notRead.push({ source: reading.source, reason: reading.reason });
        break;
      case 'not-a-measurement':
        break;
    }
  }
  return findings;
}
