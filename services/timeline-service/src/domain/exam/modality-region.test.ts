import { describe, expect, test } from 'vitest';
import { regionsFromText, regionsOfCoding, regionsOverlap } from './body-region.ts';
import { areComparable } from './comparability.ts';
import { familyFromText, familyOfModalities } from './modality.ts';

describe('modality family', () => {
  test.each([
    [['CT'], 'CT'],
    [['MR'], 'MR'],
    [['PT', 'CT'], 'PET'],
    [['PT'], 'PET'],
    [['NM', 'CT'], 'NM'],
    [['US'], 'US'],
    [['CR'], 'XR'],
    [['DX'], 'XR'],
    [['MG'], 'XR'],
    [['XA'], 'XR'],
    [['RF'], 'XR'],
    [['CT', 'RTSTRUCT'], 'CT'],
    [['SR'], null],
    [['RTPLAN'], null],
  ] as const)('DICOM modalities %j are family %s', (codes, family) => {
    expect(familyOfModalities(codes)).toBe(family);
  });

  test.each([
    ['PET-CT whole body FDG', 'PET'],
    ['CT Chest W contrast', 'CT'],
    ['MRI brain', 'MR'],
    ['Ultrasonography of abdomen', 'US'],
    ['XR Chest 2 Views', 'XR'],
    ['Screening mammography', 'XR'],
    ['Bone scan', 'NM'],
    ['Consultation', null],
  ] as const)('"%s" names family %s', (text, family) => {
    expect(familyFromText([text])).toBe(family);
  });
});

describe('body region', () => {
  test('SNOMED codes of DICOM’s common anatomic regions map to regions', () => {
    expect(regionsOfCoding({ system: 'http://snomed.info/sct', code: '416775004' })).toEqual([
      'CHEST',
      'ABDOMEN',
      'PELVIS',
    ]);
    expect(
      regionsOfCoding({
        system: 'http://snomed.info/sct',
        code: '67734004',
        display: 'Upper Trunk Structure',
      }),
    ).toEqual(['CHEST']);
    expect(regionsOfCoding({ system: 'http://snomed.info/sct', code: '12738006' })).toEqual(['HEAD']);
  });

  test.each([
    ['CHEST', ['CHEST']],
    ['CHEST ABDOMEN PELVIS', ['CHEST', 'ABDOMEN', 'PELVIS']],
    ['CHESTABDPELVIS', ['CHEST', 'ABDOMEN', 'PELVIS']],
    ['ABDOMENPELVIS', ['ABDOMEN', 'PELVIS']],
    ['CT CAP with contrast', ['CHEST', 'ABDOMEN', 'PELVIS']],
    ['Brain', ['HEAD']],
    ['Whole body', ['WHOLEBODY']],
    ['Ultrasonography of abdomen', ['ABDOMEN']],
    ['CT Surview 180', []],
  ] as const)('"%s" covers %j', (text, regions) => {
    expect(regionsFromText(text)).toEqual(regions);
  });

  test('regions overlap when they share one; whole body overlaps every known region; unknown overlaps nothing', () => {
    expect(regionsOverlap(['CHEST', 'ABDOMEN', 'PELVIS'], ['CHEST'])).toBe(true);
    expect(regionsOverlap(['HEAD'], ['CHEST'])).toBe(false);
    expect(regionsOverlap(['WHOLEBODY'], ['PELVIS'])).toBe(true);
    expect(regionsOverlap([], ['CHEST'])).toBe(false);
  });
});

describe('comparable exams', () => {
  test('a chest CT and a chest-abdomen-pelvis CT are comparable', () => {
    expect(
      areComparable(
        { modality: 'CT', bodyRegion: ['CHEST'] },
        { modality: 'CT', bodyRegion: ['CHEST', 'ABDOMEN', 'PELVIS'] },
      ),
    ).toBe(true);
  });

  test('a chest CT and a whole-body PET-CT are not: different families', () => {
    expect(
      areComparable(
        { modality: 'CT', bodyRegion: ['CHEST'] },
        { modality: 'PET', bodyRegion: ['WHOLEBODY'] },
      ),
    ).toBe(false);
  });

  test('a chest CT and a brain CT are not: different regions', () => {
    expect(
      areComparable({ modality: 'CT', bodyRegion: ['CHEST'] }, { modality: 'CT', bodyRegion: ['HEAD'] }),
    ).toBe(false);
  });

  test('an exam of unknown modality or region is comparable to nothing', () => {
    expect(
      areComparable({ modality: null, bodyRegion: ['CHEST'] }, { modality: null, bodyRegion: ['CHEST'] }),
    ).toBe(false);
    expect(areComparable({ modality: 'CT', bodyRegion: [] }, { modality: 'CT', bodyRegion: [] })).toBe(false);
  });
});
