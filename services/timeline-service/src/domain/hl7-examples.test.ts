import { describeWithFixtures } from '@oncoimg/testing';
import { expect, test } from 'vitest';
import type { TimelineInputEvent } from './records/input-event.ts';
import type { ImagingResource } from './records/imaging-resource.ts';
import {
  hl7DiagnosticReportUltrasound,
  hl7ImagingStudyExample,
  hl7ServiceRequestDi,
  timelineFrom,
} from './timeline.fixtures.ts';

// The HL7 examples carry no meta.versionId: the event time orders their versions.
function eventOf(resource: ImagingResource, patientKey: string): TimelineInputEvent {
  return {
    key: patientKey,
    action: 'created',
    attributes: {
      id: `hl7-${resource.resourceType}-${resource.id ?? ''}`,
      subject: `${resource.resourceType}/${resource.id ?? ''}`,
      time: '2024-01-01T00:00:00Z',
    },
    resource,
  };
}

describeWithFixtures('the HL7 FHIR R4 examples flow through and link as their data allows', () => {
  const dicomPatient = timelineFrom('Patient/dicom', [
    eventOf(hl7ServiceRequestDi(), 'Patient/dicom'),
    eventOf(hl7ImagingStudyExample(), 'Patient/dicom'),
  ]);

  test('the chest CT order and the CT study of Patient/dicom share no key, so they stay two exams, none of them flagged', () => {
    expect(dicomPatient.exams.map((e) => [e.examId, e.status, e.date])).toEqual([
      ['ImagingStudy/example', 'performed', '2011-01-01T11:01:20+03:00'],
      ['ServiceRequest/di', 'ordered', '2013-05-08T09:33:27+07:00'],
    ]);
    expect(dicomPatient.ambiguous).toEqual([]);
    expect(dicomPatient.unmatched).toEqual([]);
  });

  test('the study is a CT of the upper trunk (chest) with its normalized Study UID', () => {
    expect(dicomPatient.exams[0]).toMatchObject({
      studyUid: '2.16.124.113543.6003.1154777499.30246.19789.3503430045',
      modality: 'CT',
      modalityCodes: ['CT'],
      bodyRegion: ['CHEST'],
      purpose: 'diagnosis',
      accessionNumbers: [],
    });
  });

  test('the order "Check for metastatic disease" is a staging chest CT, pending', () => {
    expect(dicomPatient.exams[1]).toMatchObject({
      modality: 'CT',
      bodyRegion: ['CHEST'],
      purpose: 'staging',
      purposeSource: 'order-reason',
    });
    expect(dicomPatient.pending).toEqual({
      ordered: ['ServiceRequest/di'],
      unreported: ['ImagingStudy/example'],
    });
  });

  test('the performed CT study is the patient’s baseline by the earliest-diagnostic rule, the order still waits', () => {
    expect(dicomPatient.currentBaseline).toMatchObject({
      examId: 'ImagingStudy/example',
      rule: 'earliest-diagnostic',
    });
  });

  test('the ultrasound report of Patient/example has nothing to link by and is shown as an unmatched final exam', () => {
    const examplePatient = timelineFrom('Patient/example', [
      eventOf(hl7DiagnosticReportUltrasound(), 'Patient/example'),
    ]);
    expect(examplePatient.exams).toMatchObject([
      {
        examId: 'DiagnosticReport/ultrasound',
        status: 'final',
        modality: 'US',
        bodyRegion: ['ABDOMEN'],
        date: '2012-12-01T12:00:00+01:00',
      },
    ]);
    expect(examplePatient.unmatched).toMatchObject([
      { part: 'DiagnosticReport/ultrasound', reason: 'no-link-keys' },
    ]);
  });

  test('resources of another patient do not appear: the report is not on Patient/dicom’s timeline', () => {
    const mixed = timelineFrom('Patient/dicom', [
      eventOf(hl7ServiceRequestDi(), 'Patient/dicom'),
      eventOf(hl7DiagnosticReportUltrasound(), 'Patient/dicom'),
    ]);
    expect(mixed.exams.map((e) => e.examId)).toEqual(['ServiceRequest/di']);
  });
});
