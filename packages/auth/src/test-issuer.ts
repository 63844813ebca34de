/** Tests only: a real OpenID issuer on 127.0.0.1 that serves discovery and a JWKS, and signs tokens. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export interface TestIssuer {
  issuer: string;
  jwksUri: string;
  publicJwk: JWK;
  /** A signed access token; `claims` override the defaults (scope, client_id, aud, exp in 5 min). */
  sign(
    claims?: JWTPayload & Record<string, unknown>,
    options?: { kid?: string; key?: CryptoKey; expiresIn?: string | number },
  ): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer({ audience = 'oncoimg' } = {}): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  let base = '';
  const server: Server = createServer((req, res) => {
    const body =
      req.url === '/.well-known/openid-configuration'
        ? {
            issuer: base,
            jwks_uri: `${base}/jwks`,
            authorization_endpoint: `${base}/auth`,
            token_endpoint: `${base}/token`,
          }
        : req.url === '/jwks'
          ? { keys: [publicJwk] }
          : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // A test process may keep one issuer for all its files: it must not hold the process open.
  server.unref();
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  return {
    issuer: base,
    jwksUri: `${base}/jwks`,
    publicJwk,
    sign: (claims = {}, { kid = 'k1', key = privateKey, expiresIn = '5m' } = {}) =>
      new SignJWT({ scope: 'system/*.cruds', client_id: 'test-client', ...claims })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
        .setIssuer(typeof claims.iss === 'string' ? claims.iss : base)
        .setAudience(claims.aud ?? audience)
        .setSubject(typeof claims.sub === 'string' ? claims.sub : 'test-client')
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(key),
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
