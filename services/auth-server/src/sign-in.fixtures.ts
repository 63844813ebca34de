import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenVerifier, type TokenVerifier } from '@oncoimg/auth';
import { cookieBrowser } from '@oncoimg/testing';
import { afterAll, beforeAll, expect } from 'vitest';
import { startAuthServer, type RunningAuthServer } from './auth-server.ts';

export const REDIRECT = 'http://127.0.0.1:8080/callback';

export interface SignInTokens {
  access_token: string;
  id_token: string;
  scope: string;
  patient?: string;
}

export type SignInResult = SignInTokens | { refused: true } | { error: string; description: string };

/**
 * The authorization-code flow with PKCE as a browser would run it against `serverUrl`: the login
 * form (skipped while the provider's session lasts), the patient picker when one is shown
 * (answered with `pick`), then the code exchange.
 */
export async function signIn(
  serverUrl: string,
  {
    username,
    password,
    scope,
    launch,
    pick,
    cookies,
  }: {
    username: string;
    password: string;
    scope: string;
    launch?: string;
    pick?: string;
    /** The browser's cookies at the provider: pass one jar to sign in twice in one browser. */
    cookies?: Map<string, string>;
  },
): Promise<SignInResult> {
  const verifierText = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifierText).digest('base64url');
  const { go } = cookieBrowser(serverUrl, cookies);
  const query = new URLSearchParams({
    client_id: 'timeline-web',
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope,
    state: 'state-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(launch === undefined ? {} : { launch }),
  });
  let response = await go(`/auth?${query.toString()}`);
  for (let step = 0; step < 12; step += 1) {
    const location = response.headers.get('location');
    if (location?.startsWith(REDIRECT)) {
      break;
    }
    if (location) {
      response = await go(location);
      continue;
    }
    const html = await response.text();
    const action = /action="([^"]+)"/.exec(html)?.[1];
    expect(action, `a form, got ${String(response.status)}: ${html}`).toBeDefined();
    const form: Record<string, string> = action!.endsWith('/patient')
      ? { patient: pick ?? '' }
      : { username, password };
    response = await go(action!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    if (response.status === 401) {
      return { refused: true };
    }
  }
  const callback = new URL(response.headers.get('location')!);
  expect(callback.searchParams.get('state')).toBe('state-1');
  const error = callback.searchParams.get('error');
  if (error) {
    return { error, description: callback.searchParams.get('error_description') ?? '' };
  }
  const token = await fetch(new URL('/token', serverUrl), {
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
  return (await token.json()) as SignInTokens;
}

/** The embedded server on a free port with a fresh DATA_DIR for a test file, closed after it. */
export function useAuthServer(): {
  readonly server: RunningAuthServer;
  readonly dataDir: string;
  readonly verifier: TokenVerifier;
} {
  const state = {} as { server: RunningAuthServer; dataDir: string; verifier: TokenVerifier };
  beforeAll(async () => {
    state.dataDir = await mkdtemp(join(tmpdir(), 'auth-server-'));
    state.server = await startAuthServer({
      port: 0,
      host: '127.0.0.1',
      audience: 'oncoimg',
      dataDir: state.dataDir,
      redirectUris: [REDIRECT],
    });
    state.verifier = createTokenVerifier({ issuer: state.server.issuer, audience: 'oncoimg' });
  });
  afterAll(async () => {
    await state.server.close();
    await rm(state.dataDir, { recursive: true, force: true });
  });
  return state;
}
