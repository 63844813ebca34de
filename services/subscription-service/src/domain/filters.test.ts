import type { DiagnosticReport, ImagingStudy } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { FilterCriteriaError, matchesFilters, parseFilterCriteria } from './filters.ts';
import type { TopicEvent } from './topic-event.ts';
import { topicById, type TopicDefinition } from './topics.ts';

const reportTopic = topicById('imaging-report') as TopicDefinition;
const studyTopic = topicById('imaging-study') as TopicDefinition;

function reportEvent(patientKey: string, status: DiagnosticReport['status']): TopicEvent {
  return {
    topicUrl: reportTopic.url,
    eventId: 'e1',
    interaction: 'update',
    resourceType: 'DiagnosticReport',
    resourceId: 'r1',
    patientKey,
    resource: { resourceType: 'DiagnosticReport', id: 'r1', status, code: {} },
    timestamp: '2026-12-01T00:00:00Z',
    publishedAt: 0,
  };
}

function studyEvent(modalities: string[], seriesModality: string): TopicEvent {
  const study: ImagingStudy = {
    resourceType: 'ImagingStudy',
    id: 's1',
    status: 'available',
    subject: { reference: 'Patient/7' },
    modality: modalities.map((code) => ({ code })),
    series: [{ uid: '1.2', modality: { code: seriesModality } }],
  };
  return {
    ...reportEvent('Patient/7', 'final'),
    topicUrl: studyTopic.url,
    resourceType: 'ImagingStudy',
    resource: study,
  };
}

describe('filter criteria', () => {
  it('a patient filter matches only that patient, whether written as a reference or a URL', () => {
    const filters = parseFilterCriteria(reportTopic, [
      'DiagnosticReport?patient=https://ehr.example/fhir/Patient/7',
    ]);
    expect(filters).toEqual({ patient: ['Patient/7'] });
    expect(matchesFilters(filters, reportEvent('Patient/7', 'final'))).toBe(true);
    expect(matchesFilters(filters, reportEvent('Patient/8', 'final'))).toBe(false);
  });

  it('an identifier patient key matches the event key, encoded or not', () => {
    const filters = parseFilterCriteria(reportTopic, [
      'DiagnosticReport?patient=https%3A%2F%2Fhospital.example%2Fmrn%7CA1',
    ]);
    expect(matchesFilters(filters, reportEvent('https://hospital.example/mrn|A1', 'final'))).toBe(true);
    expect(matchesFilters(filters, reportEvent('https://hospital.example/mrn|A2', 'final'))).toBe(false);
  });

  it('comma-separated statuses are alternatives and separate criteria must all hold', () => {
    const filters = parseFilterCriteria(reportTopic, [
      'DiagnosticReport?status=final,amended',
      'DiagnosticReport?patient=Patient/7',
    ]);
    expect(matchesFilters(filters, reportEvent('Patient/7', 'amended'))).toBe(true);
    expect(matchesFilters(filters, reportEvent('Patient/7', 'preliminary'))).toBe(false);
    expect(matchesFilters(filters, reportEvent('Patient/8', 'final'))).toBe(false);
  });

  it('a modality filter matches a study or series modality, with or without a system', () => {
    const filters = parseFilterCriteria(studyTopic, [
      'ImagingStudy?modality=http://dicom.nema.org/resources/ontology/DCM|PT',
    ]);
    expect(matchesFilters(filters, studyEvent(['CT'], 'PT'))).toBe(true);
    expect(matchesFilters(filters, studyEvent(['MR'], 'MR'))).toBe(false);
  });

  it('no filter matches every event of the topic', () => {
    expect(matchesFilters(parseFilterCriteria(reportTopic, []), reportEvent('Patient/1', 'final'))).toBe(
      true,
    );
  });

  it.each([
    ['a filter the topic does not declare', 'DiagnosticReport?modality=CT', /cannot filter by "modality"/],
    ['another resource type', 'ImagingStudy?patient=Patient/7', /apply to DiagnosticReport/],
    ['no query', 'DiagnosticReport', /must read DiagnosticReport\?name=value/],
    ['an empty value', 'DiagnosticReport?status=', /has no value/],
    ['a modifier', 'DiagnosticReport?status:not=final', /cannot filter by "status:not"/],
  ])('refuses %s', (_name, criterion, message) => {
    expect(() => parseFilterCriteria(reportTopic, [criterion])).toThrow(FilterCriteriaError);
    expect(() => parseFilterCriteria(reportTopic, [criterion])).toThrow(message);
  });
});
