import * as tf from "@tensorflow/tfjs";

/**
 * Scalar tensors (per-batch losses) waiting on the device, read back all at once. Recording a value
 * costs a clone (no kernel, no device sync); `drain` reads every pending value with one device read.
 */
export class PendingScalars {
  #tensors: tf.Tensor[] = [];
  #weights: number[] = [];

  get length(): number {
    return this.#tensors.length;
  }

  /** Holds a copy of `t` (its mean if it is not a scalar) past the batch's tidy. */
  push(t: tf.Tensor, weight = 1): void {
    const scalar = t.rank === 0 ? t.clone() : tf.mean(t);
    this.#tensors.push(tf.keep(scalar));
    this.#weights.push(weight);
  }

  /** The pending values (as float64 numbers) and their weights; frees the tensors. */
  drain(): { values: number[]; weights: number[] } {
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
      for (const t of tensors) t.dispose();
    }
  }

  /** Frees the pending tensors without reading them. */
  dispose(): void {
    for (const t of this.#tensors) t.dispose();
    this.#tensors = [];
    this.#weights = [];
  }
}
