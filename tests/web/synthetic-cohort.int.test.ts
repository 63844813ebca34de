/**
 * The synthetic cohort through the real intake services: accepted as it is (every resource valid
 * for intake), and loaded a second time without a single new version, as `npm start` does at
 * every start.
 */
import { generateCohort, loadCohort, type CohortResource } from '@oncoimg/synthetic-cohort';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from '../support/running-system.ts';
import { authFetch } from '@oncoimg/testing';

describe('the synthetic cohort through the FHIR APIs', () => {
  let system: RunningSystem;
  const cohort = generateCohort({ patients: 6, seed: 2024 });
  const latest = new Map<string, CohortResource>();
  for (const r of cohort.patients.flatMap((p) => p.arrivals)) {
    latest.set(`${r.resourceType}/${r.id ?? ''}`, r);
  }

  beforeAll(async () => {
    system = await startSystem();
  }, 120_000);
  afterAll(async () => {
    await (system as RunningSystem | undefined)?.stop();
  });

  async function versions(): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    for (const [ref, resource] of latest) {
      const base = {
        ServiceRequest: system.orderBase,
        ImagingStudy: system.studyBase,
        DiagnosticReport: system.reportBase,
      }[resource.resourceType];
      const res = await authFetch(`${base}/${ref}`);
      const body = (await res.json()) as { status?: string; meta?: { versionId?: string } };
      expect(body.status).toBe(resource.status);
      result.set(ref, body.meta?.versionId ?? '');
    }
    return result;
  }

  it('is accepted whole, and a second load changes nothing', async () => {
    const lines: string[] = [];
    const first = await loadCohort({
      cohort,
      ...system,
      fetch: authFetch,
      progress: (line) => lines.push(line),
    });
    expect(first.created).toBe(latest.size);
    expect(lines.at(-1)).toMatch(/^patients 6\/6, resources (\d+)\/\1$/);
    const before = await versions();
    expect([...before.values()].filter((v) => v !== '1')).toEqual(['2']);

    const second = await loadCohort({ cohort, ...system, fetch: authFetch });
    expect(second).toMatchObject({ patients: 6, created: 0, skipped: 1 });
    expect(await versions()).toEqual(before);
  }, 120_000);
});
