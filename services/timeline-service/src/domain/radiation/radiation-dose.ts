import type { DiagnosticReport, ImagingStudy, Observation, Quantity } from '@medplum/fhirtypes';
import { containedObservations } from '../response/report-findings.ts';
import { rankReports } from '../response/report-rank.ts';
import { DCM_SYSTEM, UCUM_SYSTEM, isCoding } from '../response/response-codes.ts';
import type { DoseNotRead } from './radiation.types.ts';

/** DICOM codes of the doses read (CID 10050 / TID 10011): totals win over per-event values. */
export const DOSE_CODES = {
  /** CT Dose Length Product Total (mGy·cm), the study's accumulated DLP. */
  ctDlpTotal: '113813',
  /** DLP (mGy·cm), per irradiation event. */
  dlp: '113838',
  /** Effective Dose (mSv). */
  effectiveDose: '113839',
} as const;

type DoseKind = 'dlp-total' | 'dlp' | 'effective-dose';

const KIND_OF_CODE: Readonly<Partial<Record<string, DoseKind>>> = {
  [DOSE_CODES.ctDlpTotal]: 'dlp-total',
  [DOSE_CODES.dlp]: 'dlp',
  [DOSE_CODES.effectiveDose]: 'effective-dose',
};

// UCUM codes (and the spellings people write) and their factor to mGy·cm or mSv.
const DLP_UNITS: Readonly<Partial<Record<string, number>>> = {
  'mGy.cm': 1,
  'mGy*cm': 1,
  'mGy·cm': 1,
  'cGy.cm': 10,
  'Gy.cm': 1000,
};
const EFFECTIVE_DOSE_UNITS: Readonly<Partial<Record<string, number>>> = { mSv: 1, uSv: 0.001, Sv: 1000 };

const USABLE_STATUSES: readonly string[] = ['final', 'amended', 'corrected', 'preliminary'];

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const rounded = Math.round(value * factor) / factor;
  return rounded === 0 ? 0 : rounded;
}

function kindOf(code: Observation['code'] | undefined): DoseKind | undefined {
  const coding = code?.coding?.find(
    (c) => c.code && KIND_OF_CODE[c.code.trim()] && isCoding(c, DCM_SYSTEM, c.code.trim()),
  );
  return coding?.code ? KIND_OF_CODE[coding.code.trim()] : undefined;
}

function valueOf(
  kind: DoseKind,
  quantity: Quantity | undefined,
  where: string,
): { value: number } | { error: string } {
  const units = kind === 'effective-dose' ? EFFECTIVE_DOSE_UNITS : DLP_UNITS;
  const value = quantity?.value;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return { error: `${where}: no numeric value` };
  }
  if (quantity?.system !== undefined && quantity.system !== UCUM_SYSTEM) {
    return { error: `${where}: unit system ${quantity.system ?? ''} is not UCUM` };
  }
  const unit = (quantity?.code ?? quantity?.unit)?.trim() ?? '';
  const factor = units[unit];
  if (factor === undefined) {
    return { error: `${where}: unit "${unit}" is not ${kind === 'effective-dose' ? 'mSv' : 'mGy.cm'}` };
  }
  if (value < 0) {
    return { error: `${where}: negative dose` };
  }
  return { value: value * factor };
}

interface SourceDose {
  dlp: number | null;
  effective: number | null;
  dlpSources: string[];
  effectiveSources: string[];
}

function readSource(
  observations: readonly { observation: Observation; source: string }[],
  notRead: DoseNotRead[],
): SourceDose {
  const found: Record<DoseKind, { value: number; source: string }[]> = {
    'dlp-total': [],
    dlp: [],
    'effective-dose': [],
  };
  for (const { observation, source } of observations) {
    const items = [
      { code: observation.code, quantity: observation.valueQuantity, where: source },
      ...(observation.component ?? []).map((component, index) => ({
        code: component.code,
        quantity: component.valueQuantity,
        where: `${source} component ${index + 1}`,
      })),
    ];
    for (const { code, quantity, where } of items) {
      const kind = kindOf(code);
      if (!kind) {
        continue;
      }
      if (!USABLE_STATUSES.includes(observation.status)) {
        notRead.push({ source: where, reason: `status "${observation.status}"` });
        continue;
      }
      const read = valueOf(kind, quantity, where);
      if ('error' in read) {
        notRead.push({ source: where, reason: read.error });
      } else {
        found[kind].push({ value: read.value, source });
      }
    }
  }
  const total = (entries: readonly { value: number }[]): number | null =>
    entries.length ? entries.reduce((sum, e) => sum + e.value, 0) : null;
  const dlpEntries = found['dlp-total'].length ? found['dlp-total'] : found.dlp;
  return {
    dlp: total(dlpEntries),
    effective: total(found['effective-dose']),
    dlpSources: [...new Set(dlpEntries.map((e) => e.source))],
    effectiveSources: [...new Set(found['effective-dose'].map((e) => e.source))],
  };
}

export interface ExamDose {
  dlpMgyCm: number | null;
  effectiveDoseMsv: number | null;
  sources: string[];
  notRead: DoseNotRead[];
}

/**
 * The doses an exam records: Observations with DICOM codes 113813 (CT DLP total), 113838 (DLP) or
 * 113839 (effective dose), as the Observation's code with a valueQuantity or as a component (as
 * the HL7 Radiation Dose Summary IG writes them), contained in a report (referenced by `#id` or
 * not) or in the ImagingStudy. The best report is read first (amended, final, preliminary), then
 * the others, then the study; the first that gives a kind of dose gives it, so nothing is counted
 * twice. Within one, a DLP total wins over per-event DLPs, which are summed.
 */
export function examDose({
  study,
  reports,
}: {
  study: { ref: string; resource: ImagingStudy } | null;
  reports: readonly { ref: string; resource: DiagnosticReport }[];
}): ExamDose {
  const notRead: DoseNotRead[] = [];
  const sources: SourceDose[] = rankReports(reports).map(({ ref, resource }) =>
    readSource(
      containedObservations(resource).map(({ observation, fragment }) => ({
        observation,
        source: `${ref}#${fragment}`,
      })),
      notRead,
    ),
  );
  if (study) {
    const observations = (study.resource.contained ?? []).flatMap((resource, index) =>
      resource.resourceType === 'Observation'
        ? [{ observation: resource, source: `${study.ref}#${resource.id ?? String(index)}` }]
        : [],
    );
    sources.push(readSource(observations, notRead));
  }
  const dlp = sources.find((s) => s.dlp !== null);
  const effective = sources.find((s) => s.effective !== null);
  return {
    dlpMgyCm: dlp?.dlp != null ? round(dlp.dlp, 2) : null,
    effectiveDoseMsv: effective?.effective != null ? round(effective.effective, 3) : null,
    sources: [...new Set([...(dlp?.dlpSources ?? []), ...(effective?.effectiveSources ?? [])])],
    notRead,
  };
}
