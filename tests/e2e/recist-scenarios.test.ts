import type { TimelineSummaryEvent } from '@oncoimg/fhir-events';
import { authFetch, readTopic, testDatabaseTargets, testKafkaBrokers } from '@oncoimg/testing';
import { RecistScenarioCases as cases, type RecistScenario } from '@oncoimg/testing/personas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, putResource, startSystem, type RunningSystem } from '../support/running-system.ts';

interface ResponseView {
  category: string | null;
  reason: string;
  label: string;
  baselineExamId: string;
  nadirExamId: string | null;
  sumOfDiametersMm: number | null;
  percentFromBaseline: number | null;
  evidence: {
    lesions: { lesionId: string; node: boolean; state: string; currentMm: number | null }[];
    nonTargets: { lesionId: string; state: string; why: string }[];
    targetSelection: { rule: string } | null;
    overall: { targets: string | null; nonTargets: string | null; newLesions: string; table: number } | null;
    progressionSince: { examId: string } | null;
    confirmedBy: string | null;
  };
  bestOverallResponse?: {
    category: string | null;
    confirmed: boolean;
    examId: string | null;
    confirmedBy: string | null;
  };
}

interface ExamView {
  examId: string;
  date: string | null;
  purpose: string;
  role: string;
  planning: boolean;
  isBaseline: boolean;
  followUpOf: string | null;
  warnings: { code: string; message: string }[];
  response?: ResponseView;
}

interface TimelineView {
  exams: ExamView[];
  warnings: { code: string; message: string; examId: string }[];
}

const SCENARIOS: RecistScenario[] = Object.values(cases);

/** `ServiceRequest/rs-rt-plan` for exam `plan` of the scenario: the order names the exam. */
function examIdOf(scenario: RecistScenario, id: string): string {
  return `ServiceRequest/${`${scenario.patient.identifier.value}-${id}`.toLowerCase()}`;
}

/**
 * The cases of "Clinically safe baselines and complete RECIST 1.1", end to end: each scenario's
 * orders, studies and reports PUT to the three intake services, through Kafka, answered by the
 * timeline API and the timeline stream. One set of services for the whole file.
 */
