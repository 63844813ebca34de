import type { DiagnosticReport, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { chooseBaselines, type BaselineOptions, type TreatmentLine } from './baseline/baseline.ts';
import { conditionOf, assignEpisodes, PATIENT_EPISODE, type EpisodeInput } from './records/episode.ts';
import { partKeys, type OrderPart, type ReportPart, type StudyPart } from './linking/exam-parts.ts';
import {
  furthestStatus,
  hasHappened,
  partStateOf,
  strongestRemovalReason,
  type ExamStatus,
  type RemovalReason,
} from './exam/exam-status.ts';
import type { ExamFacts } from './exam/exam-summary.ts';
import type { ImagingResource } from './records/imaging-resource.ts';
import { linkExams, type ExamGroup } from './linking/link-exams.ts';
import { entryPatientKey, type PatientRecords, type RecordEntry } from './records/patient-records.ts';
import { isDiagnosticPurpose } from './exam/purpose.ts';
import { summarizeRadiation } from './radiation/radiation-summary.ts';
import {
  createTimelineMemo,
  derivedPartOf,
  memoExamFacts,
  settleMemo,
  type TimelineMemo,
} from './timeline-memo.ts';
import type { ResponseOptions } from './response/best-response.ts';
import { assessResponses } from './response/exam-response.ts';
import {
  TIMELINE_SCHEMA_VERSION,
  type CurrentBaseline,
  type EpisodeSummary,
  type PartSummary,
  type PatientTimeline,
  type RemovedExam,
  type RemovedPart,
  type TimelineExam,
} from './timeline.types.ts';

/** Settings of the clinical rules; each has a default in the domain. */
export type TimelineOptions = BaselineOptions & ResponseOptions;

interface Part {
  entry: RecordEntry;
  body: ImagingResource;
}

interface Sorted {
  orders: OrderPart[];
  studies: StudyPart[];
  reports: ReportPart[];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function addPart(into: Sorted, part: OrderPart | StudyPart | ReportPart | null): void {
  switch (part?.resource.resourceType) {
    case 'ServiceRequest':
      into.orders.push(part as OrderPart);
      break;
    case 'ImagingStudy':
      into.studies.push(part as StudyPart);
      break;
    case 'DiagnosticReport':
      into.reports.push(part as ReportPart);
      break;
    case undefined:
      break;
  }
}

function partSummary(part: Part): PartSummary {
  return {
    reference: part.entry.ref,
    resourceType: part.entry.resourceType,
    id: part.entry.id,
    versionId: part.entry.stamp.versionId,
    status: (part.body as { status?: string }).status ?? 'unknown',
  };
}

function namedEpisode(order: ServiceRequest | null, study: ImagingStudy | null): EpisodeInput['named'] {
  const fromOrder = order ? conditionOf(order.reasonReference, order.contained) : null;
  if (fromOrder) {
    return { episodeId: fromOrder, source: 'order' };
  }
  const fromStudy = study ? conditionOf(study.reasonReference, study.contained) : null;
  return fromStudy ? { episodeId: fromStudy, source: 'study' } : null;
}

function examStatusOf(group: ExamGroup): ExamStatus {
  const resources: ImagingResource[] = [
    ...(group.order ? [group.order.resource] : []),
    ...(group.study ? [group.study.resource] : []),
    ...group.reports.map((report): DiagnosticReport => report.resource),
  ];
  return furthestStatus(
    resources.flatMap((resource) => {
      const state = partStateOf(resource);
      return state.kind === 'live' ? [state.status] : [];
    }),
  );
}

function byDateThenId<T extends { examId: string; facts: ExamFacts }>(a: T, b: T): number {
  const left = a.facts.date?.instant ?? Number.POSITIVE_INFINITY;
  const right = b.facts.date?.instant ?? Number.POSITIVE_INFINITY;
  if (left !== right) {
    return left < right ? -1 : 1;
  }
  return compareText(a.examId, b.examId);
}

function refsOfGroup(group: ExamGroup): string[] {
  return [group.order?.ref, group.study?.ref, ...group.reports.map((r) => r.ref)].filter(
    (ref): ref is string => ref !== undefined,
  );
}

function groupParts(group: ExamGroup): (OrderPart | StudyPart | ReportPart)[] {
  return [...(group.order ? [group.order] : []), ...(group.study ? [group.study] : []), ...group.reports];
}

// With several episodes, "the" current baseline is the one of the episode imaged most recently.
function currentBaselineOf(
  episodes: readonly EpisodeSummary[],
  exams: readonly TimelineExam[],
): CurrentBaseline | null {
  const withBaseline = new Map(
    episodes.filter((e) => e.currentBaselineExamId !== null).map((e) => [e.episodeId, e]),
  );
  const mostRecent = exams
    .filter((exam) => exam.date !== null)
    .reverse()
    .map((exam) => withBaseline.get(exam.episodeId))
    .find((episode) => episode !== undefined);
  const line = mostRecent?.lines.filter((l) => l.baselineExamId !== null).at(-1);
  if (!mostRecent || !line?.baselineExamId || !line.rule) {
    return null;
  }
  return {
    episodeId: mostRecent.episodeId,
    line: line.line,
    examId: line.baselineExamId,
    date: line.baselineDate,
    rule: line.rule,
  };
}

/**
 * The timeline of one patient, as a pure function of the latest version of each of their
 * resources: it does not depend on the order events arrived in, and building it twice from the
 * same records gives the same JSON.
 *
 * Parts that are entered-in-error, cancelled (order `revoked`) or deleted leave their exam; an
 * exam left with no live part leaves the timeline. Both are kept under `removed` with the reason.
 * Resources whose latest version names another patient are not part of this timeline.
 */
export function buildTimeline(
  records: PatientRecords,
  options: TimelineOptions = {},
  memo: TimelineMemo = createTimelineMemo(),
): PatientTimeline {
  const live: Sorted = { orders: [], studies: [], reports: [] };
  const voided: Sorted = { orders: [], studies: [], reports: [] };
  const parts = new Map<string, Part & { reason: RemovalReason | null }>();
  const entries = Object.values(records.entries).sort((a, b) => compareText(a.ref, b.ref));
  for (const entry of entries) {
    const owner = entryPatientKey(entry);
    if (owner !== undefined && owner !== records.patientKey) {
      continue;
    }
    const { body, reason, part } = derivedPartOf(memo, entry);
    parts.set(entry.ref, { entry, body, reason });
    addPart(reason ? voided : live, part);
  }
  const summaryOf = (ref: string): PartSummary => partSummary(parts.get(ref)!);

  const drafts = linkExams(live)
    .map((group) => ({ examId: group.examId, group, facts: memoExamFacts(memo, group) }))
    .sort(byDateThenId);
  const episodes = assignEpisodes(
    drafts.map((d) => ({ examId: d.examId, named: namedEpisode(d.facts.order, d.facts.study) })),
  );
  const statuses = new Map(drafts.map((d) => [d.examId, examStatusOf(d.group)]));
  const { lines, roles } = chooseBaselines(
    drafts.map((d) => ({
      examId: d.examId,
      date: d.facts.date?.date ?? null,
      purpose: d.facts.purpose.purpose,
      happened: hasHappened(statuses.get(d.examId) ?? 'ordered'),
      modality: d.facts.modality,
      bodyRegion: d.facts.bodyRegion,
      episodeId: episodes.get(d.examId)?.episodeId ?? PATIENT_EPISODE,
    })),
    options,
  );

  const exams: TimelineExam[] = drafts.map(({ examId, group, facts }) => {
    const episode = episodes.get(examId) ?? { episodeId: PATIENT_EPISODE, source: 'patient' as const };
    const role = roles.get(examId)!;
    return {
      examId,
      date: facts.date?.date ?? null,
      dateSource: facts.date?.source ?? null,
      status: statuses.get(examId) ?? 'ordered',
      order: group.order ? summaryOf(group.order.ref) : null,
      study: group.study ? summaryOf(group.study.ref) : null,
      reports: group.reports.map((report) => summaryOf(report.ref)),
      studyUid: facts.studyUid,
      accessionNumbers: facts.accessionNumbers,
      description: facts.description,
      modality: facts.modality,
      modalityCodes: facts.modalityCodes,
      bodyRegion: facts.bodyRegion,
      purpose: facts.purpose.purpose,
      purposeSource: facts.purpose.source,
      purposeEvidence: facts.purpose.evidence,
      planning: facts.purpose.purpose === 'planning',
      diagnostic: isDiagnosticPurpose(facts.purpose.purpose),
      episodeId: episode.episodeId,
      episodeSource: episode.source,
      ...role,
      links: group.links,
      ambiguous: group.ambiguous,
      unmatched: group.unmatched,
    };
  });

  const groups = new Map(drafts.map((d) => [d.examId, d.group]));
  const reportsOf = (examId: string) =>
    (groups.get(examId)?.reports ?? []).map((part) => ({ ref: part.ref, resource: part.resource }));
  const responses = assessResponses(
    exams.map((exam) => ({
      patientKey: records.patientKey,
      examId: exam.examId,
      studyRef: exam.study?.reference ?? null,
      date: exam.date,
      episodeId: exam.episodeId,
      isBaseline: exam.isBaseline,
      followUpOf: exam.followUpOf,
      treatmentLine: exam.treatmentLine,
      reports: reportsOf(exam.examId),
    })),
    options,
  );
  for (const exam of exams) {
    const response = responses.get(exam.examId);
    if (response) {
      exam.response = response;
    }
  }
  const radiation = summarizeRadiation(
    exams.map((exam) => {
      const study = groups.get(exam.examId)?.study;
      return {
        examId: exam.examId,
        status: exam.status,
        modality: exam.modality,
        modalityCodes: exam.modalityCodes,
        study: study ? { ref: study.ref, resource: study.resource } : null,
        reports: reportsOf(exam.examId),
      };
    }),
  );

  const episodeIds = [...new Set(exams.map((exam) => exam.episodeId))];
  const episodeSummaries: EpisodeSummary[] = episodeIds.map((episodeId) => {
    const episodeLines: TreatmentLine[] = lines.filter((line) => line.episodeId === episodeId);
    return {
      episodeId,
      condition: episodeId === PATIENT_EPISODE ? null : episodeId,
      examIds: exams.filter((exam) => exam.episodeId === episodeId).map((exam) => exam.examId),
      lines: episodeLines,
      currentBaselineExamId:
        episodeLines.filter((line) => line.baselineExamId !== null).at(-1)?.baselineExamId ?? null,
    };
  });

  const removed = removedHistory(voided, drafts, (ref) => parts.get(ref)!, memo);
  settleMemo(memo);
  return {
    schemaVersion: TIMELINE_SCHEMA_VERSION,
    patientKey: records.patientKey,
    exams,
    episodes: episodeSummaries,
    currentBaseline: currentBaselineOf(episodeSummaries, exams),
    pending: {
      ordered: exams.filter((exam) => exam.status === 'ordered').map((exam) => exam.examId),
      unreported: exams
        .filter((exam) => !exam.planning && (exam.status === 'performed' || exam.status === 'preliminary'))
        .map((exam) => exam.examId),
    },
    unmatched: exams.flatMap((exam) => exam.unmatched.map((issue) => ({ ...issue, examId: exam.examId }))),
    ambiguous: exams.flatMap((exam) => exam.ambiguous.map((issue) => ({ ...issue, examId: exam.examId }))),
    removed,
    warnings: exams.flatMap((exam) => exam.warnings.map((warning) => ({ ...warning, examId: exam.examId }))),
    radiation,
  };
}

function removedHistory(
  voided: Sorted,
  liveExams: readonly { examId: string; group: ExamGroup }[],
  partOf: (ref: string) => Part & { reason: RemovalReason | null },
  memo: TimelineMemo,
): RemovedExam[] {
  const examsByKey = new Map<string, Set<string>>();
  for (const { examId, group } of liveExams) {
    for (const part of groupParts(group)) {
      for (const key of partKeys(part)) {
        examsByKey.set(key, (examsByKey.get(key) ?? new Set()).add(examId));
      }
    }
  }
  const removed = linkExams(voided).map((group) => {
    const facts = memoExamFacts(memo, group);
    const removedParts: RemovedPart[] = refsOfGroup(group).map((ref) => {
      const part = partOf(ref);
      return { ...partSummary(part), reason: part.reason ?? 'deleted' };
    });
    const related = new Set<string>();
    for (const part of groupParts(group)) {
      for (const key of partKeys(part)) {
        for (const id of examsByKey.get(key) ?? []) {
          related.add(id);
        }
      }
    }
    return {
      examId: group.examId,
      facts,
      exam: {
        examId: group.examId,
        reason: strongestRemovalReason(removedParts.map((part) => part.reason)),
        parts: removedParts,
        relatedExamIds: [...related].sort(compareText),
        date: facts.date?.date ?? null,
        description: facts.description,
        modality: facts.modality,
        bodyRegion: facts.bodyRegion,
        purpose: facts.purpose.purpose,
        studyUid: facts.studyUid,
        accessionNumbers: facts.accessionNumbers,
      } satisfies RemovedExam,
    };
  });
  return removed.sort(byDateThenId).map((entry) => entry.exam);
}
