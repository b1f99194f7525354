import type * as tf from "@tensorflow/tfjs";

/** One batch: inputs and targets. Yielded batches are new tensors the consumer owns and disposes. */
export type Batch = [xb: tf.Tensor, yb: tf.Tensor];

/** What a source learns about the batch it is asked for. */
export interface LoadContext {
  /** Index of the iteration (epoch) this batch belongs to; `oneBatch` uses 0. */
  readonly epoch: number;
  /** True for a training loader: item transforms may augment. */
  readonly training: boolean;
  /** The loader's seed; sources derive per-item streams from it. */
  readonly seed: number;
  /** Aborted when the iteration stops early; work not yet started can be skipped. */
  readonly signal: AbortSignal;
}

/** Where a DataLoader gets its batches: `n` items, loaded by index. */
export interface BatchSource {
  /** Number of items. */
  readonly n: number;
  /** The batch of the items at `indices`, as new tensors; must leak nothing when it throws. */
  load(indices: Int32Array, ctx: LoadContext): Batch | Promise<Batch>;
  /** Frees what the source holds (e.g. its tensors). */
  dispose(): void;
}
