/**
 * The optimizer contract the training loop relies on. Optimizers are ours (not tfjs's) so that every
 * hyper-parameter of every parameter group can change between two steps.
 */

import type { Hyper } from "@sched/core";
import type * as tf from "@tensorflow/tfjs";

/** Discriminative learning rates spread over parameter groups, as the reference's `slice`. */
export interface LrSlice {
  readonly kind: "lrSlice";
  readonly start?: number;
  readonly stop: number;
}

/** What `setHyper` accepts: a number, one number per group, or an lrSlice. */
export type HyperValue = Hyper | LrSlice;

/** One parameter group's hyper-parameters (`lr`, `mom`, `sqrMom`, `eps`, `wd`, ...). */
export type Hypers = Record<string, number>;

/** Per-parameter optimizer state (`gradAvg`, `sqrAvg`, `step`, ...); `{}` before the first step. */
export type ParamState = Record<string, tf.Tensor | number>;

/** `stateDict()` output: state in parameter order, one hyper record per group. */
export interface OptimizerStateDict {
  state: ParamState[];
  hypers: Hypers[];
}

/** Which parameters are special: norm parameters keep training when frozen (trainBn), and norm/bias skip wd. */
export interface ParamFlags {
  /** Parameters that train even in a frozen group (batch-norm scale/offset when `trainBn`). */
  forceTrain?: ReadonlySet<tf.Variable>;
  /** Parameters that get no weight decay (norm and bias parameters by default). */
  noWd?: ReadonlySet<tf.Variable>;
}

export interface Optimizer {
  /** Parameter groups in order; a variable belongs to exactly one group. */
  readonly paramGroups: readonly (readonly tf.Variable[])[];
  /** One hyper-parameter record per group. Change them through `setHyper`. */
  readonly hypers: Hypers[];
  /** Gradients of the last backward pass; the optimizer owns (and disposes) them. */
  readonly grads: ReadonlyMap<tf.Variable, tf.Tensor>;
  /** Every parameter, flat, in group order: the order of `stateDict().state`. */
  params(): tf.Variable[];
  /** Parameters that currently train (not frozen, or force-trained): what the loop differentiates. */
  trainableParams(): tf.Variable[];
  /** Takes ownership of new gradients, disposing any previous ones. */
  setGrads(grads: Map<tf.Variable, tf.Tensor>): void;
  /** Applies the current gradients with the current hypers; parameters without a gradient are untouched. */
  step(): void;
  /** Disposes the current gradients. */
  zeroGrad(): void;
  /** Sets a hyper-parameter on every group (a number), per group (an array), or spread (an lrSlice). */
  setHyper(name: string, value: HyperValue): void;
  /** Whether `name` is one of this optimizer's hyper-parameters (what `setHyper` accepts). */
  hasHyper(name: string): boolean;
  /**
   * Freezes groups before `n` (negative counts from the end); reference semantics. It does not clear the
   * state: the Learner's `freezeTo` calls `clearState()` after it, as the reference does.
   */
  freezeTo(n: number): void;
  /** `freezeTo(-1)`: only the last group trains (plus force-trained parameters). */
  freeze(): void;
  /** `freezeTo(0)`: every group trains. */
  unfreeze(): void;
  /** Drops the accumulated state (momentum buffers, step counts). */
  clearState(): void;
  /** A copy of the state and hypers; tensors in it are clones the caller owns. */
  stateDict(): OptimizerStateDict;
  /** Replaces state and hypers with copies of `sd`; checks group and parameter counts first. */
  loadStateDict(sd: OptimizerStateDict): void;
  /** Frees every tensor the optimizer holds; the optimizer is unusable afterwards. */
  dispose(): void;
}

/** Options every optimizer factory accepts besides its own hyper-parameters. */
export interface OptimizerOptions extends ParamFlags {
  /** Norm parameters keep training in frozen groups (default true). */
  trainBn?: boolean;
  /** Weight decay as `p *= 1 - lr*wd` (true, the default) or as L2 regularisation `grad += wd*p` (false). */
  decoupleWd?: boolean;
  /** Receives warnings such as "whole model is frozen" (default `console.warn`). */
  onWarning?: (message: string) => void;
}

/**
 * Starting hyper-parameter values a factory accepts; `undefined` means the factory's default. A value for a
 * hyper-parameter the optimizer does not have (e.g. `sqrMom` for SGD) is an error.
 */
export interface HyperOptions {
  lr?: number | undefined;
  mom?: number | undefined;
  sqrMom?: number | undefined;
  eps?: number | undefined;
  wd?: number | undefined;
  /** RAdam's softplus sharpness (0 = no softplus). */
  beta?: number | undefined;
}

/** How the Learner builds its optimizer: `optFunc(splitter(model), { lr, ... })`. */
export type OptFunc = (
  paramGroups: readonly (readonly tf.Variable[])[],
  opts?: HyperOptions & OptimizerOptions,
) => Optimizer;
