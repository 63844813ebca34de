import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The development users of the embedded authorization server. Their passwords are public (they
 * are in docs/security.md): the embedded server is for development and demos; a hospital points
 * the services at its own OpenID provider instead.
 */
export interface DevUser {
  username: string;
  password: string;
  /** The SMART scopes a token of this user may carry. */
  allowedScopes: string;
  /** A patient key: tokens of this user carry it as the `patient` claim. */
  patient?: string;
  fhirUser?: string;
  name: string;
}

/** The first patient of the demo cohort (seed 42). */
export const DEV_PATIENT_KEY = 'https://oncoimg.example.org/fhir/sid/synthetic-mrn|SYN-42-0001';

export const DEV_USERS: readonly DevUser[] = [
  {
    username: 'clinician',
    password: 'clinician-dev',
    allowedScopes: 'user/*.rs',
    fhirUser: 'Practitioner/dev-clinician',
    name: 'Development Clinician',
  },
  {
    username: 'patient',
    password: 'patient-dev',
    allowedScopes: 'patient/*.rs',
    patient: DEV_PATIENT_KEY,
    name: 'Development Patient User',
  },
];

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The user with these credentials; compares in constant time so a wrong guess reveals nothing. */
export function checkPassword(
  users: readonly DevUser[],
  username: string,
  password: string,
): DevUser | undefined {
  const user = users.find((candidate) => candidate.username === username);
  const expected = digest(user?.password ?? '\u0000no such user');
  return timingSafeEqual(expected, digest(password)) && user ? user : undefined;
}
