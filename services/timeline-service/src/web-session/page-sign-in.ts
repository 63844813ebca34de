import { patientKeyOfClaim } from '@oncoimg/auth';
import { parse as parseCookies } from 'cookie';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import { AuthorizationResponseError } from 'openid-client';
import type { PageOidcClient } from './oidc-client.ts';
import { sendPage } from './pages.ts';
import type { SignedInUser, WebSession, WebSessionStore } from './session-store.ts';

/**
 * The timeline page signs in as a backend-for-frontend: the service runs the authorization-code
 * flow with PKCE against the OpenID provider, keeps the tokens in a server-side session, and
 * gives the browser only an HttpOnly cookie. Requests of the page then carry no token; the
 * session middleware reads the session before the access check, which takes the session's access
 * token through `tokenFrom` when the request has no Authorization header.
 */
export interface PageSignInOptions {
  oidc: PageOidcClient;
  store: WebSessionStore;
  /** Where browsers reach the page (`PUBLIC_URL`); its `/callback` is the registered redirect URI. */
  publicUrl: URL;
  /** The scopes the page asks for; the provider grants what the user may have. */
  scope: string;
  /** FHIR base URLs an EHR launch may name as `iss`: any other is refused (never sent a user to). */
  launchIssuers: readonly string[];
  now?: () => Date;
}

export interface PageSignIn {
  /** `/login`, `/launch`, `/callback`, `/logout`, `/signed-out`, `/session`. */
  router: Router;
  /** Reads the session cookie of a request (before the access check). */
  sessionToken: RequestHandler;
  /** The session's access token for the access check (`HttpAccess.tokenFrom`); the header wins. */
  tokenFrom: (req: Request) => string | undefined;
  /** Refuses a cookie-authenticated state-changing request from another origin (CSRF). */
  sameOrigin: RequestHandler;
  /** Sends a browser without a session from the page to sign in. */
  pageGuard: RequestHandler;
}

/** A sign-in started and never finished is forgotten after this long. */
const PENDING_TTL_MS = 10 * 60_000;
/** The longest a page session lasts, whatever the token says (a working day). */
const MAX_SESSION_MS = 12 * 3_600_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** The signed-in user of each request whose cookie named a session, set by sessionToken. */
const usersOfRequests = new WeakMap<Request, SignedInUser>();

/** A path of this site (`/…`, never `//host`), else `/`: sign-in must not redirect elsewhere. */
function localPath(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}

const stringClaim = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The signed-in user of this request, when the page's session cookie named one. */
export function pageUserOf(req: Request): SignedInUser | undefined {
  return usersOfRequests.get(req);
}

