import type { AmbiguityReason, LinkEvidence } from './link-evidence.ts';

/** Evidence per candidate target (an order ref, or an exam id). */
export type EvidenceMap = Map<string, LinkEvidence[]>;

export type LinkDecision =
  | { kind: 'link'; target: string; evidence: LinkEvidence[] }
  | { kind: 'ambiguous'; reason: AmbiguityReason; candidates: EvidenceMap }
  | { kind: 'none' };

/** Adds one piece of evidence for a target, once. */
export function addEvidence(map: EvidenceMap, target: string, evidence: LinkEvidence): void {
  const list = map.get(target) ?? [];
  if (
    !list.some((e) => e.kind === evidence.kind && e.value === evidence.value && e.issuer === evidence.issuer)
  ) {
    list.push(evidence);
  }
  map.set(target, list);
}

function merged(...maps: EvidenceMap[]): EvidenceMap {
  const result: EvidenceMap = new Map();
  for (const map of maps) {
    for (const [target, list] of map) {
      for (const evidence of list) {
        addEvidence(result, target, evidence);
      }
    }
  }
  return result;
}

/**
 * Decides a link from the primary key's candidates and the fallbacks' candidates. One primary
 * candidate links, unless the fallbacks point elsewhere only (conflict). Without a primary
 * candidate, one fallback candidate links. Two candidates are never resolved by picking one.
 */
export function decideLink(primary: EvidenceMap, fallback: EvidenceMap): LinkDecision {
  if (primary.size > 1) {
    return { kind: 'ambiguous', reason: 'several-candidates', candidates: merged(primary, fallback) };
  }
  const only = primary.entries().next();
  if (!only.done) {
    const [target, evidence] = only.value;
    if (fallback.size > 0 && !fallback.has(target)) {
      return { kind: 'ambiguous', reason: 'conflicting-evidence', candidates: merged(primary, fallback) };
    }
    return { kind: 'link', target, evidence: [...evidence, ...(fallback.get(target) ?? [])] };
  }
  if (fallback.size > 1) {
    return { kind: 'ambiguous', reason: 'several-candidates', candidates: merged(fallback) };
  }
  const fallbackOnly = fallback.entries().next();
  return fallbackOnly.done
    ? { kind: 'none' }
    : { kind: 'link', target: fallbackOnly.value[0], evidence: fallbackOnly.value[1] };
}

/** The candidates a decision considered, whatever it decided. */
export function candidatesOf(decision: LinkDecision): EvidenceMap {
  if (decision.kind === 'link') {
    return new Map([[decision.target, decision.evidence]]);
  }
  if (decision.kind === 'ambiguous') {
    return decision.candidates;
  }
  return new Map();
}
