/** The training policies compared in the super-convergence study, each as "train N epochs at lr". */
import { ParamScheduler } from "@sched/callbacks";
import { multiStep } from "@sched/core";
import type { Learner } from "@sched/learner";
import { fitFlatCos, fitOneCycle, fitSgdr } from "@sched/policies";

/** A policy run for a total of `nEpoch` epochs at (peak) learning rate `lr`. */
export interface Policy {
  name: string;
  /** How the schedule is built, for RESULTS.md. */
  describe: string;
  /**
   * True when the schedule does not depend on the total: the first N epochs of a longer run are an
   * N-epoch run, so one learner can be extended epoch by epoch instead of retrained for each N.
   */
  extendable: boolean;
  fit(learn: Learner, nEpoch: number, lr: number): Promise<void>;
}

/**
 * SGDR with `cycleMult` 2 for a total of exactly `n` epochs: the most cycles `k` such that
 * `2^k − 1` divides `n`, each first cycle `n / (2^k − 1)` epochs long (n = 6: 2 + 4; n = 8: one cycle).
 */
export function sgdrShape(n: number): { nCycles: number; cycleLen: number } {
  let best = { nCycles: 1, cycleLen: n };
  for (let k = 2; 2 ** k - 1 <= n; k++) {
    if (n % (2 ** k - 1) === 0) best = { nCycles: k, cycleLen: n / (2 ** k - 1) };
  }
  return best;
}

export const POLICIES: readonly Policy[] = [
  {
    name: "constant",
    describe: "`learn.fit(N, { lr })`: the same LR throughout (Adam, β1 0.9)",
    extendable: true,
    fit: (learn, n, lr) => learn.fit(n, { lr }),
  },
  {
    name: "step decay",
    describe:
      "`learn.fit` + `ParamScheduler({ lr: multiStep({ base: lr, milestones: [0.5, 0.75], gamma: 0.1 }) })`",
    extendable: false,
    fit: (learn, n, lr) =>
      learn.fit(n, {
        lr,
        cbs: [new ParamScheduler({ lr: multiStep({ base: lr, milestones: [0.5, 0.75], gamma: 0.1 }) })],
      }),
  },
  {
    name: "fitOneCycle",
    describe: "`fitOneCycle(learn, N, { lrMax: lr })` (div 25, pctStart 0.25, moms 0.95-0.85-0.95)",
    extendable: false,
    fit: async (learn, n, lr) => {
      await fitOneCycle(learn, n, { lrMax: lr });
    },
  },
  {
    name: "fitFlatCos",
    describe: "`fitFlatCos(learn, N, { lr })` (flat to 75%, then cosine)",
    extendable: false,
    fit: async (learn, n, lr) => {
      await fitFlatCos(learn, n, { lr });
    },
  },
  {
    name: "fitSgdr",
    describe:
      "`fitSgdr(learn, k, N/(2^k−1), { lrMax: lr })`, cycleMult 2, the most cycles that fit N exactly",
    extendable: false,
    fit: async (learn, n, lr) => {
      const { nCycles, cycleLen } = sgdrShape(n);
      await fitSgdr(learn, nCycles, cycleLen, { lrMax: lr });
    },
  },
];
