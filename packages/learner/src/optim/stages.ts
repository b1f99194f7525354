/**
 * The pieces an optimizer is assembled from, as fastai's optimizer callbacks: each stage reads the running
 * step context and replaces tensors in it. They run inside the optimizer's `tf.tidy`, so they may create
 * tensors freely; the optimizer keeps what ends up in the state and frees what was replaced.
 */

import type * as tf from "@tensorflow/tfjs";
import type { Hypers, ParamState } from "./types.js";

/** What a stage sees for one parameter during one step. */
export interface StepContext {
  /** The parameter's value; decoupled weight decay and the final update replace it. */
  p: tf.Tensor;
  /** The gradient; L2 regularisation replaces it. */
  grad: tf.Tensor;
  /** The parameter's state, updated stage by stage (starts as the state before the step). */
  readonly state: ParamState;
  /** The hyper-parameters of the parameter's group, as they are now. */
  readonly hyper: Readonly<Hypers>;
  /** False for parameters excluded from weight decay (norm and bias parameters). */
  readonly doWd: boolean;
  /** A float32 scalar for a host number, shared and cached across parameters and steps. */
  scalar(value: number): tf.Scalar;
}

/** How a state entry is stored: a tensor shaped like the parameter, or a non-negative integer. */
export type StateKind = "tensor" | "count";

/** One piece of an update rule. */
export interface Stage {
  readonly name: string;
  /** The hyper-parameters this stage reads, with their default values. */
  readonly defaults: Readonly<Hypers>;
  /** The state entries this stage writes. */
  readonly stateKeys: Readonly<Record<string, StateKind>>;
  apply(ctx: StepContext): void;
}

const hyper = (ctx: StepContext, name: string): number => ctx.hyper[name] as number;

/** Decoupled weight decay: `p *= 1 - lr*wd`. */
export const weightDecay: Stage = {
  name: "weightDecay",
  defaults: { wd: 0 },
  stateKeys: {},
  apply(ctx) {
    const wd = hyper(ctx, "wd");
    if (ctx.doWd && wd !== 0) ctx.p = ctx.p.mul(ctx.scalar(1 - hyper(ctx, "lr") * wd));
  },
};

/** L2 regularisation: `grad += wd*p`. */
export const l2Reg: Stage = {
  name: "l2Reg",
  defaults: { wd: 0 },
  stateKeys: {},
  apply(ctx) {
    const wd = hyper(ctx, "wd");
    if (ctx.doWd && wd !== 0) ctx.grad = ctx.grad.add(ctx.p.mul(ctx.scalar(wd)));
  },
};

/**
 * Running average of the gradient: `gradAvg = mom*gradAvg + damp*grad`, with `damp = 1 - mom` when
 * dampened and 1 otherwise (SGD and RMSProp momentum). Undampened, while `mom` is 0 and no average exists yet,
 * no state is created (the reference's optimizer built with `mom=0`); as soon as `mom` becomes non-zero the
 * average starts, so a momentum schedule that starts at 0 still takes effect.
 */
export function averageGrad(opts: { dampening: boolean; defaultMom: number }): Stage {
  return {
    name: opts.dampening ? "averageGrad(dampened)" : "averageGrad",
    defaults: { mom: opts.defaultMom },
    stateKeys: { gradAvg: "tensor" },
    apply(ctx) {
      const mom = hyper(ctx, "mom");
      const old = ctx.state.gradAvg as tf.Tensor | undefined;
      if (!opts.dampening && mom === 0 && old === undefined) return;
      const damp = opts.dampening ? 1 - mom : 1;
      const g = damp === 1 ? ctx.grad : ctx.grad.mul(ctx.scalar(damp));
      // A missing average is zeros: mom*0 + g is g exactly, without allocating the zeros.
      ctx.state.gradAvg = old === undefined ? g : old.mul(ctx.scalar(mom)).add(g);
    },
  };
}

/** Running average of the squared gradient: `sqrAvg = sqrMom*sqrAvg + (1-sqrMom)*grad²`. */
export const averageSqrGrad: Stage = {
  name: "averageSqrGrad",
  defaults: { sqrMom: 0.99 },
  stateKeys: { sqrAvg: "tensor" },
  apply(ctx) {
    const sqrMom = hyper(ctx, "sqrMom");
    const old = ctx.state.sqrAvg as tf.Tensor | undefined;
    const g2 = ctx.grad.square().mul(ctx.scalar(1 - sqrMom));
    ctx.state.sqrAvg = old === undefined ? g2 : old.mul(ctx.scalar(sqrMom)).add(g2);
  },
};

/** Counts the steps taken by the parameter (for debiasing). */
export const stepCount: Stage = {
  name: "stepCount",
  defaults: {},
  stateKeys: { step: "count" },
  apply(ctx) {
    ctx.state.step = ((ctx.state.step as number | undefined) ?? 0) + 1;
  },
};
