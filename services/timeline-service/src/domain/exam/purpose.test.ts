import type { ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { examPurpose, isDiagnosticPurpose } from './purpose.ts';
import {
  IMAGING_PURPOSE_CODE_SYSTEM,
  IMAGING_PURPOSE_SYSTEM,
  IMAGING_PURPOSES,
} from './purpose-code-system.ts';
import {
  BiopsyGuidanceCtOrder,
  PERSONA_IMAGING_PURPOSE_SYSTEM,
  PlanningCtStudy,
  StagingCtCapOrder,
  StagingPetCtOrder,
  imagingOrder,
  imagingStudy,
  personaPatient,
} from '../timeline.fixtures.ts';

const patient = personaPatient('PU-0001');
const order = (options: Partial<Parameters<typeof imagingOrder>[0]> = {}): ServiceRequest =>
  imagingOrder({ id: 'o', patient, procedure: { text: 'CT Chest' }, authoredOn: '2024-01-01', ...options });
const study = (options: Partial<Parameters<typeof imagingStudy>[0]> = {}): ImagingStudy =>
  imagingStudy({
    id: 's',
    patient,
    uid: '2.25.1',
    started: '2024-01-02',
    series: [{ uid: '2.25.2', modality: 'CT' }],
    ...options,
  });

describe('the project CodeSystem', () => {
  test('has the eight purposes of the design brief, under the documented canonical URL', () => {
    expect(IMAGING_PURPOSE_SYSTEM).toBe('https://oncoimg.example.org/fhir/CodeSystem/imaging-purpose');
    expect(IMAGING_PURPOSE_CODE_SYSTEM.url).toBe(IMAGING_PURPOSE_SYSTEM);
    expect(IMAGING_PURPOSE_CODE_SYSTEM.concept?.map((c) => c.code)).toEqual([...IMAGING_PURPOSES]);
    expect(IMAGING_PURPOSES).toEqual([
      'screening',
      'diagnosis',
      'staging',
      'baseline',
      'planning',
      'response',
      'surveillance',
      'guidance',
    ]);
  });

  test('the test personas use the same system', () => {
    expect(PERSONA_IMAGING_PURPOSE_SYSTEM).toBe(IMAGING_PURPOSE_SYSTEM);
  });
});

describe('the purpose of an exam', () => {
  test('an explicit purpose code on the order wins over its words and a diagnostic study', () => {
    const explicit = order({ purpose: 'baseline', reason: 'Surveillance after surgery' });
    expect(examPurpose({ order: explicit, study: study() })).toEqual({
      purpose: 'baseline',
      source: 'order-code',
      evidence: 'ServiceRequest.category imaging-purpose#baseline',
    });
  });

  test('a study with an RT modality is planning even when the order is coded otherwise', () => {
    const explicit = order({ purpose: 'baseline', reason: 'Surveillance after surgery' });
    expect(examPurpose({ order: explicit, study: PlanningCtStudy })).toMatchObject({
      purpose: 'planning',
      source: 'study',
    });
  });

  test('the explicit code is also read from the order’s code and orderDetail', () => {
    const inCode: ServiceRequest = {
      ...order(),
      code: { coding: [{ system: IMAGING_PURPOSE_SYSTEM, code: 'response' }] },
    };
    expect(examPurpose({ order: inCode, study: null }).purpose).toBe('response');
    const inDetail: ServiceRequest = {
      ...order(),
      orderDetail: [{ coding: [{ system: IMAGING_PURPOSE_SYSTEM, code: 'surveillance' }] }],
    };
    expect(examPurpose({ order: inDetail, study: null })).toMatchObject({
      purpose: 'surveillance',
      source: 'order-code',
    });
  });

  test('an unknown code of the purpose system is ignored', () => {
    const unknown: ServiceRequest = {
      ...order(),
      orderDetail: [{ coding: [{ system: IMAGING_PURPOSE_SYSTEM, code: 'curiosity' }] }],
    };
    expect(examPurpose({ order: unknown, study: null })).toMatchObject({
      purpose: 'diagnosis',
      source: 'default',
    });
  });

  test.each([
    ['Staging of non-small cell lung cancer', 'staging'],
    ['Check for metastatic disease', 'staging'],
    ['Surveillance after chemoradiotherapy', 'surveillance'],
    ['Follow-up, suspected recurrence', 'surveillance'],
    ['Response assessment after 3 cycles', 'response'],
    ['Restaging during chemotherapy', 'response'],
    ['Baseline before immunotherapy', 'baseline'],
    ['Radiotherapy planning', 'planning'],
    ['CT-guided biopsy of liver lesion', 'guidance'],
    ['Lung cancer screening, 30 pack-years', 'screening'],
    ['Suspected lung mass', 'diagnosis'],
  ] as const)('the reason "%s" gives purpose %s', (reason, purpose) => {
    expect(examPurpose({ order: order({ reason }), study: null })).toMatchObject({
      purpose,
      source: 'order-reason',
    });
  });

  test('a follow-up after a biopsy is not a guidance exam', () => {
    expect(examPurpose({ order: order({ reason: 'Follow-up post-biopsy' }), study: null }).purpose).toBe(
      'surveillance',
    );
  });

  test('a SNOMED reason code gives the purpose without words', () => {
    const coded = order({ reasonSnomed: { code: '254292007', display: 'Tumour staging' } });
    expect(examPurpose({ order: coded, study: null })).toEqual({
      purpose: 'staging',
      source: 'order-reason',
      evidence: 'ServiceRequest.reasonCode SNOMED 254292007',
    });
  });

  test('the order’s category text is read when the reason says nothing', () => {
    const categorized: ServiceRequest = { ...order(), category: [{ text: 'Oncology surveillance imaging' }] };
    expect(examPurpose({ order: categorized, study: null })).toMatchObject({
      purpose: 'surveillance',
      source: 'order-reason',
    });
  });

  test('a procedure that is by nature guidance is guidance, whatever the clinical reason', () => {
    expect(examPurpose({ order: BiopsyGuidanceCtOrder, study: null })).toEqual({
      purpose: 'guidance',
      source: 'order-procedure',
      evidence: 'ServiceRequest.code "guided"',
    });
  });

  test('a procedure name does not make an exam staging or follow-up: those come from the reason', () => {
    const named = order({ procedure: { text: 'CT Chest follow-up protocol' } });
    expect(examPurpose({ order: named, study: null })).toMatchObject({
      purpose: 'diagnosis',
      source: 'default',
    });
  });

  test('a study with an RT structure set is a planning scan even when the order says nothing', () => {
    expect(examPurpose({ order: order(), study: PlanningCtStudy })).toEqual({
      purpose: 'planning',
      source: 'study',
      evidence: 'ImagingStudy modality RTSTRUCT',
    });
  });

  test.each(['RTPLAN', 'RTDOSE', 'RTIMAGE'])('a study holding %s is a planning scan', (modality) => {
    const rt = study({
      series: [
        { uid: '2.25.3', modality: 'CT' },
        { uid: '2.25.4', modality },
      ],
    });
    expect(examPurpose({ order: null, study: rt }).purpose).toBe('planning');
  });

  test.each(['RT planning CT thorax', 'CT SIM pelvis', 'Planning 4DCT'])(
    'a study described "%s" is a planning scan',
    (description) => {
      expect(examPurpose({ order: null, study: study({ description }) })).toMatchObject({
        purpose: 'planning',
        source: 'study',
      });
    },
  );

  test('the order’s reason outranks the study’s description', () => {
    const described: ImagingStudy = { ...study(), description: 'CT simulation' };
    expect(examPurpose({ order: order({ reason: 'Staging' }), study: described }).purpose).toBe('staging');
  });

  test('an RT study ordered for “metastatic NSCLC, palliative thoracic RT” is planning, not staging', () => {
    const ordered = order({ reason: 'Metastatic NSCLC, palliative thoracic RT' });
    expect(examPurpose({ order: ordered, study: PlanningCtStudy })).toMatchObject({
      purpose: 'planning',
      source: 'study',
    });
  });

  test('without any clue the purpose is diagnosis', () => {
    expect(examPurpose({ order: null, study: study() })).toEqual({
      purpose: 'diagnosis',
      source: 'default',
      evidence: null,
    });
    expect(examPurpose({ order: null, study: null }).purpose).toBe('diagnosis');
  });

  test('the pathway personas carry the purposes they are named for', () => {
    expect(examPurpose({ order: StagingCtCapOrder, study: null }).purpose).toBe('staging');
    expect(examPurpose({ order: StagingPetCtOrder, study: null }).purpose).toBe('staging');
  });

  test('planning and guidance are the only non-diagnostic purposes', () => {
    expect(IMAGING_PURPOSES.filter((p) => !isDiagnosticPurpose(p))).toEqual(['planning', 'guidance']);
  });
});
