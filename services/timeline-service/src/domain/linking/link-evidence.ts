/** What can tie two parts of an exam together. */
export const LINK_EVIDENCE_KINDS = [
  'accession',
  'basedOn',
  'imagingStudy-reference',
  'study-uid',
  'report-basedOn-order',
] as const;
export type LinkEvidenceKind = (typeof LINK_EVIDENCE_KINDS)[number];

/**
 * One reason two parts belong together: which identifier, UID or reference matched.
 * `value` is the accession number, the Study Instance UID (without `urn:oid:`), the literal
 * reference (`ServiceRequest/123`) or the business identifier (`system|value`).
 */
export interface LinkEvidence {
  kind: LinkEvidenceKind;
  value: string;
  /** Accession numbers: the issuer, when either side named one. */
  issuer?: string | null;
  /** Accession numbers: `issuer` when both sides named the same issuer, `patient` when one had none. */
  scope?: 'issuer' | 'patient';
}

/** Order ↔ study, or report → exam (its study, else its order). */
export const LINK_KINDS = ['order-study', 'report-exam'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

/** A link the timeline made, with its evidence. */
export interface ExamLink {
  link: LinkKind;
  /** The part that looked (study for order-study, report for report-exam). */
  from: string;
  /** The part it found. */
  to: string;
  evidence: LinkEvidence[];
}

/** One place a part could belong. */
export interface LinkCandidate {
  reference: string;
  examId: string;
  evidence: LinkEvidence[];
}

/**
 * Why a link was not made although candidates exist:
 * `several-candidates` — the strongest evidence points at two or more places;
 * `conflicting-evidence` — the primary key points one way, a fallback another;
 * `shared-candidate` — the one candidate is also claimed by another part, or is itself undecided.
 */
export const AMBIGUITY_REASONS = ['several-candidates', 'conflicting-evidence', 'shared-candidate'] as const;
export type AmbiguityReason = (typeof AMBIGUITY_REASONS)[number];

/** A link a part needs and the timeline did not make, and why. */
interface UnmadeLink<Reason> {
  part: string;
  link: LinkKind;
  reason: Reason;
}

/** A link with more than one answer: shown with every candidate, never silently picked. */
export interface AmbiguousLink extends UnmadeLink<AmbiguityReason> {
  candidates: LinkCandidate[];
}

/** A key a part looked for. */
export interface LookedFor {
  kind: LinkEvidenceKind;
  value: string;
  issuer?: string | null;
}

/**
 * `not-received` — the part names what it belongs to, and that has not arrived (or was removed);
 * `no-link-keys` — the part carries nothing to link by.
 */
export const UNMATCHED_REASONS = ['not-received', 'no-link-keys'] as const;
export type UnmatchedReason = (typeof UNMATCHED_REASONS)[number];

/** A part whose counterpart is missing, with what it looked for. */
export interface UnmatchedLink extends UnmadeLink<UnmatchedReason> {
  lookedFor: LookedFor[];
}
