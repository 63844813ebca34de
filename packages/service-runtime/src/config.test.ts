import { describe, expect, it } from 'vitest';
import { ConfigError, readAdmissionConfig } from './config.ts';

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
