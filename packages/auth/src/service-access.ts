import { endpointsOfDiscovery, type AuthorizationEndpoints } from './smart-configuration.ts';
import { AuthError } from './errors.ts';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.ts';

/** What a resource server needs of its OpenID provider: a token verifier and its endpoints. */
export interface ServiceAccess {
  verifier: TokenVerifier;
  /** From the issuer's discovery document (read once, again only after a failure); AuthError 503 when unreachable. */
  endpoints(): Promise<AuthorizationEndpoints>;
}

export interface ServiceAccessOptions {
  /** `OIDC_ISSUER`: exactly the `issuer` of the provider's discovery document. */
  issuer: string;
  /** `OIDC_AUDIENCE`: the `aud` access tokens must carry. */
  audience: string;
  fetch?: typeof fetch;
}

/** The access to one OpenID provider that every service of this system checks tokens against. */
export function createServiceAccess({
  issuer,
  audience,
  fetch: fetchFn = fetch,
}: ServiceAccessOptions): ServiceAccess {
  let endpoints: Promise<AuthorizationEndpoints> | undefined;
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const discover = async (): Promise<AuthorizationEndpoints> => {
    try {
      const response = await fetchFn(url, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) {
        throw new Error(`discovery answered ${String(response.status)}`);
      }
      return endpointsOfDiscovery((await response.json()) as Record<string, unknown>);
    } catch (error) {
      throw new AuthError('ISSUER_UNREACHABLE', `cannot read the issuer's discovery document ${url}`, {
        cause: error,
      });
    }
  };
  return {
    verifier: createTokenVerifier({ issuer, audience, fetch: fetchFn }),
    endpoints() {
      if (!endpoints) {
        const pending = discover();
        // A failed discovery is tried again by the next request instead of being cached.
        pending.catch(() => {
          if (endpoints === pending) {
            endpoints = undefined;
          }
        });
        endpoints = pending;
      }
      return endpoints;
    },
  };
}
