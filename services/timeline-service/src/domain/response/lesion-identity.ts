import type {
  BodyStructure,
  CodeableConcept,
  Coding,
  Identifier,
  Observation,
  Resource,
} from '@medplum/fhirtypes';
import { parseLiteralReference, resolveContained } from '../records/imaging-resource.ts';
import {
  DCM_SYSTEM,
  LYMPH_NODE_CODE,
  SNOMED_SYSTEM,
  TRACKING_IDENTIFIER_CODE,
  TRACKING_UID_CODE,
  TUMOUR_ASSESSMENT_SYSTEM,
  isCoding,
} from './response-codes.ts';
import type { LesionIdentity, LesionKey, LesionKeySource } from './response.types.ts';

/** The keys that name one lesion for sure; a body site only names a place. */
export const STRONG_KEY_SOURCES: readonly LesionKeySource[] = [
  'tracking-uid',
  'tracking-id',
  'body-structure-identifier',
  'focus-reference',
];

function trackingKind(identifier: Identifier): 'tracking-uid' | 'tracking-id' | undefined {
  const codings = identifier.type?.coding ?? [];
  if (codings.some((c) => isCoding(c, DCM_SYSTEM, TRACKING_UID_CODE))) {
    return 'tracking-uid';
  }
  if (codings.some((c) => isCoding(c, DCM_SYSTEM, TRACKING_IDENTIFIER_CODE))) {
    return 'tracking-id';
  }
  return undefined;
}

function identifierKey(identifier: Identifier, untyped: LesionKeySource | null): LesionKey | undefined {
  const value = identifier.value?.trim();
  if (!value) {
    return undefined;
  }
  const kind = trackingKind(identifier);
  if (kind === 'tracking-uid') {
    return { source: kind, value: value.replace(/^urn:oid:/, '') };
  }
  const system = identifier.system?.trim();
  if (kind === 'tracking-id') {
    return { source: kind, value: system ? `${system}|${value}` : value };
  }
  // An identifier of another kind names a lesion only on a BodyStructure: on an Observation it may
  // be the measurement's own id, which changes at every exam.
  if (!untyped || !system) {
    return undefined;
  }
  return { source: untyped, value: `${system}|${value}` };
}

// Laterality: the mCODE `laterality-qualifier` extension on a body site (any extension whose URL
// ends in "laterality…"), or BodyStructure.locationQualifier.
function lateralityOf(concept: CodeableConcept | undefined): string | null {
  for (const extension of concept?.extension ?? []) {
    if (!/laterality[\w-]*$/i.test(extension.url)) {
      continue;
    }
    const coding = extension.valueCodeableConcept?.coding?.find((c) => c.code);
    if (coding?.code) {
      return coding.code.trim();
    }
  }
  return null;
}

function conceptKey(concept: CodeableConcept | undefined, qualifiers: readonly string[]): string | null {
  const coding = concept?.coding?.find((c) => c.system && c.code);
  const base = coding
    ? `${coding.system?.trim() ?? ''}|${coding.code?.trim() ?? ''}`
    : concept?.text?.trim().toLowerCase();
  if (!base) {
    return null;
  }
  const laterality = [lateralityOf(concept), ...qualifiers].filter((q): q is string => !!q);
  return laterality.length ? `${base}|${[...new Set(laterality)].sort().join('+')}` : base;
}

function conceptText(concept: CodeableConcept | undefined): string | null {
  return (
    concept?.text?.trim() ||
    concept?.coding?.find((c) => c.display?.trim())?.display?.trim() ||
    concept?.coding?.find((c) => c.code)?.code?.trim() ||
    null
  );
}

export interface FocusTarget {
  /** The BodyStructure itself, when contained. */
  structure: BodyStructure | null;
  /** `BodyStructure/123`, when the focus is a literal reference. */
  reference: string | null;
  /** The focus reference's own identifier. */
  identifier: Identifier | null;
}

/** The BodyStructures an Observation's focus names: contained (in the report or the Observation), literal, or by identifier. */
export function focusBodyStructures(observation: Observation, contained: readonly Resource[]): FocusTarget[] {
  return (observation.focus ?? []).flatMap((focus): FocusTarget[] => {
    if (focus.type && focus.type !== 'BodyStructure') {
      return [];
    }
    const inline = resolveContained(focus, [...contained, ...(observation.contained ?? [])]);
    if (inline) {
      return inline.resourceType === 'BodyStructure'
        ? [{ structure: inline, reference: null, identifier: null }]
        : [];
    }
    const literal = parseLiteralReference(focus.reference);
    if (literal) {
      return literal.resourceType === 'BodyStructure'
        ? [
            {
              structure: null,
              reference: `BodyStructure/${literal.id}`,
              identifier: focus.identifier ?? null,
            },
          ]
        : [];
    }
    return focus.identifier ? [{ structure: null, reference: null, identifier: focus.identifier }] : [];
  });
}

