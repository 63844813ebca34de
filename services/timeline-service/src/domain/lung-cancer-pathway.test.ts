import { describe, expect, test } from 'vitest';
import { LungCancerPatient, lungCancerPathwayEvents, timelineFrom } from './timeline.fixtures.ts';

const timeline = timelineFrom(LungCancerPatient.key, lungCancerPathwayEvents());
const byId = (id: string) => timeline.exams.find((exam) => exam.examId === `ServiceRequest/${id}`);

describe('a lung cancer pathway from diagnosis to surveillance', () => {
  test('every exam is on the timeline once, in time order, with its purpose, modality and region', () => {
    expect(
      timeline.exams.map((e) => [
        e.examId.replace('ServiceRequest/lc-', ''),
        e.date?.slice(0, 10),
        e.purpose,
        e.modality,
        e.bodyRegion.join('+'),
      ]),
    ).toEqual([
      ['cxr-order', '2024-01-03', 'diagnosis', 'XR', 'CHEST'],
      ['ct-dx-order', '2024-01-10', 'diagnosis', 'CT', 'CHEST'],
      ['biopsy-order', '2024-01-17', 'guidance', 'CT', 'CHEST'],
      ['staging-ct-order', '2024-01-24', 'staging', 'CT', 'CHEST+ABDOMEN+PELVIS'],
      ['staging-pet-order', '2024-01-26', 'staging', 'PET', 'WHOLEBODY'],
      ['staging-mr-order', '2024-01-29', 'staging', 'MR', 'HEAD'],
      ['baseline-ct-order', '2024-02-05', 'baseline', 'CT', 'CHEST'],
      ['planning-ct-order', '2024-02-12', 'planning', 'CT', 'CHEST'],
      ['response1-ct-order', '2024-05-06', 'response', 'CT', 'CHEST'],
      ['response2-ct-order', '2024-08-05', 'response', 'CT', 'CHEST'],
      ['surveillance-ct-order', '2025-02-03', 'surveillance', 'CT', 'CHEST+ABDOMEN'],
      ['surveillance2-ct-order', '2025-08-04', 'surveillance', 'CT', 'CHEST'],
    ]);
  });

  test('each exam links its order, study and reports, by the rule its data allows', () => {
    const kinds = (id: string) =>
      byId(id)?.links.map((l) => `${l.link}:${l.evidence.map((e) => e.kind).join('+')}`);
    expect(kinds('lc-cxr-order')).toEqual(['order-study:accession', 'report-exam:imagingStudy-reference']);
    expect(kinds('lc-ct-dx-order')).toEqual(['order-study:accession', 'report-exam:study-uid']);
    expect(kinds('lc-biopsy-order')).toEqual(['order-study:basedOn', 'report-exam:report-basedOn-order']);
    expect(kinds('lc-staging-ct-order')).toEqual(['order-study:accession', 'report-exam:accession']);
    expect(timeline.unmatched).toEqual([]);
    expect(timeline.ambiguous).toEqual([]);
    expect(timeline.removed).toEqual([]);
  });

  test('the chest CT reported preliminary then final is final, with one report', () => {
    expect(byId('lc-ct-dx-order')).toMatchObject({
      status: 'final',
      reports: [{ id: 'lc-ct-dx-report', versionId: '2', status: 'final' }],
    });
  });

  test('the baseline is the CT ordered as baseline, and treatment starts with the planning CT', () => {
    expect(timeline.currentBaseline).toEqual({
      episodeId: 'Condition/lc-nsclc-1',
      line: 1,
      examId: 'ServiceRequest/lc-baseline-ct-order',
      date: '2024-02-05T14:00:00+01:00',
      rule: 'ordered-baseline',
    });
    expect(timeline.episodes[0]?.lines[0]?.treatmentStartExamId).toBe('ServiceRequest/lc-planning-ct-order');
  });

  test('the comparable CTs after the baseline are follow-ups with their days since baseline', () => {
    expect(
      timeline.exams.filter((e) => e.role === 'follow-up').map((e) => [e.examId, e.daysSinceBaseline]),
    ).toEqual([
      ['ServiceRequest/lc-response1-ct-order', 91],
      ['ServiceRequest/lc-response2-ct-order', 182],
      ['ServiceRequest/lc-surveillance-ct-order', 364],
    ]);
  });

  test('the planning CT is labelled planning and does not wait for a report', () => {
    expect(byId('lc-planning-ct-order')).toMatchObject({
      role: 'planning',
      planning: true,
      diagnostic: false,
      status: 'performed',
    });
    expect(timeline.pending).toEqual({
      ordered: ['ServiceRequest/lc-surveillance2-ct-order'],
      unreported: [],
    });
  });

  test('the timeline is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(timeline))).toEqual(timeline);
  });
});
