/** SOP Class UIDs that are not instances of a study. */
export const MEDIA_STORAGE_DIRECTORY_SOP_CLASS = '1.2.840.10008.1.3.10';

const STORAGE = '1.2.840.10008.5.1.4.1.1.';

// The modality an IOD implies (PS3.3 "Modality" Enumerated Values), for objects whose writer left
// Modality (0008,0060) empty: FHIR requires series.modality, and the timeline reads RT modalities.
const MODALITY_OF_SOP_CLASS_PREFIX: readonly (readonly [prefix: string, modality: string])[] = [
  [`${STORAGE}481.1`, 'RTIMAGE'],
  [`${STORAGE}481.2`, 'RTDOSE'],
  [`${STORAGE}481.3`, 'RTSTRUCT'],
  [`${STORAGE}481.4`, 'RTRECORD'],
  [`${STORAGE}481.5`, 'RTPLAN'],
  [`${STORAGE}481.6`, 'RTRECORD'],
  [`${STORAGE}481.7`, 'RTRECORD'],
  [`${STORAGE}481.8`, 'RTPLAN'],
  [`${STORAGE}481.9`, 'RTRECORD'],
  [`${STORAGE}66.4`, 'SEG'],
  [`${STORAGE}88.`, 'SR'],
  [`${STORAGE}2`, 'CT'],
  [`${STORAGE}4`, 'MR'],
  [`${STORAGE}128`, 'PT'],
  [`${STORAGE}130`, 'PT'],
  [`${STORAGE}20`, 'NM'],
  [`${STORAGE}6.`, 'US'],
  [`${STORAGE}3.1`, 'US'],
  [`${STORAGE}1.2`, 'MG'],
  [`${STORAGE}1.1`, 'DX'],
  [`${STORAGE}1`, 'CR'],
  [`${STORAGE}12.1`, 'XA'],
  [`${STORAGE}12.2`, 'RF'],
];

/**
 * The modality a SOP class implies, or `OT` (other). A prefix matches the class or its enhanced
 * and legacy-converted variants (`…1.1.2` CT, `…1.1.2.1` Enhanced CT); longer prefixes are listed
 * first where they overlap.
 */
export function modalityOfSopClass(sopClassUid: string): string {
  for (const [prefix, modality] of MODALITY_OF_SOP_CLASS_PREFIX) {
    const rest = sopClassUid.slice(prefix.length);
    if (sopClassUid.startsWith(prefix) && (prefix.endsWith('.') || rest === '' || rest.startsWith('.'))) {
      return modality;
    }
  }
  return 'OT';
}

// Modalities whose IODs make Pixel Data (7FE0,0010) mandatory (type 1): single and multi-frame
// images and segmentations. RT Dose is absent on purpose: a dose object may carry only DVHs.
const IMAGE_MODALITIES: ReadonlySet<string> = new Set([
  'CT',
  'MR',
  'PT',
  'NM',
  'US',
  'CR',
  'DX',
  'MG',
  'XA',
  'RF',
  'SEG',
  'RTIMAGE',
]);

/** True for SOP classes of images, which cannot be complete without pixel data. */
export function isImageSopClass(sopClassUid: string): boolean {
  return IMAGE_MODALITIES.has(modalityOfSopClass(sopClassUid));
}
