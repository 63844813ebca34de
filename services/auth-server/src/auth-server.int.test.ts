import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  capabilitySecurity,
  createTokenVerifier,
  endpointsOfDiscovery,
  smartConfiguration,
  devClientKeyPath,
  identityOf,
  readPrivateJwk,
  requestBackendToken,
  TokenRequestError,
  type TokenVerifier,
} from '@oncoimg/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthServer, type RunningAuthServer } from './auth-server.ts';
import { DEV_PATIENT_KEY } from './dev-users.ts';

const REDIRECT = 'http://127.0.0.1:8080/callback';

let dataDir = '';
let server: RunningAuthServer;
let verifier: TokenVerifier;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'auth-server-'));
  server = await startAuthServer({
    port: 0,
    host: '127.0.0.1',
    audience: 'oncoimg',
    dataDir,
    redirectUris: [REDIRECT],
  });
  verifier = createTokenVerifier({ issuer: server.issuer, audience: 'oncoimg' });
});
afterAll(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

const backendToken = async (clientId: string, scope: string, patient?: string) =>
  requestBackendToken({
    issuer: server.issuer,
    clientId,
    privateJwk: await readPrivateJwk(devClientKeyPath(dataDir, clientId)),
    scope,
    ...(patient === undefined ? {} : { patient }),
  });

/** The authorization-code flow with PKCE as a browser would run it, signing in through the login form. */
async function signIn(username: string, password: string, scope: string) {
  const jar = new Map<string, string>();
  const verifierText = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifierText).digest('base64url');
  const go = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(new URL(url, server.url), {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string> | undefined),
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
  const query = new URLSearchParams({
    client_id: 'timeline-web',
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope,
    state: 'state-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  let response = await go(`/auth?${query.toString()}`);
  for (let step = 0; step < 10; step += 1) {
    const location = response.headers.get('location');
    if (location?.startsWith(REDIRECT)) {
      break;
    }
    if (location) {
      response = await go(location);
    } else {
      const html = await response.text();
      const action = /action="([^"]+)"/.exec(html)?.[1];
      expect(action, `a login form, got ${String(response.status)}: ${html}`).toBeDefined();
      response = await go(action!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username, password }).toString(),
      });
      if (response.status === 401) {
        return { refused: true as const };
      }
    }
  }
  const callback = new URL(response.headers.get('location')!);
  expect(callback.searchParams.get('state')).toBe('state-1');
  const token = await fetch(new URL('/token', server.url), {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: REDIRECT,
      client_id: 'timeline-web',
      code_verifier: verifierText,
    }),
  });
  expect(token.status).toBe(200);
  return (await token.json()) as { access_token: string; id_token: string; scope: string; patient?: string };
}

describe('embedded authorization server', () => {
  it('keeps its signing key and the development clients keys under DATA_DIR, owner-only', async () => {
    expect((await stat(join(dataDir, 'signing-key.private.jwk.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(devClientKeyPath(dataDir, 'cli-dev'))).mode & 0o777).toBe(0o600);
    expect((await fetch(new URL('/healthz', server.url))).status).toBe(200);
  });

  it('issues a JWT access token for client_credentials with private_key_jwt that @oncoimg/auth verifies', async () => {
    const response = await backendToken('ehr-dev', 'system/ServiceRequest.c system/ServiceRequest.u');
    expect(response.scope).toBe('system/ServiceRequest.c system/ServiceRequest.u');
    const { claims } = await verifier.verify(response.access_token);
    expect(claims).toMatchObject({ iss: server.issuer, aud: 'oncoimg', client_id: 'ehr-dev' });
    expect(identityOf(claims).scopes).toEqual(['system/ServiceRequest.c', 'system/ServiceRequest.u']);
  });

  it('leaves out a scope the client is not allowed and keeps the ones it is', async () => {
    const response = await backendToken('pacs-dev', 'system/ImagingStudy.c system/ServiceRequest.c');
    const { claims } = await verifier.verify(response.access_token);
    expect(identityOf(claims).scopes).toEqual(['system/ImagingStudy.c']);
  });

  it('binds a CLI token to a patient, and refuses that to a client not allowed to', async () => {
    const bound = await backendToken('cli-dev', 'patient/*.rs', 'Patient/123');
    expect(bound.patient).toBe('Patient/123');
    expect(identityOf((await verifier.verify(bound.access_token)).claims).patient).toBe('Patient/123');
    const refused = await backendToken('ehr-dev', 'system/ServiceRequest.c', 'Patient/123').catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(TokenRequestError);
    expect((refused as TokenRequestError).oauthError).toBe('invalid_request');
  });

  it('refuses a client assertion signed with another client key', async () => {
    const error = await requestBackendToken({
      issuer: server.issuer,
      clientId: 'ehr-dev',
      privateJwk: await readPrivateJwk(devClientKeyPath(dataDir, 'pacs-dev')),
      scope: 'system/ServiceRequest.c',
    }).catch((e: unknown) => e);
    expect((error as TokenRequestError).oauthError).toBe('invalid_client');
  });

  it('signs the clinician in with authorization code and PKCE, granting only user scopes', async () => {
    const tokens = await signIn('clinician', 'clinician-dev', 'openid fhirUser user/*.rs patient/*.rs');
    expect('refused' in tokens).toBe(false);
    if ('refused' in tokens) {
      return;
    }
    const identity = identityOf((await verifier.verify(tokens.access_token)).claims);
    expect(identity).toMatchObject({
      clientId: 'timeline-web',
      subject: 'clinician',
      scopes: ['user/*.rs'],
      patient: undefined,
    });
    expect(identity.fhirUser).toBe('Practitioner/dev-clinician');
  });

  it('signs the patient user in with their patient context', async () => {
    const tokens = await signIn('patient', 'patient-dev', 'openid launch/patient user/*.rs patient/*.rs');
    if ('refused' in tokens) {
      throw new Error('refused');
    }
    expect(tokens.patient).toBe(DEV_PATIENT_KEY);
    const identity = identityOf((await verifier.verify(tokens.access_token)).claims);
    expect(identity).toMatchObject({
      subject: 'patient',
      scopes: ['patient/*.rs'],
      patient: DEV_PATIENT_KEY,
    });
  });

  it('describes itself in the SMART discovery document and CapabilityStatement security the services serve', async () => {
    const response = await fetch(new URL('/.well-known/openid-configuration', server.url));
    const endpoints = endpointsOfDiscovery((await response.json()) as Record<string, unknown>);
    expect(endpoints).toMatchObject({ issuer: server.issuer, tokenEndpoint: `${server.url}/token` });
    expect(smartConfiguration(endpoints)).toMatchObject({
      token_endpoint: `${server.url}/token`,
      jwks_uri: `${server.url}/jwks`,
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt', 'none'],
    });
    expect(capabilitySecurity(endpoints).extension?.[0]?.extension).toContainEqual({
      url: 'authorize',
      valueUri: `${server.url}/auth`,
    });
  });

  it('refuses a wrong password at the login form', async () => {
    expect(await signIn('clinician', 'wrong', 'openid user/*.rs')).toEqual({ refused: true });
  });
});
