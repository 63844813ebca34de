import { describe, expect, it } from 'vitest';
import { runCli, type CliIo } from './cli.ts';
import { DEFAULT_ISSUER, parseTokenOptions } from './commands/token.ts';
import { CliError } from './errors.ts';

function usageMessage(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    if (error instanceof CliError && error.code === 'USAGE') {
      return error.message;
    }
    throw error;
  }
  throw new Error('expected a usage error');
}

describe('oncoimg token options', () => {
  it('defaults to the embedded server, the cli-dev client and its key under .data/auth-server', () => {
    expect(parseTokenOptions(['--scope', ' system/*.rs   patient/*.rs '])).toEqual({
      issuer: DEFAULT_ISSUER,
      clientId: 'cli-dev',
      keyFile: '.data/auth-server/clients/cli-dev.private.jwk.json',
      scope: 'system/*.rs patient/*.rs',
      patient: undefined,
    });
  });

  it('takes the issuer from OIDC_ISSUER and the key directory from AUTH_DATA_DIR, options first', () => {
    const env = { OIDC_ISSUER: 'https://idp.hospital.example/realms/imaging', AUTH_DATA_DIR: '/srv/auth' };
    expect(parseTokenOptions(['--scope', 'system/*.rs', '--client', 'ehr-dev'], env)).toMatchObject({
      issuer: 'https://idp.hospital.example/realms/imaging',
      keyFile: '/srv/auth/clients/ehr-dev.private.jwk.json',
    });
    expect(
      parseTokenOptions(
        [
          '--scope',
          'patient/*.rs',
          '--patient',
          'Patient/1',
          '--issuer',
          'http://127.0.0.1:9999',
          '--key-file',
          'k.json',
        ],
        env,
      ),
    ).toMatchObject({ issuer: 'http://127.0.0.1:9999', keyFile: 'k.json', patient: 'Patient/1' });
  });

  it('refuses a missing scope, an issuer that is not a URL, an empty patient and stray arguments', () => {
    expect(usageMessage(() => parseTokenOptions([]))).toMatch(/--scope is required/);
    expect(usageMessage(() => parseTokenOptions(['--scope', '  ']))).toMatch(/--scope is required/);
    expect(usageMessage(() => parseTokenOptions(['--scope', 'a', '--issuer', 'not a url']))).toMatch(
      /not a URL/,
    );
    expect(usageMessage(() => parseTokenOptions(['--scope', 'a', '--patient', '']))).toMatch(
      /--patient is empty/,
    );
    expect(usageMessage(() => parseTokenOptions(['--scope', 'a', 'extra']))).toMatch(/unexpected argument/);
  });

  it('exits 1 with one line on stderr and nothing on stdout when the client key is missing', async () => {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: (chunk: string) => (stderr += chunk) },
      env: {},
      fetch: () => Promise.reject(new Error('no network in unit tests')),
    };
    const code = await runCli(['token', '--scope', 'system/*.rs', '--key-file', '/nonexistent/key.json'], io);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(/^oncoimg: no private key for client cli-dev at \/nonexistent\/key.json/);
  });
});
