/**
 * The timeline domain: pure functions from FHIR imaging resources to oncology timelines.
 * No I/O, no clock, no environment: callers pass `now` where time matters.
 *
 * Each folder uses only the ones before it: records/, linking/, exam/, then baseline/, response/
 * and radiation/; build-timeline puts them together and worklists/ read what it built.
 */
export * from './baseline/index.ts';
export * from './build-timeline.ts';
export * from './errors.ts';
export * from './exam/index.ts';
export * from './linking/index.ts';
export * from './radiation/index.ts';
export * from './records/index.ts';
export * from './response/index.ts';
export * from './timeline.types.ts';
export * from './worklists/index.ts';
export * from './timeline-warning.ts';
export * from './timeline-memo.ts';
