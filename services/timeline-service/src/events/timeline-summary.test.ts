import {
  ConfirmedResponseScenario,
  LungCancerPatient,
  lungCancerPathwayEvents,
  OldBaselineScenario,
  type PersonaEvent,
} from '@oncoimg/testing/personas';
import { describe, expect, it } from 'vitest';
import { applyEvent, buildTimeline, emptyPatientRecords, type PatientRecords } from '../domain/index.ts';
import { searchTextOf, summarizeTimeline } from './timeline-summary.ts';

function recordsOf(patientKey: string, events: readonly PersonaEvent[]): PatientRecords {
  return events.reduce(
    (records, event) => applyEvent(records, event).records,
    emptyPatientRecords(patientKey),
  );
}

const lungCancerRecords = () => recordsOf(LungCancerPatient.key, lungCancerPathwayEvents());
const at = { version: 1, updatedAt: new Date(0) };

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
    const summary = summarizeTimeline(buildTimeline(lungCancerRecords()), at);
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });
});

describe('timeline summary of the RECIST 1.1 answers', () => {
  it('carries the best overall response of the current line, with the assessment that confirms it', () => {
    const { patient, events } = ConfirmedResponseScenario;
    const timeline = buildTimeline(recordsOf(patient.key, events));
    const summary = summarizeTimeline(timeline, at);
    const [f1, f2] = ['f1', 'f2'].map(
      (id) => `ServiceRequest/${`${patient.identifier.value}-${id}`.toLowerCase()}`,
    );
    expect(summary.bestOverallResponse).toMatchObject({
      baselineExamId: timeline.currentBaseline?.examId,
      line: 1,
      category: 'PR',
      confirmed: true,
      examId: f1,
      confirmedBy: f2,
      confirmationDays: 28,
    });
    expect(summary.warnings).toEqual([]);
  });

  it('carries every warning with the exam it is on, and the confirmation interval it was given', () => {
    const { patient, events } = OldBaselineScenario;
    const timeline = buildTimeline(recordsOf(patient.key, events), { confirmationDays: 35 });
    const summary = summarizeTimeline(timeline, at);
    expect(summary.warnings).toEqual([
      {
        examId: timeline.currentBaseline?.examId,
        code: 'baseline-older-than-window',
        message: expect.stringContaining('200 days') as string,
      },
    ]);
    expect(summary.bestOverallResponse).toMatchObject({ confirmationDays: 35, confirmed: false });
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
