/**
 * fitOneCycle: Leslie Smith's 1cycle as the reference runs it. lr rises from lrMax/div to lrMax over
 * the first pctStart of training and falls to lrMax/divFinal (cosine both ways); momentum does the
 * opposite, moms[0] → moms[1] → moms[2].
 */

import type { Scheds } from "@sched/callbacks";
import { combinedCos } from "@sched/core";
import type { HyperValue, Learner, Moms } from "@sched/learner";
import { integer, lrsOf, momsOf, openFraction, positive, withOptimizer } from "./check.js";
import { checkFitOptions, fitWith, type PolicyFitOptions, perGroup } from "./common.js";

/** Options of `fitOneCycle` (defaults as the reference). */
export interface FitOneCycleOptions extends PolicyFitOptions {
  /** Peak learning rate: a number, one per group, or an lrSlice (default `learn.lr`). */
  lrMax?: HyperValue;
  /** The starting lr is lrMax/div (default 25). */
  div?: number;
  /** The final lr is lrMax/divFinal (default 1e5). */
  divFinal?: number;
  /** Fraction of training spent warming up (default 0.25). */
  pctStart?: number;
  /** Momentum start, minimum, end (default `learn.moms`, i.e. [0.95, 0.85, 0.95]). */
  moms?: Moms;
}

/** The checked shape parameters of a one-cycle (everything but the learning rates). */
export interface OneCycleShape {
  div: number;
  divFinal: number;
  pctStart: number;
  moms: readonly [number, number, number];
}

/** The schedules `fitOneCycle` uses for peak learning rates `lrMax` (one per group): for previews. */
export function oneCycleScheds(lrMax: readonly number[], shape: OneCycleShape): Scheds {
  const { div, divFinal, pctStart, moms } = shape;
  return {
    lr: perGroup(lrMax, (lr) => combinedCos(pctStart, lr / div, lr, lr / divFinal)),
    mom: combinedCos(pctStart, moms[0], moms[1], moms[2]),
  };
}

/** Checks the shape options of a one-cycle for `where` (also used by fineTune). */
export function oneCycleShape(where: string, learn: Learner, opts: FitOneCycleOptions): OneCycleShape {
  return {
    div: positive(where, "div", opts.div ?? 25),
    divFinal: positive(where, "divFinal", opts.divFinal ?? 1e5),
    pctStart: openFraction(where, "pctStart", opts.pctStart ?? 0.25),
    moms: momsOf(where, opts.moms ?? learn.moms),
  };
}

/**
 * Trains `nEpoch` epochs with the 1cycle policy. Every argument is checked before anything changes
 * (a PolicyError names it); the optimizer is created if missing. With `startEpoch`, the epochs before
 * it are skipped and the schedules continue exactly where an uninterrupted run would be.
 */
export async function fitOneCycle(
  learn: Learner,
  nEpoch: number,
  opts: FitOneCycleOptions = {},
): Promise<void> {
  const where = "fitOneCycle";
  integer(where, "nEpoch", nEpoch, 1);
  const shape = oneCycleShape(where, learn, opts);
  const { lrMax, startEpoch } = withOptimizer(learn, (opt) => {
    const n = opt.hypers.length;
    const arg = opts.lrMax === undefined ? "lrMax (from learn.lr)" : "lrMax";
    const lrs = lrsOf(where, arg, opts.lrMax ?? learn.lr, n);
    return { lrMax: lrs, startEpoch: checkFitOptions(where, opts, nEpoch, n) };
  });
  await fitWith(learn, nEpoch, oneCycleScheds(lrMax, shape), opts, startEpoch);
}
