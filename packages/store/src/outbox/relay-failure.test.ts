import { describe, expect, it } from 'vitest';
import { StoreError } from '../errors.ts';
import {
  MAX_RELAY_ERROR_LENGTH,
  asError,
  describeRelayError,
  recordRejectionOf,
  relayErrorCode,
} from './relay-failure.ts';

describe('relay failures', () => {
  it('takes the code of a store error, and of any error that carries a string code', () => {
    expect(relayErrorCode(new StoreError('TIMEOUT', 'producer did not answer'))).toBe('TIMEOUT');
    expect(relayErrorCode(Object.assign(new Error('send failed'), { code: 'SEND_FAILED' }))).toBe(
      'SEND_FAILED',
    );
  });

  it('calls an error without a code unknown', () => {
    expect(relayErrorCode(new Error('boom'))).toBe('unknown');
    expect(relayErrorCode(Object.assign(new Error('boom'), { code: 42 }))).toBe('unknown');
    expect(relayErrorCode('boom')).toBe('unknown');
  });

  it('describes an error by its code and message, or its message alone when it has no code', () => {
    expect(describeRelayError(new StoreError('TIMEOUT', 'producer did not answer'))).toBe(
      'TIMEOUT: producer did not answer',
    );
    expect(describeRelayError(new Error('broker down'))).toBe('broker down');
    expect(describeRelayError('broker down')).toBe('broker down');
  });

  it('bounds the description kept on a row', () => {
    expect(describeRelayError(new Error('x'.repeat(5_000)))).toHaveLength(MAX_RELAY_ERROR_LENGTH);
  });

  it('turns whatever a producer threw into an Error', () => {
    const error = new Error('broker down');
    expect(asError(error)).toBe(error);
    expect(asError('broker down')).toEqual(new Error('broker down'));
  });

  it('finds the broker refusing the records anywhere in the chain of causes', () => {
    const refusal = Object.assign(new Error('message too large'), { type: 'MESSAGE_TOO_LARGE' });
    const wrapped = new Error('send failed', { cause: new Error('retries exhausted', { cause: refusal }) });
    expect(recordRejectionOf(wrapped)).toBe('MESSAGE_TOO_LARGE');
    expect(recordRejectionOf(Object.assign(new Error('x'), { code: 'INVALID_RECORD' }))).toBe(
      'INVALID_RECORD',
    );
  });

  it('does not take an outage or an authorization error for a refusal of the records', () => {
    expect(
      recordRejectionOf(Object.assign(new Error('down'), { code: 'KAFKA_UNAVAILABLE' })),
    ).toBeUndefined();
    expect(
      recordRejectionOf(Object.assign(new Error('acl'), { type: 'TOPIC_AUTHORIZATION_FAILED' })),
    ).toBeUndefined();
    expect(recordRejectionOf(new StoreError('TIMEOUT', 'producer did not answer'))).toBeUndefined();
    expect(recordRejectionOf('MESSAGE_TOO_LARGE')).toBeUndefined();
  });
});
