/**
 * The words a timeline answers "did the tumour respond?" with. The timeline domain derives them and
 * the `imaging.timeline.v1` summary carries them, so both read these lists.
 */

/** RECIST 1.1 categories: complete response, partial response, stable disease, progressive disease, not evaluable, and non-CR/non-PD (non-target disease only, table 5). */
export const RESPONSE_CATEGORIES = ['CR', 'PR', 'SD', 'PD', 'NE', 'non-CR/non-PD'] as const;
export type ResponseCategory = (typeof RESPONSE_CATEGORIES)[number];

/** The same answer in plain words, for people who don't read RECIST. */
export const RESPONSE_WORDS = ['gone', 'shrunk', 'stable', 'grown', 'not assessed'] as const;
export type ResponseWords = (typeof RESPONSE_WORDS)[number];

/**
 * How a response was derived: RECIST 1.1 from measurements, the report's disease-status
 * `conclusionCode`, or nothing to go on.
 */
export const RESPONSE_METHODS = ['recist-1.1', 'conclusion-code', 'none'] as const;
export type ResponseMethod = (typeof RESPONSE_METHODS)[number];

/** The mCODE condition status trend (CancerDiseaseStatus value), in words. */
export const DISEASE_STATUSES = ['improved', 'stable', 'worse', 'undetermined', 'not-detected'] as const;
export type DiseaseStatus = (typeof DISEASE_STATUSES)[number];
