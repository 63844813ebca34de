import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { deliveries, generatedPatientKey as key, pathway } from './generated-pathways.fixtures.ts';
import {
  LungCancerPatient,
  lungCancerPathwayEvents,
  recordsFrom,
  timelineFrom,
} from './timeline.fixtures.ts';

describe('the timeline does not depend on the order events arrive in', () => {
  test('any interleaving of a generated pathway, with duplicates and stale versions, gives the in-order timeline', () => {
    fc.assert(
      fc.property(
        pathway.chain((events) => fc.tuple(fc.constant(events), deliveries(events))),
        ([inOrder, delivered]) => {
          expect(recordsFrom(key, delivered)).toEqual(recordsFrom(key, inOrder));
          expect(timelineFrom(key, delivered)).toEqual(timelineFrom(key, inOrder));
        },
      ),
      { numRuns: 200 },
    );
  });

  test('any interleaving of the lung cancer pathway, with duplicates, gives the in-order timeline', () => {
    const events = lungCancerPathwayEvents();
    const expected = timelineFrom(LungCancerPatient.key, events);
    fc.assert(
      fc.property(deliveries(events), (delivered) => {
        expect(timelineFrom(LungCancerPatient.key, delivered)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  test('the newest event delivered first and the oldest last still ends in the in-order timeline', () => {
    const events = lungCancerPathwayEvents();
    expect(timelineFrom(LungCancerPatient.key, [...events].reverse())).toEqual(
      timelineFrom(LungCancerPatient.key, events),
    );
  });
});
