import { OperationOutcomeError } from '@medplum/core';
import { StoreError } from '@oncoimg/store';
import { describe, expect, it } from 'vitest';
import { invalid, outcomeOfError, statusOf } from './outcomes.ts';

const statusOfError = (error: unknown) => statusOf(outcomeOfError(error));

describe('outcomeOfError: one mapping of errors to HTTP for every service', () => {
  it('answers 503 when the database is unavailable: lost, refused, timed out or closed', () => {
    for (const code of ['CONNECTION_FAILED', 'TIMEOUT', 'SERIALIZATION_FAILURE', 'CLOSED'] as const) {
      expect(statusOfError(new StoreError(code, 'down')), code).toBe(503);
    }
  });

  it('answers 503 to any other error that says retrying may help, such as Kafka being down', () => {
    const kafkaDown = Object.assign(new Error('broker unreachable'), {
      name: 'KafkaError',
      code: 'CONNECTION_FAILED',
      retriable: true,
    });
    expect(statusOfError(kafkaDown)).toBe(503);
  });

  it('maps the store’s request errors to their FHIR statuses', () => {
    expect(statusOfError(new StoreError('NOT_FOUND', 'x'))).toBe(404);
    expect(statusOfError(new StoreError('DELETED', 'x'))).toBe(410);
    expect(statusOfError(new StoreError('VERSION_CONFLICT', 'x'))).toBe(412);
  });

  it('passes an OperationOutcomeError through', () => {
    expect(statusOfError(invalid('bad', 'x'))).toBe(400);
    expect(outcomeOfError(new OperationOutcomeError(invalid('bad').outcome)).issue[0]?.details?.text).toBe(
      'bad',
    );
  });

  it('answers 500 to a defect without its message, which may quote patient data', () => {
    const outcome = outcomeOfError(new TypeError('cannot read LC-0001 of undefined'));
    expect(statusOf(outcome)).toBe(500);
    expect(JSON.stringify(outcome)).not.toContain('LC-0001');
    expect(statusOfError(new StoreError('QUERY_FAILED', 'syntax error near LC-0001'))).toBe(500);
  });
});
