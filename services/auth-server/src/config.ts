import { resolve } from 'node:path';
import { ConfigError, readInteger, type Env } from '@oncoimg/service-runtime';

export interface AuthServerConfig {
  port: number;
  host: string;
  /** Undefined: `http://{HOST}:{PORT}`. */
  issuer: string | undefined;
  audience: string;
  dataDir: string;
  redirectUris: string[];
  accessTokenTtlSec: number;
}

/** The timeline page's callback on the operating contract's port. */
export const DEFAULT_REDIRECT_URIS = ['http://127.0.0.1:8080/callback', 'http://localhost:8080/callback'];

/** Settings: PORT (8085), HOST, ISSUER, AUDIENCE (`oncoimg`), DATA_DIR, REDIRECT_URIS, ACCESS_TOKEN_TTL_SEC. */
export function readAuthServerConfig(env: Env, cwd: string): AuthServerConfig {
  const issuer = env.ISSUER?.trim() || undefined;
  if (issuer !== undefined && !URL.canParse(issuer)) {
    throw new ConfigError('ISSUER', 'must be a URL');
  }
  const redirectUris =
    env.REDIRECT_URIS?.split(',')
      .map((u) => u.trim())
      .filter(Boolean) ?? DEFAULT_REDIRECT_URIS;
  for (const uri of redirectUris) {
    if (!URL.canParse(uri)) {
      throw new ConfigError('REDIRECT_URIS', `holds ${JSON.stringify(uri)}, not a URL`);
    }
  }
  return {
    port: readInteger(env, 'PORT', 8085, { min: 0, max: 65_535 }),
    host: env.HOST ?? '127.0.0.1',
    issuer,
    audience: env.AUDIENCE?.trim() || 'oncoimg',
    dataDir: resolve(cwd, env.DATA_DIR ?? '.data/auth-server'),
    redirectUris,
    accessTokenTtlSec: readInteger(env, 'ACCESS_TOKEN_TTL_SEC', 3_600, { min: 60, max: 86_400 }),
  };
}
