import type { ImagingStudy } from '@medplum/fhirtypes';
import { intakeRuleIssues, validateIntake } from '@oncoimg/intake';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describeWithFixtures } from '@oncoimg/testing';
import { expect, test } from 'vitest';
import { DEFAULT_PATIENT_ID_SYSTEM, LOCAL_ISSUER_SYSTEM_PREFIX } from './dicom-identifiers.ts';
import { DicomError } from './dicom-error.ts';
import type { DicomInstanceHeader } from './dicom-instance-header.ts';
import {
  DICOM_DCM_SYSTEM,
  groupByStudy,
  isRadiotherapyStudy,
  mergeIntoImagingStudy,
  SOP_CLASS_SYSTEM,
} from './imaging-study-mapping.ts';
import { readDicomHeader } from './read-dicom-header.ts';
import {
  dicomFixturesDir,
  enhancedCtDataSet,
  IMPLICIT_VR_LITTLE_ENDIAN,
  readDicomFixture,
  rtStructDataSet,
  segmentationDataSet,
  SYNTHETIC_STUDY,
  writeDicom,
} from './test-dicom-files.fixtures.ts';

const header = (file: string): DicomInstanceHeader => readDicomHeader(readDicomFixture(file));

function readableFixtures(): DicomInstanceHeader[] {
  const dir = dicomFixturesDir();
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.dcm') && !entry.parentPath.includes('invalid'))
    .map((entry) => header(relative(dir, join(entry.parentPath, entry.name))));
}

const modalityCodes = (study: ImagingStudy) => (study.modality ?? []).map((coding) => coding.code);

describeWithFixtures('mergeIntoImagingStudy on the shared fixtures', () => {
  const studies = [...groupByStudy(readableFixtures())].map(([uid, instances]) => ({
    uid,
    study: mergeIntoImagingStudy(undefined, instances),
  }));
  const byUid = (uid: string) => studies.find((s) => s.uid === uid)!.study;

  test('the fixtures hold eight studies: six single files and the two studies of study-77654033', () => {
    expect(studies).toHaveLength(8);
  });

  test.each([
    ['CT_small', '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322', ['CT'], 1, 1],
    ['MR_small', '1.3.6.1.4.1.5962.1.2.4.20040826185059.5457', ['MR'], 1, 1],
    ['PT_ACRIN', '1.3.6.1.4.1.14519.5.2.1.7009.2401.541147157881199293470020980360', ['PT'], 1, 1],
    ['US1_J2KI', '1.3.6.1.4.1.5962.1.2.13.20040826185059.5457', ['US'], 1, 1],
    ['rtplan', '1.22.333.4.555555.6.7777777777777777777777777777', ['RTPLAN'], 1, 1],
    ['test-SR', '1.2.276.0.7230010.3.1.4.2139363186.7819.982086466.2', ['SR'], 1, 1],
    ['study-77654033 CT head', '1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.1', ['CT'], 1, 4],
    ['study-77654033 CR spine', '1.3.6.1.4.1.5962.1.1.0.0.0.1196527414.5534.0.1', ['CR'], 3, 3],
  ] as const)(
    '%s maps to one ImagingStudy with its modalities and counts',
    (_n, uid, modalities, series, instances) => {
      const study = byUid(uid);
      expect(study.identifier?.[0]).toEqual({ system: 'urn:dicom:uid', value: `urn:oid:${uid}` });
      expect(study.status).toBe('available');
      expect(modalityCodes(study)).toEqual(modalities);
      expect(study.numberOfSeries).toBe(series);
      expect(study.series).toHaveLength(series);
      expect(study.numberOfInstances).toBe(instances);
      expect((study.series ?? []).flatMap((s) => s.instance ?? [])).toHaveLength(instances);
    },
  );

  test('the CT head study lists its four slices in instance-number order with SOP class and body site', () => {
    const study = byUid('1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.1');
    const [series] = study.series!;
    expect(series).toMatchObject({
      uid: '1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.2',
      number: 2,
      modality: { system: DICOM_DCM_SYSTEM, code: 'CT' },
      description: 'Routine Brain',
      numberOfInstances: 4,
      bodySite: { system: 'http://snomed.info/sct', code: '69536005', display: 'Head' },
    });
    expect(series.instance!.map((i) => i.number)).toEqual([18, 180, 181, 182]);
    expect(series.instance![0].sopClass).toEqual({
      system: SOP_CLASS_SYSTEM,
      code: 'urn:oid:1.2.840.10008.5.1.4.1.1.2',
    });
    expect(study).toMatchObject({
      started: '1995-09-03T17:30:32+00:00',
      description: 'CT, HEAD/BRAIN WO CONTRAST',
      subject: { type: 'Patient', identifier: { system: DEFAULT_PATIENT_ID_SYSTEM, value: '77654033' } },
    });
    expect(study.identifier).toContainEqual({
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] },
      value: '2',
    });
  });

  test('the CR spine series are ordered by series number and carry SNOMED cervical spine', () => {
    const study = byUid('1.3.6.1.4.1.5962.1.1.0.0.0.1196527414.5534.0.1');
    expect(study.series!.map((s) => [s.number, s.description, s.bodySite?.code])).toEqual([
      [1, 'Cervical LAT', '122494005'],
      [2, 'Cervical OBLI 1', '122494005'],
      [3, 'Cervical OBLI 2', '122494005'],
    ]);
  });

  test('every study with a patient passes intake validation (R4 structure and project rules)', () => {
    for (const { uid, study } of studies) {
      if (!(study as Partial<ImagingStudy>).subject) {
        continue;
      }
      expect(
        () => validateIntake(study as unknown as Record<string, unknown>, 'ImagingStudy'),
        uid,
      ).not.toThrow();
    }
  });

  test('a study without Patient ID (test-SR) gets no subject, which intake validation refuses', () => {
    const study = byUid('1.2.276.0.7230010.3.1.4.2139363186.7819.982086466.2');
    expect(study.subject).toBeUndefined();
    expect(intakeRuleIssues(study).map((issue) => issue.expression)).toContainEqual(['ImagingStudy.subject']);
  });

  test('a body part without SNOMED mapping keeps its text', () => {
    const [instance] = [header('CT_small.dcm')];
    const study = mergeIntoImagingStudy(undefined, [{ ...instance, bodyPartExamined: 'SOMEWHERE' }]);
    expect(study.series![0].bodySite).toEqual({ display: 'SOMEWHERE' });
  });
});

