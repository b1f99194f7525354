/**
 * The loss smoothing of the Recorder and of the LR finder's validation curve: an exponential moving
 * average `val = β·val + (1−β)·x`, debiased as `val / (1 − β^n)` so the first values are not pulled
 * toward the zero it starts from. One implementation, so both curves agree bit for bit.
 */
export class DebiasedEma {
  #val = 0;
  #count = 0;

  constructor(readonly beta: number) {}

  /** Adds `x` and returns the smoothed, debiased value after it. */
  push(x: number): number {
    const { beta } = this;
    this.#count += 1;
    this.#val = beta * this.#val + (1 - beta) * x;
    return this.#val / (1 - beta ** this.#count);
  }
}
