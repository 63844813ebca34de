import type { AccessionNumber } from './identifiers.ts';
import type { EvidenceMap } from './link-decision.ts';
import type { LinkCandidate, LookedFor } from './link-evidence.ts';
import type { ReferenceTarget } from './exam-parts.ts';

/** Appends to the list under a key. */
export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) {
    list.push(value);
  } else {
    map.set(key, [value]);
  }
}

/** Sorted by reference: linking visits parts in this order, so its result never depends on arrival order. */
export function byRef<T extends { ref: string }>(parts: readonly T[]): T[] {
  return [...parts].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
}

/** Candidates as shown on a flagged link, sorted by exam id. */
export function candidateList(
  candidates: EvidenceMap,
  referenceOf: (target: string) => string,
): LinkCandidate[] {
  return [...candidates.keys()].sort().map((target) => ({
    reference: referenceOf(target),
    examId: target,
    evidence: candidates.get(target) ?? [],
  }));
}

/** What a part looked for through its references. */
export function lookedForTargets(
  targets: readonly ReferenceTarget[],
  kind: 'basedOn' | 'imagingStudy-reference' | 'report-basedOn-order',
): LookedFor[] {
  const lookups: LookedFor[] = [];
  for (const target of targets) {
    if (target.literal) {
      lookups.push({ kind, value: target.literal });
    }
    for (const key of target.identifierKeys) {
      lookups.push({ kind, value: key });
    }
    for (const uid of target.uids) {
      lookups.push({ kind: 'study-uid', value: uid });
    }
  }
  return lookups;
}

/** What a part looked for through its accession numbers. */
export function lookedForAccessions(accessions: readonly AccessionNumber[]): LookedFor[] {
  return accessions.map((a) => ({ kind: 'accession', value: a.value, issuer: a.issuer }));
}
