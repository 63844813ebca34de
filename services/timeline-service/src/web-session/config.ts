import { ConfigError, type Env } from '@oncoimg/service-runtime';
import type { PageSignInSettings } from './index.ts';

/** The page's development client at the embedded provider (docs/security.md). */
export const DEFAULT_PAGE_CLIENT_ID = 'timeline-web';
/** What the page asks for; the provider grants what the user may have (user/ or patient/ reads). */
export const DEFAULT_PAGE_SCOPE = 'openid profile fhirUser user/*.rs patient/*.rs';

function readUrl(env: Env, name: string, fallback: string): URL {
  const raw = env[name]?.trim() || fallback;
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
    throw new ConfigError(name, `must be an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  return new URL(raw);
}

/**
 * OIDC_CLIENT_ID, OIDC_PAGE_SCOPE, PUBLIC_URL (default `http://{HOST}:{PORT}`, the page's redirect
 * URI is `{PUBLIC_URL}/callback`) and SMART_LAUNCH_ISSUERS (comma-separated FHIR bases an EHR
 * launch may name; default `{PUBLIC_URL}/fhir`). `issuer`: the provider (OIDC_ISSUER, read with
 * the service's access settings, exactly as given: issuers compare as strings).
 */
export function readPageSignInConfig(
  env: Env,
  { host, port, issuer }: { host: string; port: number; issuer: string },
): PageSignInSettings {
  const loopback = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const publicUrl = readUrl(env, 'PUBLIC_URL', `http://${loopback}:${String(port)}`);
  if (publicUrl.pathname !== '/') {
    throw new ConfigError('PUBLIC_URL', 'must be an origin (the page is served at its root)');
  }
  const launchIssuers = (env.SMART_LAUNCH_ISSUERS ?? `${publicUrl.origin}/fhir`)
    .split(',')
    .map((iss) => iss.trim().replace(/\/$/, ''))
    .filter(Boolean);
  for (const iss of launchIssuers) {
    if (!URL.canParse(iss)) {
      throw new ConfigError('SMART_LAUNCH_ISSUERS', `holds ${JSON.stringify(iss)}, not a URL`);
    }
  }
  return {
    issuer,
    clientId: env.OIDC_CLIENT_ID?.trim() || DEFAULT_PAGE_CLIENT_ID,
    publicUrl,
    scope: env.OIDC_PAGE_SCOPE?.trim() || DEFAULT_PAGE_SCOPE,
    launchIssuers,
  };
}
