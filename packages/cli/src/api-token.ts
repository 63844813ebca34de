import type { Env } from './command.ts';
import { fetchToken, parseTokenOptions } from './commands/token.ts';

/**
 * The `Authorization` header of a command's calls to the services' HTTP APIs: `$ONCOIMG_TOKEN` when
 * set (a token from a hospital's provider), else a token of the `cli-dev` development client from
 * the embedded authorization server (`$OIDC_ISSUER`, key under `$AUTH_DATA_DIR`), asked for once
 * per scope and command run.
 */
export function apiAuthorization(env: Env, fetchFn: typeof fetch): (scope: string) => Promise<string> {
  const tokens = new Map<string, Promise<string>>();
  return (scope) => {
    const given = env.ONCOIMG_TOKEN?.trim();
    if (given) {
      return Promise.resolve(`Bearer ${given}`);
    }
    let token = tokens.get(scope);
    if (!token) {
      token = fetchToken(parseTokenOptions(['--scope', scope], env), fetchFn).then(
        ({ access_token: accessToken }) => `Bearer ${accessToken}`,
      );
      tokens.set(scope, token);
    }
    return token;
  };
}
