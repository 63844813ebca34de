/**
 * The page's sign-in over HTTP, as a browser does it: the timeline service (HTTP part, sessions
 * in PGlite) against the real embedded authorization server, following redirects by hand with a
 * cookie jar, and typing the development user's password into the provider's login form.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpAccess } from '@oncoimg/service-runtime';
import { migrate, type Database } from '@oncoimg/store';
import { cookieBrowser, freePort, openTestDatabase, testKafkaBrokers } from '@oncoimg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthServer, type RunningAuthServer } from '../../../auth-server/src/auth-server.ts';
import { timelineMigrations } from '../store/timeline.migrations.ts';
import { createTimelineService } from '../timeline-service.ts';
import { readPageSignInConfig } from './config.ts';
import { webSessionMigrations } from './index.ts';

const ALLOWED_ORIGIN = 'https://ehr.hospital.example';

let auth: RunningAuthServer;
let db: Database;
let server: Server;
let base = '';
let dirs: string[] = [];

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${String(port)}`;
  const [authDir, webRoot] = await Promise.all([
    mkdtemp(join(tmpdir(), 'page-auth-')),
    mkdtemp(join(tmpdir(), 'page-web-')),
  ]);
  dirs = [authDir, webRoot];
  await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>timeline</title>');
  auth = await startAuthServer({
    port: 0,
    host: '127.0.0.1',
    audience: 'oncoimg',
    dataDir: authDir,
    redirectUris: [`${base}/callback`],
  });
  db = await openTestDatabase({ name: 'pglite' });
  await migrate(db, [...timelineMigrations, ...webSessionMigrations]);
  // The HTTP part only: sign-in and the access check need no broker.
  const service = createTimelineService({
    db,
    brokers: testKafkaBrokers(),
    webRoot,
    corsOrigins: [ALLOWED_ORIGIN],
    access: createHttpAccess({ issuer: auth.issuer, audience: 'oncoimg', metricsPublic: false }),
    pageSignIn: readPageSignInConfig({}, { host: '127.0.0.1', port, issuer: auth.issuer }),
  });
  server = service.app.listen(port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await auth.close();
  await db.close();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A browser's cookies for 127.0.0.1 (any port, as browsers keep them), the login form filled in. */
function browser() {
  const { go, jar, setCookies } = cookieBrowser(base);
  /** Follows redirects, filling in the provider's login form when it shows. */
  const follow = async (start: Response, credentials: { username: string; password: string }) => {
    let response = start;
    for (let step = 0; step < 15; step += 1) {
      const location = response.headers.get('location');
      if (location) {
        response = await go(new URL(location, response.url));
        continue;
      }
      const html = await response.clone().text();
      const action = /action="([^"]+\/login)"/.exec(html)?.[1];
      if (!action) {
        return response;
      }
      response = await go(new URL(action, response.url), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(credentials).toString(),
      });
    }
    throw new Error('too many redirects');
  };
  return { go, follow, jar, setCookies };
}

const clinician = { username: 'clinician', password: 'clinician-dev' };

describe('the timeline page signs in (backend for frontend)', () => {
  it('sends a browser without a session to the provider with PKCE S256, under an HttpOnly SameSite=Lax cookie', async () => {
    const { go, setCookies } = browser();
    const page = await go('/');
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login');
    const login = await go('/login');
    const authorize = new URL(login.headers.get('location') ?? '');
    expect(authorize.origin + authorize.pathname).toBe(`${auth.url}/auth`);
    expect(authorize.searchParams.get('client_id')).toBe('timeline-web');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${base}/callback`);
    const cookie = setCookies.find((c) => c.startsWith('oncoimg_session='));
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).not.toMatch(/; Secure/);
  });

  it('signs in through the provider, feeds the session token to the API, and signs out', async () => {
    const { go, follow, jar } = browser();
    const landed = await follow(await go('/login'), clinician);
    expect(landed.url).toBe(`${base}/`);
    expect(landed.status).toBe(200);
    const who = await go('/session');
    expect(await who.json()).toMatchObject({
      signedIn: true,
      sub: 'clinician',
      name: 'Development Clinician',
      fhirUser: 'Practitioner/dev-clinician',
      patientKey: null,
    });
    // The page's request carries no Authorization header: the session's token stands in.
    expect((await go('/api/patients?q=smith')).status).toBe(200);
    expect((await fetch(`${base}/api/patients?q=smith`)).status).toBe(401);

    // A form posted from another site is refused; the page's own sign-out goes through.
    const forged = await go('/logout', { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(forged.status).toBe(403);
    expect((await go('/api/patients?q=smith')).status).toBe(200);
    const signOut = await go('/logout', { method: 'POST', headers: { origin: base } });
    expect(signOut.status).toBe(303);
    const endSession = new URL(signOut.headers.get('location') ?? '');
    expect(endSession.origin + endSession.pathname).toBe(`${auth.url}/session/end`);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${base}/signed-out`);
    expect(jar.has('oncoimg_session')).toBe(false);
    expect((await go('/session')).status).toBe(401);
    expect((await go('/api/patients?q=smith')).status).toBe(401);
  });

  it('sends a browser on another name of the host to the public URL first, where its cookie belongs', async () => {
    // fetch sets Host itself; node:http sends the one a browser on http://localhost:{port} would.
    const other = await new Promise<IncomingMessage>((resolve, reject) => {
      const url = new URL('/login?returnTo=/x', base);
      request(url, { headers: { host: `localhost:${url.port}` } }, resolve)
        .on('error', reject)
        .end();
    });
    other.resume();
    expect(other.statusCode).toBe(302);
    expect(other.headers.location).toBe(`${base}/login?returnTo=%2Fx&via=public`);
    expect(other.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a callback it did not start, and a launch naming an untrusted FHIR server', async () => {
    const { go } = browser();
    expect((await go('/callback?code=x&state=y')).status).toBe(400);
    const launch = await go(`/launch?iss=${encodeURIComponent('https://evil.example/fhir')}&launch=abc`);
    expect(launch.status).toBe(400);
    const trusted = await go(`/launch?iss=${encodeURIComponent(`${base}/fhir`)}&launch=abc`);
    expect(new URL(trusted.headers.get('location') ?? '').searchParams.get('launch')).toBe('abc');
  });

  it('sends security headers, and CORS headers only to the configured origin', async () => {
    const allowed = await fetch(`${base}/api/patients?q=smith`, { headers: { origin: ALLOWED_ORIGIN } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    const other = await fetch(`${base}/api/patients?q=smith`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const csp = other.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(other.headers.get('x-content-type-options')).toBe('nosniff');
    expect(other.headers.get('referrer-policy')).toBe('same-origin');
  });
});
