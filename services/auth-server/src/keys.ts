import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { devClientKeyPath } from '@oncoimg/auth';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

/** Owner read/write only: these files are private keys and cookie secrets. */
const PRIVATE_FILE_MODE = 0o600;

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}

async function writePrivate(path: string, value: unknown): Promise<void> {
  // `wx`: two processes starting at once must not overwrite each other's key.
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
}

/** ES256: as strong as RS256 for signing tokens and far quicker to create on first start. */
export const SIGNING_ALG = 'ES256';

/** A new ES256 private JWK with a thumbprint `kid`. */
export async function newPrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: SIGNING_ALG, use: 'sig' };
}

/** The public half of an EC private JWK. */
export function publicJwkOf({ kty, crv, x, y, kid, alg, use }: JWK): JWK {
  return { kty, crv, x, y, kid, alg, use };
}

/** The private JWK in `path`, created (mode 0600) when it does not exist yet. */
export async function loadOrCreatePrivateJwk(path: string): Promise<JWK> {
  const existing = await readJson<JWK>(path);
  if (existing) {
    return existing;
  }
  try {
    await writePrivate(path, await newPrivateJwk());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error;
    }
  }
  return (await readJson<JWK>(path))!;
}

export interface ServerSecrets {
  signingKey: JWK;
  cookieKeys: string[];
  /** Public JWK per backend client id. */
  clientKeys: Map<string, JWK>;
}

/** The token signing key, the cookie keys and the backend clients' keys, created on first start. */
export async function loadOrCreateSecrets(
  dataDir: string,
  backendClientIds: readonly string[],
): Promise<ServerSecrets> {
  await mkdir(join(dataDir, 'clients'), { recursive: true, mode: 0o700 });
  const signingKey = await loadOrCreatePrivateJwk(join(dataDir, 'signing-key.private.jwk.json'));
  const cookiePath = join(dataDir, 'cookie-keys.json');
  let cookieKeys = await readJson<string[]>(cookiePath);
  if (!cookieKeys) {
    cookieKeys = [randomBytes(32).toString('base64url')];
    await writePrivate(cookiePath, cookieKeys).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
    });
    cookieKeys = (await readJson<string[]>(cookiePath))!;
  }
  const clientKeys = new Map<string, JWK>();
  for (const clientId of backendClientIds) {
    const key = await loadOrCreatePrivateJwk(devClientKeyPath(dataDir, clientId));
    clientKeys.set(clientId, publicJwkOf(key));
  }
  return { signingKey, cookieKeys, clientKeys };
}
