import type { DiagnosticReport, Observation } from '@medplum/fhirtypes';
import { describeWithFixtures } from '@oncoimg/testing';
import { describe, expect, test } from 'vitest';
import {
  PERSONA_TUMOUR_ASSESSMENT_SYSTEM,
  imagingReport,
  mcodeTumorSizeNeither,
  mcodeTumorSizeSpecimenOnly,
  newLesionStatement,
  personaPatient,
  tumourSize,
  withContained,
} from '../timeline.fixtures.ts';
import { readReportFindings } from './report-findings.ts';
import { TUMOUR_ASSESSMENT_SYSTEM } from './response-codes.ts';
import { readTumourMeasurement, type MeasurementReading } from './tumour-measurement.ts';

const patient = personaPatient('TM-0001');
// Asymmetric matchers are typed `any`; say what they stand for.
const matching = (pattern: RegExp | string): string =>
  (typeof pattern === 'string' ? expect.stringContaining(pattern) : expect.stringMatching(pattern)) as string;

function report(contained: Parameters<typeof withContained>[1]): DiagnosticReport {
  return withContained(
    imagingReport({
      id: 'r1',
      patient,
      status: 'final',
      code: { text: 'CT Chest' },
      effective: '2024-01-01',
      issued: '2024-01-01',
    }),
    contained,
  );
}

function measurementOf(reading: MeasurementReading) {
  if (reading.kind !== 'measurement') {
    throw new Error(`expected a measurement, got ${JSON.stringify(reading)}`);
  }
  return reading.measurement;
}

function only(contained: Parameters<typeof withContained>[1]) {
  const findings = readReportFindings('DiagnosticReport/r1', report(contained));
  expect(findings.notRead).toEqual([]);
  expect(findings.measurements).toHaveLength(1);
  return findings.measurements[0];
}

describe('reading tumour measurements', () => {
  test('the project code system in the personas is the one the timeline reads', () => {
    expect(PERSONA_TUMOUR_ASSESSMENT_SYSTEM).toBe(TUMOUR_ASSESSMENT_SYSTEM);
  });

  test.each([
    { name: 'mm stays mm', longest: { value: 23.5, unit: 'mm' as const }, expected: 23.5 },
    { name: 'cm becomes mm', longest: { value: 4.2, unit: 'cm' as const }, expected: 42 },
    {
      name: 'cm with float noise is rounded to 0.01 mm',
      longest: { value: 0.7, unit: 'cm' as const },
      expected: 7,
    },
  ])('a LOINC 21889-1 value: $name', ({ longest, expected }) => {
    const m = only(tumourSize({ id: 'm1', patient, lesion: { trackingId: 'T1' }, longest }));
    expect(m).toMatchObject({
      diameterMm: expected,
      longestDiameterMm: expected,
      diameterKind: 'longest-diameter',
    });
  });

  test('an mCODE TumorSize in cm gives its longest dimension component in mm', () => {
    const m = only(
      tumourSize({
        id: 'm1',
        patient,
        lesion: { trackingId: 'T1' },
        longest: { value: 3.4, unit: 'cm' },
        shape: 'mcode',
      }),
    );
    expect(m.diameterMm).toBe(34);
  });

  test('a lymph node counts by its short axis', () => {
    const m = only(
      tumourSize({
        id: 'n1',
        patient,
        lesion: { trackingId: 'N1', onObservation: true },
        longest: { value: 25, unit: 'mm' },
        shortAxis: { value: 1.6, unit: 'cm' },
        node: true,
      }),
    );
    expect(m).toMatchObject({
      node: true,
      nodeEvidence: `${TUMOUR_ASSESSMENT_SYSTEM}#lymph-node`,
      longestDiameterMm: null,
      shortAxisMm: 16,
      diameterMm: 16,
      diameterKind: 'short-axis',
    });
  });

  test('a body site that is a lymph node (SNOMED CT 59441001) marks a node; its value is read as the short axis', () => {
    const m = only(
      tumourSize({
        id: 'n1',
        patient,
        lesion: { bodySite: { snomed: '59441001', display: 'Structure of lymph node' } },
        longest: { value: 12, unit: 'mm' },
      }),
    );
    expect(m).toMatchObject({ node: true, shortAxisMm: 12, diameterKind: 'short-axis' });
  });

  test.each([
    {
      name: 'a tracking UID on the focus BodyStructure',
      lesion: { trackingUid: '2.25.1', trackingId: 'T1' },
      lesionId: 'tracking-uid:2.25.1',
      keys: ['tracking-uid', 'tracking-id'],
    },
    {
      name: 'a tracking identifier on the Observation',
      lesion: { trackingId: 'T1', onObservation: true },
      lesionId: 'tracking-id:T1',
      keys: ['tracking-id'],
    },
    {
      name: 'a body site with laterality',
      lesion: { bodySite: { snomed: '39607008', display: 'Lung structure', laterality: 'left' as const } },
      lesionId: 'body-site:http://snomed.info/sct|39607008|7771000',
      keys: ['body-site'],
    },
  ])('the lesion is identified by $name', ({ lesion, lesionId, keys }) => {
    const m = only(tumourSize({ id: 'm1', patient, lesion, longest: { value: 10, unit: 'mm' } }));
    expect(m.lesion?.lesionId).toBe(lesionId);
    expect(m.lesion?.keys.map((k) => k.source)).toEqual(keys);
  });

  test('a focus that names a BodyStructure by identifier identifies the lesion', () => {
    const observation: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '21889-1' }] },
      focus: [
        {
          type: 'BodyStructure',
          identifier: { system: 'http://radiology.hospital.example.org', value: 'Tumor 1234' },
        },
      ],
      valueQuantity: { value: 12, unit: 'mm', system: 'http://unitsofmeasure.org', code: 'mm' },
    };
    const m = measurementOf(readTumourMeasurement(observation, { source: 'x' }));
    expect(m.lesion?.lesionId).toBe(
      'body-structure-identifier:http://radiology.hospital.example.org|Tumor 1234',
    );
  });

  test.each([
    {
      name: 'an inch',
      quantity: { value: 1, unit: 'in', system: 'http://unitsofmeasure.org', code: '[in_i]' },
      reason: /not mm or cm/,
    },
    { name: 'a negative size', quantity: { value: -3, unit: 'mm' }, reason: /negative/ },
    { name: 'a bound', quantity: { value: 5, unit: 'mm', comparator: '<' as const }, reason: /a bound/ },
    { name: 'two metres', quantity: { value: 200, unit: 'cm' }, reason: /not a plausible size/ },
    { name: 'no number', quantity: { unit: 'mm' }, reason: /no numeric value/ },
  ])('$name is rejected with its reason', ({ quantity, reason }) => {
    const observation: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '21889-1' }] },
      valueQuantity: quantity,
    };
    const reading = readTumourMeasurement(observation, { source: 'DiagnosticReport/r1#m1' });
    expect(reading).toEqual({
      kind: 'rejected',
      source: 'DiagnosticReport/r1#m1',
      reason: matching(reason),
    });
  });

  test('an entered-in-error measurement is rejected', () => {
    const [observation] = tumourSize({
      id: 'm1',
      patient,
      lesion: { trackingId: 'T1' },
      longest: { value: 1, unit: 'cm' },
      status: 'entered-in-error',
    });
    expect(readTumourMeasurement(observation as Observation, { source: 's' })).toMatchObject({
      kind: 'rejected',
      reason: matching(/entered-in-error/),
    });
  });

  test('an Observation of another kind is not a measurement', () => {
    expect(readTumourMeasurement(newLesionStatement('n1'), { source: 's' })).toEqual({
      kind: 'not-a-measurement',
    });
  });
});

