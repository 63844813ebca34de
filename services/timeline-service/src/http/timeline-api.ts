import { notFound, OperationOutcomeError } from '@medplum/core';
import { accessOf, canSeePatient, requireScope } from '@oncoimg/auth';
import { invalid, recordAuditNow } from '@oncoimg/fhir-http';
import express, { type Response, type Router } from 'express';
import { priorsFor, unreportedWorklist, type PatientTimeline } from '../domain/index.ts';
import type { Queryable } from '@oncoimg/store';
import type { TimelineRepository } from '../store/timeline.repository.ts';

/** What the live-update stream tells the page: which timeline changed, not its content. */
export interface TimelineChangeNotice {
  patientKey: string;
  version: number;
}

export interface TimelineApiOptions {
  repository: TimelineRepository;
  db: Queryable;
  /** Committed timeline changes, for the server-sent event stream `/api/events`. */
  subscribe?: (listener: (notice: TimelineChangeNotice) => void) => () => void;
  /** A performed exam without a final report is overdue after this long. */
  unreportedAfterMs: number;
  now?: () => Date;
}

/** Longest worklist or search answer: a page a person can read; narrow the query for more. */
const MAX_LIMIT = 500;
const DEFAULT_PATIENT_SEARCH_LIMIT = 20;
/** Proxies close idle connections; a comment line this often keeps the event stream open. */
const SSE_KEEPALIVE_MS = 15_000;

/** Not found answers go through the app's error edge, like every other error. */
function notFoundError(): OperationOutcomeError {
  return new OperationOutcomeError(notFound);
}

/** `GET /api`: where each part of the API is, so the address the start banner prints answers. */
export const API_INDEX = {
  name: 'oncoimg timeline API',
  links: {
    patientSearch: '/api/patients?q={identifier or name fragment}',
    timeline: '/api/patients/{patientKey}/timeline',
    exam: '/api/patients/{patientKey}/exams/{examId}',
    events: '/api/events',
    unreportedWorklist: '/api/worklists/unreported',
    linkWorklist: '/api/worklists/links',
    priors: '/api/studies/{studyUid}/priors',
    health: '/healthz',
    readiness: '/readyz',
    status: '/status',
    metrics: '/metrics',
  },
  openapi: 'infra/asyncapi/openapi.yaml in the repository',
} as const;

function limitParam(value: unknown, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > MAX_LIMIT) {
    throw invalid(`limit must be an integer from 1 to ${String(MAX_LIMIT)}`, 'limit');
  }
  return parsed;
}

function hoursParam(value: unknown, fallbackMs: number): number {
  if (value === undefined) {
    return fallbackMs;
  }
  const hours = Number(value);
  if (!Number.isFinite(hours) || hours < 0) {
    throw invalid('olderThanHours must be a number ≥ 0', 'olderThanHours');
  }
  return hours * 3_600_000;
}

/** Unmatched and ambiguous links of every patient, the newest problem first. */
function linkProblemsOf(timelines: readonly PatientTimeline[]) {
  return timelines.flatMap((timeline) => [
    ...timeline.unmatched.map((problem) => ({
      patientKey: timeline.patientKey,
      kind: 'unmatched' as const,
      ...problem,
    })),
    ...timeline.ambiguous.map((problem) => ({
      patientKey: timeline.patientKey,
      kind: 'ambiguous' as const,
      ...problem,
    })),
  ]);
}

/** Whether this request's caller may see `patientKey` (a patient-context token sees one patient). */
const visible = (res: Response, patientKey: string): boolean => canSeePatient(accessOf(res), patientKey);

/**
 * The timeline REST API (`/api`): patient search, one patient's timeline, worklists and priors.
 * Every route needs read access to ImagingStudy and DiagnosticReport (`*\/*.rs` does); a
 * patient-context caller sees only its patient: another one answers 404 and is left out of lists.
 * Errors are OperationOutcomes from the service's error edge, as on the intake services.
 */
