import { generateCohort, loadCohort } from '@oncoimg/synthetic-cohort';

/** The demo cohort: 24 synthetic patients from seed 42, unless DEMO_PATIENTS asks for another size. */
export const DEMO_SEED = 42;
export const DEFAULT_DEMO_PATIENTS = 24;

export interface DemoCohortOptions {
  orderBase: string;
  studyBase: string;
  reportBase: string;
  progress?: (line: string) => void;
  /** Defaults to DEMO_PATIENTS, else 24. */
  patients?: number;
}

function demoPatients(): number {
  const raw = process.env.DEMO_PATIENTS;
  if (raw === undefined || raw.trim() === '') {
    return DEFAULT_DEMO_PATIENTS;
  }
  const patients = Number(raw);
  if (!Number.isInteger(patients) || patients < 0 || patients > 10_000) {
    throw new Error(`DEMO_PATIENTS must be a whole number from 0 to 10000, not "${raw}"`);
  }
  return patients;
}

/**
 * Loads the synthetic demo cohort through the services' real FHIR APIs. The cohort is the same at
 * every start (fixed seed) and PUT by id, so `npm start` can load it again without changing anything.
 */
export async function loadDemoCohort({
  orderBase,
  studyBase,
  reportBase,
  progress = () => {},
  patients = demoPatients(),
}: DemoCohortOptions) {
  const cohort = generateCohort({ patients, seed: DEMO_SEED });
  const started = Date.now();
  const result = await loadCohort({
    cohort,
    orderBase,
    studyBase,
    reportBase,
    progress: (line) => progress(`Demo data: ${line}`),
  });
  progress(
    `Demo data: ${String(result.patients)} synthetic patients loaded (${String(result.sent)} resources sent, ${String(result.created)} new) in ${String(Math.round((Date.now() - started) / 100) / 10)} s`,
  );
  return result;
}
