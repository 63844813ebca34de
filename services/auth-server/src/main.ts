/** Composition root of the embedded authorization server (port 8085); the only reader of process.env. */
import { startAuthServer } from './auth-server.ts';
import { readAuthServerConfig } from './config.ts';

const config = readAuthServerConfig(process.env, process.cwd());
const server = await startAuthServer({
  ...config,
  ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
  onError: (error) => {
    // The error name only: a failed sign-in must not echo what was typed.
    process.stderr.write(
      `auth-server: interaction failed (${error instanceof Error ? error.name : 'error'})\n`,
    );
  },
});
process.stdout.write(`auth-server: issuer ${server.issuer}, listening on ${server.url}\n`);

const stop = () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
