/**
 * The page's sign-in in a real browser against the real embedded authorization server: a
 * clinician types the development password into the provider's form, sees their name and a
 * timeline, and signs out (after which the API refuses the page); an EHR launch (registered by
 * `oncoimg launch`) and a standalone launch with the provider's patient picker land on that
 * patient's timeline.
 */
import { generateCohort, type SyntheticPatient } from '@oncoimg/synthetic-cohort';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/cli/src/cli.ts';
import { eventually } from '../support/running-system.ts';
import {
  buildWebPage,
  CLINICIAN,
  hasChromium,
  launchChromium,
  signInAtProvider,
  startSignedInSystem,
  type SignedInSystem,
} from './web-page.fixtures.ts';

describe.skipIf(!hasChromium)('signing in to the timeline page', () => {
  let signedIn: SignedInSystem;
  let browser: Browser;
  let patients: SyntheticPatient[];
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    buildWebPage();
    signedIn = await startSignedInSystem();
    const { system } = signedIn;
    const cohort = generateCohort({ patients: 2, seed: 42 });
    patients = cohort.patients;
    await signedIn.load(cohort);
    for (const patient of patients) {
      await eventually(
        async () => ((await system.timeline.repository.getTimeline(patient.patientKey)) ? true : undefined),
        `the timeline of patient ${String(patient.index)}`,
      );
    }
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (signedIn as SignedInSystem | undefined)?.stop();
  });

  /** A fresh browser profile: no cookies at the page or the provider. */
  async function freshPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().includes('status of 401')) {
        problems.push(message.text());
      }
    });
    page.on('response', (response) => {
      if (response.status() >= 400 && response.status() !== 401) {
        problems.push(`${String(response.status())} ${response.url()}`);
      }
    });
    return page;
  }

  const apiStatus = (page: Page, path: string) =>
    page.evaluate(async (url) => (await fetch(url)).status, path);

  it('signs the clinician in through the provider’s form, shows their name and a timeline, and signs out', async () => {
    const { base, auth } = signedIn;
    const page = await freshPage();
    await page.goto(`${base}/`);
    expect(page.url().startsWith(`${auth.url}/`)).toBe(true);
    await signInAtProvider(page, CLINICIAN);

    await page.getByTestId('signed-in-user').waitFor();
    expect(page.url().startsWith(`${base}/`)).toBe(true);
    expect(await page.getByTestId('signed-in-user').textContent()).toBe('Development Clinician');
    const [patient] = patients;
    await page.getByLabel('Identifier or name').fill(patient.name.family);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: new RegExp(patient.name.display) }).click();
    await page.getByRole('heading', { name: `Timeline of ${patient.name.display}` }).waitFor();
    // The live stream runs on the session too.
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 15_000 }).toBe('Live');
    const session = (await page.context().cookies(base)).find((c) => c.name === 'oncoimg_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });
    expect(await apiStatus(page, '/api/worklists/unreported')).toBe(200);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByRole('heading', { name: 'Signed out' }).waitFor();
    expect(page.url()).toBe(`${base}/signed-out`);
    // The page's own requests are refused now: the session and its token are gone.
    expect(await apiStatus(page, '/api/worklists/unreported')).toBe(401);
    expect(await apiStatus(page, '/api/events')).toBe(401);
    // The provider's session ended too: the page asks for the password again.
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Sign in to oncoimg' }).waitFor();
    expect(problems).toEqual([]);
  }, 90_000);

  it('opens the launched patient’s timeline directly after an EHR launch (oncoimg launch)', async () => {
    const { base, auth, authDataDir } = signedIn;
    const patient = patients[1];
    let stdout = '';
    const code = await runCli(['launch', '--patient', patient.patientKey, '--app', base], {
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: () => true },
      env: { OIDC_ISSUER: auth.issuer, AUTH_DATA_DIR: authDataDir },
    });
    expect(code).toBe(0);
    const launchUrl = new URL(stdout.trim());
    expect(launchUrl.origin + launchUrl.pathname).toBe(`${base}/launch`);

    const page = await freshPage();
    await page.goto(launchUrl.href);
    await signInAtProvider(page, CLINICIAN);
    await page.getByRole('heading', { name: `Timeline of ${patient.name.display}` }).waitFor();
    expect(await page.getByTestId('patient-key').textContent()).toBe(patient.patientKey);
    expect(decodeURIComponent(new URL(page.url()).hash)).toBe(`#/patients/${patient.patientKey}`);
  }, 60_000);

  it('lets the clinician pick the patient at the provider in a standalone launch', async () => {
    const { base } = signedIn;
    const [patient] = patients;
    const page = await freshPage();
    await page.goto(`${base}/login?context=patient`);
    await signInAtProvider(page, CLINICIAN);
    await page.getByLabel('Patient identifier').fill(patient.patientKey);
    await page.getByRole('button', { name: 'Open this patient' }).click();
    await page.getByRole('heading', { name: `Timeline of ${patient.name.display}` }).waitFor();
    expect(await page.getByTestId('patient-key').textContent()).toBe(patient.patientKey);
  }, 60_000);
});
