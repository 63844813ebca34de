/** Runs async functions one at a time, in call order. */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    // The next caller waits for this one to settle, whether it succeeded or not.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
