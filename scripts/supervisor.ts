/**
 * Keeps the processes of `npm start` running: one that exits without being asked to is started
 * again after a backoff, and the terminal is told. A process that keeps crashing waits longer each
 * time (1 s doubling to 30 s); one that ran for a minute is healthy again and starts from 1 s.
 */
import type { ChildProcess } from 'node:child_process';

export interface RestartPolicyOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A process that ran this long before exiting is considered healthy: its backoff starts over. */
  resetAfterMs?: number;
}

export interface RestartPolicy {
  /** Call when the process starts. */
  started(now: number): void;
  /** Call when it exits unexpectedly; returns how long to wait before starting it again. */
  nextDelay(now: number): number;
}

/** The backoff of the `attempt`-th restart in a row (0 for the first): doubling, capped. */
export function backoffDelay(attempt: number, { initialDelayMs = 1_000, maxDelayMs = 30_000 } = {}): number {
  return Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt, 30));
}

export function createRestartPolicy({
  initialDelayMs = 1_000,
  maxDelayMs = 30_000,
  resetAfterMs = 60_000,
}: RestartPolicyOptions = {}): RestartPolicy {
  let attempt = 0;
  let startedAt = 0;
  return {
    started(now) {
      startedAt = now;
    },
    nextDelay(now) {
      if (now - startedAt >= resetAfterMs) {
        attempt = 0;
      }
      const delay = backoffDelay(attempt, { initialDelayMs, maxDelayMs });
      attempt += 1;
      return delay;
    },
  };
}

/** `signal SIGKILL` or `code 1`, as the terminal shows it. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `signal ${signal}` : `code ${String(code)}`;
}

/** `1 s`, `500 ms`. */
export function formatDelay(ms: number): string {
  return ms >= 1_000 && ms % 1_000 === 0 ? `${String(ms / 1_000)} s` : `${String(ms)} ms`;
}

export function hasExited(child: ChildProcess): boolean {
  // A child killed by a signal keeps `exitCode` null: checking it alone waits forever.
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves once `child` has exited, at once when it already has. */
export function waitForExit(child: ChildProcess): Promise<void> {
  if (hasExited(child)) {
    return Promise.resolve();
  }
  return new Promise<void>((resolve) => {
    const done = () => {
      child.off('exit', done);
      child.off('close', done);
      resolve();
    };
    child.once('exit', done);
    child.once('close', done);
  });
}

export interface SupervisedProcess {
  readonly name: string;
  /** The process running now, or undefined while waiting to restart. */
  current(): ChildProcess | undefined;
  /** Unexpected exits so far. */
  restarts(): number;
  /**
   * Stops supervising: no restart, a pending one cancelled; sends `signal`, then SIGKILL after
   * `killAfterMs` if the process has not exited; resolves once it has.
   */
  stop(options?: { signal?: NodeJS.Signals; killAfterMs?: number }): Promise<void>;
}

export interface SuperviseOptions {
  name: string;
  spawn: () => ChildProcess;
  log: (line: string) => void;
  policy?: RestartPolicy;
  now?: () => number;
  /** Called after each restart (not the first start), with the new process. */
  onRestart?: (child: ChildProcess) => void;
}

/** Starts `spawn()` and starts it again, after the policy's delay, whenever it exits unasked. */
export function supervise({
  name,
  spawn,
  log,
  policy = createRestartPolicy(),
  now = Date.now,
  onRestart,
}: SuperviseOptions): SupervisedProcess {
  let child: ChildProcess | undefined;
  let stopped = false;
  let restarts = 0;
  let timer: NodeJS.Timeout | undefined;

  const launch = () => {
    timer = undefined;
    if (stopped) {
      return;
    }
    const started = spawn();
    child = started;
    policy.started(now());
    if (restarts > 0) {
      onRestart?.(started);
    }
    started.once('error', (error) => {
      log(`${name} could not be started: ${error.message}`);
    });
    started.once('exit', (code, signal) => {
      if (stopped || child !== started) {
        return;
      }
      child = undefined;
      restarts += 1;
      const delay = policy.nextDelay(now());
      log(`${name} exited (${describeExit(code, signal)}); restarting in ${formatDelay(delay)}`);
      timer = setTimeout(launch, delay);
    });
  };
  launch();

  return {
    name,
    current: () => child,
    restarts: () => restarts,
    async stop({ signal = 'SIGTERM', killAfterMs = 15_000 } = {}) {
      stopped = true;
      clearTimeout(timer);
      const running = child;
      if (!running || hasExited(running)) {
        return;
      }
      const exited = waitForExit(running);
      running.kill(signal);
      const killer = setTimeout(() => running.kill('SIGKILL'), killAfterMs);
      await exited;
      clearTimeout(killer);
    },
  };
}
