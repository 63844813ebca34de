import { createHash } from 'node:crypto';
import type { TimelineSummaryEvent } from '@oncoimg/fhir-events';

/**
 * A short stable pseudonym of a patient key, so lines of one patient can be followed without
 * printing the key: the key is a hospital identifier, and console output ends up in log stores.
 */
export function patientTag(patientKey: string): string {
  return createHash('sha256').update(patientKey).digest('hex').slice(0, 10);
}

function responseText(summary: TimelineSummaryEvent): string {
  const latest = summary.latestResponse;
  if (!latest) {
    return 'no response yet';
  }
  const percent =
    latest.percentFromBaseline === null
      ? ''
      : ` ${latest.percentFromBaseline > 0 ? '+' : ''}${latest.percentFromBaseline}% from baseline`;
  return `${latest.category ?? latest.method} (${latest.words}${percent}) on ${latest.date ?? 'an undated exam'}`;
}

/**
 * One line per summary: which patient (pseudonym), which version, and the oncology answer
 * (baseline, latest response, pending work). No names, identifiers or free text of the sources.
 */
export function formatSummaryLine(summary: TimelineSummaryEvent): string {
  const baseline = summary.currentBaseline
    ? `baseline line ${summary.currentBaseline.line} ${summary.currentBaseline.date ?? 'undated'}`
    : 'no baseline';
  const dose =
    summary.radiation?.totalDlpMgyCm == null ? '' : `, DLP ${summary.radiation.totalDlpMgyCm} mGy·cm`;
  return [
    `patient ${patientTag(summary.patientKey)} v${summary.timelineVersion}`,
    `${summary.examCount} exam${summary.examCount === 1 ? '' : 's'}`,
    baseline,
    `latest ${responseText(summary)}`,
    `pending ${summary.pending.ordered} ordered / ${summary.pending.unreported} unreported${dose}`,
  ].join(' | ');
}
