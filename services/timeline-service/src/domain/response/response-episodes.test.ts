// Responses per episode and from reports without measurements; the RECIST-measured lines are in
// response-timeline.test.ts.
import type { DiagnosticReport, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import {
  LungCancerPatient,
  imagingOrder,
  imagingReport,
  imagingStudy,
  lungCancerPathwayEvents,
  personaEvents,
  personaPatient,
  timelineFrom,
  tumourSize,
  withConclusionCode,
  withContained,
  type PersonaPatient,
  type PurposeCode,
} from '../timeline.fixtures.ts';

// Asymmetric matchers are typed `any`; say what they stand for.

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
