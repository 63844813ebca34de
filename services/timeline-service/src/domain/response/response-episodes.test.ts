// Responses per episode and from reports without measurements; the RECIST-measured lines are in
// response-timeline.test.ts.
import { describe, expect, test } from 'vitest';
import {
  LungCancerPatient,
  lungCancerPathwayEvents,
  personaEvents,
  personaPatient,
  timelineFrom,
} from '../timeline.fixtures.ts';
import { chestCt } from './cancer-disease-status.fixtures.ts';

// Asymmetric matchers are typed `any`; say what they stand for.

describe('responses per episode and without measurements', () => {
  test('two episodes are each measured against their own baseline', () => {
    const patient = personaPatient('TE-0001');
    const resources = [
      ...chestCt(patient, 'a-base', {
        date: '2024-01-10',
        purpose: 'baseline',
        condition: 'lung',
        lesionMm: [40],
      }),
      ...chestCt(patient, 'b-base', {
        date: '2024-01-20',
        purpose: 'baseline',
        condition: 'lymphoma',
        lesionMm: [30],
      }),
      ...chestCt(patient, 'a-fu', {
        date: '2024-04-10',
        purpose: 'response',
        condition: 'lung',
        lesionMm: [20],
      }),
      ...chestCt(patient, 'b-fu', {
        date: '2024-04-20',
        purpose: 'response',
        condition: 'lymphoma',
        lesionMm: [40],
      }),
    ];
    const timeline = timelineFrom(patient.key, personaEvents(resources, patient.key));
    const get = (key: string) =>
      timeline.exams.find((e) => e.examId === `ServiceRequest/${key}-order`)?.response;
    expect(get('a-fu')).toMatchObject({
      baselineExamId: 'ServiceRequest/a-base-order',
      category: 'PR',
      sumOfDiametersMm: 20,
      percentFromBaseline: -50,
    });
    expect(get('b-fu')).toMatchObject({
      baselineExamId: 'ServiceRequest/b-base-order',
      category: 'PD',
      sumOfDiametersMm: 40,
      percentFromNadir: 33.3,
    });
  });

  test.each([
    { code: '268910001', display: 'improved', words: 'shrunk', status: 'improved', value: '268910001' },
    { code: '359746009', display: 'stable', words: 'stable', status: 'stable', value: '359746009' },
    { code: '271299001', display: 'worse', words: 'grown', status: 'worse', value: '271299001' },
    {
      code: '709137006',
      display: 'undetermined',
      words: 'not assessed',
      status: 'undetermined',
      value: '709137006',
    },
    // mCODE's ConditionStatusTrendVS no longer has "not detected": the Observation says improved.
    { code: '260415000', display: 'not detected', words: 'gone', status: 'not-detected', value: '268910001' },
  ])(
    'without measurements, a conclusion code $code ($display) is read as "$words"',
    ({ code, display, words, status, value }) => {
      const patient = personaPatient('TC-0001');
      const resources = [
        ...chestCt(patient, 'base', { date: '2024-01-10', purpose: 'baseline', condition: 'c1' }),
        ...chestCt(patient, 'fu', {
          date: '2024-04-10',
          purpose: 'response',
          condition: 'c1',
          conclusion: { code, display },
        }),
      ];
      const timeline = timelineFrom(patient.key, personaEvents(resources, patient.key));
      const response = timeline.exams.find((e) => e.examId === 'ServiceRequest/fu-order')?.response;
      expect(response).toMatchObject({
        method: 'conclusion-code',
        category: null,
        words,
        diseaseStatus: status,
        evidence: { conclusionCode: { system: 'http://snomed.info/sct', code } },
        diseaseStatusObservation: {
          status: 'preliminary',
          valueCodeableConcept: { coding: [{ code: value }] },
        },
      });
    },
  );

  test('a diagnosis in the conclusion code is not a response: not assessed', () => {
    const patient = personaPatient('TC-0002');
    const resources = [
      ...chestCt(patient, 'base', { date: '2024-01-10', purpose: 'baseline', condition: 'c1' }),
      ...chestCt(patient, 'fu', {
        date: '2024-04-10',
        purpose: 'response',
        condition: 'c1',
        conclusion: { code: '254637007', display: 'Non-small cell lung cancer' },
      }),
    ];
    const timeline = timelineFrom(patient.key, personaEvents(resources, patient.key));
    expect(timeline.exams.find((e) => e.examId === 'ServiceRequest/fu-order')?.response).toMatchObject({
      method: 'none',
      category: null,
      words: 'not assessed',
      diseaseStatusObservation: null,
    });
  });

  test('measurements win over the conclusion code when the baseline is measured too', () => {
    const patient = personaPatient('TC-0003');
    const resources = [
      ...chestCt(patient, 'base', {
        date: '2024-01-10',
        purpose: 'baseline',
        condition: 'c1',
        lesionMm: [50],
      }),
      ...chestCt(patient, 'fu', {
        date: '2024-04-10',
        purpose: 'response',
        condition: 'c1',
        lesionMm: [52],
        conclusion: { code: '268910001', display: 'improved' },
      }),
    ];
    const timeline = timelineFrom(patient.key, personaEvents(resources, patient.key));
    expect(timeline.exams.find((e) => e.examId === 'ServiceRequest/fu-order')?.response).toMatchObject({
      method: 'recist-1.1',
      category: 'SD',
    });
  });

  test('the lung cancer pathway (reports in words only) has baselines and follow-ups that are not assessed', () => {
    const timeline = timelineFrom(LungCancerPatient.key, lungCancerPathwayEvents());
    expect(
      timeline.exams.filter((e) => e.response).map((e) => [e.examId, e.response?.kind, e.response?.words]),
    ).toEqual([
      ['ServiceRequest/lc-baseline-ct-order', 'baseline', 'not assessed'],
      ['ServiceRequest/lc-response1-ct-order', 'follow-up', 'not assessed'],
      ['ServiceRequest/lc-response2-ct-order', 'follow-up', 'not assessed'],
      ['ServiceRequest/lc-surveillance-ct-order', 'follow-up', 'not assessed'],
    ]);
  });
});
