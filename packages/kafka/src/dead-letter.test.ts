import { describe, expect, it } from 'vitest';
import { MAX_DEAD_LETTER_REASON_LENGTH, deadLetterReason, deadLetterRecord } from './dead-letter.ts';
import { KafkaError, NonRetriableError } from './errors.ts';

const failed = {
  topic: 'fhir.servicerequest',
  partition: 2,
  offset: '41',
  key: 'patient-key',
  value: Buffer.from('{"resourceType":"Basic"}'),
  headers: { ce_id: 'event-1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
};
const failedAt = new Date('2025-02-01T08:00:00.000Z');

describe('dead letter', () => {
  it('keeps the key, value and headers and says why and where the message failed', () => {
    const record = deadLetterRecord(failed, new NonRetriableError('not a ServiceRequest'), failedAt);
    expect(record).toEqual({
      key: 'patient-key',
      value: failed.value,
      headers: {
        ...failed.headers,
        dlq_reason: 'not a ServiceRequest',
        dlq_error_code: 'NonRetriableError',
        dlq_original_topic: 'fhir.servicerequest',
        dlq_original_partition: '2',
        dlq_original_offset: '41',
        dlq_failed_at: '2025-02-01T08:00:00.000Z',
      },
    });
  });

  it('takes the error code from errors that carry one', () => {
    const error = new KafkaError('HANDLER_FAILED', 'no', { retriable: false });
    expect(deadLetterRecord(failed, error, failedAt).headers.dlq_error_code).toBe('HANDLER_FAILED');
  });

  it('bounds the reason, so a dead letter never carries a whole payload', () => {
    const reason = deadLetterReason(new Error('x'.repeat(10_000)));
    expect(reason).toHaveLength(MAX_DEAD_LETTER_REASON_LENGTH);
  });

  it('describes a thrown value that is not an Error', () => {
    const record = deadLetterRecord(failed, 'bad input', failedAt);
    expect(record.headers.dlq_reason).toBe('bad input');
    expect(record.headers.dlq_error_code).toBe('UNKNOWN');
  });

  it('does not change the failed message', () => {
    const before = structuredClone(failed.headers);
    deadLetterRecord(failed, new Error('no'), failedAt);
    expect(failed.headers).toEqual(before);
  });
});
