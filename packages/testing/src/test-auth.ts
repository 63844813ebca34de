/**
 * Tests only: one real OpenID issuer per test process (jose-signed tokens, JWKS over HTTP), the
 * services' access to it, and tokens for their APIs. Every test that calls a service uses it.
 */
import { createServiceAccess, type ServiceAccess } from '@oncoimg/auth';
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
export async function authFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) {
    headers.set('authorization', `Bearer ${await (await testAuth()).token()}`);
  }
  return fetch(input, { ...init, headers });
}

/** The environment a service process under test needs to accept this issuer's tokens. */
export async function testAuthEnv(): Promise<{ OIDC_ISSUER: string; OIDC_AUDIENCE: string }> {
  return { OIDC_ISSUER: (await testAuth()).issuer.issuer, OIDC_AUDIENCE: 'oncoimg' };
}
