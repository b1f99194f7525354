/** What a benchmark task is: real data, a fixed split, a seeded model and a training budget. */
import type * as tf from "@tensorflow/tfjs";

/** Training and validation tensors of a task (the caller disposes them with `dispose`). */
export interface TaskData {
  train: readonly [x: tf.Tensor, y: tf.Tensor];
  valid: readonly [x: tf.Tensor, y: tf.Tensor];
  dispose(): void;
}

/**
 * A dataset with its split, model family and budget. The split never depends on the training seed;
 * tasks whose split is ours (a seeded random split, not the dataset's own) can draw another with `load(splitSeed)`.
 */
export interface Task {
  name: string;
  /** One line for RESULTS.md: data, split, preparation, model. */
  describe: string;
  /** Classification (cross-entropy, accuracy) or regression (MSE on standardised targets). */
  kind: "classification" | "regression";
  bs: number;
  /** Epochs of `fitOneCycle` in the regret study: the fixed budget of every training. */
  epochs: number;
  /** Loads the data: the task's usual split, or the seeded random split `splitSeed` when `randomSplit`. */
  load(splitSeed?: number): TaskData;
  /** True when the split is a seeded random one (small tables), so other seeds give other, equally valid splits. */
  randomSplit: boolean;
  /** A fresh model whose every initializer is seeded by `seed`. */
  model(seed: number): tf.LayersModel;
}
