import { describe, expect, it } from 'vitest';
import { ConfigError, readTimelineConfig } from './config.ts';

/** The one setting without a default: which OpenID provider's tokens to accept. */
const ISSUER = { OIDC_ISSUER: 'http://127.0.0.1:8085' };

describe('timeline service configuration', () => {
  it('runs on the operating contract defaults with only the issuer set', () => {
    const config = readTimelineConfig(ISSUER, '/srv/app');
    expect(config).toMatchObject({
      port: 8080,
      brokers: ['127.0.0.1:9092'],
      databaseUrl: undefined,
      dataDir: '/srv/app/.data/timeline-service',
      schema: 'timeline_service',
      unreportedAfterMs: 24 * 3_600_000,
      baselineWindowDays: 28,
      confirmationDays: 28,
      access: { issuer: 'http://127.0.0.1:8085', audience: 'oncoimg', metricsPublic: false },
    });
  });

  it('refuses to start without OIDC_ISSUER: there is no way to run without access control', () => {
    const read = () => readTimelineConfig({});
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/^OIDC_ISSUER is required/);
  });

  it('reads the audience and opens /metrics to a scrape network only when asked', () => {
    const config = readTimelineConfig({ ...ISSUER, OIDC_AUDIENCE: 'api://imaging', METRICS_PUBLIC: 'true' });
    expect(config.access).toEqual({
      issuer: 'http://127.0.0.1:8085',
      audience: 'api://imaging',
      metricsPublic: true,
    });
  });

  it('reads a broker list, a database URL and topic overrides', () => {
    const config = readTimelineConfig({
      ...ISSUER,
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
      DATABASE_URL: 'postgres://db/timeline',
      TOPIC_TIMELINE: 'site-a.timeline.v1',
      UNREPORTED_AFTER_HOURS: '2',
    });
    expect(config.brokers).toEqual(['kafka-1:9092', 'kafka-2:9092']);
    expect(config.databaseUrl).toBe('postgres://db/timeline');
    expect(config.topics).toEqual({ timeline: 'site-a.timeline.v1' });
    expect(config.unreportedAfterMs).toBe(2 * 3_600_000);
  });

  it('reads the clinical settings in days', () => {
    const config = readTimelineConfig({
      ...ISSUER,
      BASELINE_WINDOW_DAYS: '42',
      RESPONSE_CONFIRMATION_DAYS: '35',
    });
    expect(config).toMatchObject({ baselineWindowDays: 42, confirmationDays: 35 });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['KAFKA_BROKERS', 'localhost'],
    ['DATABASE_SCHEMA', 'Robert"); DROP'],
    ['TOPIC_SERVICEREQUEST', 'bad topic'],
    ['UNREPORTED_AFTER_HOURS', '-1'],
    ['BASELINE_WINDOW_DAYS', '0'],
    ['BASELINE_WINDOW_DAYS', '366'],
    ['RESPONSE_CONFIRMATION_DAYS', '2.5'],
    ['OIDC_ISSUER', 'not a url'],
    ['METRICS_PUBLIC', 'yes'],
  ])('refuses %s=%s with an error that names the setting', (setting, value) => {
    const read = () => readTimelineConfig({ ...ISSUER, [setting]: value });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(new RegExp(`^${setting} `));
  });
});
