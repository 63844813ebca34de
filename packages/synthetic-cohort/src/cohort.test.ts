import type { DiagnosticReport, ImagingStudy } from '@medplum/fhirtypes';
import { validateR4 } from '@oncoimg/fhir-events';
import { describe, expect, it } from 'vitest';
import { cohortArrivals, generateCohort, recistCategory, type CohortResource } from './cohort.ts';

const DAY_MS = 86_400_000;
const ref = (r: CohortResource) => `${r.resourceType}/${r.id ?? ''}`;

describe('generateCohort', () => {
  const cohort = generateCohort({ patients: 24, seed: 42 });

  it('gives the same cohort, down to the arrival order, for the same seed', () => {
    expect(generateCohort({ patients: 24, seed: 42 })).toEqual(cohort);
    expect(JSON.stringify(cohortArrivals(generateCohort({ patients: 24, seed: 42 })))).toBe(
      JSON.stringify(cohortArrivals(cohort)),
    );
  });

  it('gives another cohort for another seed, with ids that do not collide', () => {
    const other = generateCohort({ patients: 24, seed: 43 });
    expect(other.patients.map((p) => p.name.display)).not.toEqual(cohort.patients.map((p) => p.name.display));
    const ids = new Set(cohortArrivals(cohort).map(ref));
    expect(cohortArrivals(other).filter((r) => ids.has(ref(r)))).toEqual([]);
  });

  it('has the number of patients asked for, each with their own key, name and resources', () => {
    expect(generateCohort({ patients: 5, seed: 1 }).patients).toHaveLength(5);
    expect(generateCohort({ patients: 0, seed: 1 }).patients).toEqual([]);
    expect(new Set(cohort.patients.map((p) => p.patientKey)).size).toBe(24);
    expect(new Set(cohort.patients.map((p) => p.name.family)).size).toBe(24);
    for (const patient of cohort.patients) {
      for (const resource of patient.arrivals) {
        expect(resource.subject?.identifier?.value).toBe(patient.mrn);
        expect(resource.subject?.display).toBe(patient.name.display);
      }
    }
  });

  it('keeps a patient the same whatever the size of the cohort', () => {
    expect(generateCohort({ patients: 3, seed: 42 }).patients).toEqual(cohort.patients.slice(0, 3));
  });

  it('mixes partial response, stable disease and progression, even in a cohort of three', () => {
    for (const patients of [3, 24]) {
      const pathways = new Set(generateCohort({ patients, seed: 7 }).patients.map((p) => p.pathway));
      expect([...pathways].sort()).toEqual(['PD', 'PR', 'SD']);
    }
  });

  it('measures follow-ups every 6 to 12 weeks, and their RECIST category ends in the pathway', () => {
    for (const patient of cohort.patients) {
      expect(patient.followUps.length).toBeGreaterThanOrEqual(2);
      let previous = Date.parse(patient.baseline.date);
      let nadir = patient.baseline.sumMm;
      for (const followUp of patient.followUps) {
        const days = (Date.parse(followUp.date) - previous) / DAY_MS;
        expect(days).toBeGreaterThanOrEqual(42);
        expect(days).toBeLessThanOrEqual(85);
        expect(followUp.category).toBe(recistCategory(followUp.sumMm, patient.baseline.sumMm, nadir));
        nadir = Math.min(nadir, followUp.sumMm);
        previous = Date.parse(followUp.date);
      }
      expect(patient.followUps.at(-1)?.category).toBe(patient.pathway);
      if (patient.pathway === 'SD') {
        expect(patient.followUps.every((f) => f.category === 'SD')).toBe(true);
      }
    }
  });

  it('writes each follow-up report with LOINC 21889-1 tumour sizes in mm or cm', () => {
    const units = new Set<string>();
    for (const patient of cohort.patients) {
      const report = patient.arrivals.find(
        (r): r is DiagnosticReport =>
          r.resourceType === 'DiagnosticReport' && r.id === patient.followUps[0].reportId,
      );
      const sizes = (report?.contained ?? []).filter(
        (r) => r.resourceType === 'Observation' && r.code.coding?.[0]?.code === '21889-1',
      );
      expect(sizes.length).toBeGreaterThanOrEqual(2);
      // Every contained Observation is listed: the sizes, and the non-target statement if any.
      const nonTargets = patient.features.includes('non-target-disease') ? 1 : 0;
      expect(report?.result).toHaveLength(sizes.length + nonTargets);
      expect(report?.contained).toHaveLength(sizes.length + nonTargets);
      for (const size of sizes) {
        if (size.resourceType === 'Observation') {
          units.add(size.valueQuantity?.unit ?? '');
        }
      }
    }
    expect([...units].sort()).toEqual(['cm', 'mm']);
  });

  it('gives every patient a radiotherapy planning scan with RT series and no report', () => {
    for (const patient of cohort.patients) {
      const planning = patient.arrivals.find(
        (r): r is ImagingStudy =>
          r.resourceType === 'ImagingStudy' && (r.id ?? '').endsWith('-planning-study'),
      );
      expect(planning?.modality?.map((m) => m.code)).toContain('RTSTRUCT');
      expect(patient.arrivals.some((r) => r.id?.endsWith('-planning-report'))).toBe(false);
    }
  });

  it('passes FHIR R4 validation, every version of every resource', () => {
    const failures = cohortArrivals(cohort).flatMap((r) => {
      const issues = validateR4(r);
      return issues.length ? [`${ref(r)}: ${JSON.stringify(issues)}`] : [];
    });
    expect(failures).toEqual([]);
  });

  it('corrects one report: sent final, then entered-in-error, then re-issued under a new id', () => {
    const corrected = cohort.patients.filter((p) => p.features.includes('correction'));
    expect(corrected).toHaveLength(1);
    const reports = corrected[0].arrivals.filter((r) => r.resourceType === 'DiagnosticReport');
    const voided = reports.find((r) => r.status === 'entered-in-error');
    expect(voided).toBeDefined();
    const versions = reports.filter((r) => r.id === voided?.id).map((r) => r.status);
    expect(versions).toEqual(['final', 'entered-in-error']);
    expect(reports.some((r) => r.id === `${voided?.id ?? ''}-corrected` && r.status === 'final')).toBe(true);
  });

  it('has a report without images: no study, no order', () => {
    const patient = cohort.patients.find((p) => p.features.includes('report-without-images'));
    const report = patient?.arrivals.find((r) => r.id?.endsWith('-outside-review-report'));
    expect(report?.resourceType).toBe('DiagnosticReport');
    expect(report && 'imagingStudy' in report ? report.imagingStudy : undefined).toBeUndefined();
    expect(report && 'basedOn' in report ? report.basedOn : undefined).toBeUndefined();
  });

  it('sends some patients out of order: a report before its study, a study before its order', () => {
    const shuffled = cohort.patients.filter((p) => p.features.includes('out-of-order'));
    expect(shuffled.length).toBeGreaterThan(0);
    const position = (p: (typeof shuffled)[number], id: string) => p.arrivals.findIndex((r) => r.id === id);
    const early = shuffled.flatMap((p) =>
      p.arrivals
        .filter((r) => r.resourceType === 'DiagnosticReport' && r.id?.endsWith('-report'))
        .filter((r) => {
          const study = (r.id ?? '').replace(/-report$/, '-study');
          return position(p, r.id ?? '') < position(p, study);
        }),
    );
    expect(early.length).toBeGreaterThan(0);
    // The others arrive order, study, report.
    const inOrder = cohort.patients.find((p) => !p.features.includes('out-of-order'));
    const baseline = ['order', 'study', 'report'].map((part) =>
      inOrder
        ? position(inOrder, `syn42-p${String(inOrder.index + 1).padStart(3, '0')}-baseline-${part}`)
        : -1,
    );
    expect(baseline[0]).toBeGreaterThanOrEqual(0);
    expect([...baseline].sort((a, b) => a - b)).toEqual(baseline);
  });

  it('leaves an order not yet done at the end of each pathway', () => {
    for (const patient of cohort.patients) {
      const last = patient.arrivals.filter((r) => r.id?.match(/-(surveillance2|line2-baseline)-/));
      expect(last.map((r) => r.resourceType)).toEqual(['ServiceRequest']);
    }
  });

  it('gives some patients non-target disease, stated present in the baseline and every follow-up report', () => {
    const withNonTarget = cohort.patients.filter((p) => p.features.includes('non-target-disease'));
    expect(withNonTarget.length).toBeGreaterThan(0);
    expect(withNonTarget.length).toBeLessThan(cohort.patients.length);
    for (const patient of cohort.patients) {
      const measuredReports = [patient.baseline.reportId, ...patient.followUps.map((f) => f.reportId)];
      for (const reportId of measuredReports) {
        const report = patient.arrivals.findLast(
          (r): r is DiagnosticReport => r.resourceType === 'DiagnosticReport' && r.id === reportId,
        );
        const statements = (report?.contained ?? []).flatMap((r) =>
          r.resourceType === 'Observation' && r.code.coding?.[0]?.code === 'non-target-lesion'
            ? [r.valueCodeableConcept?.coding?.[0]?.code]
            : [],
        );
        expect(statements).toEqual(patient.features.includes('non-target-disease') ? ['present'] : []);
      }
    }
  });

  it('starts treatment more than 4 weeks after the baseline for some patients, within 4 weeks for the others', () => {
    for (const patient of cohort.patients) {
      if (patient.features.includes('old-baseline')) {
        expect(patient.baseline.daysBeforeTreatment).toBeGreaterThan(28);
      } else {
        expect(patient.baseline.daysBeforeTreatment).toBeLessThanOrEqual(28);
      }
    }
    expect(cohort.patients.filter((p) => p.features.includes('old-baseline')).length).toBeGreaterThan(0);
    // The browser test's cohort of three has one.
    expect(cohort.patients.slice(0, 3).some((p) => p.features.includes('old-baseline'))).toBe(true);
  });

  it('has partial responses confirmed by a later follow-up, and says which report confirms each', () => {
    const confirmed = cohort.patients.flatMap((p) => p.followUps.filter((f) => f.confirmedBy !== null));
    expect(confirmed.length).toBeGreaterThan(0);
    for (const patient of cohort.patients) {
      patient.followUps.forEach((followUp, i) => {
        const later = patient.followUps.slice(i + 1);
        const confirmer = later.find((f) => f.reportId === followUp.confirmedBy);
        if (followUp.confirmedBy === null) {
          const firstPd = later.findIndex((f) => f.category === 'PD');
          const beforePd = firstPd === -1 ? later : later.slice(0, firstPd);
          if (followUp.category === 'PR') {
            expect(beforePd.some((f) => f.category === 'PR')).toBe(false);
          }
        } else {
          expect(followUp.category).toBe('PR');
          expect(confirmer?.category).toBe('PR');
        }
      });
    }
  });

  it('refuses a cohort size that is not a whole number', () => {
    expect(() => generateCohort({ patients: -1, seed: 1 })).toThrow(/whole number/);
    expect(() => generateCohort({ patients: 2.5, seed: 1 })).toThrow(/whole number/);
  });
});
