/**
 * The final stage of each update rule (spec §7, "Optimizer notes"). Coefficients are computed on the host
 * in float64 from the current hypers and the step count, so a hyper-parameter changed between two steps is
 * used by the next one, and the device only sees a few cached scalars.
 */

import * as tf from "@tensorflow/tfjs";
import type { Stage, StepContext } from "./stages.js";

const hyper = (ctx: StepContext, name: string): number => ctx.hyper[name] as number;
const tensorState = (ctx: StepContext, key: string): tf.Tensor => ctx.state[key] as tf.Tensor;
const stepOf = (ctx: StepContext): number => ctx.state.step as number;

/** `1 - mom^step`: the reference's `debias(mom, 1-mom, step)`, with the current `mom`. */
const debias = (mom: number, step: number): number => 1 - mom ** step;

/** `p -= lr * gradAvg` (or `lr * grad` while there is no momentum average). */
export const sgdStep: Stage = {
  name: "sgdStep",
  defaults: { lr: 1e-3 },
  stateKeys: {},
  apply(ctx) {
    const direction = (ctx.state.gradAvg as tf.Tensor | undefined) ?? ctx.grad;
    ctx.p = ctx.p.sub(direction.mul(ctx.scalar(hyper(ctx, "lr"))));
  },
};

/** `p -= lr * (gradAvg or grad) / (sqrt(sqrAvg) + eps)`, no debiasing (fastai's rms_prop_step). */
export const rmsPropStep: Stage = {
  name: "rmsPropStep",
  defaults: { lr: 1e-3, eps: 1e-8 },
  stateKeys: {},
  apply(ctx) {
    const direction = (ctx.state.gradAvg as tf.Tensor | undefined) ?? ctx.grad;
    const denom = tensorState(ctx, "sqrAvg")
      .sqrt()
      .add(ctx.scalar(hyper(ctx, "eps")));
    ctx.p = ctx.p.sub(direction.div(denom).mul(ctx.scalar(hyper(ctx, "lr"))));
  },
};

/** The debiased Adam direction `gradAvg / (sqrt(sqrAvg/debias2) + eps)`, before the `lr/debias1` factor. */
function adamDirection(ctx: StepContext, debias2: number): tf.Tensor {
  const denom = tensorState(ctx, "sqrAvg")
    .div(ctx.scalar(debias2))
    .sqrt()
    .add(ctx.scalar(hyper(ctx, "eps")));
  return tensorState(ctx, "gradAvg").div(denom);
}

/** `p -= lr/(1-mom^step) * gradAvg / (sqrt(sqrAvg/(1-sqrMom^step)) + eps)`. */
export const adamStep: Stage = {
  name: "adamStep",
  defaults: { lr: 1e-3, eps: 1e-5 },
  stateKeys: {},
  apply(ctx) {
    const step = stepOf(ctx);
    const debias1 = debias(hyper(ctx, "mom"), step);
    const direction = adamDirection(ctx, debias(hyper(ctx, "sqrMom"), step));
    ctx.p = ctx.p.sub(direction.mul(ctx.scalar(hyper(ctx, "lr") / debias1)));
  },
};

/** torch's `softplus(x, beta)` with its threshold 20: `log(1 + exp(beta*x)) / beta`, or `x` when large. */
function softplus(x: tf.Tensor, beta: number, scalar: (v: number) => tf.Scalar): tf.Tensor {
  const bx = x.mul(scalar(beta));
  return tf.where(bx.greater(scalar(20)), x, bx.exp().log1p().div(scalar(beta)));
}

/**
 * Rectified Adam: while the variance estimate is unreliable (`r <= 5`) a plain debiased momentum step,
 * then the Adam step scaled by the rectification `v`; `beta > 0` passes the denominator through softplus.
 */
export const radamStep: Stage = {
  name: "radamStep",
  defaults: { lr: 1e-3, eps: 1e-5, beta: 0 },
  stateKeys: {},
  apply(ctx) {
    const step = stepOf(ctx);
    const [lr, mom, sqrMom] = [hyper(ctx, "lr"), hyper(ctx, "mom"), hyper(ctx, "sqrMom")];
    const debias1 = debias(mom, step);
    const debias2 = debias(sqrMom, step);
    const rInf = 2 / (1 - sqrMom) - 1;
    const r = rInf - (2 * step * sqrMom ** step) / (1 - sqrMom ** step);
    const gradAvg = tensorState(ctx, "gradAvg");
    if (!(r > 5)) {
      ctx.p = ctx.p.sub(gradAvg.mul(ctx.scalar(lr / debias1)));
      return;
    }
    const v = Math.sqrt(((r - 4) * (r - 2) * rInf) / ((rInf - 4) * (rInf - 2) * r));
    let denom = tensorState(ctx, "sqrAvg").div(ctx.scalar(debias2)).sqrt();
    const eps = hyper(ctx, "eps");
    if (eps !== 0) denom = denom.add(ctx.scalar(eps));
    const beta = hyper(ctx, "beta");
    if (beta !== 0) denom = softplus(denom, beta, ctx.scalar);
    ctx.p = ctx.p.sub(gradAvg.div(denom).mul(ctx.scalar((lr * v) / debias1)));
  },
};

/** Root mean square of a tensor, as a scalar tensor. */
const rms = (t: tf.Tensor): tf.Tensor => t.square().mean().sqrt();

/**
 * LAMB: the debiased Adam step scaled by the trust ratio `q = min(rms(p)/rms(step), 10)`, `q = 1` when
 * either is 0. The ratio stays on the device (no host sync).
 */
export const lambStep: Stage = {
  name: "lambStep",
  defaults: { lr: 1e-3, eps: 1e-5 },
  stateKeys: {},
  apply(ctx) {
    const step = stepOf(ctx);
    const direction = adamDirection(ctx, debias(hyper(ctx, "sqrMom"), step)).div(
      ctx.scalar(debias(hyper(ctx, "mom"), step)),
    );
    const r1 = rms(ctx.p);
    const r2 = rms(direction);
    const zero = ctx.scalar(0);
    const anyZero = r1.equal(zero).logicalOr(r2.equal(zero));
    const q = tf.where(anyZero, ctx.scalar(1), r1.div(r2).minimum(ctx.scalar(10)));
    ctx.p = ctx.p.sub(direction.mul(q.mul(ctx.scalar(hyper(ctx, "lr")))));
  },
};
