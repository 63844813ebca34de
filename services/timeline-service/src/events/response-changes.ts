import type { Observation } from '@medplum/fhirtypes';
import { CANCER_DISEASE_STATUS_LOINC, type TimelineResponseChange } from '@oncoimg/fhir-events';
import { createHash } from 'node:crypto';
import type { PatientTimeline } from '../domain/index.ts';
import type { ObservationToSave, StoredObservationHead } from '../store/observation.repository.ts';

/** What a timeline version does to its patient's stored Observations, and what its event says of it. */
export interface ResponseObservationPlan {
  /** In timeline order, then the deleted ones by id. */
  changes: TimelineResponseChange[];
  save: ObservationToSave[];
  remove: string[];
}

/** The CancerDiseaseStatus Observations a timeline states: one per follow-up with a response, in exam order. */
export function diseaseStatusObservationsOf(
  timeline: PatientTimeline,
): { examId: string; observation: Observation & { id: string } }[] {
  return timeline.exams.flatMap((exam) => {
    const observation = exam.response?.diseaseStatusObservation;
    return observation?.id
      ? [{ examId: exam.examId, observation: { ...observation, id: observation.id } }]
      : [];
  });
}

function contentHash(observation: Observation): string {
  return createHash('sha256').update(JSON.stringify(observation)).digest('base64url');
}

/**
 * Compares the Observations a new timeline version states with those stored for the patient: a new
 * id is `created` (version 1), a changed content `updated` (the version goes up by one), an id no
 * longer stated `deleted`. An unchanged Observation is neither saved nor reported. The served form
 * carries `meta.versionId` and `meta.lastUpdated`; the digest is taken before they are set, so a
 * recomputation that changes nothing compares equal.
 */
export function planResponseChanges(
  timeline: PatientTimeline,
  stored: readonly StoredObservationHead[],
  now: Date,
): ResponseObservationPlan {
  const previous = new Map(stored.map((head) => [head.id, head]));
  const plan: ResponseObservationPlan = { changes: [], save: [], remove: [] };
  const stated = new Set<string>();
  for (const { examId, observation } of diseaseStatusObservationsOf(timeline)) {
    stated.add(observation.id);
    const hash = contentHash(observation);
    const before = previous.get(observation.id);
    if (before?.contentHash === hash) {
      continue;
    }
    const versionId = (before?.versionId ?? 0) + 1;
    const served: Observation = {
      ...observation,
      meta: { ...observation.meta, versionId: String(versionId), lastUpdated: now.toISOString() },
    };
    plan.save.push({
      id: observation.id,
      patientKey: timeline.patientKey,
      examId,
      code: CANCER_DISEASE_STATUS_LOINC,
      contentHash: hash,
      versionId,
      observation: served,
    });
    plan.changes.push({
      change: before ? 'updated' : 'created',
      observationId: observation.id,
      examId,
      observation: served,
    });
  }
  const gone = stored.filter((head) => !stated.has(head.id)).sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const head of gone) {
    plan.remove.push(head.id);
    plan.changes.push({ change: 'deleted', observationId: head.id, examId: head.examId, observation: null });
  }
  return plan;
}
