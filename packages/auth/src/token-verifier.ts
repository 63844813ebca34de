import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AuthError, type AuthErrorCode } from './errors.ts';

/**
 * Asymmetric algorithms only: `none` and every HMAC algorithm are refused before any key is looked
 * at, so a token "signed" with the issuer's public key as an HMAC secret can never pass.
 */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

export interface TokenVerifierOptions {
  /** The `iss` every token must carry; its discovery document is at `{issuer}/.well-known/openid-configuration`. */
  issuer: string;
  /** The `aud` the token must name (one of them). */
  audience: string | readonly string[];
  /** Skips discovery when given. */
  jwksUri?: string;
  clockToleranceSec?: number;
  algorithms?: readonly string[];
  /** How long discovery and JWKS requests may take. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface VerifiedToken {
  claims: JWTPayload & Record<string, unknown>;
  /** The `kid` and `alg` the token was signed with. */
  header: { alg: string; kid?: string };
}

export interface TokenVerifier {
  readonly issuer: string;
  /** The verified claims, or an AuthError saying why the token is refused. */
  verify(token: string): Promise<VerifiedToken>;
}

interface DiscoveryDocument {
  issuer?: unknown;
  jwks_uri?: unknown;
}

/** Reads `jwks_uri` from the issuer's discovery document; the issuer named there must be ours. */
export async function discoverJwksUri(
  issuer: string,
  { fetch: fetchFn = fetch, timeoutMs = 5_000 }: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<string> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let document: DiscoveryDocument;
  try {
    const response = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) {
      throw new Error(`discovery answered ${String(response.status)}`);
    }
    document = (await response.json()) as DiscoveryDocument;
  } catch (error) {
    throw new AuthError('ISSUER_UNREACHABLE', `cannot read the issuer's discovery document ${url}`, {
      cause: error,
    });
  }
  if (document.issuer !== issuer || typeof document.jwks_uri !== 'string') {
    throw new AuthError(
      'ISSUER_UNREACHABLE',
      `the discovery document at ${url} does not describe issuer ${issuer} with a jwks_uri`,
    );
  }
  return document.jwks_uri;
}

const CLAIM_CODES: Readonly<Record<string, AuthErrorCode>> = {
  iss: 'WRONG_ISSUER',
  aud: 'WRONG_AUDIENCE',
  nbf: 'NOT_YET_VALID',
  exp: 'EXPIRED',
};

/** jose's errors in the order they are told apart (JOSEError, the base class, last). */
const JOSE_ERROR_CODES: readonly {
  types: readonly (abstract new (...args: never[]) => Error)[];
  code: AuthErrorCode;
  message: string;
}[] = [
  {
    types: [errors.JOSEAlgNotAllowed, errors.JOSENotSupported],
    code: 'UNSUPPORTED_ALG',
    message: 'the token is not signed with an accepted asymmetric algorithm',
  },
  {
    types: [errors.JWSSignatureVerificationFailed],
    code: 'BAD_SIGNATURE',
    message: 'the token signature does not verify',
  },
  {
    types: [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys],
    code: 'UNKNOWN_KEY',
    message: "no single key of the issuer's JWKS matches the token",
  },
  {
    types: [errors.JWSInvalid, errors.JWTInvalid],
    code: 'MALFORMED_TOKEN',
    message: 'the token is not a well-formed signed JWT',
  },
  { types: [errors.JWKSTimeout], code: 'ISSUER_UNREACHABLE', message: "the issuer's JWKS timed out" },
  {
    types: [errors.JWKSInvalid, errors.JOSEError],
    code: 'ISSUER_UNREACHABLE',
    message: "the issuer's JWKS could not be used",
  },
];

/** The closed code for whatever jose (or the network under it) threw. */
export function authErrorOf(error: unknown): AuthError {
  if (error instanceof AuthError) {
    return error;
  }
  const wrap = (code: AuthErrorCode, message: string) => new AuthError(code, message, { cause: error });
  if (error instanceof errors.JWTExpired) {
    return wrap('EXPIRED', 'the token has expired');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return wrap(CLAIM_CODES[error.claim] ?? 'INVALID_CLAIMS', `claim ${error.claim}: ${error.reason}`);
  }
  const known = JOSE_ERROR_CODES.find(({ types }) => types.some((type) => error instanceof type));
  if (known) {
    return wrap(known.code, known.message);
  }
  // Anything else came from the network under createRemoteJWKSet.
  return wrap('ISSUER_UNREACHABLE', "the issuer's JWKS could not be fetched");
}

/**
 * A verifier of bearer access tokens issued by one OpenID provider. Discovery is fetched once (and
 * again only after it failed); keys come from the JWKS through jose's createRemoteJWKSet, which
 * caches them and refetches when a token names an unknown `kid` (at most once per cooldown).
 */
export function createTokenVerifier({
  issuer,
  audience,
  jwksUri,
  clockToleranceSec = 30,
  algorithms = ASYMMETRIC_ALGORITHMS,
  timeoutMs = 5_000,
  fetch: fetchFn = fetch,
}: TokenVerifierOptions): TokenVerifier {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const keySet = () => {
    if (!keys) {
      const pending = (async () => {
        const uri = jwksUri ?? (await discoverJwksUri(issuer, { fetch: fetchFn, timeoutMs }));
        return createRemoteJWKSet(new URL(uri), { timeoutDuration: timeoutMs });
      })();
      // A failed discovery is tried again by the next request instead of being cached.
      pending.catch(() => {
        if (keys === pending) {
          keys = undefined;
        }
      });
      keys = pending;
    }
    return keys;
  };
  return {
    issuer,
    async verify(token) {
      if (token === '') {
        throw new AuthError('MISSING_TOKEN', 'no bearer token');
      }
      try {
        const getKey = await keySet();
        const { payload, protectedHeader } = await jwtVerify(token, getKey, {
          issuer,
          audience: typeof audience === 'string' ? audience : [...audience],
          algorithms: [...algorithms],
          clockTolerance: clockToleranceSec,
          requiredClaims: ['exp'],
        });
        return {
          claims: payload,
          header: {
            alg: protectedHeader.alg,
            ...(protectedHeader.kid === undefined ? {} : { kid: protectedHeader.kid }),
          },
        };
      } catch (error) {
        throw authErrorOf(error);
      }
    },
  };
}
