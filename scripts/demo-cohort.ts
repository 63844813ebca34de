import { devClientKeyPath, readPrivateJwk, requestBackendToken } from '@oncoimg/auth';
import { generateCohort, loadCohort } from '@oncoimg/synthetic-cohort';

/** The demo cohort: 24 synthetic patients from seed 42, unless DEMO_PATIENTS asks for another size. */
export const DEMO_SEED = 42;
export const DEFAULT_DEMO_PATIENTS = 24;

export interface DemoCohortOptions {
  orderBase: string;
  studyBase: string;
  reportBase: string;
  /** The embedded authorization server, whose `demo-loader` backend client loads the cohort. */
  issuer: string;
  /** Its DATA_DIR, where the client's private key is. */
  authDataDir: string;
  progress?: (line: string) => void;
  /** Defaults to DEMO_PATIENTS, else 24. */
  patients?: number;
}

/** What the demo loader may do: write and read back the three imaging resource types. */
export const DEMO_LOADER_SCOPE = ['ServiceRequest', 'ImagingStudy', 'DiagnosticReport']
  .map((type) => `system/${type}.cru`)
  .join(' ');

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
  issuer,
  authDataDir,
  progress = () => {},
  patients = demoPatients(),
}: DemoCohortOptions) {
  const cohort = generateCohort({ patients, seed: DEMO_SEED });
  // SMART Backend Services, as the EHR, PACS and RIS of a hospital would sign in.
  const { access_token: token } = await requestBackendToken({
    issuer,
    clientId: 'demo-loader',
    privateJwk: await readPrivateJwk(devClientKeyPath(authDataDir, 'demo-loader')),
    scope: DEMO_LOADER_SCOPE,
  });
  const authorized: typeof fetch = (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
  const started = Date.now();
  const result = await loadCohort({
    cohort,
    orderBase,
    studyBase,
    reportBase,
    fetch: authorized,
    progress: (line) => progress(`Demo data: ${line}`),
  });
  progress(
    `Demo data: ${String(result.patients)} synthetic patients loaded (${String(result.sent)} resources sent, ${String(result.created)} new) in ${String(Math.round((Date.now() - started) / 100) / 10)} s`,
  );
  return result;
}
