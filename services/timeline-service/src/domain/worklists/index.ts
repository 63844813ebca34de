/** Lists read off a built timeline: a radiologist's priors for a new study, and exams awaiting a report. */
export * from './priors.ts';
export * from './unreported-worklist.ts';
