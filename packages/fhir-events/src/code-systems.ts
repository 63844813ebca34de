/**
 * The project's own CodeSystems, for what FHIR has no common code for. Producers (orders, reports,
 * the synthetic cohort) write these URLs and the timeline reads them, so they are declared here
 * once. Both are documented in the timeline service README.
 */

/** Purpose of an imaging exam (`baseline`, `planning`, …), on `ServiceRequest.category`, `.code` or `.orderDetail`. */
export const IMAGING_PURPOSE_SYSTEM = 'https://oncoimg.example.org/fhir/CodeSystem/imaging-purpose';

/** RECIST markers on tumour Observations: `new-lesion`, `lymph-node`, `target-lesion`, `too-small-to-measure`, … */
export const TUMOUR_ASSESSMENT_SYSTEM = 'https://oncoimg.example.org/fhir/CodeSystem/tumour-assessment';

/**
 * How a derived response was reached (`recist-1.1`, `conclusion-code`), on the CancerDiseaseStatus
 * Observation's `method`.
 */
export const RESPONSE_METHOD_SYSTEM = 'https://oncoimg.example.org/fhir/CodeSystem/response-method';

/** RECIST 1.1 response categories (`CR`, `PR`, `SD`, `PD`, `NE`, `non-CR/non-PD`). */
export const RECIST_RESPONSE_SYSTEM = 'https://oncoimg.example.org/fhir/CodeSystem/recist-response';

/**
 * Extension carrying the RECIST 1.1 category on a CancerDiseaseStatus Observation: mCODE rules
 * out `component` on that profile, and its value is a condition status trend, not a category.
 */
export const RECIST_RESPONSE_EXTENSION =
  'https://oncoimg.example.org/fhir/StructureDefinition/recist-response';

/** LOINC 97509-4 "Cancer disease progression": the code of every mCODE CancerDiseaseStatus Observation. */
export const CANCER_DISEASE_STATUS_LOINC = '97509-4';
