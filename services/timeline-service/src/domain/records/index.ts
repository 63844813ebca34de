/**
 * What the timeline is built from: the newest version of each order, study and report of a patient
 * (tombstones included), merged commutatively from the decoded events, and the episode each exam
 * belongs to.
 */
export * from './episode.ts';
export * from './imaging-resource.ts';
export * from './input-event.ts';
export * from './patient-records.ts';
export * from './version-stamp.ts';