export function createTimelineApi({
  repository,
  db,
  subscribe,
  unreportedAfterMs,
  now = () => new Date(),
}: TimelineApiOptions): Router {
  const router = express.Router();
  router.use(requireScope('ImagingStudy', 'rs'), requireScope('DiagnosticReport', 'rs'));

  router.get('/', (_req, res) => {
    res.json(API_INDEX);
  });

  router.get('/patients', async (req, res) => {
    const query = typeof req.query.q === 'string' ? req.query.q : '';
    if (query.trim().length === 0) {
      throw invalid('q (identifier or name fragment) is required', 'q');
    }
    const limit = limitParam(req.query.limit, DEFAULT_PATIENT_SEARCH_LIMIT);
    const restricted = accessOf(res).restrictedTo;
    if (restricted === undefined) {
      res.json({ patients: await repository.searchPatients(query, limit) });
      return;
    }
    const matches = await repository.searchPatients(query, MAX_LIMIT);
    res.json({ patients: matches.filter((match) => match.patientKey === restricted) });
  });

  router.get('/patients/:patientKey/timeline', async (req, res) => {
    if (!visible(res, req.params.patientKey)) {
      throw notFoundError();
    }
    const stored = await repository.getTimeline(req.params.patientKey);
    if (!stored) {
      throw notFoundError();
    }
    res.setHeader('ETag', `W/"${String(stored.version)}"`);
    res.setHeader('Last-Modified', stored.updatedAt.toUTCString());
    res.json({
      ...stored.timeline,
      timelineVersion: stored.version,
      updatedAt: stored.updatedAt.toISOString(),
    });
  });

  router.get('/patients/:patientKey/exams/:examId', async (req, res) => {
    if (!visible(res, req.params.patientKey)) {
      throw notFoundError();
    }
    const stored = await repository.getTimeline(req.params.patientKey);
    const exam = stored?.timeline.exams.find((candidate) => candidate.examId === req.params.examId);
    if (!exam) {
      throw notFoundError();
    }
    const refs = [
      exam.order?.reference,
      exam.study?.reference,
      ...exam.reports.map((r) => r.reference),
    ].filter((ref) => ref !== undefined);
    const entries = await repository.loadEntries(db, refs);
    const resources = refs.flatMap((ref) => {
      const entry = entries.get(ref);
      return entry
        ? [entry.stamp.deleted ? (entry.lastLive?.resource ?? entry.resource) : entry.resource]
        : [];
    });
    res.json({ exam, resources });
  });

  router.get('/events', (req, res) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write('retry: 2000\n\n');
    // The stream may stay open for hours: its reading is audited when it starts.
    recordAuditNow(res);
    const unsubscribe = subscribe?.((notice) => {
      if (!visible(res, notice.patientKey)) {
        return;
      }
      res.write(`event: timeline\ndata: ${JSON.stringify(notice)}\n\n`);
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), SSE_KEEPALIVE_MS);
    req.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe?.();
    });
  });

  router.get('/worklists/unreported', async (req, res) => {
    const olderThanMs = hoursParam(req.query.olderThanHours, unreportedAfterMs);
    const limit = limitParam(req.query.limit, MAX_LIMIT);
    const timelines = (await repository.timelinesWithUnreported()).filter((t) => visible(res, t.patientKey));
    const items = unreportedWorklist(timelines, { now: now(), olderThanMs });
    res.json({ olderThanHours: olderThanMs / 3_600_000, total: items.length, items: items.slice(0, limit) });
  });

  router.get('/worklists/links', async (req, res) => {
    const limit = limitParam(req.query.limit, MAX_LIMIT);
    const items = linkProblemsOf(
      (await repository.timelinesWithProblems()).filter((t) => visible(res, t.patientKey)),
    );
    res.json({ total: items.length, items: items.slice(0, limit) });
  });

  router.get('/studies/:studyUid/priors', async (req, res) => {
    const studyUid = req.params.studyUid.replace(/^urn:oid:/, '');
    const results = [];
    const patients = (await repository.patientsWithStudy(studyUid)).filter((key) => visible(res, key));
    for (const patientKey of patients) {
      const stored = await repository.getTimeline(patientKey);
      const priors = stored && priorsFor(studyUid, stored.timeline);
      if (priors) {
        results.push(priors);
      }
    }
    const only = results.at(0);
    const others = results.slice(1);
    if (!only) {
      throw notFoundError();
    }
    // One UID on two patients is a data error a radiologist must see, not a guess we make for them.
    res.json(others.length === 0 ? only : { ambiguous: true, candidates: results });
  });

  return router;
}