describeWithFixtures('mergeIntoImagingStudy is idempotent and keeps what exists', () => {
  const ct = ['17106', '17136', '17166', '17196'].map((f) => header(`study-77654033/CT2/${f}.dcm`));

  test('merging the same instances again changes nothing', () => {
    const once = mergeIntoImagingStudy(undefined, ct);
    expect(mergeIntoImagingStudy(once, ct)).toEqual(once);
    expect(mergeIntoImagingStudy(once, [ct[2], ct[2]])).toEqual(once);
  });

  test('the result does not depend on the order instances arrive in', () => {
    const forward = mergeIntoImagingStudy(mergeIntoImagingStudy(undefined, ct.slice(0, 2)), ct.slice(2));
    const backward = mergeIntoImagingStudy(mergeIntoImagingStudy(undefined, ct.slice(2)), ct.slice(0, 2));
    expect(backward).toEqual(forward);
    expect(forward).toEqual(mergeIntoImagingStudy(undefined, ct));
  });

  test('adding instances to a stored study keeps its id, meta, status and curated values', () => {
    const stored: ImagingStudy = {
      ...mergeIntoImagingStudy(undefined, ct.slice(0, 1)),
      id: 'study-1',
      meta: { versionId: '3', lastUpdated: '2024-01-01T00:00:00Z' },
      description: 'Curated description',
    };
    const merged = mergeIntoImagingStudy(stored, ct.slice(1));
    expect(merged).toMatchObject({ id: 'study-1', meta: stored.meta, description: 'Curated description' });
    expect(merged.numberOfInstances).toBe(4);
    expect(stored.numberOfInstances).toBe(1);
  });

  test('a study written over FHIR with its own patient system and counts keeps them', () => {
    const fhirStudy: ImagingStudy = {
      resourceType: 'ImagingStudy',
      id: 'from-ris',
      status: 'registered',
      identifier: [
        { system: 'urn:dicom:uid', value: 'urn:oid:1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.1' },
      ],
      subject: { identifier: { system: 'https://oncoimg.example.org/fhir/sid/mrn', value: 'MRN-1' } },
      numberOfInstances: 250,
    };
    const merged = mergeIntoImagingStudy(fhirStudy, ct);
    expect(merged.status).toBe('available');
    expect(merged.subject).toEqual(fhirStudy.subject);
    expect(merged.numberOfInstances).toBe(250);
    expect(merged.identifier!.filter((id) => id.system === 'urn:dicom:uid')).toHaveLength(1);
  });

  test('instances of another study, or of two studies at once, are refused', () => {
    const cr = header('study-77654033/CR1/6154.dcm');
    expect(() => mergeIntoImagingStudy(undefined, [ct[0], cr])).toThrow(DicomError);
    expect(() => mergeIntoImagingStudy(mergeIntoImagingStudy(undefined, ct), [cr])).toThrow(/another study/);
  });

  test('instances of one study naming two patients are refused without quoting either', () => {
    const error = (() => {
      try {
        mergeIntoImagingStudy(undefined, [ct[0], { ...ct[1], patientId: 'OTHER-77' }]);
      } catch (e) {
        return e as DicomError;
      }
      return undefined;
    })();
    expect(error?.code).toBe('INVALID');
    expect(error?.message).not.toMatch(/77654033|OTHER-77/);
  });
});

