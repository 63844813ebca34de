import type { Queryable } from '@oncoimg/store';
import { createPageOidcClient } from './oidc-client.ts';
import { createPageSignIn, type PageSignIn } from './page-sign-in.ts';
import { createWebSessionStore } from './session-store.ts';

export { webSessionMigrations } from './session-store.ts';
export { pageUserOf, type PageSignIn } from './page-sign-in.ts';

/** How the page signs in (see readPageSignInConfig). */
export interface PageSignInSettings {
  /** OIDC_ISSUER: the OpenID provider. */
  issuer: string;
  /** OIDC_CLIENT_ID: the page's public client there. */
  clientId: string;
  /** PUBLIC_URL: where browsers reach the service. */
  publicUrl: URL;
  /** OIDC_PAGE_SCOPE. */
  scope: string;
  /** FHIR base URLs an EHR launch may name as `iss` (SMART_LAUNCH_ISSUERS; this service's `/fhir`). */
  launchIssuers: readonly string[];
}

/** The page's sign-in with its sessions in `db` (the service's own database). */
export function pageSignInFor(db: Queryable, settings: PageSignInSettings): PageSignIn {
  return createPageSignIn({
    oidc: createPageOidcClient({ issuer: settings.issuer, clientId: settings.clientId }),
    store: createWebSessionStore({ db }),
    publicUrl: settings.publicUrl,
    scope: settings.scope,
    launchIssuers: settings.launchIssuers,
  });
}
