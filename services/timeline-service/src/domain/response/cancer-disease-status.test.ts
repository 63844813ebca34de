// The mCODE CancerDiseaseStatus rules (STU3/4, input/fsh/SD_DiseaseStatus.fsh and VS_Other.fsh of
// HL7/fhir-mCODE-ig), checked here because the mCODE package is in no registry these machines reach;
// HAPI checks the same resources against FHIR R4 (tests/fhir-validation).
import { describe, expect, test } from 'vitest';
import {
  CONDITION_STATUS_TREND,
  cancerDiseaseStatus,
  cancerDiseaseStatusId,
  subjectOfPatientKey,
} from './cancer-disease-status.ts';
import { diseaseStatusCases } from './cancer-disease-status.fixtures.ts';

/** mCODE ConditionStatusTrendVS: the only values the profile's preferred binding names. */
const CONDITION_STATUS_TREND_VS = new Set(['268910001', '359746009', '271299001', '709137006']);
/** mCODE CancerDiseaseStatusEvidenceTypeVS includes SNOMED CT 363679005 "Imaging" and what is-a it. */
const IMAGING_EVIDENCE = '363679005';
const PROFILE = 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-cancer-disease-status';

const cases = diseaseStatusCases();

describe('every derived response is an mCODE CancerDiseaseStatus', () => {
  test('the scenarios cover CR, PR, SD, PD, NE and the conclusion-code path', () => {
    const categories = new Set(cases.map((c) => /\b(CR|PR|SD|PD|NE|conclusion-code)$/.exec(c.name)?.[1]));
    expect([...categories].sort()).toEqual(['CR', 'NE', 'PD', 'PR', 'SD', 'conclusion-code']);
  });

  test.each(cases)('$name', ({ observation, patientKey, examId }) => {
    expect(observation.meta?.profile).toEqual([PROFILE]);
    // code = LNC#97509-4, fixed by the profile.
    expect(observation.code.coding).toEqual([
      { system: 'http://loinc.org', code: '97509-4', display: 'Cancer disease progression' },
    ]);
    // Software derived it: preliminary, and the note says a clinician has to confirm it.
    expect(observation.status).toBe('preliminary');
    expect(observation.note?.[0].text).toMatch(/^Derived by software; needs clinician confirmation\. \S/);
    // value[x] only CodeableConcept from ConditionStatusTrendVS (max value set: no 260415000).
    const value = observation.valueCodeableConcept?.coding ?? [];
    expect(value).toHaveLength(1);
    expect(value[0].system).toBe('http://snomed.info/sct');
    expect(CONDITION_STATUS_TREND_VS.has(value[0].code ?? '')).toBe(true);
    // subject 1..1, a patient.
    expect(observation.subject).toEqual(subjectOfPatientKey(patientKey));
    // focus only Reference(USCoreCondition | Tumor | RadiotherapyVolume), must-support, 0..*: the
    // episode's Condition when the orders name one, else none (the RECIST scenarios name none).
    if (observation.focus) {
      expect(observation.focus).toHaveLength(1);
      expect(observation.focus[0].reference ?? observation.focus[0].type).toMatch(/^Condition\b/);
    }
    // effective[x] only dateTime: the follow-up exam's date.
    expect(observation.effectiveDateTime).toMatch(/^\d{4}-\d{2}-\d{2}/);
    expect(observation.effectivePeriod).toBeUndefined();
    // Evidence: type imaging, derived from the study and the measurements, the report named.
    expect(observation.extension).toContainEqual({
      url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-cancer-disease-status-evidence-type',
      valueCodeableConcept: {
        coding: [
          { system: 'http://snomed.info/sct', code: IMAGING_EVIDENCE, display: 'Imaging (procedure)' },
        ],
      },
    });
    const report = observation.extension?.find(
      (e) => e.url === 'http://hl7.org/fhir/StructureDefinition/workflow-supportingInfo',
    );
    expect(report?.valueReference?.reference).toMatch(/^DiagnosticReport\//);
    expect(observation.derivedFrom?.[0].reference).toMatch(/^ImagingStudy\//);
    // Not used by the profile.
    for (const absent of ['component', 'hasMember', 'specimen', 'device', 'referenceRange'] as const) {
      expect(observation[absent]).toBeUndefined();
    }
    expect(observation.id).toBe(cancerDiseaseStatusId(patientKey, examId));
  });

  test('a RECIST response carries its category in the extension, its method, and the measurements it compared', () => {
    const pr = cases.find((c) => c.name.startsWith('twoTracks') && c.name.endsWith('PR'))?.observation;
    expect(pr?.extension).toContainEqual({
      url: 'https://oncoimg.example.org/fhir/StructureDefinition/recist-response',
      valueCodeableConcept: {
        coding: [{ system: 'https://oncoimg.example.org/fhir/CodeSystem/recist-response', code: 'PR' }],
      },
    });
    expect(pr?.method?.coding?.[0]).toMatchObject({ code: 'recist-1.1', display: 'RECIST 1.1' });
    expect(pr?.valueCodeableConcept?.coding?.[0].code).toBe('268910001');
    const measured = pr?.derivedFrom?.filter((d) => d.reference?.startsWith('#')) ?? [];
    expect(measured.length).toBeGreaterThanOrEqual(2);
    for (const reference of measured) {
      const contained = pr?.contained?.find((c) => `#${c.id ?? ''}` === reference.reference);
      expect(contained).toMatchObject({
        resourceType: 'Observation',
        code: { coding: [{ system: 'http://loinc.org', code: '21889-1' }] },
        valueQuantity: { unit: 'mm', system: 'http://unitsofmeasure.org', code: 'mm' },
      });
      expect(reference.display).toMatch(/^DiagnosticReport\/[^#]+#/);
    }
  });

  test.each([
    ['CR', '268910001'],
    ['SD', '359746009'],
    ['PD', '271299001'],
    ['NE', '709137006'],
  ])('RECIST %s states condition status trend %s', (category, code) => {
    const found = cases.find((c) => c.name.endsWith(` ${category}`))?.observation;
    expect(found?.valueCodeableConcept?.coding?.[0].code).toBe(code);
  });

  test('a conclusion-code response has no RECIST category, names its method, and focuses on the Condition', () => {
    const coded = cases.filter((c) => c.name.startsWith('conclusion'));
    expect(coded).toHaveLength(5);
    for (const { observation } of coded) {
      expect(observation.focus).toEqual([{ reference: 'Condition/c1' }]);
      expect(observation.extension?.some((e) => e.url.endsWith('/recist-response'))).toBe(false);
      expect(observation.method?.coding?.[0].code).toBe('conclusion-code');
      expect(observation.contained).toBeUndefined();
    }
  });

  test('"not detected" maps to "improved", since mCODE dropped 260415000 from the value set (FHIR-32837)', () => {
    expect(CONDITION_STATUS_TREND['not-detected'].code).toBe('268910001');
  });
});

describe('identity and fall-backs', () => {
  const base = {
    patientKey: 'urn:mrn|42',
    examId: 'ServiceRequest/o1',
    status: 'stable' as const,
    method: 'conclusion-code' as const,
    category: null,
    text: 'Reported: stable',
    reason: 'The report says so.',
    subject: undefined,
    episodeId: 'patient',
    effective: null,
    report: 'DiagnosticReport/r1',
    study: null,
    measurements: [],
  };

  test('the id is the same for the same patient and exam, and differs for another exam or patient', () => {
    const id = cancerDiseaseStatusId('urn:mrn|42', 'ServiceRequest/o1');
    expect(id).toMatch(/^cds-[0-9a-f]{32}$/);
    expect(cancerDiseaseStatusId('urn:mrn|42', 'ServiceRequest/o1')).toBe(id);
    expect(cancerDiseaseStatusId('urn:mrn|42', 'ServiceRequest/o2')).not.toBe(id);
    expect(cancerDiseaseStatusId('urn:mrn|43', 'ServiceRequest/o1')).not.toBe(id);
  });

  test('without a report subject the patient key is the subject; without a Condition there is no focus', () => {
    const observation = cancerDiseaseStatus(base);
    expect(observation.subject).toEqual({ type: 'Patient', identifier: { system: 'urn:mrn', value: '42' } });
    expect(cancerDiseaseStatus({ ...base, patientKey: 'Patient/p1' }).subject).toEqual({
      reference: 'Patient/p1',
    });
    // mCODE makes focus must-support, not required: nothing is better than a guess.
    expect(observation.focus).toBeUndefined();
    expect(observation.effectiveDateTime).toBeUndefined();
    expect(observation.derivedFrom).toBeUndefined();
  });

  test('a logical Condition reference becomes the focus by identifier', () => {
    const observation = cancerDiseaseStatus({ ...base, episodeId: 'Condition?identifier=urn:c|c-1' });
    expect(observation.focus).toEqual([{ type: 'Condition', identifier: { system: 'urn:c', value: 'c-1' } }]);
  });

  test('the narrative escapes what the text holds', () => {
    const observation = cancerDiseaseStatus({ ...base, text: 'a <b> & c' });
    expect(observation.text?.div).toContain('a &lt;b&gt; &amp; c');
  });
});
