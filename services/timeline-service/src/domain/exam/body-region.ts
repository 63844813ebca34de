import type { Coding } from '@medplum/fhirtypes';

/** Coarse body regions, enough to tell whether two exams look at the same part of the body. */
export const BODY_REGIONS = [
  'HEAD',
  'NECK',
  'CHEST',
  'ABDOMEN',
  'PELVIS',
  'SPINE',
  'BREAST',
  'UPPER_LIMB',
  'LOWER_LIMB',
  'WHOLEBODY',
] as const;
export type BodyRegion = (typeof BODY_REGIONS)[number];

const SNOMED = 'http://snomed.info/sct';

// SNOMED CT codes of DICOM CID 4031 (Common Anatomic Regions) and the usual oncology organs.
const SNOMED_REGIONS: Readonly<Record<string, readonly BodyRegion[]>> = {
  '69536005': ['HEAD'],
  '12738006': ['HEAD'], // brain
  '774007': ['HEAD', 'NECK'],
  '45048000': ['NECK'],
  '417437006': ['NECK', 'CHEST'],
  '416152001': ['NECK', 'CHEST', 'ABDOMEN'],
  '416319003': ['NECK', 'CHEST', 'ABDOMEN', 'PELVIS'],
  '51185008': ['CHEST'], // thoracic structure
  '816094009': ['CHEST'],
  '67734004': ['CHEST'], // upper trunk
  '39607008': ['CHEST'], // lung
  '72410000': ['CHEST'], // mediastinum
  '80891009': ['CHEST'], // heart
  '416550000': ['CHEST', 'ABDOMEN'],
  '416775004': ['CHEST', 'ABDOMEN', 'PELVIS'],
  '22943007': ['CHEST', 'ABDOMEN', 'PELVIS'], // trunk
  '113345001': ['ABDOMEN'],
  '818981001': ['ABDOMEN'],
  '10200004': ['ABDOMEN'], // liver
  '15776009': ['ABDOMEN'], // pancreas
  '818982008': ['ABDOMEN', 'PELVIS'],
  '416949008': ['ABDOMEN', 'PELVIS'],
  '12921003': ['PELVIS'],
  '816092008': ['PELVIS'],
  '63337009': ['PELVIS'], // lower trunk
  '41216001': ['PELVIS'], // prostate
  '34402009': ['PELVIS'], // rectum
  '421060004': ['SPINE'],
  '122494005': ['SPINE', 'NECK'],
  '122495006': ['SPINE', 'CHEST'],
  '122496007': ['SPINE', 'ABDOMEN'],
  '76752008': ['BREAST'],
  '53120007': ['UPPER_LIMB'],
  '61685007': ['LOWER_LIMB'],
  '38266002': ['WHOLEBODY'],
};

// Upper-cased free text and DICOM Body Part Examined terms, which glue words together
// (CHESTABDPELVIS, NECKCHESTABDPELV): most patterns match inside words on purpose.
const TEXT_PATTERNS: readonly (readonly [BodyRegion, RegExp])[] = [
  [
    'WHOLEBODY',
    /WHOLE[\s-]*BODY|ENTIRE BODY|TOTAL[\s-]*BODY|SKULL[\s-]*BASE[\s-]*TO|VERTEX[\s-]*TO|EYES?[\s-]*TO[\s-]*THIGH/,
  ],
  ['HEAD', /HEAD|BRAIN|CRANI|SKULL|CEREBR|ORBIT|SELLA|PITUITAR/],
  ['NECK', /NECK|THYROID|LARYN|PHARYN|PAROTID|CSPINE|CERVICAL SPINE/],
  [
    'CHEST',
    /CHEST|THORA|LUNG|PULMON|MEDIASTIN|BRONCH|TRACHEA|PLEUR|\bRIBS?\b|UPPER[\s-]*TRUNK|\bHEART\b|CARDIAC|TSPINE/,
  ],
  [
    'ABDOMEN',
    /ABD|LIVER|HEPAT|PANCREA|KIDNEY|RENAL|ADRENAL|SPLEEN|SPLEN|STOMACH|GASTR|BOWEL|INTESTIN|COLON|BILIAR|GALLBLAD|LSPINE/,
  ],
  [
    'PELVIS',
    /PELV|PROSTAT|BLADDER|RECTUM|RECTAL|\bUTER|OVAR|CERVIX|\bHIPS?\b|SACRUM|COCCYX|LOWER[\s-]*TRUNK/,
  ],
  ['SPINE', /SPINE|SPINAL|VERTEBR|[CTL]SPINE/],
  ['BREAST', /BREAST|MAMM/],
  [
    'UPPER_LIMB',
    /UPPER[\s-]*(?:LIMB|EXTREMIT)|\bARMS?\b|SHOULDER|ELBOW|WRIST|\bHANDS?\b|FINGER|HUMER|FOREARM/,
  ],
  [
    'LOWER_LIMB',
    /LOWER[\s-]*(?:LIMB|EXTREMIT)|\bLEGS?\b|KNEE|ANKLE|\bFOOT\b|\bFEET\b|FEMUR|THIGH|TIBIA|FIBULA/,
  ],
];

// Radiology shorthand for chest + abdomen + pelvis: "CT CAP", "CT TAP", "C/A/P".
const CHEST_ABDOMEN_PELVIS = /\bCAP\b|\bTAP\b|\bC\/A\/P\b/;

/** Regions named in free text or a DICOM Body Part Examined value. */
export function regionsFromText(text: string): BodyRegion[] {
  const upper = text.toUpperCase();
  const found = new Set<BodyRegion>();
  for (const [region, pattern] of TEXT_PATTERNS) {
    if (pattern.test(upper)) {
      found.add(region);
    }
  }
  if (CHEST_ABDOMEN_PELVIS.test(upper)) {
    for (const region of ['CHEST', 'ABDOMEN', 'PELVIS'] as const) {
      found.add(region);
    }
  }
  return sortRegions(found);
}

/** Regions of a body-site coding: a known SNOMED code, else the words of display or code. */
export function regionsOfCoding(coding: Coding): BodyRegion[] {
  const known = coding.system === SNOMED && coding.code ? SNOMED_REGIONS[coding.code] : undefined;
  if (known) {
    return [...known];
  }
  return regionsFromText([coding.display, coding.code].filter(Boolean).join(' '));
}

/** Regions in canonical order without duplicates. */
export function sortRegions(regions: Iterable<BodyRegion>): BodyRegion[] {
  const set = new Set(regions);
  return BODY_REGIONS.filter((region) => set.has(region));
}

/** Two region sets overlap when they share a region; a whole-body exam overlaps every known region. */
export function regionsOverlap(a: readonly BodyRegion[], b: readonly BodyRegion[]): boolean {
  if (a.length === 0 || b.length === 0) {
    return false;
  }
  if (a.includes('WHOLEBODY') || b.includes('WHOLEBODY')) {
    return true;
  }
  return a.some((region) => b.includes(region));
}