describe.each(testDatabaseTargets())(
  'RECIST 1.1 and the planning rule through the services on $name',
  (target) => {
    let system: RunningSystem;
    let timelineEvents: Awaited<ReturnType<typeof readTopic>>;
    const timelines = new Map<RecistScenario, TimelineView>();

    beforeAll(async () => {
      system = await startSystem({ database: target });
      timelineEvents = await readTopic(testKafkaBrokers(), system.topics.timeline);
      for (const scenario of SCENARIOS) {
        // The whole course arrives backwards (reports before studies before orders): the same answer.
        const resources =
          scenario === cases.confirmedThenNonTargetProgression
            ? [...scenario.resources].reverse()
            : scenario.resources;
        for (const resource of resources) {
          await putResource(system, resource);
        }
      }
    }, 120_000);

    afterAll(async () => {
      await timelineEvents.stop();
      await system.stop();
    });

    /** The patient's timeline once every resource of the scenario is on it, each exam with its report. */
    async function timelineOf(
      scenario: RecistScenario,
    ): Promise<{ timeline: TimelineView; exam: (id: string) => ExamView }> {
      let timeline = timelines.get(scenario);
      if (!timeline) {
        const url = `${system.timelineBase}/api/patients/${encodeURIComponent(scenario.patient.key)}/timeline`;
        const refs = scenario.resources.map((r) => `"${r.resourceType}/${r.id ?? ''}"`);
        timeline = await eventually(async () => {
          const res = await authFetch(url);
          if (!res.ok) {
            return undefined;
          }
          const text = await res.text();
          return refs.every((ref) => text.includes(ref)) ? (JSON.parse(text) as TimelineView) : undefined;
        }, `every resource of ${scenario.patient.key} on its timeline`);
        timelines.set(scenario, timeline);
      }
      const found = timeline;
      return {
        timeline: found,
        exam(id) {
          const exam = found.exams.find((e) => e.examId === examIdOf(scenario, id));
          if (!exam) {
            throw new Error(`no exam ${id} on the timeline of ${scenario.patient.key}`);
          }
          return exam;
        },
      };
    }

    it('a planning CT with RTSTRUCT ordered for palliative thoracic RT is never baseline, follow-up or comparison point: SD, not PD +125 %', async () => {
      const { exam } = await timelineOf(cases.planningCt);
      expect(exam('plan')).toMatchObject({
        purpose: 'planning',
        role: 'planning',
        isBaseline: false,
        followUpOf: null,
      });
      expect(exam('plan').response).toBeUndefined();
      expect(exam('b')).toMatchObject({ isBaseline: true, warnings: [] });
      expect(exam('f1')).toMatchObject({ followUpOf: exam('b').examId });
      expect(exam('f1').response).toMatchObject({
        category: 'SD',
        percentFromBaseline: 12.5,
        baselineExamId: exam('b').examId,
        nadirExamId: exam('b').examId,
        label: 'derived — needs clinician confirmation',
      });
    });

    it('a chest CT and a brain MR before treatment are two tracks: the chest follow-up is a PR against the chest CT', async () => {
      const { exam } = await timelineOf(cases.twoTracks);
      expect(exam('chest').isBaseline).toBe(true);
      expect(exam('brain').isBaseline).toBe(true);
      expect(exam('f1')).toMatchObject({ followUpOf: exam('chest').examId, response: { category: 'PR' } });
      expect(exam('f2').followUpOf).toBe(exam('brain').examId);
    });

    it('a baseline 200 days before treatment is used, with a warning on the exam and on the timeline', async () => {
      const { exam, timeline } = await timelineOf(cases.oldBaseline);
      const warning = {
        code: 'baseline-older-than-window',
        message: expect.stringContaining('200 days') as string,
      };
      expect(exam('b')).toMatchObject({ isBaseline: true, warnings: [warning] });
      expect(timeline.warnings).toEqual([{ ...warning, examId: exam('b').examId }]);
      expect(exam('f1').response?.category).toBe('PR');
    });

    it('an 8 mm lesion and a 12 mm short-axis node are non-targets: 30 → 20 mm is PR, not SD', async () => {
      const { exam } = await timelineOf(cases.targetSelection);
      const baseline = exam('b').response?.evidence;
      expect(baseline?.targetSelection?.rule).toBe('recist-1.1');
      expect(baseline?.lesions.map((l) => l.lesionId)).toEqual(['tracking-id:A']);
      expect(baseline?.nonTargets.map((n) => n.lesionId)).toEqual(['tracking-id:B', 'tracking-id:N']);
      expect(exam('f1').response).toMatchObject({
        category: 'PR',
        percentFromBaseline: -33.3,
        evidence: { overall: { targets: 'PR', nonTargets: 'non-CR/non-PD', newLesions: 'no', table: 4 } },
      });
    });

    it('a node measured only by its long axis at follow-up is not evaluable, never a false PD', async () => {
      const { exam } = await timelineOf(cases.nodeAxis);
      expect(exam('f1').response?.category).toBe('NE');
      expect(exam('f1').response?.evidence.lesions.find((l) => l.node)).toMatchObject({
        state: 'not-evaluable',
        currentMm: null,
      });
    });

    it('30 → 0 → 4 mm: CR, then PD on reappearance, not PR', async () => {
      const { exam } = await timelineOf(cases.reappearance);
      expect(exam('f1').response?.category).toBe('CR');
      expect(exam('f2').response).toMatchObject({
        category: 'PD',
        reason: expect.stringMatching(/^PD: after a complete response/) as string,
      });
    });

    it('unequivocal non-target progression with shrinking targets is PD', async () => {
      const { exam } = await timelineOf(cases.nonTargetProgression);
      expect(exam('f1').response).toMatchObject({
        category: 'PD',
        percentFromBaseline: -50,
        evidence: { overall: { targets: 'PR', nonTargets: 'PD' } },
      });
    });

    it('targets gone with non-target disease still present is PR, not CR', async () => {
      const { exam } = await timelineOf(cases.targetsGone);
      expect(exam('f1').response).toMatchObject({
        category: 'PR',
        evidence: { overall: { targets: 'CR', nonTargets: 'non-CR/non-PD' } },
      });
    });

    it('a PR confirmed 56 days later is the best overall response of the line', async () => {
      const { exam } = await timelineOf(cases.confirmedResponse);
      expect(exam('f1').response?.evidence.confirmedBy).toBe(exam('f2').examId);
      expect(exam('b').response?.bestOverallResponse).toMatchObject({
        category: 'PR',
        confirmed: true,
        examId: exam('f1').examId,
        confirmedBy: exam('f2').examId,
      });
    });

    it('an equivocal new lesion is SD until a later exam confirms it; then PD dates from its first sighting', async () => {
      const { exam } = await timelineOf(cases.equivocalNewLesion);
      expect(exam('f1').response?.category).toBe('SD');
      expect(exam('f2').response).toMatchObject({
        category: 'PD',
        evidence: { progressionSince: { examId: exam('f1').examId } },
      });
    });

    it('non-target disease only follows table 5, and the report’s own target marks win', async () => {
      const nonTargetOnly = await timelineOf(cases.nonTargetOnly);
      expect(nonTargetOnly.exam('f1').response).toMatchObject({
        category: 'non-CR/non-PD',
        evidence: { overall: { table: 5 } },
      });
      expect(nonTargetOnly.exam('f2').response?.category).toBe('CR');
      const marked = await timelineOf(cases.reportTargets);
      expect(marked.exam('b').response?.evidence.targetSelection?.rule).toBe('report');
      expect(marked.exam('f1').response).toMatchObject({ category: 'PR', sumOfDiametersMm: 12 });
    });

    it('a whole course sent backwards: PR confirmed, then PD by non-target progression; the stream carries the confirmed best response', async () => {
      const scenario = cases.confirmedThenNonTargetProgression;
      const { exam } = await timelineOf(scenario);
      expect(exam('plan').planning).toBe(true);
      expect(exam('f1').response).toMatchObject({
        category: 'PR',
        evidence: { confirmedBy: exam('f2').examId, overall: { nonTargets: 'non-CR/non-PD' } },
      });
      expect(exam('f3').response).toMatchObject({
        category: 'PD',
        evidence: {
          overall: { targets: 'PR', nonTargets: 'PD', table: 4 },
          nonTargets: [{ lesionId: 'tracking-id:E', state: 'unequivocal-progression' }],
        },
      });
      expect(exam('b').response?.bestOverallResponse).toMatchObject({
        category: 'PR',
        confirmed: true,
        confirmedBy: exam('f2').examId,
      });

      // Exam ids settle once the orders arrive (last, here): the summary of the finished timeline.
      const summary = await eventually(async () => {
        const latest = timelineEvents.messages
          .filter((message) => message.key?.toString() === scenario.patient.key)
          .map((message) => JSON.parse(message.value?.toString() ?? '{}') as TimelineSummaryEvent)
          .sort((a, b) => a.timelineVersion - b.timelineVersion)
          .at(-1);
        return latest?.latestResponse?.examId === exam('f3').examId &&
          latest.bestOverallResponse?.baselineExamId === exam('b').examId
          ? latest
          : undefined;
      }, 'the timeline event of the finished course');
      expect(summary.bestOverallResponse).toMatchObject({
        baselineExamId: exam('b').examId,
        line: 1,
        category: 'PR',
        examId: exam('f1').examId,
        confirmedBy: exam('f2').examId,
      });
      expect(summary.latestResponse?.category).toBe('PD');
      expect(summary.warnings).toEqual([]);
    });
  },
);
