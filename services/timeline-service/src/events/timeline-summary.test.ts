import { LungCancerPatient, lungCancerPathwayEvents } from '@oncoimg/testing/personas';
import { describe, expect, it } from 'vitest';
import { applyEvent, buildTimeline, emptyPatientRecords, type PatientRecords } from '../domain/index.ts';
import { searchTextOf, summarizeTimeline } from './timeline-summary.ts';

function lungCancerRecords(): PatientRecords {
  return lungCancerPathwayEvents().reduce(
    (records, event) => applyEvent(records, event).records,
    emptyPatientRecords(LungCancerPatient.key),
  );
}

describe('timeline summary event', () => {
  it('carries the baseline, pending counts and every exam of the timeline', () => {
    const timeline = buildTimeline(lungCancerRecords());
    const summary = summarizeTimeline(timeline, { version: 7, updatedAt: new Date('2025-01-01T00:00:00Z') });
    expect(summary.schemaVersion).toBe(1);
    expect(summary.timelineVersion).toBe(7);
    expect(summary.patientKey).toBe(timeline.patientKey);
    expect(summary.examCount).toBe(timeline.exams.length);
    expect(summary.currentBaseline?.examId).toBe(timeline.currentBaseline?.examId);
    expect(summary.pending).toEqual({
      ordered: timeline.pending.ordered.length,
      unreported: timeline.pending.unreported.length,
    });
    const planning = summary.exams.filter((exam) => exam.planning);
    expect(planning.length).toBeGreaterThan(0);
    expect(planning.every((exam) => !exam.isBaseline && exam.daysSinceBaseline === null)).toBe(true);
  });

  it('is plain JSON: what consumers receive equals what was built', () => {
    const summary = summarizeTimeline(buildTimeline(lungCancerRecords()), {
      version: 1,
      updatedAt: new Date(0),
    });
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });
});

describe('patient search text', () => {
  it('holds the patient key and the identifier value, so either finds the patient', () => {
    const text = searchTextOf(lungCancerRecords());
    const [identifiers] = text.split('\n');
    expect(identifiers).toContain(LungCancerPatient.identifier.value);
    expect(identifiers).toContain(
      `${LungCancerPatient.identifier.system}|${LungCancerPatient.identifier.value}`,
    );
  });
});