describeWithFixtures('the mCODE TumorSize examples, read in place', () => {
  test('a valid TumorSize (measured on a specimen) gives a measurement in mm', () => {
    const m = measurementOf(
      readTumourMeasurement(mcodeTumorSizeSpecimenOnly(), { source: 'Observation/tumor-size-pathology' }),
    );
    expect(m).toMatchObject({
      longestDiameterMm: 12,
      otherDimensionsMm: [5],
      diameterMm: 12,
      node: false,
      // A specimen is not a lesion that imaging can follow.
      lesion: null,
    });
  });

  test('a TumorSize with neither focus nor specimen is rejected, saying why', () => {
    expect(
      readTumourMeasurement(mcodeTumorSizeNeither(), { source: 'Observation/tumor-size-pathology' }),
    ).toEqual({
      kind: 'rejected',
      source: 'Observation/tumor-size-pathology',
      reason: matching('must-have-focus-or-specimen'),
    });
  });
});

describe('reading a report', () => {
  test('Observations the report contains are read whether or not result references them', () => {
    const [observation] = tumourSize({
      id: 'm2',
      patient,
      lesion: { trackingId: 'T2' },
      longest: { value: 9, unit: 'mm' },
    });
    const base = report(
      tumourSize({ id: 'm1', patient, lesion: { trackingId: 'T1' }, longest: { value: 10, unit: 'mm' } }),
    );
    const findings = readReportFindings('DiagnosticReport/r1', {
      ...base,
      contained: [...(base.contained ?? []), observation],
    });
    expect(findings.measurements.map((m) => [m.source, m.diameterMm])).toEqual([
      ['DiagnosticReport/r1#m1', 10],
      ['DiagnosticReport/r1#m2', 9],
    ]);
  });

  test('a result that points to a standalone Observation is listed as not read', () => {
    const findings = readReportFindings('DiagnosticReport/r1', {
      ...report([]),
      result: [{ reference: 'Observation/123' }, { reference: '#nowhere' }],
    });
    expect(findings.notRead).toEqual([
      { source: 'Observation/123', reason: matching(/standalone Observation/) },
      { source: 'DiagnosticReport/r1#nowhere', reason: 'no contained resource has this id' },
    ]);
  });

  test('a new-lesion statement is a new lesion; valueBoolean false says there is none', () => {
    const yes = readReportFindings('DiagnosticReport/r1', report([newLesionStatement('n1')]));
    const no = readReportFindings('DiagnosticReport/r1', report([newLesionStatement('n1', false)]));
    expect(yes.newLesions).toEqual([{ source: 'DiagnosticReport/r1#n1', lesionId: null, display: null }]);
    expect(no).toMatchObject({ newLesions: [], statesNoNewLesion: true });
  });
});
