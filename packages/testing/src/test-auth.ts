/**
 * Tests only: one real OpenID issuer per test process (jose-signed tokens, JWKS over HTTP), the
 * services' access to it, and tokens for their APIs. Every test that calls a service uses it.
 */
import { createServiceAccess, type ServiceAccess } from '@oncoimg/auth';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { startTestIssuer, type TestIssuer } from '@oncoimg/auth/test-issuer';

/** What a test caller may do unless it asks for less: every system scope. */
export const ALL_SCOPES = 'system/*.cruds';

export interface TestAuth {
  issuer: TestIssuer;
  /** What a service under test is given (the `access` option, or OIDC_ISSUER for a process). */
  access: ServiceAccess;
  /** A valid access token with `scope` and any other claims. */
  token(scope?: string, claims?: Record<string, unknown>): Promise<string>;
  /** `{ authorization: 'Bearer …' }` for `fetch`'s headers. */
  bearer(scope?: string, claims?: Record<string, unknown>): Promise<{ authorization: string }>;
}

let shared: Promise<TestAuth> | undefined;

/** The issuer of this test process, started on first use (it never holds the process open). */
export function testAuth(): Promise<TestAuth> {
  shared ??= startTestIssuer().then((issuer) => {
    const token = (scope = ALL_SCOPES, claims: Record<string, unknown> = {}) =>
      issuer.sign({ scope, ...claims });
    return {
      issuer,
      access: createServiceAccess({ issuer: issuer.issuer, audience: 'oncoimg' }),
      token,
      bearer: async (scope, claims) => ({ authorization: `Bearer ${await token(scope, claims)}` }),
    };
  });
  return shared;
}

/** `fetch` as a fully allowed caller: adds a bearer token of the test issuer unless one is given. */
export const authFetch: typeof fetch = async (input, init = {}) => {
  const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
  if (!headers.has('authorization')) {
    headers.set('authorization', `Bearer ${await (await testAuth()).token()}`);
  }
  return fetch(input, { ...init, headers });
};

/**
 * `fetch` that waits and tries again while the service refuses for overload (503 `throttled`, as
 * admission control answers when a shared test machine stalls its event loop), as a real client
 * would; for tests whose subject is something else.
 */
export async function fetchPatiently(input: string | URL, init: RequestInit = {}): Promise<Response> {
  for (let attempt = 1; ; attempt += 1) {
    const res = await fetch(input, init);
    if (res.status !== 503 || attempt >= 10 || !(await res.clone().text()).includes('"throttled"')) {
      return res;
    }
    await new Promise((resolve) =>
      setTimeout(resolve, 1_000 * Number(res.headers.get('retry-after') ?? '1')),
    );
  }
}

/** The environment a service process under test needs to accept this issuer's tokens. */
export async function testAuthEnv(): Promise<{ OIDC_ISSUER: string; OIDC_AUDIENCE: string }> {
  return { OIDC_ISSUER: (await testAuth()).issuer.issuer, OIDC_AUDIENCE: 'oncoimg' };
}

/** A token every service must refuse with 401, and the words its OperationOutcome must contain. */
export interface RefusedToken {
  name: string;
  /** undefined: no Authorization header at all. */
  authorization: string | undefined;
  reason: RegExp;
}

/**
 * The tokens a service must refuse, each made the way an attacker or a misconfigured client would
 * (with jose, never by hand): none, expired, another issuer, another audience, a bad signature,
 * `alg: none`, HMAC keyed with the issuer's public key, and a key the issuer never published.
 */
export async function refusedTokens(scope: string = ALL_SCOPES): Promise<RefusedToken[]> {
  const { issuer } = await testAuth();
  const bearer = (token: string) => `Bearer ${token}`;
  const now = Math.floor(Date.now() / 1000);
  const stranger = await generateKeyPair('RS256');
  const claims = { scope, client_id: 'test-client', sub: 'test-client' };
  const unsigned = new UnsecuredJWT(claims)
    .setIssuer(issuer.issuer)
    .setAudience('oncoimg')
    .setIssuedAt()
    .setExpirationTime('5m')
    .encode();
  const hmac = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
    .setIssuer(issuer.issuer)
    .setAudience('oncoimg')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(JSON.stringify(issuer.publicJwk)));
  return [
    { name: 'no token', authorization: undefined, reason: /bearer access token is required/ },
    {
      name: 'expired',
      authorization: bearer(await issuer.sign({ scope }, { expiresIn: now - 120 })),
      reason: /expired/,
    },
    {
      name: 'wrong issuer',
      authorization: bearer(await issuer.sign({ scope, iss: 'https://login.example.org' })),
      reason: /claim iss/,
    },
    {
      name: 'wrong audience',
      authorization: bearer(await issuer.sign({ scope, aud: 'another-api' })),
      reason: /claim aud/,
    },
    {
      name: 'bad signature',
      authorization: bearer(await issuer.sign({ scope }, { key: stranger.privateKey })),
      reason: /signature does not verify/,
    },
    { name: 'alg none', authorization: bearer(unsigned), reason: /accepted asymmetric algorithm/ },
    {
      name: 'HMAC with the public key',
      authorization: bearer(hmac),
      reason: /accepted asymmetric algorithm/,
    },
    {
      name: 'unknown kid',
      authorization: bearer(await issuer.sign({ scope }, { kid: 'never-published' })),
      reason: /no single key/,
    },
  ];
}
