import type { BodyPart, Procedure, SeriesOptions } from '@oncoimg/fhir-builders';

/** A target lesion of a cancer type, with the range its baseline size is drawn from. */
export interface LesionTemplate {
  trackingId: string;
  site: BodyPart;
  laterality?: 'left' | 'right';
  node: boolean;
  /** Longest diameter, or short axis of a node, at baseline (mm). RECIST targets: ≥ 10 mm, nodes ≥ 15 mm. */
  baselineMm: readonly [number, number];
  /** The words a report uses for it. */
  words: string;
}

export interface ExamTemplate {
  procedure: Procedure;
  series: readonly SeriesOptions[];
  description?: string;
  reason?: string;
  /** State the purpose with the imaging-purpose code instead of (or besides) the reason. */
  purposeCode?: 'staging' | 'planning';
  conclusion: string;
}

/** One cancer type's pathway: how it is found, biopsied, staged, measured and planned. */
export interface CancerType {
  key: 'lung' | 'rectal' | 'head-and-neck' | 'breast';
  disease: string;
  treatment: string;
  diagnosis: ExamTemplate;
  guidance: ExamTemplate;
  staging: readonly ExamTemplate[];
  /** The exam of baseline, follow-ups and surveillance: one kind, so they compare. */
  measured: { procedure: Procedure; series: SeriesOptions };
  planning: ExamTemplate;
  lesions: readonly LesionTemplate[];
}

const chest: BodyPart = { snomed: '51185008', display: 'Thoracic structure' };
const cap: BodyPart = { snomed: '416775004', display: 'Chest, Abdomen and Pelvis' };
const wholeBody: BodyPart = { snomed: '38266002', display: 'Entire body' };
const neck: BodyPart = { snomed: '45048000', display: 'Neck' };
const pelvis: BodyPart = { snomed: '12921003', display: 'Pelvis' };
const breast: BodyPart = { snomed: '76752008', display: 'Breast' };
const liver: BodyPart = { snomed: '10200004', display: 'Liver structure' };
const lung: BodyPart = { snomed: '39607008', display: 'Lung structure' };
const lymphNode: BodyPart = { snomed: '59441001', display: 'Structure of lymph node' };

const petCt = (reason: string, conclusion: string): ExamTemplate => ({
  procedure: { loinc: '44136-0', text: 'PET-CT whole body FDG' },
  series: [
    { modality: 'PT', bodyPart: wholeBody, instances: 300 },
    { modality: 'CT', bodyPart: wholeBody, instances: 300 },
  ],
  reason,
  conclusion,
});

const ctCap = { loinc: '36267-3', text: 'CT Chest and Abdomen and Pelvis W contrast IV' };
const ctCapSeries: SeriesOptions = { modality: 'CT', bodyPart: cap, instances: 600 };

const stagingCtCap = (conclusion: string): ExamTemplate => ({
  procedure: ctCap,
  series: [ctCapSeries],
  purposeCode: 'staging',
  conclusion,
});

/** An image-guided biopsy: one series of the guidance images. */
const guidedBiopsy = (
  text: string,
  guidance: { modality: string; bodyPart: BodyPart; instances: number },
  reason: string,
  conclusion: string,
): ExamTemplate => ({
  procedure: { text },
  // Key order as the series were written before this helper: the catalogue serializes the same.
  series: [
    {
      modality: guidance.modality,
      bodyPart: guidance.bodyPart,
      description: 'Biopsy guidance',
      instances: guidance.instances,
    },
  ],
  reason,
  conclusion,
});

