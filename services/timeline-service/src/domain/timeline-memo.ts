import { partStateOf, type RemovalReason } from './exam/exam-status.ts';
import { examFactsOf, type ExamFacts } from './exam/exam-summary.ts';
import type { ExamGroup } from './linking/exam-group.ts';
import {
  orderPartOf,
  reportPartOf,
  studyPartOf,
  type OrderPart,
  type ReportPart,
  type StudyPart,
} from './linking/exam-parts.ts';
import type { ImagingResource } from './records/imaging-resource.ts';
import type { RecordEntry } from './records/patient-records.ts';

/** What one record entry contributes to a timeline before linking: its body, why it left, its index. */
export interface DerivedPart {
  body: ImagingResource;
  reason: RemovalReason | null;
  part: OrderPart | StudyPart | ReportPart | null;
}

/**
 * What `buildTimeline` derived from each record entry and from each exam's parts, kept between
 * builds of one patient so that the next build derives again only what an event changed: the
 * parts of the changed entries and the facts of the exams whose parts changed. Linking, baselines,
 * responses and the summary are still computed over the whole patient, so the result is the full
 * recomputation's.
 *
 * Why reuse is exact: a record entry is never mutated (a merge makes a new object), and parts and
 * facts are pure functions of the entries and parts they are keyed by (object identity), which
 * nothing downstream mutates. The property test in incremental-timeline.test.ts checks it on
 * generated pathways after every event.
 */
export interface TimelineMemo {
  parts: WeakMap<RecordEntry, DerivedPart>;
  /** Facts of an exam by its parts' refs, with the parts they were read from. */
  facts: Map<string, { parts: readonly object[]; facts: ExamFacts }>;
  /** Facts read by the build under way: what the next build can reuse. */
  nextFacts: Map<string, { parts: readonly object[]; facts: ExamFacts }>;
}

export function createTimelineMemo(): TimelineMemo {
  return { parts: new WeakMap(), facts: new Map(), nextFacts: new Map() };
}

function derivePart(entry: RecordEntry): DerivedPart {
  const body = entry.stamp.deleted ? (entry.lastLive?.resource ?? entry.resource) : entry.resource;
  const state = partStateOf(body);
  const reason: RemovalReason | null = entry.stamp.deleted
    ? 'deleted'
    : state.kind === 'void'
      ? state.reason
      : null;
  switch (body.resourceType) {
    case 'ServiceRequest':
      return { body, reason, part: orderPartOf(entry.ref, body) };
    case 'ImagingStudy':
      return { body, reason, part: studyPartOf(entry.ref, body) };
    case 'DiagnosticReport':
      return { body, reason, part: reportPartOf(entry.ref, body) };
    default:
      return { body, reason, part: null };
  }
}

/** The entry's derived part, from the memo when the same entry was seen before. */
export function derivedPartOf(memo: TimelineMemo, entry: RecordEntry): DerivedPart {
  let derived = memo.parts.get(entry);
  if (!derived) {
    derived = derivePart(entry);
    memo.parts.set(entry, derived);
  }
  return derived;
}

function groupParts(group: ExamGroup): object[] {
  return [...(group.order ? [group.order] : []), ...(group.study ? [group.study] : []), ...group.reports];
}

/** The facts of an exam, from the memo when the previous build had an exam of the very same parts. */
export function memoExamFacts(memo: TimelineMemo, group: ExamGroup): ExamFacts {
  const parts = groupParts(group);
  const key = parts.map((part) => (part as { ref: string }).ref).join('\u0000');
  const known = memo.nextFacts.get(key) ?? memo.facts.get(key);
  if (known?.parts.length === parts.length && known.parts.every((part, i) => part === parts[i])) {
    memo.nextFacts.set(key, known);
    return known.facts;
  }
  const facts = examFactsOf(group);
  memo.nextFacts.set(key, { parts, facts });
  return facts;
}

/** Ends a build: only the facts it used are kept, so the memo holds one patient's current exams. */
export function settleMemo(memo: TimelineMemo): void {
  memo.facts = memo.nextFacts;
  memo.nextFacts = new Map();
}
