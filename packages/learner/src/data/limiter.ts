/**
 * A FIFO concurrency limit for async work. `run` starts the task synchronously when a slot is free
 * (so prefetching begins at once), otherwise queues it; a freed slot goes to the oldest waiter.
 */
export class Limiter {
  #free: number;
  readonly #waiters: Array<() => void> = [];

  constructor(readonly limit: number) {
    this.#free = limit;
  }

  /** Tasks running now. */
  get active(): number {
    return this.limit - this.#free;
  }

  /** Runs `task` when a slot is free; the result settles as the task's does. */
  run<T>(task: () => T | Promise<T>): Promise<T> {
    if (this.#free > 0) {
      this.#free--;
      return this.#start(task);
    }
    return new Promise<void>((resolve) => this.#waiters.push(resolve)).then(() => this.#start(task));
  }

  #start<T>(task: () => T | Promise<T>): Promise<T> {
    let result: Promise<T>;
    try {
      result = Promise.resolve(task());
    } catch (error) {
      result = Promise.reject(error);
    }
    return result.finally(() => this.#release());
  }

  #release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#free++;
  }
}
