import { describe, expect, it } from 'vitest';
import { ConfigError, readSubscriptionConfig } from './config.ts';

const base = { OIDC_ISSUER: 'http://127.0.0.1:8085' };

describe('subscription service settings', () => {
  it('has working defaults: port 8084, no endpoint allowed until configured, five failures to error', () => {
    const config = readSubscriptionConfig(base, '/srv');
    expect(config.port).toBe(8084);
    expect(config.allowList).toEqual([]);
    expect(config.retry).toEqual({ maxFailures: 5, initialMs: 1_000, maxMs: 300_000 });
    expect(config.resourceBases.DiagnosticReport).toBe('http://127.0.0.1:8083/fhir');
  });

  it.each([
    ['SUBSCRIPTION_ENDPOINT_ALLOW_LIST', 'https://ok.example, ftp://no.example'],
    ['SUBSCRIPTION_MAX_FAILURES', '0'],
    ['SUBSCRIPTION_RETRY_MAX_MS', '5'],
    ['REPORT_SERVICE_FHIR_BASE', 'reports'],
    ['PUBLIC_URL', 'not a url'],
  ])('an unusable %s is an error naming it', (name, value) => {
    expect(() => readSubscriptionConfig({ ...base, [name]: value })).toThrow(ConfigError);
    expect(() => readSubscriptionConfig({ ...base, [name]: value })).toThrow(new RegExp(`^${name} `));
  });
});
