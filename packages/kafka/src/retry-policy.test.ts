import { describe, expect, it } from 'vitest';
import { NonRetriableError, RetriableError } from './errors.ts';
import {
  DEFAULT_HANDLER_RETRIES,
  DEFAULT_RETRY_INITIAL_MS,
  DEFAULT_RETRY_MAX_MS,
  decideAfterFailure,
  retryDelayMs,
  retryLimits,
} from './retry-policy.ts';

const limits = retryLimits({ retries: 3, initialMs: 100, maxMs: 300 });

describe('retry policy', () => {
  it('fills in the defaults a policy leaves out', () => {
    expect(retryLimits()).toEqual({
      retries: DEFAULT_HANDLER_RETRIES,
      initialMs: DEFAULT_RETRY_INITIAL_MS,
      maxMs: DEFAULT_RETRY_MAX_MS,
    });
    expect(retryLimits({ retries: 0 })).toEqual({ ...retryLimits(), retries: 0 });
  });

  it('doubles the wait after each failure, up to the cap', () => {
    expect([0, 1, 2, 3].map((attempt) => retryDelayMs(attempt, limits))).toEqual([100, 200, 300, 300]);
  });

  it('retries a retriable failure in place while attempts remain', () => {
    const error = new RetriableError('database down');
    expect(decideAfterFailure(error, { attempt: 0, limits, running: true })).toEqual({
      action: 'retry',
      afterMs: 100,
    });
    expect(decideAfterFailure(error, { attempt: 2, limits, running: true })).toEqual({
      action: 'retry',
      afterMs: 300,
    });
  });

  it('stops, without a dead letter, once a retriable failure outlasts the retries', () => {
    const error = new RetriableError('database down');
    expect(decideAfterFailure(error, { attempt: 3, limits, running: true })).toEqual({ action: 'stop' });
  });

  it('stops retrying when the consumer is stopping', () => {
    const error = new RetriableError('database down');
    expect(decideAfterFailure(error, { attempt: 0, limits, running: false })).toEqual({ action: 'stop' });
  });

  it('dead-letters a permanent failure at once, even with retries left', () => {
    const error = new NonRetriableError('not a ServiceRequest');
    expect(decideAfterFailure(error, { attempt: 0, limits, running: true })).toEqual({
      action: 'dead-letter',
    });
  });

  it('treats an error that does not say it is retriable as permanent', () => {
    for (const error of [new Error('bug'), 'a string', { retriable: 'yes' }, null]) {
      expect(decideAfterFailure(error, { attempt: 0, limits, running: true }).action).toBe('dead-letter');
    }
  });
});
