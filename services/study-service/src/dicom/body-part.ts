import type { Coding } from '@medplum/fhirtypes';

export const SNOMED_SYSTEM = 'http://snomed.info/sct';

// Body Part Examined (0018,0015) Defined Terms → SNOMED CT, as PS3.16 Annex L pairs them with CID
// 4031 (Common Anatomic Regions). Only the regions imaging commonly names; the rest keep their text.
const SNOMED_OF_BODY_PART: Readonly<Partial<Record<string, readonly [code: string, display: string]>>> = {
  ABDOMEN: ['818981001', 'Abdomen'],
  ABDOMENPELVIS: ['818982008', 'Abdomen and Pelvis'],
  ADRENAL: ['23451007', 'Adrenal gland'],
  ANKLE: ['70258002', 'Ankle joint'],
  AORTA: ['15825003', 'Aorta'],
  ARM: ['40983000', 'Upper arm'],
  AXILLA: ['91470000', 'Axilla'],
  BACK: ['77568009', 'Back'],
  BILEDUCT: ['28273000', 'Bile duct'],
  BLADDER: ['89837001', 'Bladder'],
  BRAIN: ['12738006', 'Brain'],
  BREAST: ['76752008', 'Breast'],
  BRONCHUS: ['955009', 'Bronchus'],
  BUTTOCK: ['46862004', 'Buttock'],
  CALCANEUS: ['80144004', 'Calcaneus'],
  CALF: ['53840002', 'Calf of leg'],
  CAROTID: ['69105007', 'Carotid Artery'],
  CEREBELLUM: ['113305005', 'Cerebellum'],
  CERVIX: ['71252005', 'Cervix'],
  CHEEK: ['60819002', 'Cheek'],
  CHEST: ['43799004', 'Chest'],
  CHESTABDOMEN: ['416550000', 'Chest and Abdomen'],
  CHESTABDPELVIS: ['416775004', 'Chest, Abdomen and Pelvis'],
  CIRCLEOFWILLIS: ['11279006', 'Circle of Willis'],
  CLAVICLE: ['51299004', 'Clavicle'],
  COCCYX: ['64688005', 'Coccyx'],
  COLON: ['71854001', 'Colon'],
  CORONARYARTERY: ['41801008', 'Coronary artery'],
  CSPINE: ['122494005', 'Cervical spine'],
  CTSPINE: ['1217257000', 'Cervico-thoracic spine'],
  DUODENUM: ['38848004', 'Duodenum'],
  EAR: ['117590005', 'Ear'],
  ELBOW: ['16953009', 'Elbow joint'],
  ESOPHAGUS: ['32849002', 'Esophagus'],
  EXTREMITY: ['66019005', 'Extremity'],
  EYE: ['81745001', 'Eye'],
  FACE: ['89545001', 'Face'],
  FEMUR: ['71341001', 'Femur'],
  FIBULA: ['87342007', 'Fibula'],
  FINGER: ['7569003', 'Finger'],
  FOOT: ['56459004', 'Foot'],
  FOREARM: ['14975008', 'Forearm'],
  GALLBLADDER: ['28231008', 'Gallbladder'],
  HAND: ['85562004', 'Hand'],
  HEAD: ['69536005', 'Head'],
  HEADNECK: ['774007', 'Head and Neck'],
  HEART: ['80891009', 'Heart'],
  HIP: ['24136001', 'Hip joint'],
  HUMERUS: ['85050009', 'Humerus'],
  ILEUM: ['34516001', 'Ileum'],
  ILIUM: ['22356005', 'Ilium'],
  JAW: ['661005', 'Jaw region'],
  JEJUNUM: ['21306003', 'Jejunum'],
  KIDNEY: ['64033007', 'Kidney'],
  KNEE: ['72696002', 'Knee'],
  LARYNX: ['4596009', 'Larynx'],
  LEG: ['30021000', 'Lower leg'],
  LIVER: ['10200004', 'Liver'],
  LOWERLIMB: ['61685007', 'Lower limb'],
  LSPINE: ['122496007', 'Lumbar spine'],
  LSSPINE: ['1217253001', 'Lumbo-sacral spine'],
  LUNG: ['39607008', 'Lung'],
  MAXILLA: ['70925003', 'Maxilla'],
  MEDIASTINUM: ['72410000', 'Mediastinum'],
  MOUTH: ['123851003', 'Mouth'],
  NASOPHARYNX: ['360955006', 'Nasopharynx'],
  NECK: ['45048000', 'Neck'],
  NECKCHEST: ['417437006', 'Neck and Chest'],
  NECKCHESTABDOMEN: ['416152001', 'Neck, Chest and Abdomen'],
  NECKCHESTABDPELV: ['416319003', 'Neck, Chest, Abdomen and Pelvis'],
  NOSE: ['45206002', 'Nose'],
  ORBIT: ['363654007', 'Orbital structure'],
  OVARY: ['15497006', 'Ovary'],
  PANCREAS: ['15776009', 'Pancreas'],
  PAROTID: ['45289007', 'Parotid gland'],
  PATELLA: ['64234005', 'Patella'],
  PELVIS: ['816092008', 'Pelvis'],
  PENIS: ['18911002', 'Penis'],
  PHARYNX: ['54066008', 'Pharynx'],
  PROSTATE: ['41216001', 'Prostate'],
  RADIUS: ['62413002', 'Radius'],
  RECTUM: ['34402009', 'Rectum'],
  RIB: ['113197003', 'Rib'],
  SCALP: ['41695006', 'Scalp'],
  SCAPULA: ['79601000', 'Scapula'],
  SELLA: ['42575006', 'Sella turcica'],
  SHOULDER: ['16982005', 'Shoulder'],
  SKULL: ['89546000', 'Skull'],
  SPINE: ['421060004', 'Spine'],
  SPLEEN: ['78961009', 'Spleen'],
  SSPINE: ['54735007', 'Sacrum'],
  STERNUM: ['56873002', 'Sternum'],
  STOMACH: ['69695003', 'Stomach'],
  TESTIS: ['40689003', 'Testis'],
  THIGH: ['68367000', 'Thigh'],
  THORAX: ['43799004', 'Thorax'],
  THUMB: ['76505004', 'Thumb'],
  THYROID: ['69748006', 'Thyroid'],
  TIBIA: ['12611008', 'Tibia'],
  TLSPINE: ['1217256009', 'Thoraco-lumbar spine'],
  TOE: ['29707007', 'Toe'],
  TONGUE: ['21974007', 'Tongue'],
  TRACHEA: ['44567001', 'Trachea'],
  TSPINE: ['122495006', 'Thoracic spine'],
  ULNA: ['23416004', 'Ulna'],
  UPPERLIMB: ['53120007', 'Upper limb'],
  URETER: ['87953007', 'Ureter'],
  URETHRA: ['13648007', 'Urethra'],
  UTERUS: ['35039007', 'Uterus'],
  VAGINA: ['76784001', 'Vagina'],
  WHOLEBODY: ['38266002', 'Entire body'],
  WRIST: ['74670003', 'Wrist joint'],
  ZYGOMA: ['13881006', 'Zygoma'],
};

