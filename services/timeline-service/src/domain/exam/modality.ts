import type { ImagingStudy } from '@medplum/fhirtypes';

/** Families of comparable imaging. PET and PET-CT are one family; X-ray covers CR/DX/MG/XA/RF. */
export const MODALITY_FAMILIES = ['CT', 'MR', 'PET', 'US', 'XR', 'NM'] as const;
export type ModalityFamily = (typeof MODALITY_FAMILIES)[number];

/** DICOM modalities of radiotherapy objects: a study holding them is a planning study. */
export const RT_MODALITIES: readonly string[] = ['RTSTRUCT', 'RTPLAN', 'RTDOSE', 'RTIMAGE', 'RTRECORD'];

const FAMILY_OF_DICOM_MODALITY: Readonly<Record<string, ModalityFamily>> = {
  PT: 'PET',
  NM: 'NM',
  MR: 'MR',
  CT: 'CT',
  US: 'US',
  CR: 'XR',
  DX: 'XR',
  MG: 'XR',
  XA: 'XR',
  RF: 'XR',
  PX: 'XR',
  IO: 'XR',
};

// A hybrid acquisition belongs to its functional part: PET-CT is PET, SPECT-CT is NM.
const FAMILY_PRECEDENCE: readonly ModalityFamily[] = ['PET', 'NM', 'MR', 'CT', 'US', 'XR'];

/** The DICOM modality codes of a study (study level and every series), upper-case, sorted, unique. */
export function studyModalityCodes(study: ImagingStudy): string[] {
  const codes = new Set<string>();
  for (const coding of study.modality ?? []) {
    if (coding.code) {
      codes.add(coding.code.trim().toUpperCase());
    }
  }
  for (const series of study.series ?? []) {
    const code = (series.modality as { code?: string } | undefined)?.code;
    if (code) {
      codes.add(code.trim().toUpperCase());
    }
  }
  return [...codes].sort();
}

/** The family of a set of DICOM modality codes; null when none is an imaging acquisition (SR, KO, RT…). */
export function familyOfModalities(codes: readonly string[]): ModalityFamily | null {
  const families = new Set(codes.map((code) => FAMILY_OF_DICOM_MODALITY[code.toUpperCase()]));
  return FAMILY_PRECEDENCE.find((family) => families.has(family)) ?? null;
}

const TEXT_PATTERNS: readonly (readonly [ModalityFamily, RegExp])[] = [
  ['PET', /\bpet\b|\bpet[-/ ]?ct\b|positron/],
  ['NM', /\bnm\b|\bspect\b|scintigra\w*|bone scan|nuclear medicine/],
  ['MR', /\bmri?\b|magnetic resonance/],
  ['CT', /\bct\b|\bcat scan\b|computed tomograph\w*/],
  ['US', /\bus\b|ultrason\w*|sonograph\w*|\becho\w*|doppler/],
  ['XR', /\bx-?ray\b|\bxr\b|radiograph\w*|mammogra\w*|\bcr\b|\bdx\b|fluoroscop\w*/],
];

/** The family named in free text ("CT Chest", "PET-CT whole body", "Ultrasonography of abdomen"). */
export function familyFromText(texts: readonly string[]): ModalityFamily | null {
  const text = texts.join(' \u2022 ').toLowerCase();
  for (const [family, pattern] of TEXT_PATTERNS) {
    if (pattern.test(text)) {
      return family;
    }
  }
  return null;
}
