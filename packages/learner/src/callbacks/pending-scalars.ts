import * as tf from "@tensorflow/tfjs";

/**
 * Scalar tensors (per-batch losses) waiting on the device, read back all at once. Recording a value
 * costs no kernel and no device sync (the tensor is taken over, not copied); `drain` reads every
 * pending value with one device read.
 */
export class PendingScalars {
  #tensors: tf.Tensor[] = [];
  #weights: number[] = [];
  /** Already read, but still in use by the running batch: freed at the next push, drain or dispose. */
  #deferred: tf.Tensor[] = [];

  get length(): number {
    return this.#tensors.length;
  }

  /** Takes over `t` (or, if it is not a scalar, its mean) via `retain`, which keeps it past the batch. */
  push(t: tf.Tensor, retain: (t: tf.Tensor) => tf.Tensor, weight = 1): void {
    this.#freeDeferred();
    this.#tensors.push(t.rank === 0 ? retain(t) : tf.keep(tf.mean(t)));
    this.#weights.push(weight);
  }

  /**
   * The pending values (as float64 numbers) and their weights. The tensors are freed, except those
   * `inUse` says the running batch still uses (they are freed later).
   */
  drain(inUse: (t: tf.Tensor) => boolean = () => false): { values: number[]; weights: number[] } {
    this.#freeDeferred();
    const tensors = this.#tensors;
    const weights = this.#weights;
    this.#tensors = [];
    this.#weights = [];
    if (tensors.length === 0) return { values: [], weights };
    try {
      const data =
        tensors.length === 1
          ? (tensors[0] as tf.Tensor).dataSync()
          : tf.tidy(() => tf.stack(tensors).dataSync());
      return { values: Array.from(data, Number), weights };
    } finally {
      for (const t of tensors) {
        if (inUse(t)) this.#deferred.push(t);
        else t.dispose();
      }
    }
  }

  /** Frees every tensor without reading the pending ones. */
  dispose(): void {
    this.#freeDeferred();
    for (const t of this.#tensors) t.dispose();
    this.#tensors = [];
    this.#weights = [];
  }

  #freeDeferred(): void {
    for (const t of this.#deferred) t.dispose();
    this.#deferred = [];
  }
}
