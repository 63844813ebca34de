import { addEvidence, decideLink, type EvidenceMap, type LinkDecision } from './link-decision.ts';
import type { LookedFor } from './link-evidence.ts';
import type { ReportPart } from './exam-parts.ts';
import type { ExamGroup } from './exam-group.ts';
import { addAccessionEvidence, indexAccessions, type AccessionIndex } from './accession-evidence.ts';
import { byRef, candidateList, lookedForAccessions, lookedForTargets, push } from './link-helpers.ts';

interface ExamIndex {
  byStudyRef: Map<string, string>;
  byStudyUid: Map<string, string[]>;
  byStudyIdentifier: Map<string, string[]>;
  byOrderRef: Map<string, string>;
  byOrderIdentifier: Map<string, string[]>;
  byAccession: AccessionIndex;
}

function indexExams(groups: readonly ExamGroup[]): ExamIndex {
  const index: ExamIndex = {
    byStudyRef: new Map(),
    byStudyUid: new Map(),
    byStudyIdentifier: new Map(),
    byOrderRef: new Map(),
    byOrderIdentifier: new Map(),
    byAccession: new Map(),
  };
  for (const group of groups) {
    const { study, order, examId } = group;
    // The order's accession first: it usually carries the issuer, the strongest evidence to record.
    if (order) {
      index.byOrderRef.set(order.ref, examId);
      for (const key of order.identifierKeys) {
        push(index.byOrderIdentifier, key, examId);
      }
      indexAccessions(index.byAccession, order.accessions, examId);
    }
    if (study) {
      index.byStudyRef.set(study.ref, examId);
      if (study.uid) {
        push(index.byStudyUid, study.uid, examId);
      }
      for (const key of study.identifierKeys) {
        push(index.byStudyIdentifier, key, examId);
      }
      indexAccessions(index.byAccession, study.accessions, examId);
    }
  }
  return index;
}

/**
 * Evidence from one reference of a report: its literal reference, then (`between`) anything else
 * the target carries, then its identifiers.
 */
function addTargetEvidence(
  evidence: EvidenceMap,
  target: { literal?: string | null; identifierKeys: readonly string[] },
  kind: 'imagingStudy-reference' | 'report-basedOn-order',
  byLiteral: Map<string, string>,
  byIdentifier: Map<string, string[]>,
  between?: () => void,
): void {
  const literal = target.literal ? byLiteral.get(target.literal) : undefined;
  if (literal && target.literal) {
    addEvidence(evidence, literal, { kind, value: target.literal });
  }
  between?.();
  for (const key of target.identifierKeys) {
    for (const examId of byIdentifier.get(key) ?? []) {
      addEvidence(evidence, examId, { kind, value: key });
    }
  }
}

function examCandidates(report: ReportPart, index: ExamIndex): LinkDecision {
  const primary: EvidenceMap = new Map();
  const fallback: EvidenceMap = new Map();
  for (const target of report.imagingStudy) {
    addTargetEvidence(
      primary,
      target,
      'imagingStudy-reference',
      index.byStudyRef,
      index.byStudyIdentifier,
      () => {
        for (const uid of target.uids) {
          for (const examId of index.byStudyUid.get(uid) ?? []) {
            addEvidence(primary, examId, { kind: 'study-uid', value: uid });
          }
        }
      },
    );
  }
  addAccessionEvidence(fallback, report.accessions, index.byAccession);
  for (const target of report.basedOn) {
    addTargetEvidence(fallback, target, 'report-basedOn-order', index.byOrderRef, index.byOrderIdentifier);
  }
  return decideLink(primary, fallback);
}

function reportLookups(report: ReportPart): LookedFor[] {
  return [
    ...lookedForTargets(report.imagingStudy, 'imagingStudy-reference'),
    ...lookedForAccessions(report.accessions),
    ...lookedForTargets(report.basedOn, 'report-basedOn-order'),
  ];
}

/** Keys under which reports waiting for the same missing study or order are shown as one exam. */
function waitingKeys(report: ReportPart): string[] {
  return reportLookups(report).map((lookup) => `${lookup.kind}:${lookup.issuer ?? ''}:${lookup.value}`);
}

function groupWaitingReports(reports: readonly ReportPart[]): ReportPart[][] {
  const parent = new Map<string, string>();
  const find = (ref: string): string => {
    let root = ref;
    for (let next = parent.get(root); next !== undefined && next !== root; next = parent.get(root)) {
      root = next;
    }
    return root;
  };
  const ownerOfKey = new Map<string, string>();
  for (const report of reports) {
    parent.set(report.ref, report.ref);
  }
  for (const report of reports) {
    for (const key of waitingKeys(report)) {
      const owner = ownerOfKey.get(key);
      if (owner === undefined) {
        ownerOfKey.set(key, report.ref);
        continue;
      }
      const [a, b] = [find(owner), find(report.ref)].sort() as [string, string];
      if (a !== b) {
        parent.set(b, a);
      }
    }
  }
  const clusters = new Map<string, ReportPart[]>();
  for (const report of reports) {
    push(clusters, find(report.ref), report);
  }
  return [...clusters.values()];
}

/**
 * Attaches each report to the exam its evidence points at: `imagingStudy` (literal, Study UID,
 * identifier) primary, accession number and `basedOn` → order fallbacks. Reports that are
 * ambiguous or find nothing become exams of their own, flagged; reports waiting for the same thing
 * wait together. Mutates `groups` (adds reports and links) and returns the new report-only exams.
 * Reports must be sorted by reference.
 */
export function linkReports(groups: readonly ExamGroup[], reports: readonly ReportPart[]): ExamGroup[] {
  const byId = new Map(groups.map((group) => [group.examId, group]));
  const index = indexExams(groups);
  const referenceOfExam = (examId: string): string => {
    const group = byId.get(examId);
    return group?.study?.ref ?? group?.order?.ref ?? examId;
  };

  const waiting: ReportPart[] = [];
  const standalone: ExamGroup[] = [];
  for (const report of reports) {
    const decision = examCandidates(report, index);
    const target = decision.kind === 'link' ? byId.get(decision.target) : undefined;
    if (decision.kind === 'link' && target) {
      target.reports.push(report);
      target.links.push({
        link: 'report-exam',
        from: report.ref,
        to: decision.target,
        evidence: decision.evidence,
      });
    } else if (decision.kind === 'ambiguous') {
      standalone.push({
        examId: report.ref,
        order: null,
        study: null,
        reports: [report],
        links: [],
        ambiguous: [
          {
            part: report.ref,
            link: 'report-exam',
            reason: decision.reason,
            candidates: candidateList(decision.candidates, referenceOfExam),
          },
        ],
        unmatched: [],
      });
    } else {
      waiting.push(report);
    }
  }

  for (const cluster of groupWaitingReports(waiting)) {
    const sorted = byRef(cluster);
    standalone.push({
      examId: sorted[0].ref,
      order: null,
      study: null,
      reports: sorted,
      links: [],
      ambiguous: [],
      unmatched: sorted.map((report) => {
        const lookedFor = reportLookups(report);
        return {
          part: report.ref,
          link: 'report-exam',
          reason: lookedFor.length ? 'not-received' : 'no-link-keys',
          lookedFor,
        };
      }),
    });
  }
  return standalone;
}
