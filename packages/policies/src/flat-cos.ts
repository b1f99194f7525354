/** fitFlatCos: a flat learning rate for pctStart of training, then a cosine down to lr/divFinal. */

import type { Scheds } from "@sched/callbacks";
import { combinedCos } from "@sched/core";
import type { HyperValue, Learner } from "@sched/learner";
import { integer, lrsOf, openFraction, positive, withOptimizer } from "./check.js";
import { checkFitOptions, fitWith, type PolicyFitOptions, perGroup } from "./common.js";

/** Options of `fitFlatCos` (defaults as the reference). */
export interface FitFlatCosOptions extends PolicyFitOptions {
  /** The flat learning rate: a number, one per group, or an lrSlice (default `learn.lr`). */
  lr?: HyperValue;
  /** The final lr is lr/divFinal (default 1e5). */
  divFinal?: number;
  /** Fraction of training at the flat lr (default 0.75). */
  pctStart?: number;
}

/** The schedule `fitFlatCos` uses for learning rates `lr` (one per group); no momentum schedule. */
export function flatCosScheds(lr: readonly number[], shape: { divFinal: number; pctStart: number }): Scheds {
  return { lr: perGroup(lr, (v) => combinedCos(shape.pctStart, v, v, v / shape.divFinal)) };
}

/**
 * Trains `nEpoch` epochs at a flat lr, annealed by a cosine over the last 1 − pctStart of training.
 * Unlike the reference (which passes 0 to fit), `startEpoch` resumes the schedule.
 */
export async function fitFlatCos(
  learn: Learner,
  nEpoch: number,
  opts: FitFlatCosOptions = {},
): Promise<void> {
  const where = "fitFlatCos";
  integer(where, "nEpoch", nEpoch, 1);
  const shape = {
    divFinal: positive(where, "divFinal", opts.divFinal ?? 1e5),
    pctStart: openFraction(where, "pctStart", opts.pctStart ?? 0.75),
  };
  const { lr, startEpoch } = withOptimizer(learn, (opt) => {
    const n = opt.hypers.length;
    const lrs = lrsOf(where, opts.lr === undefined ? "lr (from learn.lr)" : "lr", opts.lr ?? learn.lr, n);
    return { lr: lrs, startEpoch: checkFitOptions(where, opts, nEpoch, n) };
  });
  await fitWith(learn, nEpoch, flatCosScheds(lr, shape), opts, startEpoch);
}
