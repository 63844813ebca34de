import type { ModalityFamily } from '../exam/modality.ts';

/**
 * DICOM modalities that expose the patient to ionizing radiation: CT, computed and digital
 * radiography, mammography, angiography, fluoroscopy, PET and nuclear medicine. PX (panoramic)
 * and IO (intra-oral) are dental X-ray.
 */
export const IONIZING_MODALITIES: readonly string[] = [
  'CT',
  'CR',
  'DX',
  'MG',
  'XA',
  'RF',
  'PT',
  'NM',
  'PX',
  'IO',
];

/** Imaging without ionizing radiation: MR and ultrasound (and optical and endoscopic imaging). */
export const NON_IONIZING_MODALITIES: readonly string[] = ['MR', 'US', 'OCT', 'OP', 'ES', 'XC', 'GM', 'SM'];

const IONIZING_FAMILIES: readonly ModalityFamily[] = ['CT', 'PET', 'NM', 'XR'];

/** How an exam was judged: its DICOM modality codes, else its modality family (words of the order), else unknown. */
export type IonizingBasis = 'modality-codes' | 'modality-family' | 'unknown';

/**
 * Whether an exam exposes the patient to ionizing radiation. Any ionizing DICOM modality makes it
 * ionizing (PET-CT, PET-MR, a planning CT with its RTSTRUCT). Codes that are not acquisitions
 * (SR, KO, RTSTRUCT…) say nothing, and the modality family decides: CT, PET, NM and X-ray are
 * ionizing, MR and US are not. Null when neither tells.
 */
export function ionizingOf(
  modalityCodes: readonly string[],
  family: ModalityFamily | null,
): { ionizing: boolean | null; basis: IonizingBasis } {
  const codes = modalityCodes.map((code) => code.trim().toUpperCase());
  if (codes.some((code) => IONIZING_MODALITIES.includes(code))) {
    return { ionizing: true, basis: 'modality-codes' };
  }
  if (codes.some((code) => NON_IONIZING_MODALITIES.includes(code))) {
    return { ionizing: false, basis: 'modality-codes' };
  }
  if (family) {
    return { ionizing: IONIZING_FAMILIES.includes(family), basis: 'modality-family' };
  }
  return { ionizing: null, basis: 'unknown' };
}
