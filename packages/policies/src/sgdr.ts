/**
 * fitSgdr: cosine annealing with warm restarts. nCycles cycles, the first cycleLen epochs long, each
 * cycleMult times longer than the one before; every cycle is a cosine from lrMax down to 0.
 */

import type { Scheds } from "@sched/callbacks";
import { combineScheds, SchedCos } from "@sched/core";
import type { HyperValue, Learner } from "@sched/learner";
import { integer, lrsOf, withOptimizer } from "./check.js";
import { checkFitOptions, fitWith, type PolicyFitOptions, perGroup } from "./common.js";
import { PolicyError } from "./errors.js";

/** Options of `fitSgdr` (defaults as the reference). */
export interface FitSgdrOptions extends PolicyFitOptions {
  /** Learning rate at the start of every cycle: a number, one per group, or an lrSlice (default `learn.lr`). */
  lrMax?: HyperValue;
  /** Each cycle is this many times longer than the previous one: an integer >= 1 (default 2). */
  cycleMult?: number;
}

/**
 * The number of epochs: `cycleLen·(cycleMult^nCycles − 1)/(cycleMult − 1)`, or `cycleLen·nCycles`
 * when cycleMult is 1 (where the reference divides by zero).
 */
export function sgdrEpochs(nCycles: number, cycleLen: number, cycleMult: number): number {
  return cycleMult === 1 ? cycleLen * nCycles : (cycleLen * (cycleMult ** nCycles - 1)) / (cycleMult - 1);
}

/** The schedule `fitSgdr` uses: one cosine lrMax → 0 per cycle, cycle i lasting cycleLen·cycleMult^i epochs. */
export function sgdrScheds(
  lrMax: readonly number[],
  nCycles: number,
  cycleLen: number,
  cycleMult: number,
): Scheds {
  const nEpoch = sgdrEpochs(nCycles, cycleLen, cycleMult);
  const pcts = Array.from({ length: nCycles }, (_, i) => (cycleLen * cycleMult ** i) / nEpoch);
  return { lr: perGroup(lrMax, (lr) => combineScheds(pcts, Array(nCycles).fill(SchedCos(lr, 0)))) };
}

/**
 * Trains `sgdrEpochs(nCycles, cycleLen, cycleMult)` epochs of SGDR. cycleMult must be an integer so
 * that every cycle is a whole number of epochs (a fractional one would need fractional epochs).
 */
export async function fitSgdr(
  learn: Learner,
  nCycles: number,
  cycleLen: number,
  opts: FitSgdrOptions = {},
): Promise<void> {
  const where = "fitSgdr";
  integer(where, "nCycles", nCycles, 1);
  integer(where, "cycleLen", cycleLen, 1);
  const cycleMult = opts.cycleMult ?? 2;
  if (typeof cycleMult !== "number" || !Number.isInteger(cycleMult) || cycleMult < 1) {
    throw new PolicyError(
      `${where}: cycleMult must be an integer >= 1 (every cycle is a whole number of epochs), got ${String(cycleMult)}`,
    );
  }
  const nEpoch = sgdrEpochs(nCycles, cycleLen, cycleMult);
  if (!Number.isSafeInteger(nEpoch)) {
    throw new PolicyError(
      `${where}: nCycles ${nCycles}, cycleLen ${cycleLen} and cycleMult ${cycleMult} make ${nEpoch} epochs, too many to count`,
    );
  }
  const { lrMax, startEpoch } = withOptimizer(learn, (opt) => {
    const n = opt.hypers.length;
    const arg = opts.lrMax === undefined ? "lrMax (from learn.lr)" : "lrMax";
    return {
      lrMax: lrsOf(where, arg, opts.lrMax ?? learn.lr, n),
      startEpoch: checkFitOptions(where, opts, nEpoch, n),
    };
  });
  await fitWith(learn, nEpoch, sgdrScheds(lrMax, nCycles, cycleLen, cycleMult), opts, startEpoch);
}
