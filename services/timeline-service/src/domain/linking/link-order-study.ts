import {
  addEvidence,
  candidatesOf,
  decideLink,
  type EvidenceMap,
  type LinkDecision,
} from './link-decision.ts';
import type { AmbiguousLink, LinkEvidence } from './link-evidence.ts';
import type { OrderPart, StudyPart } from './exam-parts.ts';
import type { ExamGroup } from './exam-group.ts';
import { addAccessionEvidence, indexAccessions, type AccessionIndex } from './accession-evidence.ts';
import { byRef, candidateList, lookedForAccessions, lookedForTargets, push } from './link-helpers.ts';

interface OrderIndex {
  byRef: Map<string, OrderPart>;
  byAccession: AccessionIndex;
  byIdentifier: Map<string, OrderPart[]>;
  byStudyUid: Map<string, OrderPart[]>;
}

function indexOrders(orders: readonly OrderPart[]): OrderIndex {
  const index: OrderIndex = {
    byRef: new Map(),
    byAccession: new Map(),
    byIdentifier: new Map(),
    byStudyUid: new Map(),
  };
  for (const order of orders) {
    index.byRef.set(order.ref, order);
    indexAccessions(index.byAccession, order.accessions, order.ref);
    for (const key of order.identifierKeys) {
      push(index.byIdentifier, key, order);
    }
    for (const uid of order.studyUids) {
      push(index.byStudyUid, uid, order);
    }
  }
  return index;
}

function orderCandidates(study: StudyPart, orders: OrderIndex): LinkDecision {
  const primary: EvidenceMap = new Map();
  const fallback: EvidenceMap = new Map();
  addAccessionEvidence(primary, study.accessions, orders.byAccession);
  for (const target of study.basedOn) {
    const literal = target.literal ? orders.byRef.get(target.literal) : undefined;
    if (literal) {
      addEvidence(fallback, literal.ref, { kind: 'basedOn', value: literal.ref });
    }
    for (const key of target.identifierKeys) {
      for (const order of orders.byIdentifier.get(key) ?? []) {
        addEvidence(fallback, order.ref, { kind: 'basedOn', value: key });
      }
    }
  }
  if (study.uid) {
    for (const order of orders.byStudyUid.get(study.uid) ?? []) {
      addEvidence(fallback, order.ref, { kind: 'study-uid', value: study.uid });
    }
  }
  return decideLink(primary, fallback);
}

/**
 * Links studies to orders: accession number (primary), `basedOn` and an order's pre-assigned Study
 * UID (fallbacks). A pair links only when the study and the order chose each other alone; every
 * other claim is flagged ambiguous on both sides. Orders and studies must be sorted by reference.
 */
export function linkOrdersAndStudies(
  orders: readonly OrderPart[],
  studies: readonly StudyPart[],
): ExamGroup[] {
  const decisions = new Map<string, LinkDecision>();
  // Every study that considered an order: a link is made only when study and order chose each other alone.
  const pointers = new Map<string, { study: StudyPart; evidence: LinkEvidence[] }[]>();
  const orderIndex = indexOrders(orders);
  for (const study of studies) {
    const decision = orderCandidates(study, orderIndex);
    decisions.set(study.ref, decision);
    for (const [orderRef, evidence] of candidatesOf(decision)) {
      push(pointers, orderRef, { study, evidence });
    }
  }

  const groups: ExamGroup[] = [];
  const linkedStudies = new Set<string>();
  for (const order of orders) {
    const pointing = pointers.get(order.ref) ?? [];
    const only = pointing.length === 1 ? pointing[0] : undefined;
    const decision = only ? decisions.get(only.study.ref) : undefined;
    if (only && decision?.kind === 'link' && decision.target === order.ref) {
      linkedStudies.add(only.study.ref);
      groups.push({
        examId: order.ref,
        order,
        study: only.study,
        reports: [],
        links: [{ link: 'order-study', from: only.study.ref, to: order.ref, evidence: decision.evidence }],
        ambiguous: [],
        unmatched: [],
      });
      continue;
    }
    const ambiguous: AmbiguousLink[] =
      pointing.length === 0
        ? []
        : [
            {
              part: order.ref,
              link: 'order-study',
              reason: pointing.length > 1 ? 'several-candidates' : 'shared-candidate',
              candidates: byRef(pointing.map((p) => ({ ref: p.study.ref, evidence: p.evidence }))).map(
                (p) => ({
                  reference: p.ref,
                  examId: p.ref,
                  evidence: p.evidence,
                }),
              ),
            },
          ];
    groups.push({ examId: order.ref, order, study: null, reports: [], links: [], ambiguous, unmatched: [] });
  }

  for (const study of studies) {
    if (linkedStudies.has(study.ref)) {
      continue;
    }
    const decision = decisions.get(study.ref) ?? { kind: 'none' };
    const group: ExamGroup = {
      examId: study.ref,
      order: null,
      study,
      reports: [],
      links: [],
      ambiguous: [],
      unmatched: [],
    };
    if (decision.kind === 'ambiguous') {
      group.ambiguous.push({
        part: study.ref,
        link: 'order-study',
        reason: decision.reason,
        candidates: candidateList(decision.candidates, (orderRef) => orderRef),
      });
    } else if (decision.kind === 'link') {
      group.ambiguous.push({
        part: study.ref,
        link: 'order-study',
        reason: 'shared-candidate',
        candidates: candidateList(new Map([[decision.target, decision.evidence]]), (orderRef) => orderRef),
      });
    } else if (study.basedOn.length > 0) {
      // A study that names its order expects one: say it is missing. Accession alone is not such
      // a claim, because many studies (unscheduled, outside) never get an order here.
      group.unmatched.push({
        part: study.ref,
        link: 'order-study',
        reason: 'not-received',
        lookedFor: [...lookedForTargets(study.basedOn, 'basedOn'), ...lookedForAccessions(study.accessions)],
      });
    }
    groups.push(group);
  }
  return groups;
}
