import { describe, expect, it } from 'vitest';
import { patientRef } from './identifiers.ts';
import { imagingOrder } from './imaging-order.ts';
import { imagingReport, nextVersion } from './imaging-report.ts';
import { imagingStudy } from './imaging-study.ts';

const patient = patientRef('https://example.org/mrn', 'P-1', 'Ada Lovelace');

describe('FHIR builders', () => {
  it('a resource sent as a client sends it carries no meta', () => {
    const order = imagingOrder({
      id: 'o1',
      patient,
      procedure: { text: 'CT Chest' },
      authoredOn: '2024-01-01T09:00:00Z',
      versionId: null,
    });
    expect(order.meta).toBeUndefined();
    expect(order.subject).toEqual({
      type: 'Patient',
      identifier: { system: 'https://example.org/mrn', value: 'P-1' },
      display: 'Ada Lovelace',
    });
  });

  it('series without their own UID are numbered under the study UID', () => {
    const study = imagingStudy({
      id: 's1',
      patient,
      uid: '2.25.1',
      started: '2024-01-02T09:00:00Z',
      series: [{ modality: 'CT' }, { modality: 'PT', uid: '2.25.9' }],
    });
    expect(study.series?.map((s) => s.uid)).toEqual(['2.25.1.1', '2.25.9']);
    expect(study.meta).toEqual({ versionId: '1', lastUpdated: '2024-01-02T09:00:00Z' });
  });

  it('measured lesions are contained and listed as results; a next version counts on', () => {
    const report = imagingReport({
      id: 'r1',
      patient,
      status: 'preliminary',
      code: { text: 'CT Chest' },
      effective: '2024-01-02T09:00:00Z',
      issued: '2024-01-02T12:00:00Z',
      measurements: {
        lesions: [{ trackingId: 'L1', site: { snomed: '39607008', display: 'Lung' }, node: false, mm: 21 }],
        unit: 'cm',
      },
      diseaseStatus: 'stable',
    });
    expect(report.result).toEqual([{ reference: '#lesion-1' }]);
    expect(report.contained?.[0]).toMatchObject({ valueQuantity: { value: 2.1, unit: 'cm' } });
    const final = nextVersion(report, '2024-01-03T08:00:00Z', { status: 'final' });
    expect(final.meta).toEqual({ versionId: '2', lastUpdated: '2024-01-03T08:00:00Z' });
  });
});
