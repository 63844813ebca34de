import type { TimelineSummaryEvent } from '@oncoimg/fhir-events';
import { authFetch, readTopic, testDatabaseTargets, testKafkaBrokers } from '@oncoimg/testing';
import {
  ResponseBaselineCt,
  ResponseFirstFollowUpCt,
  ResponsePathwayResources,
  ResponsePatient,
  ResponseSecondFollowUpCt,
  ResponseSecondLineBaselineCt,
  ResponseSecondLineFollowUpCt,
} from '@oncoimg/testing/personas';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, putResource, startSystem, type RunningSystem } from '../support/running-system.ts';

interface ExamView {
  examId: string;
  studyUid: string | null;
  isBaseline: boolean;
  order: unknown;
  reports: unknown[];
  daysSinceBaseline: number | null;
  response?: { category: string | null; words: string; label: string; sumOfDiametersMm: number | null };
}

function studyUidOf(exam: { study: { identifier?: { value?: string }[] } }): string {
  return (exam.study.identifier?.at(0)?.value ?? '').replace('urn:oid:', '');
}

const CT_EXAMS = [
  ResponseBaselineCt,
  ResponseFirstFollowUpCt,
  ResponseSecondFollowUpCt,
  ResponseSecondLineBaselineCt,
  ResponseSecondLineFollowUpCt,
];

async function timelineOnceComplete(system: RunningSystem): Promise<ExamView[]> {
  const url = `${system.timelineBase}/api/patients/${encodeURIComponent(ResponsePatient.key)}/timeline`;
  return eventually(async () => {
    const res = await authFetch(url);
    if (!res.ok) {
      return undefined;
    }
    const { exams } = (await res.json()) as { exams: ExamView[] };
    // Whatever the arrival order, the answer is final once every CT has its order, study and report.
    const complete = CT_EXAMS.every((ct) =>
      exams.some((exam) => exam.studyUid === studyUidOf(ct) && exam.order && exam.reports.length > 0),
    );
    return complete ? exams : undefined;
  }, 'every CT exam linked to its order and report');
}

/**
 * The oncology question end to end: FHIR posted to the three services, through Kafka, answered by
 * the timeline API. The pathway's first line responds (PR) and then progresses (PD); the second
 * line starts from a new baseline and is stable.
 */
describe.each(testDatabaseTargets())('treatment response through the services on $name', (target) => {
  let system: RunningSystem | undefined;

  afterEach(async () => {
    await system?.stop();
    system = undefined;
  });

  it.each([
    ['in the order the systems send them', ResponsePathwayResources],
    ['in reverse (reports before studies before orders)', [...ResponsePathwayResources].reverse()],
  ])('shows PR then PD, then SD after re-baselining, with resources sent %s', async (_order, resources) => {
    system = await startSystem({ database: target });
    const timelineEvents = await readTopic(testKafkaBrokers(), system.topics.timeline);
    try {
      for (const resource of resources) {
        await putResource(system, resource);
      }

      const exams = await timelineOnceComplete(system);
      const byStudy = new Map(exams.map((exam) => [exam.studyUid, exam]));
      const [baseline, firstFollowUp, secondFollowUp, secondBaseline, secondLineFollowUp] = CT_EXAMS.map(
        (ct) => byStudy.get(studyUidOf(ct)),
      );

      expect(baseline?.isBaseline).toBe(true);
      expect(firstFollowUp?.response).toMatchObject({
        category: 'PR',
        words: 'shrunk',
        sumOfDiametersMm: 52,
        label: 'derived — needs clinician confirmation',
      });
      expect(firstFollowUp?.daysSinceBaseline).toBeGreaterThan(0);
      expect(secondFollowUp?.response).toMatchObject({
        category: 'PD',
        words: 'grown',
        sumOfDiametersMm: 64,
      });
      expect(secondBaseline?.isBaseline).toBe(true);
      expect(secondLineFollowUp?.response).toMatchObject({ category: 'SD', words: 'stable' });

      // Integration engineers see the same answer on the timeline stream, as a draft mCODE status.
      const latest = await eventually(async () => {
        const summaries = timelineEvents.messages.map(
          (message) => JSON.parse(message.value?.toString() ?? '{}') as TimelineSummaryEvent,
        );
        return summaries.find((summary) => summary.latestResponse?.category === 'SD')?.latestResponse;
      }, 'a timeline event with the latest response');
      expect(latest?.diseaseStatusObservation).toMatchObject({
        resourceType: 'Observation',
        status: 'preliminary',
      });
    } finally {
      await timelineEvents.stop();
    }
  });
});
