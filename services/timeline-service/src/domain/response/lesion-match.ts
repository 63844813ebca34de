import { STRONG_KEY_SOURCES } from './lesion-identity.ts';
import type { LesionKey } from './response.types.ts';

/** Anything known by lesion keys: a target, a non-target. */
export interface KeyedLesion {
  lesionId: string;
  keys: readonly LesionKey[];
}

export const isStrongKey = (key: LesionKey): boolean => STRONG_KEY_SOURCES.includes(key.source);
export const sameKey = (a: LesionKey, b: LesionKey): boolean => a.source === b.source && a.value === b.value;

/**
 * Which of the lesions the keys name. A strong key (tracking UID or identifier, BodyStructure)
 * matches on its own. A body site matches only when exactly one lesion has it and neither side has
 * a strong key that could tell them apart. `{ reason }` when the keys name several; when strong
 * keys name several (lesions that have coalesced), `coalesced` lists them in the given order.
 */
export function lesionMatch<T extends KeyedLesion>(
  keys: readonly LesionKey[],
  lesions: readonly T[],
  what = 'target lesions',
): { match: T } | { reason: string; coalesced?: T[] } | null {
  const strong = keys.filter(isStrongKey);
  const byStrong = lesions.filter((t) => t.keys.some((k) => strong.some((s) => sameKey(k, s))));
  if (byStrong.length > 1) {
    return {
      reason: `matches several ${what} (${byStrong.map((t) => t.lesionId).join(', ')})`,
      coalesced: byStrong,
    };
  }
  const strongMatch = byStrong.at(0);
  if (strongMatch) {
    return { match: strongMatch };
  }
  const site = keys.find((k) => k.source === 'body-site');
  if (!site) {
    return null;
  }
  const sameSite = lesions.filter((t) => t.keys.some((k) => sameKey(k, site)));
  if (sameSite.length > 1) {
    return {
      reason: `its body site is shared by several ${what} (${sameSite.map((t) => t.lesionId).join(', ')}); give each a tracking identifier or a focus BodyStructure`,
    };
  }
  const only = sameSite.at(0);
  if (only && (strong.length === 0 || !only.keys.some(isStrongKey))) {
    return { match: only };
  }
  return null;
}

/** The one lesion the keys name, or null (none, or several). */
export function matchLesion<T extends KeyedLesion>(
  keys: readonly LesionKey[],
  lesions: readonly T[],
): T | null {
  const found = lesionMatch(keys, lesions);
  return found && 'match' in found ? found.match : null;
}