// Writers glue, space or underscore the terms ("CHEST_ABDOMEN", "Head-Neck"); the Defined Terms have
// none of that, and NECKCHESTABDPELV is cut to CS's 16 characters.
const ALIASES: Readonly<Partial<Record<string, string>>> = {
  NECKCHESTABDPELVIS: 'NECKCHESTABDPELV',
  HEADANDNECK: 'HEADNECK',
  ABDPELVIS: 'ABDOMENPELVIS',
  CHESTABDOMENPELVIS: 'CHESTABDPELVIS',
};

function normalise(value: string): string {
  const squeezed = value.toUpperCase().replace(/[\s_\-/]+/g, '');
  return ALIASES[squeezed] ?? squeezed;
}

/**
 * The FHIR body site of a Body Part Examined value: a SNOMED CT coding for the Defined Terms of
 * PS3.16 Annex L listed above, else a coding that carries the value as display text only.
 */
export function bodySiteOfBodyPart(value: string): Coding {
  const known = SNOMED_OF_BODY_PART[normalise(value)];
  return known ? { system: SNOMED_SYSTEM, code: known[0], display: known[1] } : { display: value.trim() };
}

/** Coding scheme designators (PS3.16 Section 8) whose FHIR system is known. */
const SYSTEM_OF_SCHEME: Readonly<Partial<Record<string, string>>> = {
  SCT: SNOMED_SYSTEM,
  LN: 'http://loinc.org',
  DCM: 'http://dicom.nema.org/resources/ontology/DCM',
  RADLEX: 'http://radlex.org',
  UCUM: 'http://unitsofmeasure.org',
  ICD10: 'http://hl7.org/fhir/sid/icd-10',
  I10: 'http://hl7.org/fhir/sid/icd-10',
};

/** The FHIR system of a DICOM coding scheme designator, when it has a well-known one. */
export function fhirSystemOfScheme(scheme: string | undefined): string | undefined {
  return scheme ? SYSTEM_OF_SCHEME[scheme.trim().toUpperCase()] : undefined;
}
