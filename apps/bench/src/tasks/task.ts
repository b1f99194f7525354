/** What a benchmark task is: real data, a fixed split, a seeded model and a training budget. */
import type * as tf from "@tensorflow/tfjs";

/** Training and validation tensors of a task (the caller disposes them with `dispose`). */
export interface TaskData {
  train: readonly [x: tf.Tensor, y: tf.Tensor];
  valid: readonly [x: tf.Tensor, y: tf.Tensor];
  dispose(): void;
}

/** A dataset with its split, model family and budget; the split never depends on the training seed. */
export interface Task {
  name: string;
  /** One line for RESULTS.md: data, split, preparation, model. */
  describe: string;
  /** Classification (cross-entropy, accuracy) or regression (MSE on standardised targets). */
  kind: "classification" | "regression";
  bs: number;
  /** Epochs of `fitOneCycle` in the regret study: the fixed budget of every training. */
  epochs: number;
  load(): TaskData;
  /** A fresh model whose every initializer is seeded by `seed`. */
  model(seed: number): tf.LayersModel;
}
