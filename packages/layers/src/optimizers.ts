/**
 * What @sched/layers knows about the tfjs-core 4.22 optimizers: where each hyper-parameter lives and
 * which fields hold state. Read from the tfjs-core sources (dist/optimizers/*.js):
 * - SGD and Momentum multiply by a scalar `c = keep(scalar(-lr))` built by `setLearningRate`;
 *   Momentum also multiplies by a scalar `m = scalar(momentum)` built in its constructor, which
 *   `setMomentum` does not rebuild (so setMomentum alone changes nothing).
 * - Adam, Adamax, RMSProp, Adagrad and Adadelta read their numeric fields at every step.
 * - Adam divides by `1 − accBeta1` and `1 − accBeta2`; Adamax by `1 − accBeta1`. These variables
 *   start at beta and are multiplied by the *current* beta after every step.
 * - Per-variable state sits in arrays of `{ originalName, variable }`, filled on the first step.
 */
import * as tf from "@tensorflow/tfjs";
import { UnsupportedOptimizerError } from "./errors.js";

/** The optimizer classes whose hyper-parameters can be scheduled. */
export type OptimizerKind = "SGD" | "Momentum" | "Adam" | "Adamax" | "RMSProp" | "Adagrad" | "Adadelta";

/** A numeric field of a tfjs optimizer that holds a hyper-parameter. */
export type HyperField = "learningRate" | "momentum" | "beta1" | "beta2" | "epsilon" | "decay" | "rho";

/** One optimizer class: its hypers (public name → field) and its state fields. */
export interface OptimizerSpec {
  readonly kind: OptimizerKind;
  /** Accepted hyper names → the field each one sets (aliases included). */
  readonly hypers: Readonly<Record<string, HyperField>>;
  /** The field fitOneCycle's momentum schedule drives, or null when the optimizer has none. */
  readonly momentum: HyperField | null;
  /** Fields with a kept scalar built from a hyper (rebuilt when the hyper changes). */
  readonly kept: readonly string[];
  /** tf.Variable fields (bias-correction products, Adamax's iteration count). */
  readonly variables: readonly string[];
  /** Arrays of `{ originalName, variable }` holding per-weight state. */
  readonly slots: readonly string[];
}

const LR = { lr: "learningRate", learningRate: "learningRate" } as const;
const EPS = { epsilon: "epsilon", eps: "epsilon" } as const;

// Most specific class first: MomentumOptimizer extends SGDOptimizer.
const SPECS: ReadonlyArray<readonly [new (...args: never[]) => tf.Optimizer, OptimizerSpec]> = [
  [
    tf.MomentumOptimizer,
    {
      kind: "Momentum",
      hypers: { ...LR, momentum: "momentum", mom: "momentum" },
      momentum: "momentum",
      kept: ["c", "m"],
      variables: [],
      slots: ["accumulations"],
    },
  ],
  [
    tf.SGDOptimizer,
    { kind: "SGD", hypers: { ...LR }, momentum: null, kept: ["c"], variables: [], slots: [] },
  ],
  [
    tf.AdamOptimizer,
    {
      kind: "Adam",
      hypers: { ...LR, ...EPS, beta1: "beta1", mom: "beta1", beta2: "beta2", sqrMom: "beta2" },
      momentum: "beta1",
      kept: [],
      variables: ["accBeta1", "accBeta2"],
      slots: ["accumulatedFirstMoment", "accumulatedSecondMoment"],
    },
  ],
  [
    tf.AdamaxOptimizer,
    {
      kind: "Adamax",
      hypers: {
        ...LR,
        ...EPS,
        beta1: "beta1",
        mom: "beta1",
        beta2: "beta2",
        sqrMom: "beta2",
        decay: "decay",
      },
      momentum: "beta1",
      kept: [],
      variables: ["accBeta1", "iteration"],
      slots: ["accumulatedFirstMoment", "accumulatedWeightedInfNorm"],
    },
  ],
  [
    tf.RMSPropOptimizer,
    {
      kind: "RMSProp",
      hypers: {
        ...LR,
        ...EPS,
        decay: "decay",
        rho: "decay",
        sqrMom: "decay",
        momentum: "momentum",
        mom: "momentum",
      },
      momentum: "momentum",
      kept: [],
      variables: [],
      slots: ["accumulatedMeanSquares", "accumulatedMoments", "accumulatedMeanGrads"],
    },
  ],
  [
    tf.AdagradOptimizer,
    {
      kind: "Adagrad",
      hypers: { ...LR },
      momentum: null,
      kept: [],
      variables: [],
      slots: ["accumulatedGrads"],
    },
  ],
  [
    tf.AdadeltaOptimizer,
    {
      kind: "Adadelta",
      hypers: { ...LR, ...EPS, rho: "rho", sqrMom: "rho" },
      momentum: null,
      kept: [],
      variables: [],
      slots: ["accumulatedGrads", "accumulatedUpdates"],
    },
  ],
];

/** Every hyper name some supported optimizer accepts. */
export const KNOWN_HYPERS: ReadonlySet<string> = new Set(SPECS.flatMap(([, s]) => Object.keys(s.hypers)));

/** The optimizer's fields, as the schedule setters and the snapshot reach them. */
export type OptimizerFields = tf.Optimizer & Record<string, unknown>;

/** The class name tfjs reports (`getClassName`), or the constructor's name. */
export function optimizerName(optimizer: unknown): string {
  if (optimizer == null) return "none";
  const o = optimizer as { getClassName?: () => string; constructor?: { name?: string } };
  try {
    if (typeof o.getClassName === "function") return o.getClassName();
  } catch {
    // A foreign object with a throwing getClassName: fall back to the constructor's name.
  }
  return o.constructor?.name ?? typeof optimizer;
}

/** The spec of a compiled model's optimizer; throws when it is missing or not supported. */
export function optimizerSpec(model: tf.LayersModel, where: string): [OptimizerFields, OptimizerSpec] {
  let optimizer: tf.Optimizer | undefined;
  try {
    optimizer = model.optimizer;
  } catch {
    optimizer = undefined;
  }
  if (optimizer == null) {
    throw new UnsupportedOptimizerError(
      `${where}: the model has no optimizer; call model.compile({ optimizer, loss }) first`,
      "none",
    );
  }
  for (const [cls, spec] of SPECS) {
    // Not instanceof: tfjs gives Optimizer a duck-typed Symbol.hasInstance that every subclass
    // inherits, so `adam instanceof SGDOptimizer` is true.
    if (Object.prototype.isPrototypeOf.call(cls.prototype, optimizer))
      return [optimizer as OptimizerFields, spec];
  }
  const name = optimizerName(optimizer);
  throw new UnsupportedOptimizerError(
    `${where}: optimizer ${name} is not supported; supported: ${SPECS.map(([, s]) => s.kind).join(", ")}`,
    name,
  );
}
