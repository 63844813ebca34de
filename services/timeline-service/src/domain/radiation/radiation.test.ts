import type { DiagnosticReport, ImagingStudy } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import {
  LungCancerPatient,
  ResponsePatient,
  doseObservation,
  imagingReport,
  lungCancerPathwayEvents,
  personaPatient,
  responsePathwayEvents,
  timelineFrom,
  withContained,
} from '../timeline.fixtures.ts';
import type { ModalityFamily } from '../exam/modality.ts';
import { ionizingOf } from './ionizing.ts';
import { examDose } from './radiation-dose.ts';
import { summarizeRadiation } from './radiation-summary.ts';

const patient = personaPatient('RD-0001');
// Asymmetric matchers are typed `any`; say what they stand for.
const matching = (pattern: RegExp | string): string =>
  (typeof pattern === 'string' ? expect.stringContaining(pattern) : expect.stringMatching(pattern)) as string;

function report(
  id: string,
  contained: Parameters<typeof withContained>[1],
  status: DiagnosticReport['status'] = 'final',
) {
  return {
    ref: `DiagnosticReport/${id}`,
    resource: withContained(
      imagingReport({
        id,
        patient,
        status,
        code: { text: 'CT' },
        effective: '2024-01-01',
        issued: '2024-01-01',
      }),
      contained,
    ),
  };
}

describe('which exams are ionizing', () => {
  test.each([
    ...['CT', 'CR', 'DX', 'MG', 'XA', 'RF', 'PT', 'NM'].map((code) => ({
      codes: [code],
      family: null,
      ionizing: true,
    })),
    { codes: ['MR'], family: null, ionizing: false },
    { codes: ['US'], family: null, ionizing: false },
    { codes: ['CT', 'PT'], family: null, ionizing: true },
    { codes: ['MR', 'PT'], family: null, ionizing: true },
    { codes: ['CT', 'RTSTRUCT'], family: null, ionizing: true },
    { codes: ['SR'], family: 'CT' as ModalityFamily, ionizing: true },
    { codes: [], family: 'PET' as ModalityFamily, ionizing: true },
    { codes: [], family: 'XR' as ModalityFamily, ionizing: true },
    { codes: [], family: 'MR' as ModalityFamily, ionizing: false },
    { codes: [], family: 'US' as ModalityFamily, ionizing: false },
    { codes: ['KO'], family: null, ionizing: null },
  ])('modalities $codes (family $family) → $ionizing', ({ codes, family, ionizing }) => {
    expect(ionizingOf(codes, family).ionizing).toBe(ionizing);
  });
});

