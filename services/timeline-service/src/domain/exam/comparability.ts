import { regionsOverlap, type BodyRegion } from './body-region.ts';
import type { ModalityFamily } from './modality.ts';

/** What decides whether two exams can be compared. */
export interface ComparableKind {
  modality: ModalityFamily | null;
  bodyRegion: readonly BodyRegion[];
}

/**
 * Two exams are comparable when they are of the same modality family (PET and PET-CT are one)
 * and look at overlapping body regions. An exam whose family or region is unknown is comparable
 * to nothing: a follow-up must be shown to be one, not assumed.
 */
export function areComparable(a: ComparableKind, b: ComparableKind): boolean {
  return a.modality !== null && a.modality === b.modality && regionsOverlap(a.bodyRegion, b.bodyRegion);
}
