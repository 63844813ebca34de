import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

/** Set to `1` (as `.ci/run` does) and a missing fixtures folder fails the tests instead of skipping them. */
export const FIXTURES_REQUIRED_VARIABLE = 'ONCOIMG_FIXTURES_REQUIRED';

/** The shared third-party fixtures, read in place: ONCOIMG_FIXTURES, else `<repo>/../shared/fixtures`. */
export function fixturesDir(): string {
  const override = process.env.ONCOIMG_FIXTURES;
  if (override) {
    return resolve(override);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'shared', 'fixtures');
}

let warned = false;

/**
 * Whether the shared fixtures are there. A plain clone has no `../shared/fixtures`: its tests that
 * read them skip with one line saying so, unless ONCOIMG_FIXTURES_REQUIRED=1 makes that an error.
 */
export function fixturesAvailable(): boolean {
  const dir = fixturesDir();
  if (existsSync(dir)) {
    return true;
  }
  const missing = `the shared fixtures folder ${dir} does not exist; set ONCOIMG_FIXTURES to the folder that holds them`;
  if (process.env[FIXTURES_REQUIRED_VARIABLE] === '1') {
    throw new Error(`${missing} (${FIXTURES_REQUIRED_VARIABLE}=1 requires them)`);
  }
  if (!warned) {
    console.warn(`Skipping the tests that read third-party fixtures: ${missing}.`);
  }
  warned = true;
  return false;
}

type SuiteFactory = () => void;

function skippedSuite(name: string): void {
  // Vitest runs a skipped suite's factory to collect its tests, and that factory reads the fixtures.
  describe.skip(name, () => {
    it.skip('needs the shared fixtures', () => undefined);
  });
}

/** `describe` for a suite that reads the shared fixtures: skipped, with one line, when they are missing. */
export function describeWithFixtures(name: string, factory: SuiteFactory): void {
  if (fixturesAvailable()) {
    describe(name, factory);
  } else {
    skippedSuite(name);
  }
}

/** `describe.each` for a suite that reads the shared fixtures. */
describeWithFixtures.each =
  <T extends object>(cases: readonly T[]) =>
  (name: string, factory: (item: T) => void): void => {
    if (fixturesAvailable()) {
      describe.each(cases)(name, factory);
    } else {
      skippedSuite(name);
    }
  };
