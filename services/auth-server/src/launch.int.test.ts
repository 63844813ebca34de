import { devClientKeyPath, identityOf, readPrivateJwk, requestBackendToken } from '@oncoimg/auth';
import { describe, expect, it } from 'vitest';
import { DEV_PATIENT_KEY } from './dev-users.ts';
import { signIn, useAuthServer, type SignInResult } from './sign-in.fixtures.ts';

const OTHER_PATIENT = 'https://oncoimg.example.org/fhir/sid/synthetic-mrn|SYN-42-0002';
const PAGE_SCOPE = 'openid profile fhirUser user/*.rs patient/*.rs';

const auth = useAuthServer();

/** Registers a launch as an EHR would: POST /launch-contexts with a backend client's token. */
async function registerLaunch(clientId: string, patient: string): Promise<Response> {
  const { access_token: token } = await requestBackendToken({
    issuer: auth.server.issuer,
    clientId,
    privateJwk: await readPrivateJwk(devClientKeyPath(auth.dataDir, clientId)),
    scope: clientId === 'cli-dev' ? 'system/Patient.rs' : 'system/ServiceRequest.c',
  });
  return fetch(new URL('/launch-contexts', auth.server.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ patient }).toString(),
  });
}

async function patientOf(result: SignInResult): Promise<string | undefined> {
  if (!('access_token' in result)) {
    throw new Error(`sign-in did not complete: ${JSON.stringify(result)}`);
  }
  const claim = identityOf((await auth.verifier.verify(result.access_token)).claims).patient;
  expect(result.patient).toBe(claim);
  return claim;
}

const clinician = { username: 'clinician', password: 'clinician-dev' };

describe('SMART App Launch at the embedded server', () => {
  it('EHR launch: a registered launch id comes back as the patient of the token and the token response', async () => {
    const registered = await registerLaunch('cli-dev', OTHER_PATIENT);
    expect(registered.status).toBe(201);
    const { launch } = (await registered.json()) as { launch: string };
    const jar = new Map<string, string>();
    const launched = await signIn(auth.server.url, {
      ...clinician,
      scope: `${PAGE_SCOPE} launch`,
      launch,
      cookies: jar,
    });
    expect(await patientOf(launched)).toBe(OTHER_PATIENT);
    // The clinician's next plain sign-in in the same browser carries no launched patient.
    const plain = await signIn(auth.server.url, { ...clinician, scope: PAGE_SCOPE, cookies: jar });
    expect(await patientOf(plain)).toBeUndefined();
  });

  it('refuses an unknown launch id and a launch registered by a client not allowed to', async () => {
    const refused = await signIn(auth.server.url, {
      ...clinician,
      scope: `${PAGE_SCOPE} launch`,
      launch: 'made-up',
    });
    expect(refused).toMatchObject({ error: 'access_denied' });
    expect((await registerLaunch('ehr-dev', OTHER_PATIENT)).status).toBe(403);
    const anonymous = await fetch(new URL('/launch-contexts', auth.server.url), {
      method: 'POST',
      body: 'patient=Patient/1',
    });
    expect(anonymous.status).toBe(401);
  });

  it('standalone launch: the clinician picks a patient, the patient user gets their own', async () => {
    const picked = await signIn(auth.server.url, {
      ...clinician,
      scope: `${PAGE_SCOPE} launch/patient`,
      pick: 'Patient/p-77',
    });
    expect(await patientOf(picked)).toBe('Patient/p-77');
    const own = await signIn(auth.server.url, {
      username: 'patient',
      password: 'patient-dev',
      scope: `${PAGE_SCOPE} launch/patient`,
    });
    expect(await patientOf(own)).toBe(DEV_PATIENT_KEY);
  });

  it('refuses an EHR launch of another patient for the patient user', async () => {
    const { launch } = (await (await registerLaunch('cli-dev', OTHER_PATIENT)).json()) as { launch: string };
    const refused = await signIn(auth.server.url, {
      username: 'patient',
      password: 'patient-dev',
      scope: `${PAGE_SCOPE} launch`,
      launch,
    });
    expect(refused).toMatchObject({ error: 'access_denied' });
  });
});
