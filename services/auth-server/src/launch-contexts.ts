import { randomBytes } from 'node:crypto';

/**
 * SMART App Launch contexts. An EHR (or `oncoimg launch`) registers a launch id bound to a
 * patient and opens the app with it; the app sends the id back in its authorization request
 * (`launch`), the interaction resolves it, and the grant made there is bound to the patient, so
 * every token of that grant carries the `patient` claim. Kept in memory like the provider's own
 * state (a restart forgets them; launch ids live minutes anyway).
 */
export interface LaunchContexts {
  /** A new launch id for `patient`, usable until it expires. */
  register(patient: string): { launch: string; expiresInSec: number };
  /** The patient of a launch id, unless unknown or expired. */
  resolve(launch: string): string | undefined;
  /** Binds the grant made for a launch (or a picked patient) to its patient. */
  bindGrant(grantId: string, patient: string): void;
  /** The patient a grant was bound to, if any. */
  patientOfGrant(grantId: string | undefined): string | undefined;
}

export interface LaunchContextOptions {
  /** How long an EHR's launch id may wait for the app to come back with it. */
  launchTtlSec?: number;
  /** How long a grant's binding is kept: as long as the provider keeps the grant. */
  grantTtlSec: number;
  now?: () => number;
}

interface Entry {
  patient: string;
  expiresAt: number;
}

export function createLaunchContexts({
  launchTtlSec = 10 * 60,
  grantTtlSec,
  now = Date.now,
}: LaunchContextOptions): LaunchContexts {
  const launches = new Map<string, Entry>();
  const grants = new Map<string, Entry>();
  const live = (map: Map<string, Entry>, key: string | undefined) => {
    const entry = key === undefined ? undefined : map.get(key);
    return entry && entry.expiresAt > now() ? entry.patient : undefined;
  };
  const prune = (map: Map<string, Entry>) => {
    for (const [key, entry] of map) {
      if (entry.expiresAt <= now()) {
        map.delete(key);
      }
    }
  };
  return {
    register(patient) {
      prune(launches);
      const launch = randomBytes(18).toString('base64url');
      launches.set(launch, { patient, expiresAt: now() + launchTtlSec * 1_000 });
      return { launch, expiresInSec: launchTtlSec };
    },
    resolve: (launch) => live(launches, launch),
    bindGrant(grantId, patient) {
      prune(grants);
      grants.set(grantId, { patient, expiresAt: now() + grantTtlSec * 1_000 });
    },
    patientOfGrant: (grantId) => live(grants, grantId),
  };
}
