import type { DiagnosticReport, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import {
  LungCancerPatient,
  ResponsePatient,
  imagingOrder,
  imagingReport,
  imagingStudy,
  lungCancerPathwayEvents,
  personaEvents,
  personaPatient,
  responsePathwayEvents,
  timelineFrom,
  tumourSize,
  withConclusionCode,
  withContained,
  type PersonaPatient,
  type PurposeCode,
} from '../timeline.fixtures.ts';
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

  test('each follow-up carries a draft mCODE CancerDiseaseStatus, preliminary, labelled as derived', () => {
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
      derivedFrom: [{ reference: 'DiagnosticReport/rp-response2-report' }],
      note: [{ text: matching(/^derived — needs clinician confirmation\. PD: /) }],
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

// Digits for a DICOM UID, unique per exam key.
const digits = (key: string): string => Array.from(key, (c) => String(c.charCodeAt(0))).join('');

// One chest CT exam (order, study, report) built from the persona builders.
function chestCt(
  patient: PersonaPatient,
  key: string,
  options: {
    date: string;
    purpose: PurposeCode;
    condition: string;
    lesionMm?: number[];
    conclusion?: { code: string; display: string };
  },
): (ServiceRequest | ImagingStudy | DiagnosticReport)[] {
  const accession = `ACC-${key}`;
  const order = imagingOrder({
    id: `${key}-order`,
    patient,
    procedure: { text: 'CT Chest' },
    authoredOn: options.date,
    accession,
    purpose: options.purpose,
    condition: options.condition,
  });
  const study = imagingStudy({
    id: `${key}-study`,
    patient,
    uid: `2.25.1${digits(key)}`,
    started: options.date,
    accession,
    series: [{ uid: `2.25.2${digits(key)}`, modality: 'CT', bodyPart: { display: 'CHEST' } }],
  });
  let report = imagingReport({
    id: `${key}-report`,
    patient,
    status: 'final',
    code: { text: 'CT Chest' },
    effective: options.date,
    issued: options.date,
    imagingStudy: { study: `${key}-study` },
  });
  if (options.lesionMm) {
    report = withContained(
      report,
      options.lesionMm.flatMap((mm, index) =>
        tumourSize({
          id: `${key}-m${String(index)}`,
          patient,
          lesion: { trackingId: `${options.condition}-T${String(index)}`, onObservation: true },
          longest: { value: mm, unit: 'mm' },
        }),
      ),
    );
  }
  if (options.conclusion) {
    report = withConclusionCode(report, options.conclusion.code, options.conclusion.display);
  }
  return [order, study, report];
}

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
    { code: '268910001', display: 'improved', words: 'shrunk', status: 'improved' },
    { code: '359746009', display: 'stable', words: 'stable', status: 'stable' },
    { code: '271299001', display: 'worse', words: 'grown', status: 'worse' },
    { code: '709137006', display: 'undetermined', words: 'not assessed', status: 'undetermined' },
    { code: '260415000', display: 'not detected', words: 'gone', status: 'not-detected' },
  ])(
    'without measurements, a conclusion code $code ($display) is read as "$words"',
    ({ code, display, words, status }) => {
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
        diseaseStatusObservation: { status: 'preliminary', valueCodeableConcept: { coding: [{ code }] } },
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
