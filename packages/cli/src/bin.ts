#!/usr/bin/env node
import { runCli } from './cli.ts';

// kafkajs 2.2 sets negative timeouts, which Node reports on every run; other warnings still show.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'TimeoutNegativeWarning') {
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
  }
});

const interrupted = new AbortController();
const stop = () => {
  // A second Ctrl-C leaves at once, whatever is still closing.
  if (interrupted.signal.aborted) {
    process.exit(130);
  }
  interrupted.abort();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: interrupted.signal,
});
// kafkajs can leave sockets closing for a while; the command is done once its output is written.
process.stdout.write('', () => process.exit(code));
