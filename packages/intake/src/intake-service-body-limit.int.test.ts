import type { OperationOutcome } from '@medplum/fhirtypes';
import { authFetch, DiagnosticChestCtOrder, testDatabaseTargets } from '@oncoimg/testing';
import { beforeEach, describe, expect, it } from 'vitest';

import { FHIR, useIntakeService, withoutMeta } from './intake-service.fixtures.ts';

describe.each(testDatabaseTargets())('intake service on real Kafka and $name', (target) => {
  const intake = useIntakeService(target);

  describe('body limit', () => {
    beforeEach(() => intake.start('ServiceRequest', 2_048));

    it('refuses a body over the configured limit with 413', async () => {
      const big = { ...withoutMeta(DiagnosticChestCtOrder), note: [{ text: 'x'.repeat(5_000) }] };
      const res = await authFetch(`${intake.base}/fhir/ServiceRequest`, {
        method: 'POST',
        headers: FHIR,
        body: JSON.stringify(big),
      });
      expect(res.status).toBe(413);
      expect(((await res.json()) as OperationOutcome).resourceType).toBe('OperationOutcome');
    });
  });
});
