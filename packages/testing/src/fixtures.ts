import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared third-party fixtures, read in place: ONCOIMG_FIXTURES, else `<repo>/../shared/fixtures`. */
export function fixturesDir(): string {
  const override = process.env.ONCOIMG_FIXTURES;
  if (override) return resolve(override);
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'shared', 'fixtures');
}
