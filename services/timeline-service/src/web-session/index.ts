import { corsFor, securityHeaders, type HttpAccess } from '@oncoimg/service-runtime';
import type { Queryable } from '@oncoimg/store';
import express, { type Express } from 'express';
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

export interface TimelinePageOptions {
  db: Queryable;
  /** The built page; none served when undefined. */
  webRoot: string | undefined;
  /** Undefined: no sign-in routes (the API then needs the caller's own bearer token). */
  pageSignIn: PageSignInSettings | undefined;
  corsOrigins: readonly string[];
}

/**
 * What the timeline service serves before its token check: security headers and CORS for every
 * answer after them (preflights carry no token), the sign-in routes, the page's guard and its
 * static files (the page holds no patient data; what it fetches from /api does). `withSession`
 * lets the access check take a signed-in page's token from its session.
 */
export function createTimelinePage({ db, webRoot, pageSignIn, corsOrigins }: TimelinePageOptions) {
  const signIn = pageSignIn && pageSignInFor(db, pageSignIn);
  const provider = pageSignIn ? [new URL(pageSignIn.issuer).origin] : [];
  return {
    withSession: (access: HttpAccess): HttpAccess =>
      signIn ? { ...access, tokenFrom: signIn.tokenFrom } : access,
    mount: (app: Express): void => {
      app.use(securityHeaders({ formActionOrigins: provider }), corsFor(corsOrigins));
      if (signIn) {
        app.use(signIn.sessionToken, signIn.sameOrigin, signIn.router, signIn.pageGuard);
      }
      if (webRoot) {
        app.use(express.static(webRoot, { index: 'index.html', maxAge: '1h' }));
      }
    },
  };
}
