/**
 * The LR finder's validation (`validBatches`): a fixed set of validation batches, taken from the
 * valid loader once before the run, and the loss of the current weights on them after each step.
 * The training loss cannot see overfitting: an LR that lowers it may raise the validation loss.
 */

import type { BatchLoader, Learner } from "@sched/learner";
import * as tf from "@tensorflow/tfjs";
import { LrFindOptionError } from "./options.js";
import { epochCounter } from "./snapshot.js";

/** The learner's validation loader, checked to have a batch; throws `LrFindOptionError` saying what is missing. */
export function validLoader(learn: Learner, validBatches: number, where: string): BatchLoader {
  const dl = (learn.dls as { valid?: BatchLoader } | undefined)?.valid;
  if (!dl || typeof dl[Symbol.asyncIterator] !== "function") {
    throw new LrFindOptionError(
      `${where}: validBatches=${validBatches} needs a validation loader (learn.dls.valid), but the learner has none`,
    );
  }
  if (!(dl.length > 0)) {
    throw new LrFindOptionError(
      `${where}: validBatches=${validBatches} needs validation batches, but learn.dls.valid is empty (length ${dl.length})`,
    );
  }
  return dl;
}

/** The finder's validation batches (owned: freed by `dispose`), and the loss of a model on them. */
export class ValidationBatches {
  readonly #batches: (readonly [tf.Tensor, tf.Tensor])[];
  /** Items per batch: the batches are averaged weighted by size, as the Recorder's validation. */
  readonly #sizes: number[];
  #disposed = false;

  private constructor(batches: (readonly [tf.Tensor, tf.Tensor])[]) {
    this.#batches = batches;
    this.#sizes = batches.map(([, y]) => y.shape[0] ?? 1);
  }

  /**
   * The first `count` batches of `learn.dls.valid` (all of them for `Infinity`), in the order the
   * next validation would see them. The loader's epoch counter, which the iteration advances, is
   * put back, so later validations (and shuffles) are as if this never ran.
   */
  static async take(learn: Learner, count: number, where: string): Promise<ValidationBatches> {
    const dl = validLoader(learn, count, where);
    const counter = epochCounter(dl);
    const epoch = counter?.epoch ?? 0;
    const batches: (readonly [tf.Tensor, tf.Tensor])[] = [];
    try {
      const it = dl[Symbol.asyncIterator]();
      let done = false;
      while (batches.length < count) {
        const next = await it.next();
        if (next.done) {
          done = true;
          break;
        }
        batches.push(next.value);
      }
      // Stopping early: the loader frees what it prefetched.
      if (!done) await it.return?.();
    } catch (error) {
      tf.dispose(batches.flat());
      throw error;
    } finally {
      if (counter) counter.epoch = epoch;
    }
    if (batches.length === 0) {
      throw new LrFindOptionError(
        `${where}: validBatches=${count} needs validation batches, but learn.dls.valid (length ${dl.length}) yielded none`,
      );
    }
    return new ValidationBatches(batches);
  }

  /** Number of batches held. */
  get length(): number {
    return this.#batches.length;
  }

  /**
   * The learner's loss function on the model's predictions in inference mode (`training: false`:
   * dropout off, batch-norm reads its running statistics and does not update them), averaged over
   * the batches weighted by their size. One device read; every intermediate tensor is freed.
   */
  loss(learn: Learner): number {
    if (this.#disposed) throw new Error("ValidationBatches: used after dispose");
    const perBatch = tf.tidy(() =>
      tf.stack(this.#batches.map(([x, y]) => learn.lossFunc(learn.module.call(x, { training: false }), y))),
    );
    let values: ArrayLike<number>;
    try {
      values = perBatch.dataSync();
    } finally {
      perBatch.dispose();
    }
    // Summed on the host in float64, in batch order, as the Recorder's validation loss.
    let [sum, count] = [0, 0];
    this.#sizes.forEach((size, i) => {
      sum += (values[i] as number) * size;
      count += size;
    });
    return sum / count;
  }

  /** Frees the batches (once). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    tf.dispose(this.#batches.flat());
  }
}
