import { ConfigError, readCorsOrigins } from '@oncoimg/service-runtime';
import { describe, expect, it } from 'vitest';
import { readPageSignInConfig } from './config.ts';

const at8080 = { host: '127.0.0.1', port: 8080, issuer: 'http://127.0.0.1:8085' };

describe('page sign-in and CORS settings', () => {
  it('signs in at the embedded provider as timeline-web, with the redirect URI it registers', () => {
    const settings = readPageSignInConfig({}, at8080);
    expect(settings).toMatchObject({
      issuer: 'http://127.0.0.1:8085',
      clientId: 'timeline-web',
      launchIssuers: ['http://127.0.0.1:8080/fhir'],
    });
    expect(new URL('/callback', settings.publicUrl).href).toBe('http://127.0.0.1:8080/callback');
  });

  it('serves a hospital’s page at its public address, and names a bad setting', () => {
    const settings = readPageSignInConfig({ PUBLIC_URL: 'https://timeline.hospital.example' }, at8080);
    expect(settings.publicUrl.protocol).toBe('https:');
    expect(settings.launchIssuers).toEqual(['https://timeline.hospital.example/fhir']);
    expect(() => readPageSignInConfig({ PUBLIC_URL: 'https://x.example/timeline' }, at8080)).toThrow(
      /^PUBLIC_URL /,
    );
    expect(() => readPageSignInConfig({ SMART_LAUNCH_ISSUERS: 'not a url' }, at8080)).toThrow(ConfigError);
  });

  it('allows CORS for listed origins only, and never for *', () => {
    expect(readCorsOrigins({})).toEqual([]);
    expect(readCorsOrigins({ CORS_ORIGINS: 'https://ehr.example.org, http://127.0.0.1:5173' })).toEqual([
      'https://ehr.example.org',
      'http://127.0.0.1:5173',
    ]);
    expect(() => readCorsOrigins({ CORS_ORIGINS: '*' })).toThrow(/^CORS_ORIGINS /);
    expect(() => readCorsOrigins({ CORS_ORIGINS: 'https://ehr.example.org/app' })).toThrow(/^CORS_ORIGINS /);
  });
});
