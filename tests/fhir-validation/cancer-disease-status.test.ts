// HAPI FHIR's FhirInstanceValidator (R4 core definitions, offline) on the CancerDiseaseStatus
// Observations the timeline derives from real scenarios: RECIST CR, PR, SD, PD, NE, non-CR/non-PD and
// the conclusion-code path. The mCODE profile itself is in no registry reachable here: its rules are
// unit tests (services/timeline-service/src/domain/response/cancer-disease-status.test.ts), and the
// validator reports the unknown profile as a warning.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES_REQUIRED_VARIABLE } from '@oncoimg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diseaseStatusCases } from '../../services/timeline-service/src/domain/response/cancer-disease-status.fixtures.ts';
import { validateFiles, validatorMissing, type FileValidation } from './hapi-validator.ts';

const missing = validatorMissing();
const required = process.env[FIXTURES_REQUIRED_VARIABLE] === '1' || process.env.CI === 'true';
if (missing && required) {
  throw new Error(`${missing}; CI requires the HAPI validation (${FIXTURES_REQUIRED_VARIABLE}=1 or CI=true)`);
}
if (missing) {
  console.warn(`Skipping the HAPI FHIR validation: ${missing}.`);
}

/** Not an Observation any validator may accept: the control that shows the run can fail. */
const BROKEN = { resourceType: 'Observation', status: 'guessed', valueCodeableConcept: { coding: 'no' } };

describe.skipIf(missing !== null)('HAPI FHIR R4 validation of the derived Observations', () => {
  const cases = diseaseStatusCases();
  const dir = mkdtempSync(join(tmpdir(), 'oncoimg-hapi-'));
  let results: Map<string, FileValidation>;

  beforeAll(async () => {
    const files = cases.map(({ observation }, index) => {
      const file = join(dir, `case-${String(index)}.json`);
      // As served: the store adds the version and the time.
      const served = {
        ...observation,
        meta: { ...observation.meta, versionId: '1', lastUpdated: '2024-05-02T10:00:00.000Z' },
      };
      writeFileSync(file, JSON.stringify(served));
      return file;
    });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify(BROKEN));
    results = new Map((await validateFiles([...files, broken])).map((r) => [r.file, r]));
  }, 180_000);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports errors for a broken Observation (the validator does check)', () => {
    const issues = results.get(join(dir, 'broken.json'))?.issues ?? [];
    expect(issues.filter((i) => i.severity === 'error').length).toBeGreaterThan(0);
  });

  it.each(cases.map((c, index) => ({ ...c, index })))('$name: no errors', ({ index }) => {
    const issues = results.get(join(dir, `case-${String(index)}.json`))?.issues;
    expect(issues).toBeDefined();
    expect(issues?.filter((i) => i.severity === 'error' || i.severity === 'fatal')).toEqual([]);
  });
});
