/**
 * The exact comparison that ends every fault test: each patient's timeline, as the timeline
 * service answers it, holds every acknowledged order, study and report, linked into its exam, at
 * the acknowledged version, and nothing else: no exam twice, no part twice.
 */
import type { AcknowledgedWrite } from './imaging-load.ts';
import { authFetch } from '@oncoimg/testing';

interface PartView {
  resourceType: string;
  id: string;
  versionId: string | null;
}

interface ExamView {
  examId: string;
  order: PartView | null;
  study: PartView | null;
  reports: PartView[];
}

/** Waits this long for the timelines to catch up after the load and the fault. */
const CONVERGE_TIMEOUT_MS = 120_000;

function describePart(part: PartView): string {
  return `${part.resourceType}/${part.id}@${part.versionId ?? '?'}`;
}

/** One line per exam: its order, study and reports, in a fixed order. */
function examLine(parts: PartView[]): string {
  return parts
    .map(describePart)
    .sort((a, b) => a.localeCompare(b))
    .join(' + ');
}

/** What each patient's timeline must hold: one line per exam. */
export function expectedTimelines(acknowledged: readonly AcknowledgedWrite[]): Map<string, string[]> {
  const byExam = new Map<string, { patientKey: string; parts: PartView[] }>();
  for (const write of acknowledged) {
    const exam = byExam.get(write.exam) ?? { patientKey: write.patientKey, parts: [] };
    exam.parts.push({ resourceType: write.resourceType, id: write.id, versionId: write.versionId });
    byExam.set(write.exam, exam);
  }
  const expected = new Map<string, string[]>();
  for (const { patientKey, parts } of byExam.values()) {
    expected.set(patientKey, [...(expected.get(patientKey) ?? []), examLine(parts)]);
  }
  for (const lines of expected.values()) {
    lines.sort((a, b) => a.localeCompare(b));
  }
  return expected;
}

async function actualTimeline(timelineBase: string, patientKey: string): Promise<string[] | 'missing'> {
  const res = await authFetch(`${timelineBase}/api/patients/${encodeURIComponent(patientKey)}/timeline`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status === 404) {
    return 'missing';
  }
  if (!res.ok) {
    throw new Error(`timeline of a patient answered ${String(res.status)}: ${await res.text()}`);
  }
  const { exams } = (await res.json()) as { exams: ExamView[] };
  return exams
    .map((exam) =>
      examLine([...(exam.order ? [exam.order] : []), ...(exam.study ? [exam.study] : []), ...exam.reports]),
    )
    .sort((a, b) => a.localeCompare(b));
}

export interface TimelineComparison {
  patients: number;
  /** Patients whose timeline differs, with what was expected and what was found. */
  differences: string[];
}

/** Compares every patient's timeline once. */
export async function compareTimelines(
  timelineBase: string,
  acknowledged: readonly AcknowledgedWrite[],
): Promise<TimelineComparison> {
  const expected = expectedTimelines(acknowledged);
  const differences: string[] = [];
  for (const [patientKey, lines] of expected) {
    const actual = await actualTimeline(timelineBase, patientKey);
    const found = actual === 'missing' ? ['(no timeline)'] : actual;
    if (JSON.stringify(found) !== JSON.stringify(lines)) {
      differences.push(
        `${patientKey}\n  expected: ${lines.join('\n            ')}\n  found:    ${found.join('\n            ')}`,
      );
    }
  }
  return { patients: expected.size, differences };
}

/**
 * Polls until every timeline matches exactly, or fails after a bounded wait with the patients
 * that still differ (lost, unlinked or duplicated parts).
 */
export async function expectTimelinesToConverge(
  timelineBase: string,
  acknowledged: readonly AcknowledgedWrite[],
  timeoutMs = CONVERGE_TIMEOUT_MS,
): Promise<TimelineComparison> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let comparison: TimelineComparison | undefined;
    let failure = '';
    try {
      comparison = await compareTimelines(timelineBase, acknowledged);
      if (comparison.differences.length === 0) {
        return comparison;
      }
    } catch (error) {
      // The timeline service may still be restarting.
      failure = String(error);
    }
    if (Date.now() > deadline) {
      const detail = comparison
        ? `${String(comparison.differences.length)} of ${String(comparison.patients)} patients differ:\n${comparison.differences.join('\n')}`
        : failure;
      throw new Error(`timelines did not converge within ${String(timeoutMs / 1000)} s; ${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
