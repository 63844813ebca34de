/** Treatment response on the timeline: RECIST 1.1 from measurements, else the report's disease-status code. */
export * from './best-response.ts';
export * from './cancer-disease-status.ts';
export * from './disease-status.ts';
export * from './exam-response.ts';
export * from './lesion-identity.ts';
export * from './lesion-match.ts';
export * from './non-target.ts';
export * from './overall-response.ts';
export * from './recist.ts';
export * from './report-findings.ts';
export * from './report-rank.ts';
export * from './response-codes.ts';
export * from './response.types.ts';
export * from './target-selection.ts';
export * from './tumour-measurement.ts';
