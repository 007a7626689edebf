/**
 * Runs tasks one at a time, in call order: each starts once the one before it has settled
 * (fulfilled or rejected). A task's failure is its caller's; it does not stop the queue.
 */
export interface SerialQueue {
  run<T>(task: () => T | Promise<T>): Promise<T>;
  /** Resolves once every task queued so far has settled. */
  idle(): Promise<void>;
}

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run(task) {
      const result = tail.then(task);
      tail = result.catch(() => undefined);
      return result;
    },
    idle: () => tail.then(() => undefined),
  };
}
