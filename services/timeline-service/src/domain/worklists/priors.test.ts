import { describe, expect, test } from 'vitest';
import { priorsFor } from './priors.ts';
import { LungCancerPatient, lungCancerPathwayEvents, timelineFrom } from '../timeline.fixtures.ts';

const timeline = timelineFrom(LungCancerPatient.key, lungCancerPathwayEvents());

describe('the priors of a study', () => {
  test('lists comparable diagnostic priors first, then other diagnostic ones, then planning and guidance as optional, each most recent first', () => {
    const result = priorsFor('urn:oid:2.25.100100100100100100100100100100901', timeline);
    expect(result?.examId).toBe('ServiceRequest/lc-response1-ct-order');
    expect(
      result?.priors.map((p) => [p.examId.replace('ServiceRequest/lc-', ''), p.comparable, p.optional]),
    ).toEqual([
      ['baseline-ct-order', true, false],
      ['staging-ct-order', true, false],
      ['ct-dx-order', true, false],
      ['staging-mr-order', false, false],
      ['staging-pet-order', false, false],
      ['cxr-order', false, false],
      ['planning-ct-order', true, true],
      ['biopsy-order', true, true],
    ]);
  });

  test('the first exam of a patient has no priors', () => {
    expect(priorsFor('2.25.100100100100100100100100100100101', timeline)?.priors).toEqual([]);
  });

  test('exams ordered but not yet done are not priors', () => {
    const latest = priorsFor('2.25.100100100100100100100100100101101', timeline);
    expect(latest?.priors.map((p) => p.examId)).not.toContain('ServiceRequest/lc-surveillance2-ct-order');
    expect(latest?.priors).toHaveLength(10);
  });

  test('a study not on the timeline has no answer', () => {
    expect(priorsFor('1.2.3.4', timeline)).toBeUndefined();
  });
});
