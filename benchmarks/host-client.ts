import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HostCommand, HostResponse } from './host-protocol.ts';

const HOST_SCRIPT = fileURLToPath(new URL('./service-host.ts', import.meta.url));
/** A host that does not exit this long after `stop` is killed (it answered already). */
const EXIT_GRACE_MS = 10_000;

/** The runner's side of a service host: one command at a time, each answered once. */
export interface ServiceHost {
  call<T extends HostResponse['type']>(
    command: HostCommand,
    expect: T,
  ): Promise<Extract<HostResponse, { type: T }>>;
  /** Sends `stop` and waits for the process to exit. */
  stop(): Promise<Extract<HostResponse, { type: 'stopped' }>>;
  pid: number | undefined;
}

/** Forks service-host.ts; `execArgv` adds Node flags (such as --cpu-prof) to the host only. */
export function forkServiceHost({ execArgv = [] }: { execArgv?: string[] } = {}): ServiceHost {
  const child: ChildProcess = fork(HOST_SCRIPT, [], {
    execArgv: [...process.execArgv, ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });

  function call<T extends HostResponse['type']>(
    command: HostCommand,
    expect: T,
  ): Promise<Extract<HostResponse, { type: T }>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => {
        reject(new Error(`service host exited (code ${String(code)}) during ${command.type}`));
      };
      child.once('exit', onExit);
      child.once('message', (message: HostResponse) => {
        child.off('exit', onExit);
        if (message.type === expect) {
          resolve(message as Extract<HostResponse, { type: T }>);
        } else if (message.type === 'error') {
          reject(new Error(`service host, ${command.type}: ${message.message}`));
        } else {
          reject(new Error(`service host answered ${message.type} to ${command.type}`));
        }
      });
      child.send(command);
    });
  }

  return {
    pid: child.pid,
    call,
    async stop() {
      const stopped = await call({ type: 'stop' }, 'stopped');
      const timer = setTimeout(() => {
        if (!exited) {
          child.kill('SIGKILL');
        }
      }, EXIT_GRACE_MS);
      await exit;
      clearTimeout(timer);
      return stopped;
    },
  };
}
