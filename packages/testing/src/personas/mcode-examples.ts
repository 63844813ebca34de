import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Observation } from '@medplum/fhirtypes';
import { fixturesDir } from '../fixtures.ts';

// Third-party fixtures are read in place (never copied into the repo): ONCOIMG_FIXTURES, else the
// shared folder next to the repository. See SOURCES.md there.
function readMcode(file: string): Observation {
  const resource = JSON.parse(readFileSync(path.join(fixturesDir(), 'fhir', 'mcode', file), 'utf8')) as {
    resourceType?: string;
  };
  if (resource.resourceType !== 'Observation') {
    throw new Error(`${file} is not an Observation`);
  }
  return resource as Observation;
}

/**
 * HL7 mCODE IG test resource `must-have-focus-or-specimen-invariant_specimen-only`: a valid
 * TumorSize measured on a specimen, longest dimension 1.2 cm, other dimension 0.5 cm.
 */
export function mcodeTumorSizeSpecimenOnly(): Observation {
  return readMcode('tumor-size_specimen-only_VALID.json');
}

/**
 * HL7 mCODE IG test resource `must-have-focus-or-specimen-invariant_neither`: an invalid TumorSize
 * that names neither the tumour (focus) nor a specimen.
 */
export function mcodeTumorSizeNeither(): Observation {
  return readMcode('tumor-size_neither_INVALID.json');
}