describeWithFixtures('identifiers and issuers', () => {
  const enhanced = readDicomHeader(writeDicom(enhancedCtDataSet()));

  test('the accession number takes its system from the universal issuer and keeps the local one as assigner', () => {
    const study = mergeIntoImagingStudy(undefined, [enhanced]);
    expect(study.identifier).toContainEqual({
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] },
      system: 'urn:oid:1.2.826.0.1.3680043.10.1',
      value: SYNTHETIC_STUDY.accessionNumber,
      assigner: { display: 'RIS_A' },
    });
  });

  test('a local Issuer of Patient ID becomes its own system, or the configured one', () => {
    expect(mergeIntoImagingStudy(undefined, [enhanced]).subject.identifier).toEqual({
      system: `${LOCAL_ISSUER_SYSTEM_PREFIX}HOSPITAL_A`,
      value: SYNTHETIC_STUDY.patientId,
    });
    const configured = mergeIntoImagingStudy(undefined, [enhanced], {
      issuerSystems: { HOSPITAL_A: 'https://hospital-a.example/mrn' },
    });
    expect(configured.subject.identifier?.system).toBe('https://hospital-a.example/mrn');
  });

  test('a Patient ID without issuer uses the configured default system', () => {
    const plain = header('MR_small.dcm');
    const study = mergeIntoImagingStudy(undefined, [plain], {
      defaultPatientIdSystem: 'https://ehr.example/mrn',
    });
    expect(study.subject.identifier).toEqual({ system: 'https://ehr.example/mrn', value: '4MR1' });
  });

  test('the study start has date, time and zone; laterality and lung anatomy come from the functional groups', () => {
    const study = mergeIntoImagingStudy(undefined, [enhanced]);
    expect(study.started).toBe('2024-02-05T09:30:15.25+01:00');
    expect(study.series![0]).toMatchObject({
      bodySite: { system: 'http://snomed.info/sct', code: '39607008', display: 'Lung' },
      laterality: { system: 'http://snomed.info/sct', code: '24028007' },
    });
    expect(study.procedureCode).toEqual([
      { coding: [{ system: 'http://loinc.org', code: '24627-2', display: 'CT Chest' }], text: 'CT Chest' },
    ]);
  });
});

describeWithFixtures('radiotherapy objects mark the study as planning', () => {
  // The timeline reads RT modalities from ImagingStudy.modality and series[].modality
  // (timeline-service domain/purpose.ts studyPurpose, domain/modality.ts RT_MODALITIES).
  test('rtplan.dcm gives a study whose study-level modality list says RTPLAN', () => {
    const study = mergeIntoImagingStudy(undefined, [header('rtplan.dcm')]);
    expect(modalityCodes(study)).toEqual(['RTPLAN']);
    expect(study.series![0].modality).toEqual({ system: DICOM_DCM_SYSTEM, code: 'RTPLAN' });
    expect(study.series![0].instance![0].title).toBe('Plan1');
    expect(isRadiotherapyStudy(study)).toBe(true);
  });

  test('a planning CT becomes a planning study once its RT structure set and SEG arrive', () => {
    const ctOnly = mergeIntoImagingStudy(undefined, [readDicomHeader(writeDicom(enhancedCtDataSet()))]);
    expect(isRadiotherapyStudy(ctOnly)).toBe(false);
    const withRt = mergeIntoImagingStudy(ctOnly, [
      readDicomHeader(writeDicom(rtStructDataSet(), IMPLICIT_VR_LITTLE_ENDIAN)),
      readDicomHeader(writeDicom(segmentationDataSet())),
    ]);
    expect(modalityCodes(withRt)).toEqual(['CT', 'RTSTRUCT', 'SEG']);
    expect(withRt.numberOfSeries).toBe(3);
    expect(withRt.series!.map((s) => s.number)).toEqual([3, 300, 400]);
    expect(isRadiotherapyStudy(withRt)).toBe(true);
    expect(() => validateIntake(withRt as unknown as Record<string, unknown>, 'ImagingStudy')).not.toThrow();
  });

  test('a diagnostic study is not marked', () => {
    expect(isRadiotherapyStudy(mergeIntoImagingStudy(undefined, [header('CT_small.dcm')]))).toBe(false);
  });
});