describe('reading doses', () => {
  test('a DLP total wins over per-event DLPs; the effective dose is summed over its Observations', () => {
    const dose = examDose({
      study: null,
      reports: [
        report('r1', [
          doseObservation('e1', 'dlp', 300),
          doseObservation('e2', 'dlp', 320),
          doseObservation('t', 'dlp-total', 625.5),
          doseObservation('d1', 'effective-dose', 4.1),
          doseObservation('d2', 'effective-dose', 4200, 'uSv'),
        ]),
      ],
    });
    expect(dose).toEqual({
      dlpMgyCm: 625.5,
      effectiveDoseMsv: 8.3,
      sources: ['DiagnosticReport/r1#t', 'DiagnosticReport/r1#d1', 'DiagnosticReport/r1#d2'],
      notRead: [],
    });
  });

  test('per-event DLPs are summed when there is no total', () => {
    const dose = examDose({
      study: null,
      reports: [
        report('r1', [doseObservation('e1', 'dlp', 300), doseObservation('e2', 'dlp', 0.32, 'Gy.cm')]),
      ],
    });
    expect(dose.dlpMgyCm).toBe(620);
  });

  test('a dose given as a component, as the HL7 Radiation Dose Summary writes it, is read', () => {
    const summary = report('r1', []);
    summary.resource.contained = [
      {
        resourceType: 'Observation',
        id: 'rds',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '73569-6' }] },
        component: [
          {
            code: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '113813' }] },
            valueQuantity: {
              value: 203.12,
              unit: 'mGy.cm',
              system: 'http://unitsofmeasure.org',
              code: 'mGy.cm',
            },
          },
        ],
      },
    ];
    expect(examDose({ study: null, reports: [summary] }).dlpMgyCm).toBe(203.12);
  });

  test('the final report is read before the preliminary one, so a dose is not counted twice', () => {
    const dose = examDose({
      study: null,
      reports: [
        report('prelim', [doseObservation('t', 'dlp-total', 500)], 'preliminary'),
        report('final', [doseObservation('t', 'dlp-total', 510)]),
      ],
    });
    expect(dose).toMatchObject({ dlpMgyCm: 510, sources: ['DiagnosticReport/final#t'] });
  });

  test('a dose contained in the study is read when no report gives one', () => {
    const study: ImagingStudy = {
      resourceType: 'ImagingStudy',
      id: 's1',
      status: 'available',
      subject: { reference: 'Patient/p' },
      contained: [doseObservation('dose', 'effective-dose', 7)],
    };
    expect(examDose({ study: { ref: 'ImagingStudy/s1', resource: study }, reports: [] })).toMatchObject({
      effectiveDoseMsv: 7,
      sources: ['ImagingStudy/s1#dose'],
    });
  });

  test('a dose in an unknown unit is not read, and says why', () => {
    const dose = examDose({
      study: null,
      reports: [report('r1', [doseObservation('x', 'effective-dose', 3, 'rem')])],
    });
    expect(dose).toMatchObject({
      effectiveDoseMsv: null,
      notRead: [{ source: 'DiagnosticReport/r1#x', reason: matching(/"rem" is not mSv/) }],
    });
  });
});

describe('the radiation summary of a timeline', () => {
  test('the response pathway counts five CTs as ionizing, the MR as not, and sums the doses given', () => {
    const { radiation } = timelineFrom(ResponsePatient.key, responsePathwayEvents());
    expect(radiation).toMatchObject({
      ionizingExamCount: 5,
      nonIonizingExamCount: 1,
      unknownExamCount: 0,
      totalDlpMgyCm: 1220,
      totalEffectiveDoseMsv: 18.3,
      examsWithDlpCount: 2,
      examsWithEffectiveDoseCount: 2,
    });
    expect(radiation?.exams.find((e) => e.examId === 'ServiceRequest/rp-liver-mr-order')).toMatchObject({
      ionizing: false,
      basis: 'modality-codes',
    });
  });

  test('the lung cancer pathway: X-ray, CTs (planning and biopsy guidance included) and PET-CT are ionizing, the brain MR is not, the order not yet done is not counted', () => {
    const { radiation } = timelineFrom(LungCancerPatient.key, lungCancerPathwayEvents());
    expect(radiation).toMatchObject({
      ionizingExamCount: 10,
      nonIonizingExamCount: 1,
      unknownExamCount: 0,
      totalDlpMgyCm: null,
      totalEffectiveDoseMsv: null,
    });
    expect(radiation?.exams.find((e) => e.examId === 'ServiceRequest/lc-surveillance2-ct-order')).toEqual({
      examId: 'ServiceRequest/lc-surveillance2-ct-order',
      ionizing: true,
      basis: 'modality-family',
      counted: false,
      dlpMgyCm: null,
      effectiveDoseMsv: null,
      doseSources: [],
    });
  });

  test('an exam of unknown modality is counted as unknown', () => {
    expect(
      summarizeRadiation([
        { examId: 'e1', status: 'final', modality: null, modalityCodes: [], study: null, reports: [] },
      ]),
    ).toMatchObject({ ionizingExamCount: 0, nonIonizingExamCount: 0, unknownExamCount: 1 });
  });
});
