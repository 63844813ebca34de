import { RequestTimedOutError, type RequestDeadline } from '@oncoimg/fhir-http';

/**
 * Group commit: concurrent single writes wait in a short queue and are written together, in one
 * transaction and a few statements, instead of one transaction each. Each caller is answered only
 * after the group's commit, with its own outcome: a write that fails (a version conflict, an
 * unknown id) fails alone, the others in its group are written.
 *
 * No timer holds a write back: a write that finds the queue idle is sent at once (at the end of
 * the current tick); writes that arrive while `maxConcurrent` groups are being committed wait for
 * the next group. The queue only fills when the database is the bottleneck.
 */
export interface WriteQueueOptions<Q, A> {
  /** Writes a group; answers one outcome per request, in order. Throwing fails the whole group. */
  write: (requests: Q[]) => Promise<A[]>;
  /** Most writes in one group. */
  maxGroup: number;
  /** Groups committed at once (PGlite has one connection: 1). */
  maxConcurrent: number;
}

export interface WriteQueue<Q, A> {
  /** Rejected with RequestTimedOutError, unwritten, when `deadline` passes before its group starts. */
  submit(request: Q, deadline?: RequestDeadline): Promise<A>;
}

interface Waiting<Q, A> {
  request: Q;
  deadline: RequestDeadline | undefined;
  resolve: (answer: A) => void;
  reject: (error: unknown) => void;
}

export function createWriteQueue<Q, A>({
  write,
  maxGroup,
  maxConcurrent,
}: WriteQueueOptions<Q, A>): WriteQueue<Q, A> {
  const waiting: Waiting<Q, A>[] = [];
  let running = 0;
  let scheduled = false;

  const commit = async (candidates: Waiting<Q, A>[]): Promise<void> => {
    const releases: (() => void)[] = [];
    const group = candidates.filter((w) => {
      const release = w.deadline ? w.deadline.hold() : () => undefined;
      if (!release) {
        w.reject(new RequestTimedOutError());
        return false;
      }
      releases.push(release);
      return true;
    });
    if (group.length === 0) {
      return;
    }
    try {
      const answers = await write(group.map((w) => w.request));
      group.forEach((w, index) => {
        const answer = answers[index];
        if (answer === undefined) {
          w.reject(new Error('the group write gave no answer for this request'));
        } else {
          w.resolve(answer);
        }
      });
    } catch (error) {
      for (const w of group) {
        w.reject(error);
      }
    } finally {
      // After the callers' promises are settled: their answers go out in the microtasks that run
      // before a time limit that passed during the commit looks again.
      for (const release of releases) {
        release();
      }
    }
  };

  const pump = (): void => {
    while (running < maxConcurrent && waiting.length > 0) {
      running += 1;
      void commit(waiting.splice(0, maxGroup)).finally(() => {
        running -= 1;
        pump();
      });
    }
  };

  return {
    submit(request, deadline) {
      return new Promise<A>((resolve, reject) => {
        waiting.push({ request, deadline, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          // Requests parsed in the same tick join the same group.
          setImmediate(() => {
            scheduled = false;
            pump();
          });
        }
      });
    },
  };
}
