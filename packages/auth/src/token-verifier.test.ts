import { createHmac } from 'node:crypto';
import { base64url, generateKeyPair, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, type AuthErrorCode } from './errors.ts';
import { startTestIssuer, type TestIssuer } from './test-issuer.ts';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.ts';

let issuer: TestIssuer;
let verifier: TokenVerifier;

beforeAll(async () => {
  issuer = await startTestIssuer();
  verifier = createTokenVerifier({ issuer: issuer.issuer, audience: 'oncoimg', clockToleranceSec: 0 });
});
afterAll(() => issuer.close());

async function refusal(token: string, using: TokenVerifier = verifier): Promise<AuthErrorCode> {
  const error = await using.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  return (error as AuthError).code;
}

/** An HS256 token whose HMAC secret is the issuer's public key: the classic key-confusion attack. */
function hmacWithPublicKey(payload: Record<string, unknown>, secret: string): string {
  const header = base64url.encode(JSON.stringify({ alg: 'HS256', kid: 'k1', typ: 'JWT' }));
  const body = base64url.encode(JSON.stringify(payload));
  const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}

describe('createTokenVerifier', () => {
  it('accepts a token signed by the issuer for the audience, found through discovery', async () => {
    const { claims, header } = await verifier.verify(await issuer.sign({ scope: 'system/ServiceRequest.c' }));
    expect(claims).toMatchObject({ iss: issuer.issuer, aud: 'oncoimg', scope: 'system/ServiceRequest.c' });
    expect(header).toEqual({ alg: 'RS256', kid: 'k1' });
  });

  it('accepts the same token with a jwksUri given instead of discovery', async () => {
    const direct = createTokenVerifier({
      issuer: issuer.issuer,
      audience: ['other', 'oncoimg'],
      jwksUri: issuer.jwksUri,
    });
    await expect(direct.verify(await issuer.sign())).resolves.toBeDefined();
  });

  it('refuses an empty token', async () => {
    expect(await refusal('')).toBe('MISSING_TOKEN');
  });

  it('refuses a token that is not a JWS', async () => {
    expect(await refusal('not-a-token')).toBe('MALFORMED_TOKEN');
  });

  it('refuses an expired token', async () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    expect(await refusal(await issuer.sign({}, { expiresIn: past }))).toBe('EXPIRED');
  });

  it('refuses a token whose nbf is in the future', async () => {
    const later = Math.floor(Date.now() / 1000) + 120;
    expect(await refusal(await issuer.sign({ nbf: later }))).toBe('NOT_YET_VALID');
  });

  it('refuses a token of another issuer', async () => {
    expect(await refusal(await issuer.sign({ iss: 'https://elsewhere.example' }))).toBe('WRONG_ISSUER');
  });

  it('refuses a token for another audience', async () => {
    expect(await refusal(await issuer.sign({ aud: 'another-api' }))).toBe('WRONG_AUDIENCE');
  });

  it('refuses a token signed by another key under the same kid', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    expect(await refusal(await issuer.sign({}, { key: privateKey }))).toBe('BAD_SIGNATURE');
  });

  it('refuses a token whose signature was altered', async () => {
    const token = await issuer.sign();
    const [header, payload] = token.split('.');
    const forged = base64url.encode(
      JSON.stringify({
        ...JSON.parse(new TextDecoder().decode(base64url.decode(payload))),
        scope: 'system/*.cruds patient/*.*',
      }),
    );
    expect(await refusal(`${header}.${forged}.${token.split('.')[2]}`)).toBe('BAD_SIGNATURE');
  });

  it('refuses alg none', async () => {
    const unsecured = new UnsecuredJWT({ scope: 'system/*.cruds', client_id: 'x' })
      .setIssuer(issuer.issuer)
      .setAudience('oncoimg')
      .setExpirationTime('5m')
      .encode();
    expect(await refusal(unsecured)).toBe('UNSUPPORTED_ALG');
  });

  it('refuses an HS256 token signed with the public key as the secret', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = hmacWithPublicKey(
      { iss: issuer.issuer, aud: 'oncoimg', exp: now + 300, scope: 'system/*.cruds' },
      JSON.stringify(issuer.publicJwk),
    );
    expect(await refusal(token)).toBe('UNSUPPORTED_ALG');
  });

  it('refuses a token naming a kid the issuer does not publish', async () => {
    expect(await refusal(await issuer.sign({}, { kid: 'unknown' }))).toBe('UNKNOWN_KEY');
  });

  it('says ISSUER_UNREACHABLE (retriable, 503) when discovery fails, ', async () => {
    const unreachable = createTokenVerifier({
      issuer: 'http://127.0.0.1:1',
      audience: 'oncoimg',
      timeoutMs: 1_000,
    });
    const error = await unreachable.verify(await issuer.sign()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ISSUER_UNREACHABLE', retriable: true, status: 503 });
  });
});
