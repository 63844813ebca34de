import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  capabilitySecurity,
  endpointsOfDiscovery,
  smartConfiguration,
  devClientKeyPath,
  identityOf,
  readPrivateJwk,
  requestBackendToken,
  TokenRequestError,
} from '@oncoimg/auth';
import { describe, expect, it } from 'vitest';
import { DEV_PATIENT_KEY } from './dev-users.ts';
import { signIn, useAuthServer } from './sign-in.fixtures.ts';

const auth = useAuthServer();

const backendToken = async (clientId: string, scope: string, patient?: string) =>
  requestBackendToken({
    issuer: auth.server.issuer,
    clientId,
    privateJwk: await readPrivateJwk(devClientKeyPath(auth.dataDir, clientId)),
    scope,
    ...(patient === undefined ? {} : { patient }),
  });

const signInAs = (username: string, password: string, scope: string) =>
  signIn(auth.server.url, { username, password, scope });

describe('embedded authorization server', () => {
  it('keeps its signing key and the development clients keys under DATA_DIR, owner-only', async () => {
    expect((await stat(join(auth.dataDir, 'signing-key.private.jwk.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(devClientKeyPath(auth.dataDir, 'cli-dev'))).mode & 0o777).toBe(0o600);
    expect((await fetch(new URL('/healthz', auth.server.url))).status).toBe(200);
  });

  it('issues a JWT access token for client_credentials with private_key_jwt that @oncoimg/auth verifies', async () => {
    const response = await backendToken('ehr-dev', 'system/ServiceRequest.c system/ServiceRequest.u');
    expect(response.scope).toBe('system/ServiceRequest.c system/ServiceRequest.u');
    const { claims } = await auth.verifier.verify(response.access_token);
    expect(claims).toMatchObject({ iss: auth.server.issuer, aud: 'oncoimg', client_id: 'ehr-dev' });
    expect(identityOf(claims).scopes).toEqual(['system/ServiceRequest.c', 'system/ServiceRequest.u']);
  });

  it('grants the scopes of every API of the system: Subscriptions and derived Observations too', async () => {
    const scope = 'system/Subscription.cu system/Subscription.rs system/Observation.rs';
    const response = await backendToken('cli-dev', scope);
    expect(response.scope).toBe(scope);
    expect(identityOf((await auth.verifier.verify(response.access_token)).claims).scopes).toEqual(
      scope.split(' '),
    );
  });

  it('leaves out a scope the client is not allowed and keeps the ones it is', async () => {
    const response = await backendToken('pacs-dev', 'system/ImagingStudy.c system/ServiceRequest.c');
    const { claims } = await auth.verifier.verify(response.access_token);
    expect(identityOf(claims).scopes).toEqual(['system/ImagingStudy.c']);
  });

  it('binds a CLI token to a patient, and refuses that to a client not allowed to', async () => {
    const bound = await backendToken('cli-dev', 'patient/*.rs', 'Patient/123');
    expect(bound.patient).toBe('Patient/123');
    expect(identityOf((await auth.verifier.verify(bound.access_token)).claims).patient).toBe('Patient/123');
    const refused = await backendToken('ehr-dev', 'system/ServiceRequest.c', 'Patient/123').catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(TokenRequestError);
    expect((refused as TokenRequestError).oauthError).toBe('invalid_request');
  });

  it('refuses a client assertion signed with another client key', async () => {
    const error = await requestBackendToken({
      issuer: auth.server.issuer,
      clientId: 'ehr-dev',
      privateJwk: await readPrivateJwk(devClientKeyPath(auth.dataDir, 'pacs-dev')),
      scope: 'system/ServiceRequest.c',
    }).catch((e: unknown) => e);
    expect((error as TokenRequestError).oauthError).toBe('invalid_client');
  });

  it('signs the clinician in with authorization code and PKCE, granting only user scopes', async () => {
    const tokens = await signInAs('clinician', 'clinician-dev', 'openid fhirUser user/*.rs patient/*.rs');
    expect('refused' in tokens).toBe(false);
    if (!('access_token' in tokens)) {
      return;
    }
    const identity = identityOf((await auth.verifier.verify(tokens.access_token)).claims);
    expect(identity).toMatchObject({
      clientId: 'timeline-web',
      subject: 'clinician',
      scopes: ['user/*.rs'],
      patient: undefined,
    });
    expect(identity.fhirUser).toBe('Practitioner/dev-clinician');
  });

  it('signs the patient user in with their patient context', async () => {
    const tokens = await signInAs('patient', 'patient-dev', 'openid launch/patient user/*.rs patient/*.rs');
    if (!('access_token' in tokens)) {
      throw new Error('refused');
    }
    expect(tokens.patient).toBe(DEV_PATIENT_KEY);
    const identity = identityOf((await auth.verifier.verify(tokens.access_token)).claims);
    expect(identity).toMatchObject({
      subject: 'patient',
      scopes: ['patient/*.rs'],
      patient: DEV_PATIENT_KEY,
    });
  });

  it('describes itself in the SMART discovery document and CapabilityStatement security the services serve', async () => {
    const response = await fetch(new URL('/.well-known/openid-configuration', auth.server.url));
    const endpoints = endpointsOfDiscovery((await response.json()) as Record<string, unknown>);
    expect(endpoints).toMatchObject({
      issuer: auth.server.issuer,
      tokenEndpoint: `${auth.server.url}/token`,
    });
    expect(smartConfiguration(endpoints)).toMatchObject({
      token_endpoint: `${auth.server.url}/token`,
      jwks_uri: `${auth.server.url}/jwks`,
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt', 'none'],
    });
    expect(capabilitySecurity(endpoints).extension?.[0]?.extension).toContainEqual({
      url: 'authorize',
      valueUri: `${auth.server.url}/auth`,
    });
  });

  it('refuses a wrong password at the login form', async () => {
    expect(await signInAs('clinician', 'wrong', 'openid user/*.rs')).toEqual({ refused: true });
  });
});
