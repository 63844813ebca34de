/**
 * The web page as an oncology team uses it, in a real browser: the whole system runs in this
 * process (three intake services, the timeline service serving the built page, PGlite, fresh
 * topics on the real broker, the embedded authorization server), a small synthetic cohort goes in
 * through the FHIR APIs, and headless Chromium signs in as the development clinician, finds a
 * patient by name, reads their timeline and sees a new report arrive live.
 * Saves docs/screenshots/timeline.png. Needs /usr/bin/chromium (CI installs Debian's package).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { generateCohort, type SyntheticCohort, type SyntheticPatient } from '@oncoimg/synthetic-cohort';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authFetch } from '@oncoimg/testing';
import { eventually, type RunningSystem } from '../support/running-system.ts';
import {
  buildWebPage,
  CHROMIUM,
  CLINICIAN,
  hasChromium,
  launchChromium,
  root,
  signInAtProvider,
  startSignedInSystem,
  type SignedInSystem,
} from './web-page.fixtures.ts';

const screenshotPath = path.join(root, 'docs/screenshots/timeline.png');
if (!hasChromium) {
  console.warn(`timeline page tests skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
}

interface TimelineJson {
  timelineVersion: number;
  currentBaseline: { examId: string } | null;
  exams: {
    examId: string;
    isBaseline: boolean;
    planning: boolean;
    followUpOf: string | null;
    reports: { reference: string }[];
    warnings: { code: string; message: string }[];
    response: {
      category: string | null;
      words: string;
      evidence: { confirmedBy: string | null; nonTargets: { state: string }[] };
    } | null;
  }[];
}

async function timelineOf(system: SignedInSystem, patientKey: string): Promise<TimelineJson | undefined> {
  const res = await system.readerFetch(
    `${system.base}/api/patients/${encodeURIComponent(patientKey)}/timeline`,
  );
  return res.ok ? ((await res.json()) as TimelineJson) : undefined;
}

/** The timeline once every resource of the patient has been placed on it (or under removed). */
async function settledTimeline(system: SignedInSystem, patient: SyntheticPatient): Promise<TimelineJson> {
  const refs = [...new Set(patient.arrivals.map((r) => `${r.resourceType}/${r.id ?? ''}`))];
  return eventually(
    async () => {
      const timeline = await timelineOf(system, patient.patientKey);
      const text = JSON.stringify(timeline ?? {});
      return timeline && refs.every((ref) => text.includes(`"${ref}"`)) ? timeline : undefined;
    },
    `the timeline of patient ${String(patient.index)} to hold all ${String(refs.length)} resources`,
  );
}

const examWithReport = (timeline: TimelineJson, reportId: string) =>
  timeline.exams.find((e) => e.reports.some((r) => r.reference === `DiagnosticReport/${reportId}`));