function addKey(keys: LesionKey[], key: LesionKey | undefined): void {
  if (key && !keys.some((k) => k.source === key.source && k.value === key.value)) {
    keys.push(key);
  }
}

/**
 * Who the measured lesion is: tracking UID, tracking identifier, the focus BodyStructure's other
 * identifiers, a literal focus reference, else the body site (Observation.bodySite, or the
 * BodyStructure's location) with its laterality. Null when nothing names it.
 */
export function lesionIdentityOf(
  observation: Observation,
  contained: readonly Resource[],
): LesionIdentity | null {
  const keys: LesionKey[] = [];
  let display: string | null = null;
  const sites: string[] = [];
  for (const focus of focusBodyStructures(observation, contained)) {
    for (const identifier of focus.structure?.identifier ?? []) {
      addKey(keys, identifierKey(identifier, 'body-structure-identifier'));
    }
    if (focus.identifier) {
      addKey(keys, identifierKey(focus.identifier, 'body-structure-identifier'));
    }
    if (focus.reference) {
      addKey(keys, { source: 'focus-reference', value: focus.reference });
    }
    const structure = focus.structure;
    if (structure) {
      display ??= structure.description?.trim() || conceptText(structure.location);
      const qualifiers = (structure.locationQualifier ?? []).flatMap((q) =>
        (q.coding ?? []).flatMap((c) => (c.code ? [c.code.trim()] : [])),
      );
      const site = conceptKey(structure.location, qualifiers);
      if (site) {
        sites.push(site);
      }
    }
  }
  for (const identifier of observation.identifier ?? []) {
    addKey(keys, identifierKey(identifier, null));
  }
  const bodySite = conceptKey(observation.bodySite, []);
  if (bodySite) {
    sites.unshift(bodySite);
  }
  display ??= conceptText(observation.bodySite);
  // A key's order is its strength: sort by source, keeping the order found within a source.
  const ordered = [...keys].sort(
    (a, b) => STRONG_KEY_SOURCES.indexOf(a.source) - STRONG_KEY_SOURCES.indexOf(b.source),
  );
  const site = sites.at(0);
  if (site) {
    ordered.push({ source: 'body-site', value: site });
  }
  const first = ordered.at(0);
  if (!first) {
    return null;
  }
  display ??= first.source === 'tracking-id' ? first.value : null;
  return { keys: ordered, lesionId: `${first.source}:${first.value}`, display };
}

const NODE_WORDS = /\blymph[\s-]*nodes?\b|\bnodes?\b|\bnodal\b/i;

function nodeCoding(coding: Coding): boolean {
  return (
    isCoding(coding, SNOMED_SYSTEM, LYMPH_NODE_CODE) ||
    isCoding(coding, TUMOUR_ASSESSMENT_SYSTEM, 'lymph-node')
  );
}

function nodeIn(concepts: readonly (CodeableConcept | undefined)[]): string | null {
  for (const concept of concepts) {
    const coded = concept?.coding?.find(nodeCoding);
    if (coded) {
      return `${coded.system ?? ''}#${coded.code ?? ''}`;
    }
  }
  for (const concept of concepts) {
    const words = [concept?.text, ...(concept?.coding ?? []).map((c) => c.display)];
    const match = words.find((word) => word && NODE_WORDS.test(word));
    if (match) {
      return `"${match.trim()}"`;
    }
  }
  return null;
}

/**
 * Why the lesion is a lymph node, or null: `tumour-assessment#lymph-node` in Observation.category
 * or the BodyStructure's morphology; SNOMED CT 59441001 (lymph node structure) in the body site,
 * the BodyStructure's location or morphology; or the words "lymph node", "node" or "nodal" there.
 */
export function lymphNodeEvidence(observation: Observation, contained: readonly Resource[]): string | null {
  const category = (observation.category ?? [])
    .flatMap((c) => c.coding ?? [])
    .find((c) => isCoding(c, TUMOUR_ASSESSMENT_SYSTEM, 'lymph-node'));
  if (category) {
    return `${TUMOUR_ASSESSMENT_SYSTEM}#lymph-node`;
  }
  const structures = focusBodyStructures(observation, contained).flatMap((f) =>
    f.structure ? [f.structure] : [],
  );
  return nodeIn([
    observation.bodySite,
    ...structures.flatMap((s) => [
      s.morphology,
      s.location,
      s.description ? { text: s.description } : undefined,
    ]),
  ]);
}
