import type { DiagnosticReport } from '@medplum/fhirtypes';
import { instantOf } from '../exam/exam-date.ts';

// A final or amended report speaks over a preliminary one; among equals, the latest issued.
const STATUS_RANK: Readonly<Record<string, number>> = {
  amended: 3,
  corrected: 3,
  appended: 3,
  final: 2,
  preliminary: 1,
  partial: 1,
};

/** An exam's reports, the one to believe first: amended over final over preliminary, then the latest issued. */
export function rankReports<T extends { ref: string; resource: DiagnosticReport }>(
  reports: readonly T[],
): T[] {
  return [...reports].sort((a, b) => {
    const rank = (STATUS_RANK[b.resource.status] ?? 0) - (STATUS_RANK[a.resource.status] ?? 0);
    if (rank !== 0) {
      return rank;
    }
    const issued = (instantOf(b.resource.issued) ?? 0) - (instantOf(a.resource.issued) ?? 0);
    if (issued !== 0) {
      return issued;
    }
    return a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0;
  });
}
