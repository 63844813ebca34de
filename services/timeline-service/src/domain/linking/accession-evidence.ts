import { accessionsMatch, type AccessionNumber } from './identifiers.ts';
import { addEvidence, type EvidenceMap } from './link-decision.ts';
import type { LinkEvidence } from './link-evidence.ts';
import { push } from './link-helpers.ts';

/** Accession numbers by value, each with the order ref or exam id it belongs to. */
export type AccessionIndex = Map<string, { accession: AccessionNumber; target: string }[]>;

/** Files each accession number of a part under its value. */
export function indexAccessions(
  index: AccessionIndex,
  accessions: readonly AccessionNumber[],
  target: string,
): void {
  for (const accession of accessions) {
    push(index, accession.value, { accession, target });
  }
}

/** Adds accession evidence for each indexed target with an accession number matching one of `accessions`. */
export function addAccessionEvidence(
  evidence: EvidenceMap,
  accessions: readonly AccessionNumber[],
  index: AccessionIndex,
): void {
  for (const accession of accessions) {
    for (const entry of index.get(accession.value) ?? []) {
      if (accessionsMatch(accession, entry.accession)) {
        addEvidence(evidence, entry.target, accessionEvidence(accession, entry.accession));
      }
    }
  }
}

/** The evidence of two matching accession numbers: scope `issuer` when both named the issuer. */
function accessionEvidence(a: AccessionNumber, b: AccessionNumber): LinkEvidence {
  return {
    kind: 'accession',
    value: a.value,
    issuer: a.issuer ?? b.issuer,
    scope: a.issuer !== null && b.issuer !== null ? 'issuer' : 'patient',
  };
}
