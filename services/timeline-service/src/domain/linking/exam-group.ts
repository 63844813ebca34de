import type { AmbiguousLink, ExamLink, UnmatchedLink } from './link-evidence.ts';
import type { OrderPart, ReportPart, StudyPart } from './exam-parts.ts';

/** One exam as linking found it: an order, its study and its reports; any part may be missing. */
export interface ExamGroup {
  /** The order's reference, else the study's, else the first report's. */
  examId: string;
  order: OrderPart | null;
  study: StudyPart | null;
  reports: ReportPart[];
  links: ExamLink[];
  ambiguous: AmbiguousLink[];
  unmatched: UnmatchedLink[];
}

export interface ExamParts {
  orders: readonly OrderPart[];
  studies: readonly StudyPart[];
  reports: readonly ReportPart[];
}
