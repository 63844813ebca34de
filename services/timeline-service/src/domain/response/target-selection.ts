import type { TargetSelection, TumourMeasurement } from './response.types.ts';

/**
 * RECIST 1.1 target selection (Eisenhauer et al. 2009, section 3): measurable non-nodal lesions of
 * at least 10 mm (CT) and lymph nodes of at least 15 mm short axis; at most 5 targets and 2 per
 * organ, the largest first. Nodes of 10 to 15 mm short axis are non-targets; under 10 mm a node
 * is normal. Lymph nodes together count as one organ.
 */
export const TARGET_RULE = {
  minLesionMm: 10,
  minNodeShortAxisMm: 15,
  minPathologicalNodeMm: 10,
  maxTargets: 5,
  maxPerOrgan: 2,
} as const;

/** An identified measurement at a baseline. */
export interface IdentifiedMeasurement extends TumourMeasurement {
  lesion: NonNullable<TumourMeasurement['lesion']>;
}

export interface TargetChoice {
  selection: TargetSelection;
  targets: IdentifiedMeasurement[];
  nonTargets: { measurement: IdentifiedMeasurement; why: string }[];
  /** Nodes under 10 mm short axis: normal, not disease. */
  normal: { measurement: IdentifiedMeasurement; why: string }[];
}

// The organ a lesion is in, for the "2 per organ" limit: its body site without laterality (both
// lungs are one organ), nodes all together; without a site, the lesion is an organ of its own.
function organOf(measurement: IdentifiedMeasurement): string {
  if (measurement.node) {
    return 'lymph-node';
  }
  const site = measurement.lesion.keys.find((k) => k.source === 'body-site');
  return site ? site.value.split('|').slice(0, 2).join('|') : measurement.lesion.lesionId;
}

function reportChoice(measurements: readonly IdentifiedMeasurement[]): TargetChoice {
  const targets = measurements.filter((m) => m.reportTarget === true);
  return {
    selection: {
      rule: 'report',
      description: `The baseline report marks its own targets (tumour-assessment#target-lesion): ${targets.length} target(s); the RECIST selection rule is not applied.`,
    },
    targets,
    nonTargets: measurements
      .filter((m) => m.reportTarget !== true)
      .map((measurement) => ({ measurement, why: 'not marked as a target by the report' })),
    normal: [],
  };
}

/**
 * The target and non-target lesions of a baseline. When the report marks targets
 * (`tumour-assessment#target-lesion`), its choice wins; otherwise the RECIST 1.1 rule above.
 */
export function selectTargets(measurements: readonly IdentifiedMeasurement[]): TargetChoice {
  if (measurements.some((m) => m.reportTarget === true)) {
    return reportChoice(measurements);
  }
  const nonTargets: TargetChoice['nonTargets'] = [];
  const normal: TargetChoice['normal'] = [];
  const measurable: IdentifiedMeasurement[] = [];
  for (const measurement of measurements) {
    const mm = measurement.diameterMm;
    if (measurement.reportTarget === false) {
      nonTargets.push({ measurement, why: 'marked non-target by the report' });
    } else if (measurement.node && measurement.diameterKind !== 'short-axis') {
      nonTargets.push({ measurement, why: 'a lymph node without a short axis cannot be a target' });
    } else if (measurement.node && mm < TARGET_RULE.minPathologicalNodeMm) {
      normal.push({
        measurement,
        why: `a node under ${TARGET_RULE.minPathologicalNodeMm} mm short axis is normal`,
      });
    } else if (measurement.node && mm < TARGET_RULE.minNodeShortAxisMm) {
      nonTargets.push({
        measurement,
        why: `a node of ${TARGET_RULE.minPathologicalNodeMm}–${TARGET_RULE.minNodeShortAxisMm} mm short axis is a non-target`,
      });
    } else if (!measurement.node && mm < TARGET_RULE.minLesionMm) {
      nonTargets.push({
        measurement,
        why: `under ${TARGET_RULE.minLesionMm} mm: not measurable, a non-target`,
      });
    } else {
      measurable.push(measurement);
    }
  }
  const bySize = [...measurable].sort((a, b) => b.diameterMm - a.diameterMm);
  const targets: IdentifiedMeasurement[] = [];
  const perOrgan = new Map<string, number>();
  for (const measurement of bySize) {
    const organ = organOf(measurement);
    const inOrgan = perOrgan.get(organ) ?? 0;
    if (targets.length >= TARGET_RULE.maxTargets) {
      nonTargets.push({ measurement, why: `beyond the ${TARGET_RULE.maxTargets} largest targets` });
    } else if (inOrgan >= TARGET_RULE.maxPerOrgan) {
      nonTargets.push({ measurement, why: `beyond ${TARGET_RULE.maxPerOrgan} targets in its organ` });
    } else {
      targets.push(measurement);
      perOrgan.set(organ, inOrgan + 1);
    }
  }
  // Targets keep the report's order: the evidence reads like the report.
  const order = new Map(measurements.map((m, index) => [m, index]));
  targets.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  return {
    selection: {
      rule: 'recist-1.1',
      description: `RECIST 1.1 selection: lesions ≥ ${TARGET_RULE.minLesionMm} mm, nodes ≥ ${TARGET_RULE.minNodeShortAxisMm} mm short axis, at most ${TARGET_RULE.maxTargets} and ${TARGET_RULE.maxPerOrgan} per organ, the largest: ${targets.length} target(s), ${nonTargets.length} non-target(s).`,
    },
    targets,
    nonTargets,
    normal,
  };
}
