// Runs async tasks one after another, in the order they were asked for: the lock that a folder
// source's syncs, a Git workspace's commands, the Graph pacer's turns and the notifier's state
// saves each need. A task that fails does not stop the ones queued after it (its own caller
// gets the failure), so one bad sync never wedges the queue.

/** A FIFO of async tasks with at most one running. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` once every task queued before it has settled; settles as the task does. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task, task);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every task queued so far has settled (never rejects). */
  idle(): Promise<void> {
    return this.#tail.then(() => undefined);
  }
}
