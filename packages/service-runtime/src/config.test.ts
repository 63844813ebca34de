import { describe, expect, it } from 'vitest';
import { ConfigError, readAdmissionConfig, readRateLimitConfig } from './config.ts';

describe('readAdmissionConfig', () => {
  it('defaults to 64 in flight, as many queued, and a 30 s time limit', () => {
    expect(readAdmissionConfig({}, 'INTAKE')).toEqual({
      maxInFlight: 64,
      maxQueued: 64,
      requestTimeoutMs: 30_000,
      maxEventLoopDelayMs: 2_000,
    });
  });

  it('reads the service’s own bounds and the shared time limit', () => {
    expect(
      readAdmissionConfig(
        {
          INTAKE_MAX_IN_FLIGHT: '8',
          INTAKE_MAX_QUEUED: '0',
          REQUEST_TIMEOUT_MS: '5000',
          MAX_EVENT_LOOP_DELAY_MS: '500',
        },
        'INTAKE',
      ),
    ).toEqual({ maxInFlight: 8, maxQueued: 0, requestTimeoutMs: 5_000, maxEventLoopDelayMs: 500 });
  });

  it('names the setting that is wrong', () => {
    expect(() => readAdmissionConfig({ INTAKE_MAX_IN_FLIGHT: '0' }, 'INTAKE')).toThrow(ConfigError);
    expect(() => readAdmissionConfig({ REQUEST_TIMEOUT_MS: 'soon' }, 'INTAKE')).toThrow(/REQUEST_TIMEOUT_MS/);
  });
});

describe('readRateLimitConfig', () => {
  it('defaults to 200 requests a second per client with bursts of 1000, and 0 switches it off', () => {
    expect(readRateLimitConfig({})).toEqual({ perSecond: 200, burst: 1_000 });
    expect(readRateLimitConfig({ RATE_LIMIT_PER_CLIENT_PER_SEC: '0', RATE_LIMIT_BURST: '5' })).toEqual({
      perSecond: 0,
      burst: 5,
    });
    expect(() => readRateLimitConfig({ RATE_LIMIT_BURST: '0' })).toThrow(/RATE_LIMIT_BURST/);
  });
});