export const CANCER_TYPES: readonly CancerType[] = [
  {
    key: 'lung',
    disease: 'non-small cell lung cancer',
    treatment: 'chemoradiotherapy',
    diagnosis: {
      procedure: { loinc: '24627-2', text: 'CT Chest' },
      series: [{ modality: 'CT', bodyPart: chest, instances: 240 }],
      reason: 'Suspected lung mass on chest X-ray',
      conclusion: 'Spiculated right upper lobe mass, suspicious for primary lung cancer.',
    },
    guidance: guidedBiopsy(
      'CT guided biopsy of lung',
      { modality: 'CT', bodyPart: chest, instances: 12 },
      'Tissue diagnosis of lung mass',
      'Uncomplicated CT-guided core biopsy of the right upper lobe mass.',
    ),
    staging: [
      petCt(
        'Staging of non-small cell lung cancer',
        'FDG-avid right upper lobe primary and hilar node; no distant metastases.',
      ),
      {
        procedure: { loinc: '24590-2', text: 'MR Brain W and WO contrast IV' },
        series: [{ modality: 'MR', bodyPart: { snomed: '12738006', display: 'Brain' }, instances: 180 }],
        reason: 'Staging, exclude brain metastases',
        conclusion: 'No intracranial metastases.',
      },
    ],
    measured: {
      procedure: { loinc: '24627-2', text: 'CT Chest' },
      series: { modality: 'CT', bodyPart: chest, instances: 250 },
    },
    planning: {
      procedure: { text: 'CT simulation thorax' },
      series: [
        { modality: 'CT', bodyPart: chest, instances: 180 },
        { modality: 'RTSTRUCT', description: 'Structure set', instances: 1 },
        { modality: 'RTPLAN', description: 'Treatment plan', instances: 1 },
      ],
      description: 'RT planning CT thorax',
      reason: 'Radiotherapy planning, curative chemoradiotherapy',
      conclusion: '',
    },
    lesions: [
      {
        trackingId: 'T1 right upper lobe mass',
        site: lung,
        laterality: 'right',
        node: false,
        baselineMm: [28, 46],
        words: 'right upper lobe mass',
      },
      {
        trackingId: 'T2 right hilar node',
        site: lymphNode,
        laterality: 'right',
        node: true,
        baselineMm: [15, 22],
        words: 'right hilar node (short axis)',
      },
    ],
  },
  {
    key: 'rectal',
    disease: 'rectal adenocarcinoma with liver metastases',
    treatment: 'chemotherapy and short-course radiotherapy',
    diagnosis: {
      procedure: { text: 'MR Pelvis W and WO contrast IV' },
      series: [{ modality: 'MR', bodyPart: pelvis, instances: 320 }],
      reason: 'Suspected rectal tumour at colonoscopy',
      conclusion: 'Mid-rectal tumour, T3, mesorectal fascia clear.',
    },
    guidance: guidedBiopsy(
      'US guided biopsy of liver lesion',
      { modality: 'US', bodyPart: liver, instances: 8 },
      'Histology of liver lesion',
      'Uncomplicated ultrasound-guided core biopsy of the segment VII lesion.',
    ),
    staging: [
      stagingCtCap('Liver metastasis in segment VII, small left lower lobe nodule, mesorectal node.'),
      petCt('Staging, indeterminate lung nodule', 'FDG-avid liver metastasis and left lower lobe nodule.'),
    ],
    measured: { procedure: ctCap, series: ctCapSeries },
    planning: {
      procedure: { text: 'CT simulation pelvis' },
      series: [
        { modality: 'CT', bodyPart: pelvis, instances: 160 },
        { modality: 'RTSTRUCT', description: 'Structure set', instances: 1 },
      ],
      description: 'RT planning CT pelvis',
      purposeCode: 'planning',
      conclusion: '',
    },
    lesions: [
      {
        trackingId: 'T1 liver segment VII metastasis',
        site: liver,
        node: false,
        baselineMm: [24, 48],
        words: 'segment VII liver metastasis',
      },
      {
        trackingId: 'T2 left lower lobe nodule',
        site: lung,
        laterality: 'left',
        node: false,
        baselineMm: [11, 19],
        words: 'left lower lobe nodule',
      },
      {
        trackingId: 'T3 mesorectal node',
        site: lymphNode,
        node: true,
        baselineMm: [15, 19],
        words: 'mesorectal node (short axis)',
      },
    ],
  },
  {
    key: 'head-and-neck',
    disease: 'oropharyngeal squamous cell carcinoma',
    treatment: 'chemoradiotherapy',
    diagnosis: {
      procedure: { text: 'CT Neck W contrast IV' },
      series: [{ modality: 'CT', bodyPart: neck, instances: 220 }],
      reason: 'Suspected oropharyngeal tumour, right neck lump',
      conclusion: 'Right tongue base mass with an enlarged right level II node.',
    },
    guidance: {
      procedure: { text: 'US guided fine needle aspiration of neck lymph node' },
      series: [{ modality: 'US', bodyPart: neck, description: 'FNA guidance', instances: 6 }],
      reason: 'Cytology of right level II node',
      conclusion: 'Ultrasound-guided FNA of the right level II node, two passes.',
    },
    staging: [
      petCt(
        'Staging of oropharyngeal squamous cell carcinoma',
        'FDG-avid tongue base primary and right level II node; no distant disease.',
      ),
    ],
    measured: {
      procedure: { text: 'CT Neck and Chest W contrast IV' },
      series: {
        modality: 'CT',
        bodyPart: { snomed: '417437006', display: 'Neck and Chest' },
        instances: 420,
      },
    },
    planning: {
      procedure: { text: 'CT simulation head and neck' },
      series: [
        { modality: 'CT', bodyPart: neck, description: 'Thermoplastic mask', instances: 200 },
        { modality: 'RTSTRUCT', description: 'Structure set', instances: 1 },
        { modality: 'RTPLAN', description: 'Treatment plan', instances: 1 },
      ],
      description: 'RT planning CT head and neck',
      reason: 'Radiotherapy planning',
      conclusion: '',
    },
    lesions: [
      {
        trackingId: 'T1 tongue base primary',
        site: { snomed: '31389004', display: 'Oropharyngeal structure' },
        node: false,
        baselineMm: [22, 38],
        words: 'tongue base primary',
      },
      {
        trackingId: 'T2 right level II node',
        site: lymphNode,
        laterality: 'right',
        node: true,
        baselineMm: [16, 25],
        words: 'right level II node (short axis)',
      },
    ],
  },
  {
    key: 'breast',
    disease: 'metastatic breast cancer',
    treatment: 'systemic therapy and radiotherapy',
    diagnosis: {
      procedure: { text: 'MG Diagnostic mammogram bilateral' },
      series: [{ modality: 'MG', bodyPart: breast, instances: 4 }],
      reason: 'Palpable lump left breast',
      conclusion: 'Irregular spiculated mass left breast upper outer quadrant, BI-RADS 5.',
    },
    guidance: guidedBiopsy(
      'US guided core biopsy of breast',
      { modality: 'US', bodyPart: breast, instances: 10 },
      'Histology of left breast mass',
      'Ultrasound-guided 14G core biopsy of the left breast mass; clip placed.',
    ),
    staging: [
      stagingCtCap('Two liver metastases and a left axillary node; small right lung nodule.'),
      {
        procedure: { text: 'NM Bone scan whole body' },
        series: [{ modality: 'NM', bodyPart: wholeBody, instances: 2 }],
        reason: 'Staging, exclude bone metastases',
        conclusion: 'No scintigraphic evidence of bone metastases.',
      },
    ],
    measured: { procedure: ctCap, series: ctCapSeries },
    planning: {
      procedure: { text: 'CT simulation breast' },
      series: [
        { modality: 'CT', bodyPart: chest, instances: 150 },
        { modality: 'RTSTRUCT', description: 'Structure set', instances: 1 },
      ],
      description: 'RT planning CT left breast',
      purposeCode: 'planning',
      conclusion: '',
    },
    lesions: [
      {
        trackingId: 'T1 liver segment IVa metastasis',
        site: liver,
        node: false,
        baselineMm: [18, 36],
        words: 'segment IVa liver metastasis',
      },
      {
        trackingId: 'T2 left axillary node',
        site: lymphNode,
        laterality: 'left',
        node: true,
        baselineMm: [15, 21],
        words: 'left axillary node (short axis)',
      },
      {
        trackingId: 'T3 right lung nodule',
        site: lung,
        laterality: 'right',
        node: false,
        baselineMm: [10, 16],
        words: 'right lung nodule',
      },
    ],
  },
];
