/**
 * The timeline domain: pure functions from FHIR imaging resources to oncology timelines.
 * No I/O, no clock, no environment: callers pass `now` where time matters.
 */
export * from './baseline.ts';
export * from './baseline-track.ts';
export * from './body-region.ts';
export * from './build-timeline.ts';
export * from './comparability.ts';
export * from './episode.ts';
export * from './errors.ts';
export * from './exam-date.ts';
export * from './exam-status.ts';
export * from './identifiers.ts';
export * from './imaging-resource.ts';
export * from './input-event.ts';
export * from './link-evidence.ts';
export * from './modality.ts';
export * from './patient-records.ts';
export * from './planning.ts';
export * from './priors.ts';
export * from './purpose.ts';
export * from './purpose-code-system.ts';
export * from './radiation/index.ts';
export * from './response/index.ts';
export * from './timeline.types.ts';
export * from './timeline-warning.ts';
export * from './unreported-worklist.ts';
export * from './version-stamp.ts';
