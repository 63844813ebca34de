import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';

/**
 * Where the embedded authorization server keeps a development client's private key (created on its
 * first start): the one convention the server, the CLI and the demo loader share.
 */
export function devClientKeyPath(dataDir: string, clientId: string): string {
  return join(dataDir, 'clients', `${clientId}.private.jwk.json`);
}

export async function readPrivateJwk(path: string): Promise<JWK> {
  return JSON.parse(await readFile(path, 'utf8')) as JWK;
}

/** Thrown when the token endpoint cannot be reached or answers an OAuth error. */
export class TokenRequestError extends Error {
  /** The OAuth `error` (`invalid_scope`, `invalid_client`, …); undefined when unreachable. */
  readonly oauthError: string | undefined;
  readonly retriable: boolean;
  constructor(message: string, options: { oauthError?: string; retriable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'TokenRequestError';
    this.oauthError = options.oauthError;
    this.retriable = options.retriable;
  }
}

export interface BackendTokenRequest {
  /** Its discovery document names the token endpoint. */
  issuer: string;
  clientId: string;
  privateJwk: JWK;
  scope: string;
  /** A patient key: asks for a token bound to this patient (a client allowed to do so only). */
  patient?: string;
  fetch?: typeof fetch;
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  scope?: string;
  patient?: string;
}

async function tokenEndpointOf(issuer: string, fetchFn: typeof fetch): Promise<string> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const response = await fetchFn(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) {
    throw new Error(`${url} answered ${String(response.status)}`);
  }
  const { token_endpoint: endpoint } = (await response.json()) as { token_endpoint?: unknown };
  if (typeof endpoint !== 'string') {
    throw new Error(`${url} names no token_endpoint`);
  }
  return endpoint;
}

/**
 * SMART Backend Services: a `client_credentials` token request authenticated by a `private_key_jwt`
 * assertion (RFC 7523) signed with jose, audience the token endpoint, five minutes, unique `jti`.
 */
export async function requestBackendToken({
  issuer,
  clientId,
  privateJwk,
  scope,
  patient,
  fetch: fetchFn = fetch,
}: BackendTokenRequest): Promise<TokenResponse> {
  let endpoint: string;
  let response: Response;
  try {
    endpoint = await tokenEndpointOf(issuer, fetchFn);
    const alg = privateJwk.alg ?? 'RS256';
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg, ...(privateJwk.kid ? { kid: privateJwk.kid } : {}), typ: 'JWT' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(endpoint)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(await importJWK(privateJwk, alg));
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      ...(patient === undefined ? {} : { patient }),
    });
    response = await fetchFn(endpoint, { method: 'POST', body: form, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new TokenRequestError(`cannot reach the authorization server ${issuer}`, {
      retriable: true,
      cause: error,
    });
  }
  const body = (await response.json().catch(() => ({}))) as Partial<TokenResponse> & {
    error?: string;
    error_description?: string;
  };
  if (!response.ok || typeof body.access_token !== 'string') {
    throw new TokenRequestError(
      `token request refused: ${body.error ?? String(response.status)}${body.error_description ? ` (${body.error_description})` : ''}`,
      { oauthError: body.error, retriable: response.status >= 500 },
    );
  }
  return body as TokenResponse;
}
