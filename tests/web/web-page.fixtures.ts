import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { devClientKeyPath, readPrivateJwk, requestBackendToken } from '@oncoimg/auth';
import { createHttpAccess } from '@oncoimg/service-runtime';
import { loadCohort, type SyntheticCohort } from '@oncoimg/synthetic-cohort';
import { authFetch, freePort } from '@oncoimg/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startAuthServer, type RunningAuthServer } from '../../services/auth-server/src/auth-server.ts';
import { readPageSignInConfig } from '../../services/timeline-service/src/web-session/config.ts';
import { startSystem, type RunningSystem } from '../support/running-system.ts';

/** Debian's package; CI installs it. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const root = fileURLToPath(new URL('../..', import.meta.url));
export const webRoot = path.join(root, 'services/timeline-service/dist/web');
const webSource = path.join(root, 'services/timeline-service/web/src');

const newestIn = (dir: string): number =>
  Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? newestIn(full) : statSync(full).mtimeMs;
    }),
  );

/** Builds the page when it is missing or older than its sources (a test must see the page it tests). */
export function buildWebPage(): void {
  const index = path.join(webRoot, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestIn(webSource)) {
    return;
  }
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      path.join(root, 'services/timeline-service/web/vite.config.ts'),
    ],
    { cwd: root, stdio: 'inherit' },
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The system with the page signing in at the real embedded authorization server. */
export interface SignedInSystem {
  system: RunningSystem;
  auth: RunningAuthServer;
  authDataDir: string;
  /** The timeline service's public URL (its `/callback` is registered at the provider). */
  base: string;
  /** Loads a synthetic cohort through the intake services (with the test issuer's tokens). */
  load: (cohort: SyntheticCohort) => Promise<unknown>;
  /** `fetch` with a token of the embedded server that reads everything (the CLI's client). */
  readerFetch: (url: string, init?: RequestInit) => Promise<Response>;
  stop(): Promise<void>;
}

/**
 * Starts the authorization server and the system, the timeline service on a port known before it
 * starts (the provider must know the page's redirect URI) and accepting that server's tokens; the
 * intake services keep the test issuer of startSystem.
 */
export async function startSignedInSystem(): Promise<SignedInSystem> {
  const port = await freePort();
  const base = `http://127.0.0.1:${String(port)}`;
  const authDataDir = await mkdtemp(path.join(tmpdir(), 'web-auth-'));
  const auth = await startAuthServer({
    port: 0,
    host: '127.0.0.1',
    audience: 'oncoimg',
    dataDir: authDataDir,
    redirectUris: [`${base}/callback`],
  });
  const system = await startSystem({
    webRoot,
    timeline: {
      port,
      // The settings main.ts reads, with the embedded server as OIDC_ISSUER.
      pageSignIn: readPageSignInConfig({}, { host: '127.0.0.1', port, issuer: auth.issuer }),
      access: createHttpAccess({ issuer: auth.issuer, audience: 'oncoimg', metricsPublic: false }),
    },
  });
  const readerKey = await readPrivateJwk(devClientKeyPath(authDataDir, 'cli-dev'));
  return {
    system,
    auth,
    authDataDir,
    base,
    load: (cohort) =>
      loadCohort({
        cohort,
        orderBase: system.orderBase,
        studyBase: system.studyBase,
        reportBase: system.reportBase,
        fetch: authFetch,
      }),
    async readerFetch(url, init = {}) {
      const { access_token: token } = await requestBackendToken({
        issuer: auth.issuer,
        clientId: 'cli-dev',
        privateJwk: readerKey,
        scope: 'system/*.rs',
      });
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${token}`);
      return fetch(url, { ...init, headers });
    },
    async stop() {
      await system.stop();
      await auth.close();
      await rm(authDataDir, { recursive: true, force: true });
    },
  };
}

/** Types the development user's password into the provider's login form the page was sent to. */
export async function signInAtProvider(
  page: Page,
  user: { username: string; password: string },
): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in to oncoimg' }).waitFor();
  await page.getByLabel('User').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export const CLINICIAN = { username: 'clinician', password: 'clinician-dev' };