export function createPageSignIn({
  oidc,
  store,
  publicUrl,
  scope,
  launchIssuers,
  now = () => new Date(),
}: PageSignInOptions): PageSignIn {
  const secure = publicUrl.protocol === 'https:';
  // The __Host- prefix makes the browser refuse the cookie unless Secure, host-only and Path=/.
  const cookieName = secure ? '__Host-oncoimg_session' : 'oncoimg_session';
  const redirectUri = new URL('/callback', publicUrl).href;
  const cookieOf = (req: Request) => parseCookies(req.headers.cookie ?? '')[cookieName];
  const setCookie = (res: Response, id: string, expires: Date) =>
    res.cookie(cookieName, id, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires });
  const clearCookie = (res: Response) =>
    res.clearCookie(cookieName, { httpOnly: true, sameSite: 'lax', secure, path: '/' });

  async function readSession(req: Request): Promise<WebSession | undefined> {
    const id = cookieOf(req);
    return id === undefined ? undefined : (await store.read(id))?.session;
  }

  /** Starts the authorization-code flow, remembering its checks in a short pending session. */
  async function startSignIn(
    req: Request,
    res: Response,
    { extraScope = '', launch }: { extraScope?: string; launch?: string },
  ): Promise<void> {
    // The cookie belongs to the public host; a browser on another name for it is sent there first
    // (once: behind a proxy that rewrites Host, the marker stops a redirect loop).
    if (req.get('host') !== publicUrl.host && req.query.via !== 'public') {
      const target = new URL(req.originalUrl, publicUrl);
      target.searchParams.set('via', 'public');
      res.redirect(302, target.href);
      return;
    }
    let request;
    try {
      request = await oidc.authorizationRequest({
        redirectUri,
        scope: `${scope} ${extraScope}`.trim(),
        ...(launch === undefined ? {} : { launch }),
      });
    } catch {
      res.set('Retry-After', '5');
      sendPage(res, 503, 'Sign-in unavailable', 'The sign-in service cannot be reached. Try again shortly.');
      return;
    }
    const { url, ...checks } = request;
    const pending = { ...checks, returnTo: localPath(req.query.returnTo) };
    const expires = new Date(now().getTime() + PENDING_TTL_MS);
    const previous = cookieOf(req);
    if (previous !== undefined) {
      await store.remove(previous);
    }
    setCookie(res, await store.create({ kind: 'pending', pending }, expires), expires);
    res.redirect(302, url.href);
  }

  const router = express.Router();

  router.get('/login', async (req, res) => {
    // Standalone launch: the user picks the patient at the provider (SMART `launch/patient`).
    await startSignIn(req, res, { extraScope: req.query.context === 'patient' ? 'launch/patient' : '' });
  });

  // SMART EHR launch: the EHR opens /launch?iss={its FHIR base}&launch={launch id}.
  router.get('/launch', async (req, res) => {
    const { iss, launch } = req.query;
    if (typeof iss !== 'string' || typeof launch !== 'string' || launch === '') {
      sendPage(res, 400, 'Launch refused', 'A launch needs the iss and launch parameters.');
      return;
    }
    if (!launchIssuers.includes(iss.replace(/\/$/, ''))) {
      sendPage(res, 400, 'Launch refused', 'This launch names a FHIR server this page does not trust.');
      return;
    }
    await startSignIn(req, res, { extraScope: 'launch', launch });
  });

  router.get('/callback', async (req, res) => {
    const id = cookieOf(req);
    const stored = id === undefined ? undefined : await store.read(id);
    if (id === undefined || stored?.session.kind !== 'pending') {
      sendPage(
        res,
        400,
        'Sign-in expired',
        'This sign-in was not started here or took too long. Start again.',
      );
      return;
    }
    await store.remove(id);
    let tokens;
    try {
      tokens = await oidc.exchange(new URL(req.originalUrl, publicUrl), stored.session.pending);
    } catch (error) {
      clearCookie(res);
      const refused = error instanceof AuthorizationResponseError ? ` (${error.error})` : '';
      sendPage(res, 403, 'Sign-in refused', `The sign-in did not complete${refused}. Start again.`);
      return;
    }
    const sub = stringClaim(tokens.claims.sub) ?? '';
    const user: SignedInUser = {
      sub,
      name: stringClaim(tokens.claims.name),
      fhirUser: stringClaim(tokens.claims.fhirUser),
      patient: tokens.patient,
      accessToken: tokens.accessToken,
      idToken: tokens.idToken,
    };
    const lifetimeMs = Math.min(MAX_SESSION_MS, (tokens.expiresInSec ?? 3_600) * 1_000);
    const expires = new Date(now().getTime() + lifetimeMs);
    // A new id once signed in: an id planted before sign-in (session fixation) leads nowhere.
    setCookie(res, await store.create({ kind: 'signed-in', user }, expires), expires);
    const patientKey = patientKeyOfClaim(tokens.patient);
    res.redirect(
      303,
      patientKey === undefined
        ? stored.session.pending.returnTo
        : `/#/patients/${encodeURIComponent(patientKey)}`,
    );
  });

  router.post('/logout', async (req, res) => {
    const id = cookieOf(req);
    const session = id === undefined ? undefined : await store.read(id);
    if (id !== undefined) {
      await store.remove(id);
    }
    clearCookie(res);
    const signedOut = new URL('/signed-out', publicUrl).href;
    const idToken = session?.session.kind === 'signed-in' ? session.session.user.idToken : undefined;
    // Signing out of the page also ends the provider's session, else the next sign-in is silent.
    const endSession = await oidc
      .endSessionUrl({ idToken, postLogoutRedirectUri: signedOut })
      .catch(() => undefined);
    res.redirect(303, endSession?.href ?? signedOut);
  });

  router.get('/signed-out', (_req, res) => {
    sendPage(res, 200, 'Signed out', 'You have signed out of the oncology imaging timeline.');
  });

  router.get('/session', (req, res) => {
    const user = pageUserOf(req);
    res.set('cache-control', 'no-store');
    if (!user) {
      res.status(401).json({ signedIn: false, login: '/login' });
      return;
    }
    res.json({
      signedIn: true,
      sub: user.sub,
      name: user.name ?? null,
      fhirUser: user.fhirUser ?? null,
      patientKey: patientKeyOfClaim(user.patient) ?? null,
    });
  });

  const sessionToken: RequestHandler = (req: Request, _res: Response, next: NextFunction) => {
    if (cookieOf(req) === undefined) {
      next();
      return;
    }
    readSession(req).then((session) => {
      if (session?.kind === 'signed-in') {
        usersOfRequests.set(req, session.user);
      }
      next();
    }, next);
  };

  const sameOrigin: RequestHandler = (req, res, next) => {
    if (SAFE_METHODS.has(req.method) || cookieOf(req) === undefined) {
      next();
      return;
    }
    const origin = req.get('origin') ?? originOf(req.get('referer'));
    if (origin !== publicUrl.origin) {
      res.status(403).type('text/plain').send('cross-site request refused\n');
      return;
    }
    next();
  };

  const pageGuard: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' || (req.path !== '/' && req.path !== '/index.html') || pageUserOf(req)) {
      next();
      return;
    }
    res.set('cache-control', 'no-store');
    res.redirect(302, '/login');
  };

  const tokenFrom = (req: Request) => pageUserOf(req)?.accessToken;

  return { router, sessionToken, tokenFrom, sameOrigin, pageGuard };
}

function originOf(url: string | undefined): string | undefined {
  return url !== undefined && URL.canParse(url) ? new URL(url).origin : undefined;
}
