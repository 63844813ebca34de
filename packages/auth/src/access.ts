import type { JWTPayload } from 'jose';
import {
  can,
  parseScopes,
  scopeNeeded,
  type Interaction,
  type ScopeContext,
  type ScopeGrant,
} from './scopes.ts';

/** Who is calling, from a verified access token. Holds no patient data beyond the patient key. */
export interface CallerIdentity {
  /** `client_id` (RFC 9068), else `azp`, `cid` (Okta) or `appid` (Entra ID v1 tokens). */
  clientId: string | undefined;
  /** `sub`: the user for the authorization-code flow, the client for client credentials. */
  subject: string | undefined;
  scopes: readonly string[];
  grant: ScopeGrant;
  /** The patient context as a patient key (see patientKeyOfClaim), when the token carries one. */
  patient: string | undefined;
  /** `fhirUser` when the provider sends it (`Practitioner/…`). */
  fhirUser: string | undefined;
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * The patient key of a SMART `patient` claim. SMART sends a Patient logical id (`123`), which is
 * the key `Patient/123`; a claim that is already a patient key (`Patient/123`, or an identifier
 * `system|value` such as `https://hospital.example/mrn|A123`) is used as it is.
 */
export function patientKeyOfClaim(claim: unknown): string | undefined {
  if (typeof claim !== 'string' || claim === '') {
    return undefined;
  }
  if (claim.includes('|') || claim.startsWith('Patient/')) {
    return claim;
  }
  return FHIR_ID.test(claim) ? `Patient/${claim}` : undefined;
}

const firstString = (...values: unknown[]) => values.find((v): v is string => typeof v === 'string');

/** The caller of a verified token; scopes from `scope` (string) or `scp` (string or array). */
export function identityOf(claims: JWTPayload & Record<string, unknown>): CallerIdentity {
  const raw = claims.scope ?? claims.scp;
  const scopes =
    typeof raw === 'string'
      ? raw.split(' ').filter(Boolean)
      : Array.isArray(raw)
        ? raw.filter((s): s is string => typeof s === 'string')
        : [];
  return {
    clientId: firstString(claims.client_id, claims.azp, claims.cid, claims.appid),
    subject: claims.sub,
    scopes,
    grant: parseScopes(scopes),
    patient: patientKeyOfClaim(claims.patient),
    fhirUser: firstString(claims.fhirUser),
  };
}

export type AccessDecision =
  | {
      allowed: true;
      /** Set when only `patient/` scopes allow it: the caller sees this patient and no other. */
      patient: string | undefined;
    }
  | { allowed: false; missing: string };

/**
 * Whether the caller may do all of `interactions` on `resourceType`. `user/` and `system/` scopes
 * allow it for every patient; `patient/` scopes only together with a patient claim, and then only
 * for that patient. A `patient/` scope without a patient claim allows nothing.
 */
export function decide(
  identity: Pick<CallerIdentity, 'grant' | 'patient'>,
  resourceType: string,
  interactions: readonly Interaction[],
): AccessDecision {
  let restricted = false;
  for (const interaction of interactions) {
    const broad = can(identity.grant, { resourceType, interaction, contexts: ['user', 'system'] });
    if (broad) {
      continue;
    }
    const viaPatient =
      identity.patient !== undefined &&
      can(identity.grant, { resourceType, interaction, contexts: ['patient'] });
    if (!viaPatient) {
      return {
        allowed: false,
        missing: scopeNeeded(resourceType, interactions, preferredContext(identity)),
      };
    }
    restricted = true;
  }
  return { allowed: true, patient: restricted ? identity.patient : undefined };
}

function preferredContext(identity: Pick<CallerIdentity, 'grant' | 'patient'>): ScopeContext {
  const contexts = new Set(identity.grant.resources.map((scope) => scope.context));
  if (identity.patient !== undefined && contexts.has('patient')) {
    return 'patient';
  }
  return contexts.has('user') ? 'user' : 'system';
}
