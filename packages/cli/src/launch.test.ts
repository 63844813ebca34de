import { describe, expect, it } from 'vitest';
import { parseLaunchOptions } from './commands/launch.ts';
import { CliError } from './errors.ts';

describe('oncoimg launch options', () => {
  it('names the page’s own FHIR base as iss and registers with the CLI’s development client', () => {
    const options = parseLaunchOptions(['--patient', 'Patient/123'], { AUTH_DATA_DIR: '/tmp/auth' });
    expect(options).toMatchObject({
      patient: 'Patient/123',
      app: 'http://127.0.0.1:8080',
      iss: 'http://127.0.0.1:8080/fhir',
      token: {
        clientId: 'cli-dev',
        issuer: 'http://127.0.0.1:8085',
        keyFile: '/tmp/auth/clients/cli-dev.private.jwk.json',
      },
    });
    expect(parseLaunchOptions(['--patient', 'P', '--app', 'https://timeline.example/']).iss).toBe(
      'https://timeline.example/fhir',
    );
  });

  it('is a usage error without --patient', () => {
    const error = (() => {
      try {
        return parseLaunchOptions([]);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe('USAGE');
  });
});
