import type { PatientTimeline, TimelineExam } from '../../src/domain/timeline.types.ts';
import type { UnreportedItem } from '../../src/domain/worklists/unreported-worklist.ts';
import type { AmbiguousLink, UnmatchedLink } from '../../src/domain/linking/link-evidence.ts';

export type { PatientTimeline, TimelineExam, UnreportedItem };

export interface PatientMatch {
  patientKey: string;
  names: string[];
  examCount: number;
}

export type StoredTimeline = PatientTimeline & { timelineVersion: number; updatedAt: string };

export type LinkProblem = { patientKey: string; examId: string } & (
  ({ kind: 'unmatched' } & UnmatchedLink) | ({ kind: 'ambiguous' } & AmbiguousLink)
);

export interface ExamDetails {
  exam: TimelineExam;
  resources: Record<string, unknown>[];
}

/** The response fields the page shows; the timeline may carry more. */
export interface ResponseView {
  category: 'CR' | 'PR' | 'SD' | 'PD' | 'NE' | 'non-CR/non-PD' | null;
  words: string;
  percentFromBaseline: number | null;
  percentFromNadir: number | null;
  sumOfDiametersMm: number | null;
  label?: string;
}

export function responseOf(exam: TimelineExam): ResponseView | null {
  const r = exam.response as Partial<ResponseView> | undefined | null;
  if (!r) {
    return null;
  }
  return {
    category: r.category ?? null,
    words: r.words ?? 'not assessed',
    percentFromBaseline: typeof r.percentFromBaseline === 'number' ? r.percentFromBaseline : null,
    percentFromNadir: typeof r.percentFromNadir === 'number' ? r.percentFromNadir : null,
    sumOfDiametersMm: typeof r.sumOfDiametersMm === 'number' ? r.sumOfDiametersMm : null,
    label: typeof r.label === 'string' ? r.label : undefined,
  };
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  if (res.status === 401) {
    // The session ended (expired or signed out elsewhere): sign in again.
    window.location.assign('/login');
  }
  if (!res.ok) {
    throw new Error(`${path}: HTTP ${String(res.status)}`);
  }
  return (await res.json()) as T;
}

export const api = {
  searchPatients: (q: string) =>
    getJson<{ patients: PatientMatch[] }>(`/api/patients?q=${encodeURIComponent(q)}`),
  timeline: (patientKey: string) =>
    getJson<StoredTimeline>(`/api/patients/${encodeURIComponent(patientKey)}/timeline`),
  exam: (patientKey: string, examId: string) =>
    getJson<ExamDetails>(
      `/api/patients/${encodeURIComponent(patientKey)}/exams/${encodeURIComponent(examId)}`,
    ),
  unreported: () => getJson<{ items: UnreportedItem[] }>('/api/worklists/unreported'),
  linkProblems: () => getJson<{ items: LinkProblem[] }>('/api/worklists/links'),
};
