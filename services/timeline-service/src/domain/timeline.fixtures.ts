/**
 * Test support for the domain's unit tests: the typed personas of @oncoimg/testing, and folding
 * events into a timeline. Imported by *.test.ts files only.
 */
import { applyEvent, emptyPatientRecords, type PatientRecords } from './records/patient-records.ts';
import type { TimelineInputEvent } from './records/input-event.ts';
import { buildTimeline } from './build-timeline.ts';
import type { PatientTimeline } from './timeline.types.ts';

export * from '@oncoimg/testing/personas';

/** Applies events in the given order to an empty set of records. */
export function recordsFrom(patientKey: string, events: readonly TimelineInputEvent[]): PatientRecords {
  return events.reduce(
    (records, event) => applyEvent(records, event).records,
    emptyPatientRecords(patientKey),
  );
}

/** The timeline of the events, applied in the given order. */
export function timelineFrom(patientKey: string, events: readonly TimelineInputEvent[]): PatientTimeline {
  return buildTimeline(recordsFrom(patientKey, events));
}
