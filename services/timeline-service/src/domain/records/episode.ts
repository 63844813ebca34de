import type { Identifier, Reference, Resource } from '@medplum/fhirtypes';
import { parseLiteralReference, resolveContained } from './imaging-resource.ts';

/** The episode used when no exam of the patient names a Condition: one episode per patient. */
export const PATIENT_EPISODE = 'patient';

/**
 * How an exam got its episode: named by its order (`ServiceRequest.reasonReference`) or its study
 * (`ImagingStudy.reasonReference`); inherited because the patient has a single episode; inherited
 * from the nearest earlier (else later) exam that names one; or the patient-wide episode.
 */
export const EPISODE_SOURCES = [
  'order',
  'study',
  'single-episode',
  'nearest-prior',
  'nearest-later',
  'patient',
] as const;
export type EpisodeSource = (typeof EPISODE_SOURCES)[number];

/**
 * The Condition a list of reasons names: `Condition/123` for a literal reference,
 * `Condition?identifier=system|value` for a logical one. The first Condition wins.
 */
export function conditionOf(
  references: readonly Reference[] | undefined,
  contained: readonly Resource[] | undefined,
): string | null {
  for (const reference of references ?? []) {
    if (reference.type && reference.type !== 'Condition') {
      continue;
    }
    const literal = parseLiteralReference(reference.reference);
    if (literal) {
      if (literal.resourceType === 'Condition') {
        return `Condition/${literal.id}`;
      }
      continue;
    }
    // A logical reference must say it is a Condition: reasons may also be Observations or reports.
    const identifier = reference.reference?.startsWith('#')
      ? containedConditionIdentifier(reference, contained)
      : reference.type === 'Condition'
        ? reference.identifier
        : undefined;
    if (identifier?.system && identifier.value) {
      return `Condition?identifier=${identifier.system}|${identifier.value}`;
    }
  }
  return null;
}

function containedConditionIdentifier(
  reference: Reference,
  contained: readonly Resource[] | undefined,
): Identifier | undefined {
  const inline = resolveContained(reference, contained);
  return inline?.resourceType === 'Condition'
    ? inline.identifier?.find((i) => i.system && i.value)
    : undefined;
}

export interface EpisodeInput {
  examId: string;
  /** The Condition the exam's order or study names, and which of them named it. */
  named: { episodeId: string; source: 'order' | 'study' } | null;
}

export interface EpisodeAssignment {
  episodeId: string;
  source: EpisodeSource;
}

/**
 * Gives every exam an episode. `exams` must be in timeline order. An exam that names no Condition
 * (no order, or an order without reasonReference) joins the patient's only episode when there is
 * one; with several, the episode of the nearest earlier exam that names one (a follow-up belongs to
 * the disease it follows), else of the nearest later one (a work-up before the diagnosis was
 * recorded belongs to the disease it led to); with none, the patient-wide episode.
 */
export function assignEpisodes(exams: readonly EpisodeInput[]): Map<string, EpisodeAssignment> {
  const named = new Set(exams.flatMap((exam) => (exam.named ? [exam.named.episodeId] : [])));
  const result = new Map<string, EpisodeAssignment>();
  const single = named.size === 1 ? [...named][0] : undefined;
  exams.forEach((exam, position) => {
    if (exam.named) {
      result.set(exam.examId, { episodeId: exam.named.episodeId, source: exam.named.source });
    } else if (named.size === 0) {
      result.set(exam.examId, { episodeId: PATIENT_EPISODE, source: 'patient' });
    } else if (single !== undefined) {
      result.set(exam.examId, { episodeId: single, source: 'single-episode' });
    } else {
      const prior = exams.slice(0, position).findLast((e) => e.named)?.named;
      const later = exams.slice(position + 1).find((e) => e.named)?.named;
      const from = prior ?? later;
      if (from) {
        result.set(exam.examId, {
          episodeId: from.episodeId,
          source: prior ? 'nearest-prior' : 'nearest-later',
        });
      }
    }
  });
  return result;
}