describe.skipIf(!hasChromium)('the timeline page in a browser', () => {
  let signedIn: SignedInSystem;
  let system: RunningSystem;
  let browser: Browser;
  let page: Page;
  let cohort: SyntheticCohort;
  let responder: SyntheticPatient;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    buildWebPage();
    // The page signs in (the clinician, at the embedded provider).
    signedIn = await startSignedInSystem();
    system = signedIn.system;
    cohort = generateCohort({ patients: 3, seed: 42 });
    const found = cohort.patients.find((p) => p.pathway === 'PR');
    if (!found) {
      throw new Error('a cohort of three always has a partial responder');
    }
    responder = found;
    await signedIn.load(cohort);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error') {
        consoleErrors.push(message.text());
      }
    });
    page.on('response', (response) => {
      if (response.status() >= 400) {
        consoleErrors.push(`${String(response.status())} ${response.url()}`);
      }
    });
    await page.goto(`${system.timelineBase}/`);
    await signInAtProvider(page, CLINICIAN);
    await page.getByTestId('signed-in-user').waitFor();
  }, 180_000);

  afterAll(async () => {
    // Undefined when the set-up failed half-way.
    await (browser as Browser | undefined)?.close();
    await (signedIn as SignedInSystem | undefined)?.stop();
  });

  it('places every synthetic patient as the cohort intends: baseline, follow-ups, RECIST category', async () => {
    for (const patient of cohort.patients) {
      const timeline = await settledTimeline(signedIn, patient);
      const baseline = examWithReport(timeline, patient.baseline.reportId);
      expect(baseline?.isBaseline).toBe(true);
      expect(timeline.currentBaseline?.examId).toBe(baseline?.examId);
      expect(timeline.exams.some((e) => e.planning)).toBe(true);
      const categories = patient.followUps.map((f) => {
        const exam = examWithReport(timeline, f.reportId);
        expect(exam?.followUpOf).toBe(baseline?.examId);
        return exam?.response?.category;
      });
      expect(categories).toEqual(patient.followUps.map((f) => f.category));
      // The cohort's own expectations of the RECIST 1.1 additions: warnings, confirmations, non-targets.
      expect(baseline?.warnings.map((w) => w.code)).toEqual(
        patient.features.includes('old-baseline') ? ['baseline-older-than-window'] : [],
      );
      for (const followUp of patient.followUps) {
        const confirmer = followUp.confirmedBy ? examWithReport(timeline, followUp.confirmedBy) : null;
        expect(examWithReport(timeline, followUp.reportId)?.response?.evidence.confirmedBy ?? null).toBe(
          confirmer?.examId ?? null,
        );
      }
      const nonTargets = examWithReport(timeline, patient.followUps[0].reportId)?.response?.evidence
        .nonTargets;
      expect(nonTargets?.map((n) => n.state)).toEqual(
        patient.features.includes('non-target-disease') ? ['present'] : [],
      );
    }
  }, 90_000);

  it('warns on the page when a patient’s baseline is older than RECIST’s 4 weeks', async () => {
    const patient = cohort.patients.find((p) => p.features.includes('old-baseline'));
    if (!patient) {
      throw new Error('a cohort of three from seed 42 has an old baseline');
    }
    await settledTimeline(signedIn, patient);
    await page.goto(`${system.timelineBase}/`);
    const search = page.getByLabel('Identifier or name');
    await search.fill(patient.name.family);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: new RegExp(patient.name.display) }).click();
    await page.getByRole('heading', { name: `Timeline of ${patient.name.display}` }).waitFor();

    const warnings = page.getByTestId('timeline-warnings');
    await warnings.waitFor({ timeout: 15_000 });
    expect(await warnings.textContent()).toContain(
      `This baseline is ${String(patient.baseline.daysBeforeTreatment)} days before treatment start`,
    );
    const badge = page.locator('.exam.baseline [data-testid="exam-warning-badge"]');
    expect(await badge.textContent()).toContain('baseline-older-than-window');
    expect(consoleErrors).toEqual([]);
  }, 60_000);

  it('finds a patient by part of their name, shows their timeline, and updates it live', async () => {
    await settledTimeline(signedIn, responder);
    await page.goto(`${system.timelineBase}/`);
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 15_000 }).toBe('Live');

    // Keyboard only: type a name fragment into the labelled search box, Enter, then open the match.
    const fragment = responder.name.family.slice(0, 5).toLowerCase();
    const search = page.getByLabel('Identifier or name');
    await search.focus();
    await page.keyboard.type(fragment);
    await page.keyboard.press('Enter');
    const match = page.getByRole('button', { name: new RegExp(responder.name.display) });
    await match.waitFor();
    await match.focus();
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: `Timeline of ${responder.name.display}` }).waitFor();
    expect(await page.getByTestId('patient-key').textContent()).toBe(responder.patientKey);
    const baselineBadge = page.locator('.exam.baseline .baseline-badge');
    await expect.poll(() => baselineBadge.isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => page.getByTestId('baseline').textContent()).not.toBe('No baseline yet');
    const partialResponse = page.locator('.exam .response', { hasText: 'shrunk (PR, partial response)' });
    expect(await partialResponse.count()).toBeGreaterThan(0);
    expect(await partialResponse.first().isVisible()).toBe(true);
    expect(await page.getByText('Planning — not diagnostic').first().isVisible()).toBe(true);
    const chart = page.getByTestId('sum-chart');
    expect(await chart.isVisible()).toBe(true);
    expect((await chart.boundingBox())?.height ?? 0).toBeGreaterThan(100);

    // An exam opens from the keyboard and says why its parts belong together.
    const firstExam = page.locator('.exam summary').first();
    await firstExam.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Why these belong together' }).first().waitFor();
    await page.keyboard.press('Enter');

    // The RIS reports the scan that was only ordered; the open page follows without a reload.
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const pendingOrder = responder.arrivals.at(-1);
    expect(pendingOrder?.resourceType).toBe('ServiceRequest');
    expect(await page.getByText('Ordered, not yet done: none').count()).toBe(0);
    const versionBefore = await page.locator('[data-timeline-version]').getAttribute('data-timeline-version');
    const res = await authFetch(`${system.reportBase}/DiagnosticReport`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'DiagnosticReport',
        status: 'final',
        code: { text: 'CT Chest' },
        subject: pendingOrder?.subject,
        basedOn: [{ reference: `ServiceRequest/${pendingOrder?.id ?? ''}` }],
        effectiveDateTime: '2025-12-01T10:00:00Z',
        issued: '2025-12-01T15:00:00Z',
        conclusion: 'No evidence of recurrence. Live update from the browser test.',
      }),
    });
    expect(res.status).toBe(201);
    await page.getByText('Ordered, not yet done: none').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('announcement').textContent()).toMatch(
      /^Timeline updated \(version \d+\)$/,
    );
    expect(await page.locator('[data-timeline-version]').getAttribute('data-timeline-version')).not.toBe(
      versionBefore,
    );
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );

    mkdirSync(path.dirname(screenshotPath), { recursive: true });
    // The picture for the README: the timeline from its heading down, no focus ring, with the
    // chart in its upper half. Taller than the test's window: the summary now holds the best
    // overall response and the warnings above the chart.
    const shot = { width: 1280, height: 1100 };
    await page.setViewportSize(shot);
    await search.focus();
    await search.blur();
    const heading = await page
      .getByRole('heading', { name: `Timeline of ${responder.name.display}` })
      .boundingBox();
    await page.mouse.move(shot.width / 2, shot.height / 2);
    await page.mouse.wheel(0, (heading?.y ?? 0) - 16);
    await expect
      .poll(async () => (await page.getByTestId('sum-chart').boundingBox())?.y ?? 0, { timeout: 5_000 })
      .toBeLessThan(shot.height / 2);
    await page.screenshot({ path: screenshotPath });
    expect(consoleErrors).toEqual([]);
  }, 120_000);
});
