/**
 * The optimizers, with the reference's defaults. Each is an `OptFunc`: `(paramGroups, opts?) => Optimizer`.
 * The Learner always passes `lr`; without it, `lr` is 1e-3 (the Learner's default).
 */

import type * as tf from "@tensorflow/tfjs";
import { OptimizerError, show } from "./errors.js";
import { assertFinite } from "./hypers.js";
import { StagedOptimizer } from "./optimizer.js";
import { averageGrad, averageSqrGrad, l2Reg, type Stage, stepCount, weightDecay } from "./stages.js";
import type { HyperOptions, Hypers, Optimizer, OptimizerOptions } from "./types.js";
import { adamStep, lambStep, radamStep, rmsPropStep, sgdStep } from "./updates.js";

/** What every factory accepts: starting hypers, parameter flags, `trainBn`, `decoupleWd`, `onWarning`. */
export type OptimizerFactoryOptions = HyperOptions & OptimizerOptions;

/** `lr` when the caller gives none: the Learner's default learning rate. */
export const DEFAULT_LR = 1e-3;

const HYPER_NAMES = ["lr", "mom", "sqrMom", "eps", "wd", "beta"] as const;

/** Builds a StagedOptimizer from `defaults` overridden by the hypers given in `opts`. */
function build(
  name: string,
  paramGroups: readonly (readonly tf.Variable[])[],
  stages: (decay: Stage) => Stage[],
  defaults: Hypers,
  opts: OptimizerFactoryOptions,
): Optimizer {
  const hypers: Hypers = { ...defaults };
  for (const key of HYPER_NAMES) {
    const value = opts[key];
    if (value === undefined) continue;
    if (!(key in defaults)) {
      throw new OptimizerError(
        `${name}: ${show(key)} is not a hyper-parameter of ${name} (got ${show(value)})`,
      );
    }
    assertFinite(name, key, value);
    hypers[key] = value;
  }
  const decay = (opts.decoupleWd ?? true) ? weightDecay : l2Reg;
  return new StagedOptimizer(paramGroups, stages(decay), hypers, opts);
}

/** SGD with optional momentum, no dampening: `gradAvg = mom*gradAvg + grad; p -= lr*gradAvg`. Defaults: mom 0, wd 0. */
export function SGD(
  paramGroups: readonly (readonly tf.Variable[])[],
  opts: OptimizerFactoryOptions = {},
): Optimizer {
  return build(
    "SGD",
    paramGroups,
    (decay) => [decay, averageGrad({ dampening: false, defaultMom: 0 }), sgdStep],
    { lr: DEFAULT_LR, mom: 0, wd: 0 },
    opts,
  );
}

/** RMSProp: `p -= lr*(gradAvg or grad)/(sqrt(sqrAvg)+eps)`. Defaults: mom 0, sqrMom 0.99, eps 1e-8, wd 0. */
export function RMSProp(
  paramGroups: readonly (readonly tf.Variable[])[],
  opts: OptimizerFactoryOptions = {},
): Optimizer {
  return build(
    "RMSProp",
    paramGroups,
    (decay) => [decay, averageGrad({ dampening: false, defaultMom: 0 }), averageSqrGrad, rmsPropStep],
    { lr: DEFAULT_LR, mom: 0, sqrMom: 0.99, eps: 1e-8, wd: 0 },
    opts,
  );
}

/** The Adam family's stages: dampened averages, a step count, then `update`. */
const adamLike =
  (update: Stage) =>
  (decay: Stage): Stage[] => [
    decay,
    averageGrad({ dampening: true, defaultMom: 0.9 }),
    averageSqrGrad,
    stepCount,
    update,
  ];

/** Adam, debiased with the current `mom`; decoupled weight decay (AdamW). Defaults: mom 0.9, sqrMom 0.99, eps 1e-5, wd 0.01. */
export function Adam(
  paramGroups: readonly (readonly tf.Variable[])[],
  opts: OptimizerFactoryOptions = {},
): Optimizer {
  return build(
    "Adam",
    paramGroups,
    adamLike(adamStep),
    { lr: DEFAULT_LR, mom: 0.9, sqrMom: 0.99, eps: 1e-5, wd: 0.01 },
    opts,
  );
}

/** Rectified Adam. Defaults: mom 0.9, sqrMom 0.99, eps 1e-5, wd 0, beta 0 (no softplus). */
export function RAdam(
  paramGroups: readonly (readonly tf.Variable[])[],
  opts: OptimizerFactoryOptions = {},
): Optimizer {
  return build(
    "RAdam",
    paramGroups,
    adamLike(radamStep),
    { lr: DEFAULT_LR, mom: 0.9, sqrMom: 0.99, eps: 1e-5, wd: 0, beta: 0 },
    opts,
  );
}

/** LAMB: the Adam step scaled by the layer-wise trust ratio. Defaults: mom 0.9, sqrMom 0.99, eps 1e-5, wd 0. */
export function Lamb(
  paramGroups: readonly (readonly tf.Variable[])[],
  opts: OptimizerFactoryOptions = {},
): Optimizer {
  return build(
    "Lamb",
    paramGroups,
    adamLike(lambStep),
    { lr: DEFAULT_LR, mom: 0.9, sqrMom: 0.99, eps: 1e-5, wd: 0 },
    opts,
  );
}
