/**
 * The project's own CodeSystems, for what FHIR has no common code for. Producers (orders, reports,
 * the synthetic cohort) write these URLs and the timeline reads them, so they are declared here
 * once. Both are documented in the timeline service README.
 */

/** Purpose of an imaging exam (`baseline`, `planning`, …), on `ServiceRequest.category`, `.code` or `.orderDetail`. */
export const IMAGING_PURPOSE_SYSTEM = 'https://oncoimg.example.org/fhir/CodeSystem/imaging-purpose';

/** RECIST markers on tumour Observations: `new-lesion`, `lymph-node`, `target-lesion`, `too-small-to-measure`, … */
export const TUMOUR_ASSESSMENT_SYSTEM = 'https://oncoimg.example.org/fhir/CodeSystem/tumour-assessment';
