import { describe, expect, test } from 'vitest';
import { fhirDateOf, fhirDateTimeOf, fhirOffsetOf, fhirTimeOf } from './dicom-date-time.ts';

describe('DICOM date and time to FHIR', () => {
  test.each([
    ['20240205', '2024-02-05'],
    ['2024.02.05', '2024-02-05'],
    ['20240229', '2024-02-29'],
    ['20230229', undefined],
    ['20241301', undefined],
    ['', undefined],
    ['2024', undefined],
  ])('date %j reads as %j', (value, expected) => {
    expect(fhirDateOf(value)).toBe(expected);
  });

  test.each([
    ['093015', '09:30:15'],
    ['093015.250000', '09:30:15.25'],
    ['093015.000000', '09:30:15'],
    ['0930', '09:30:00'],
    ['09', '09:00:00'],
    ['09:30:15', '09:30:15'],
    ['235960', '23:59:60'],
    ['246000', undefined],
    ['ab', undefined],
  ])('time %j reads as %j', (value, expected) => {
    expect(fhirTimeOf(value)).toBe(expected);
  });

  test.each([
    ['+0100', '+01:00'],
    ['-0500', '-05:00'],
    ['+1400', '+14:00'],
    ['-1300', undefined],
    ['0100', undefined],
  ])('offset %j reads as %j', (value, expected) => {
    expect(fhirOffsetOf(value)).toBe(expected);
  });

  test('a dateTime carries a time only together with a zone', () => {
    expect(fhirDateTimeOf({ date: '2024-02-05', time: '09:30:15', offset: '+01:00' })).toBe(
      '2024-02-05T09:30:15+01:00',
    );
    expect(fhirDateTimeOf({ date: '2024-02-05', time: '09:30:15', offset: undefined })).toBe('2024-02-05');
    expect(fhirDateTimeOf({ date: undefined, time: '09:30:15', offset: '+01:00' })).toBeUndefined();
  });
});
