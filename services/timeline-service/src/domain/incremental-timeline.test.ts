import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { buildTimeline } from './build-timeline.ts';
import { deliveries, generatedPatientKey, pathway } from './generated-pathways.fixtures.ts';
import { applyEvent, emptyPatientRecords, type PatientRecords } from './records/patient-records.ts';
import { createTimelineMemo } from './timeline-memo.ts';
import { LungCancerPatient, lungCancerPathwayEvents, type PersonaEvent } from './timeline.fixtures.ts';
import type { TimelineInputEvent } from './records/input-event.ts';

/**
 * Applies the events one by one, building the timeline after each with one memo kept throughout
 * (what the consumer does per patient), and returns for each step the incremental JSON and the
 * JSON of a full build from a deep copy of the records (no object shared with the memo).
 */
function stepByStep(patientKey: string, events: readonly TimelineInputEvent[]) {
  const memo = createTimelineMemo();
  let records: PatientRecords = emptyPatientRecords(patientKey);
  return events.map((event) => {
    records = applyEvent(records, event).records;
    const incremental = JSON.stringify(buildTimeline(records, {}, memo));
    const full = JSON.stringify(buildTimeline(structuredClone(records)));
    return { incremental, full };
  });
}

function expectEqualAtEveryStep(patientKey: string, events: readonly PersonaEvent[]): void {
  for (const [step, { incremental, full }] of stepByStep(patientKey, events).entries()) {
    expect(incremental, `after event ${String(step + 1)} of ${String(events.length)}`).toBe(full);
  }
}

describe('an incremental build (parts and exam facts reused between builds) equals the full one', () => {
  test('after every event of a generated pathway, in any order, with duplicates, corrections and deletes', () => {
    fc.assert(
      fc.property(
        pathway.chain((events) => deliveries(events)),
        (delivered) => {
          expectEqualAtEveryStep(generatedPatientKey, delivered);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('after every event of the lung cancer pathway (RECIST reports, several episodes), in any order', () => {
    const events = lungCancerPathwayEvents();
    fc.assert(
      fc.property(deliveries(events), (delivered) => {
        expectEqualAtEveryStep(LungCancerPatient.key, delivered);
      }),
      { numRuns: 40 },
    );
  });

  test('reuses what did not change: a second build of the same records derives nothing again', () => {
    const records = lungCancerPathwayEvents().reduce(
      (into, event) => applyEvent(into, event).records,
      emptyPatientRecords(LungCancerPatient.key),
    );
    const memo = createTimelineMemo();
    const first = buildTimeline(records, {}, memo);
    const second = buildTimeline(records, {}, memo);
    expect(second.exams.map((exam) => exam.accessionNumbers)).toEqual(
      first.exams.map((exam) => exam.accessionNumbers),
    );
    // The same objects, not equal copies: the facts came from the memo.
    expect(second.exams.every((exam, i) => exam.accessionNumbers === first.exams[i].accessionNumbers)).toBe(
      true,
    );
  });
});
