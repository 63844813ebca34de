import type { ExamGroup, ExamParts } from './exam-group.ts';
import { byRef } from './link-helpers.ts';
import { linkOrdersAndStudies } from './link-order-study.ts';
import { linkReports } from './link-reports.ts';

export type { ExamGroup, ExamParts } from './exam-group.ts';

/**
 * Groups parts into exams by the linking rules of the design brief.
 *
 * order ↔ study: accession number (primary; scoped by issuer, an issuer-less accession matches
 * within the patient), fallbacks `ImagingStudy.basedOn` → ServiceRequest (literal or by
 * identifier) and a Study UID the order pre-assigned. A link is made only when the study and the
 * order chose each other alone; otherwise both are flagged ambiguous with every candidate.
 *
 * report → exam: `DiagnosticReport.imagingStudy` (literal, by Study UID or by identifier) primary;
 * fallbacks accession number and `DiagnosticReport.basedOn` → order → its exam. A report that finds
 * nothing forms an exam of its own flagged unmatched with what it looked for; reports waiting for
 * the same thing wait together.
 *
 * Deterministic: the result depends on the set of parts only, never on their order.
 */
export function linkExams(parts: ExamParts): ExamGroup[] {
  const groups = linkOrdersAndStudies(byRef(parts.orders), byRef(parts.studies));
  const standalone = linkReports(groups, byRef(parts.reports));
  return [...groups, ...standalone];
}
