/** The Learner's option and data types (what its constructor and `fit` accept). */

import type { Hyper } from "@sched/core";
import type * as tf from "@tensorflow/tfjs";
import type m from "mitt";
import type { Callback } from "./callback.js";
import type { EventName } from "./events.js";
import type { Learner } from "./learner.js";
import type { LossFunc } from "./losses.js";
import type { Metric, MetricFunc } from "./metrics.js";
import type { ModelLike, Splitter } from "./module.js";
import type { HyperValue, OptFunc } from "./optim/types.js";

/** The learner's bus: every event carries the learner itself. */
export type LearnerEvents = { [E in EventName]: Learner };
/** The mitt emitter type of `learn.bus`. */
export type LearnerBus = m.Emitter<LearnerEvents>;

/** A source of batches: an async iterable of `[xb, yb]` (the learner disposes both) with a length in batches. */
export interface BatchLoader {
  readonly length: number;
  [Symbol.asyncIterator](): AsyncIterator<readonly [tf.Tensor, tf.Tensor]>;
}

/** What the learner trains and validates on (a `DataLoaders`, or anything of its shape). */
export interface LoadersLike {
  readonly train: BatchLoader;
  readonly valid: BatchLoader;
  /** Used when the Learner gets no `lossFunc`. */
  readonly lossFunc?: LossFunc;
}

/** The start, minimum and end momentum of one-cycle policies. */
export type Moms = readonly [number, number, number];

/** Options of `new Learner(dls, model, opts)`. */
export interface LearnerOptions<M extends ModelLike = ModelLike> {
  lossFunc?: LossFunc;
  /** Builds the optimizer (default `Adam`). */
  optFunc?: OptFunc;
  lr?: HyperValue;
  /** Parameter groups (default: all trainable variables in one group). */
  splitter?: Splitter<M>;
  cbs?: readonly Callback[];
  metrics?: readonly (Metric | MetricFunc)[];
  wd?: Hyper;
  /** Weight decay on norm and bias parameters too (default false, as the reference). */
  wdBnBias?: boolean;
  moms?: Moms;
  path?: string;
  modelDir?: string;
  /** Norm parameters keep training when their group is frozen (default true). */
  trainBn?: boolean;
}

/** Options of `fit`. */
export interface FitOptions {
  lr?: HyperValue;
  wd?: Hyper;
  /** Callbacks added for this fit only. */
  cbs?: readonly Callback[];
  /** Build a fresh optimizer (dropping its state) before fitting. */
  resetOpt?: boolean;
  /** Resume: epochs before this one are skipped (their events fire, their bodies do not run). */
  startEpoch?: number;
}
