/**
 * fineTune: the reference's transfer-learning recipe. Train the head (last group) with the body
 * frozen, then everything with discriminative learning rates, each phase a one-cycle.
 */

import { type Learner, lrSlice } from "@sched/learner";
import { integer, openFraction, positive, withOptimizer } from "./check.js";
import { checkFitOptions } from "./common.js";
import { PolicyError } from "./errors.js";
import { type FitOneCycleOptions, fitOneCycle, oneCycleShape } from "./one-cycle.js";

/** Options of `fineTune` (defaults as the reference); the rest go to both `fitOneCycle` calls. */
export interface FineTuneOptions extends Omit<FitOneCycleOptions, "lrMax" | "startEpoch"> {
  /** The unfrozen phase's top learning rate is baseLr/2 (default 2e-3). */
  baseLr?: number;
  /** Epochs of the frozen phase; 0 skips it (default 1). */
  freezeEpochs?: number;
  /** The first group's lr is the last group's divided by lrMult in the unfrozen phase (default 100). */
  lrMult?: number;
  /** pctStart of the unfrozen phase (default 0.3; the frozen phase uses 0.99). */
  pctStart?: number;
  /** div of the unfrozen phase (default 5; the frozen phase uses fitOneCycle's 25). */
  div?: number;
}

/**
 * 1. `freeze()` (clears the optimizer state); 2. `fitOneCycle(freezeEpochs, { lrMax: lrSlice(baseLr),
 * pctStart: 0.99 })`; 3. baseLr /= 2; 4. `unfreeze()` (clears the state again); 5. `fitOneCycle(epochs,
 * { lrMax: lrSlice(baseLr/lrMult, baseLr), pctStart, div })`. `divFinal`, `moms`, `wd` and `cbs` go to
 * both phases. `resetOpt` builds a fresh optimizer once, before freezing (freeze and unfreeze clear
 * the state between the phases anyway, so one rebuild is all the reference's per-phase reset amounts to).
 */
export async function fineTune(learn: Learner, epochs: number, opts: FineTuneOptions = {}): Promise<void> {
  const where = "fineTune";
  for (const arg of ["lrMax", "startEpoch"] as const) {
    if ((opts as Record<string, unknown>)[arg] !== undefined) {
      throw new PolicyError(
        `${where}: ${arg} is not an option of fineTune (it sets each phase's lrMax; resume a phase with fitOneCycle)`,
      );
    }
  }
  integer(where, "epochs", epochs, 1);
  const baseLr = positive(where, "baseLr", opts.baseLr ?? 2e-3);
  const freezeEpochs = integer(where, "freezeEpochs", opts.freezeEpochs ?? 1, 0);
  const lrMult = positive(where, "lrMult", opts.lrMult ?? 100);
  const pctStart = openFraction(where, "pctStart", opts.pctStart ?? 0.3);
  const div = positive(where, "div", opts.div ?? 5);
  const { divFinal, moms } = oneCycleShape(where, learn, { ...opts, pctStart, div });
  withOptimizer(learn, (opt) => checkFitOptions(where, opts, epochs, opt.hypers.length));

  const shared: FitOneCycleOptions = { divFinal, moms };
  if (opts.wd !== undefined) shared.wd = opts.wd;
  if (opts.cbs !== undefined) shared.cbs = opts.cbs;

  if (opts.resetOpt) learn.createOpt();
  learn.freeze();
  if (freezeEpochs > 0) {
    await fitOneCycle(learn, freezeEpochs, { ...shared, lrMax: lrSlice(baseLr), pctStart: 0.99 });
  }
  const lr = baseLr / 2;
  learn.unfreeze();
  await fitOneCycle(learn, epochs, { ...shared, lrMax: lrSlice(lr / lrMult, lr), pctStart, div });
}
