import { ConfirmedResponseScenario, type PersonaEvent } from '@oncoimg/testing/personas';
import { describe, expect, it } from 'vitest';
import { applyEvent, buildTimeline, emptyPatientRecords, type PatientTimeline } from '../domain/index.ts';
import type { StoredObservationHead } from '../store/observation.repository.ts';
import { diseaseStatusObservationsOf, planResponseChanges } from './response-changes.ts';

function timelineOf(events: readonly PersonaEvent[]): PatientTimeline {
  const { key } = ConfirmedResponseScenario.patient;
  return buildTimeline(
    events.reduce((records, event) => applyEvent(records, event).records, emptyPatientRecords(key)),
  );
}

/** What the store holds after a plan is applied to `stored`. */
function apply(stored: readonly StoredObservationHead[], plan: ReturnType<typeof planResponseChanges>) {
  const held = new Map(stored.map((head) => [head.id, head]));
  for (const id of plan.remove) {
    held.delete(id);
  }
  for (const o of plan.save) {
    held.set(o.id, {
      id: o.id,
      patientKey: o.patientKey,
      examId: o.examId,
      contentHash: o.contentHash,
      versionId: o.versionId,
    });
  }
  return [...held.values()];
}

const first = new Date('2025-01-01T00:00:00Z');
const later = new Date('2025-02-01T00:00:00Z');

describe('response changes of a timeline version', () => {
  const full = timelineOf(ConfirmedResponseScenario.events);
  const observations = diseaseStatusObservationsOf(full);

  it('creates every Observation the first time, at version 1, as served', () => {
    expect(observations.length).toBeGreaterThanOrEqual(2);
    const plan = planResponseChanges(full, [], first);
    expect(plan.changes.map((c) => [c.change, c.observationId])).toEqual(
      observations.map((o) => ['created', o.observation.id]),
    );
    expect(plan.changes[0].observation?.meta).toMatchObject({
      versionId: '1',
      lastUpdated: first.toISOString(),
    });
    expect(plan.remove).toEqual([]);
  });

  it('reports nothing when the same timeline is planned again', () => {
    const stored = apply([], planResponseChanges(full, [], first));
    expect(planResponseChanges(full, stored, later)).toEqual({ changes: [], save: [], remove: [] });
  });

  it('updates a changed Observation with the next version, and deletes one no longer stated', () => {
    const stored = apply([], planResponseChanges(full, [], first));
    const changedId = observations[0].observation.id;
    const goneId = observations[1].observation.id;
    const edited: PatientTimeline = {
      ...full,
      exams: full.exams.flatMap((exam) => {
        const observation = exam.response?.diseaseStatusObservation;
        if (!exam.response || !observation) {
          return [exam];
        }
        if (observation.id === goneId) {
          return [];
        }
        return observation.id === changedId
          ? [
              {
                ...exam,
                response: {
                  ...exam.response,
                  diseaseStatusObservation: { ...observation, status: 'amended' as const },
                },
              },
            ]
          : [exam];
      }),
    };
    const plan = planResponseChanges(edited, stored, later);
    expect(plan.changes.map((c) => [c.change, c.observationId])).toEqual([
      ['updated', changedId],
      ['deleted', goneId],
    ]);
    expect(plan.changes[0].observation?.meta?.versionId).toBe('2');
    expect(plan.changes[1].observation).toBeNull();
    expect(plan.remove).toEqual([goneId]);
  });
});
