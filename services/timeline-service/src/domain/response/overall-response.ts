import type { OverallParts, ResponseCategory } from './response.types.ts';

/**
 * The overall response at one time point from its parts: RECIST 1.1 table 4 when there are target
 * lesions, table 5 for non-target disease only (Eisenhauer et al. 2009, section 4.4). A new lesion
 * or unequivocal non-target progression is PD whatever the targets; targets gone while non-target
 * disease remains (or is not evaluated) is PR, not CR. An equivocal new lesion changes nothing
 * until it is confirmed.
 */
export function overallResponse(parts: OverallParts): ResponseCategory {
  const { targets, nonTargets, newLesions } = parts;
  if (newLesions === 'yes' || nonTargets === 'PD' || targets === 'PD') {
    return 'PD';
  }
  if (targets === null) {
    if (nonTargets === 'CR') {
      return 'CR';
    }
    if (nonTargets === 'non-CR/non-PD') {
      return 'non-CR/non-PD';
    }
    return 'NE';
  }
  if (targets === 'NE') {
    return 'NE';
  }
  if (targets === 'CR') {
    return nonTargets === null || nonTargets === 'CR' ? 'CR' : 'PR';
  }
  return targets;
}

/** The combination in words, e.g. "RECIST 1.1 table 4: targets CR, non-targets non-CR/non-PD, no new lesion → PR". */
export function overallRule(parts: OverallParts, category: ResponseCategory): string {
  const newWords = {
    yes: 'a new lesion',
    equivocal: 'an equivocal new lesion (not yet PD)',
    no: 'no new lesion',
  }[parts.newLesions];
  const targetWords = parts.targets === null ? 'no targets' : `targets ${parts.targets}`;
  const nonTargetWords =
    parts.nonTargets === null ? 'no non-target disease' : `non-targets ${parts.nonTargets}`;
  return `RECIST 1.1 table ${parts.table}: ${targetWords}, ${nonTargetWords}, ${newWords} → ${category}.`;
}
