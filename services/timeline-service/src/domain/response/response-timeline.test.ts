import { describe, expect, test } from 'vitest';
import { ResponsePatient, responsePathwayEvents, timelineFrom } from '../timeline.fixtures.ts';
import type { TimelineExam } from '../timeline.types.ts';
import { DERIVED_RESPONSE_LABEL } from './response.types.ts';

// Asymmetric matchers are typed `any`; say what they stand for.
const matching = (pattern: RegExp | string): string =>
  (typeof pattern === 'string' ? expect.stringContaining(pattern) : expect.stringMatching(pattern)) as string;

const summary = (exam: TimelineExam | undefined) =>
  exam?.response && {
    kind: exam.response.kind,
    method: exam.response.method,
    category: exam.response.category,
    words: exam.response.words,
    sum: exam.response.sumOfDiametersMm,
    fromBaseline: exam.response.percentFromBaseline,
    fromNadir: exam.response.percentFromNadir,
    nadir: exam.response.nadirSumMm,
    line: exam.response.treatmentLine,
  };

describe('responses on a timeline measured by RECIST over two lines of treatment', () => {
  const timeline = timelineFrom(ResponsePatient.key, responsePathwayEvents());
  const exam = (key: string) => timeline.exams.find((e) => e.examId === `ServiceRequest/rp-${key}-order`);

  test('the baseline shows its sum; the follow-ups go PR, then PD against the nadir', () => {
    expect(summary(exam('baseline1'))).toEqual({
      kind: 'baseline',
      method: 'recist-1.1',
      category: null,
      words: 'not assessed',
      sum: 80,
      fromBaseline: null,
      fromNadir: null,
      nadir: 80,
      line: 1,
    });
    expect(summary(exam('response1'))).toEqual({
      kind: 'follow-up',
      method: 'recist-1.1',
      category: 'PR',
      words: 'shrunk',
      sum: 52,
      fromBaseline: -35,
      fromNadir: -35,
      nadir: 80,
      line: 1,
    });
    expect(summary(exam('response2'))).toEqual({
      kind: 'follow-up',
      method: 'recist-1.1',
      category: 'PD',
      words: 'grown',
      sum: 64,
      fromBaseline: -20,
      fromNadir: 23.1,
      nadir: 52,
      line: 1,
    });
  });

  test('a new baseline (second line) resets the sums and the nadir; its 14 mm node is a non-target, so 50 mm is stable against 52', () => {
    // RECIST 1.1: a node of 10–15 mm short axis is a non-target, so line 2's sum is 34 + 18 mm.
    expect(summary(exam('baseline2'))).toMatchObject({ kind: 'baseline', sum: 52, line: 2 });
    expect(summary(exam('response3'))).toEqual({
      kind: 'follow-up',
      method: 'recist-1.1',
      category: 'SD',
      words: 'stable',
      sum: 50,
      fromBaseline: -3.8,
      fromNadir: -3.8,
      nadir: 52,
      line: 2,
    });
    expect(exam('response3')?.response?.nadirExamId).toBe(exam('baseline2')?.examId);
    expect(exam('baseline2')?.response?.evidence.nonTargets.map((n) => [n.lesionId, n.baselineMm])).toEqual([
      ['tracking-id:T3 porta hepatis node', 14],
    ]);
  });

  test('the liver lesion reported in cm is followed by its tracking UID in mm, the node by its short axis', () => {
    const lesions = exam('response1')?.response?.evidence.lesions;
    expect(
      lesions?.map((l) => [l.lesionId, l.baselineMm, l.currentMm, l.diameterKind, l.currentSource]),
    ).toEqual([
      [
        'tracking-uid:2.25.700700700700700700700700700700001',
        42,
        26,
        'longest-diameter',
        'DiagnosticReport/rp-response1-report#response1-liver',
      ],
      [
        'tracking-id:T2 lung nodule',
        20,
        14,
        'longest-diameter',
        'DiagnosticReport/rp-response1-report#response1-lung',
      ],
      [
        'tracking-id:T3 porta hepatis node',
        18,
        12,
        'short-axis',
        'DiagnosticReport/rp-response1-report#response1-node',
      ],
    ]);
  });

  test('each follow-up carries an mCODE CancerDiseaseStatus, preliminary, labelled as derived', () => {
    const response = exam('response2')?.response;
    expect(response?.label).toBe(DERIVED_RESPONSE_LABEL);
    expect(response?.diseaseStatusObservation).toMatchObject({
      resourceType: 'Observation',
      meta: { profile: ['http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-cancer-disease-status'] },
      status: 'preliminary',
      code: { coding: [{ system: 'http://loinc.org', code: '97509-4' }] },
      subject: { type: 'Patient', identifier: { value: 'RP-0001' } },
      focus: [{ reference: 'Condition/rp-crc-1' }],
      effectiveDateTime: '2024-08-19T10:00:00+02:00',
      valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '271299001' }] },
      note: [{ text: matching(/^Derived by software; needs clinician confirmation\. PD: /) }],
    });
    expect(exam('baseline1')?.response?.diseaseStatusObservation).toBeNull();
  });

  test('the MR of the liver is not a follow-up of the CTs and gets no response', () => {
    const mr = timeline.exams.find((e) => e.examId === 'ServiceRequest/rp-liver-mr-order');
    expect(mr?.role).toBe('other');
    expect(mr?.response).toBeUndefined();
  });

  test('the timeline with responses is still plain JSON', () => {
    expect(JSON.parse(JSON.stringify(timeline))).toEqual(timeline);
  });
});
