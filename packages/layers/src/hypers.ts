/**
 * Setting a tfjs optimizer's hyper-parameter so that the next step really uses it, at the cost of a
 * field write when nothing else is needed. Kept scalars are rebuilt only when the value changes.
 */
import * as tf from "@tensorflow/tfjs";
import { LayersError, UnsupportedHyperError } from "./errors.js";
import type { HyperField, OptimizerFields, OptimizerSpec } from "./optimizers.js";

/** Writes one hyper-parameter of one optimizer before a step. */
export interface HyperSetter {
  /** The name the user gave (e.g. "mom"). */
  readonly name: string;
  /** The optimizer field it sets (e.g. "beta1"). */
  readonly field: HyperField;
  set(value: number): void;
}

/** The value the optimizer currently holds for `field`. */
export function readHyper(optimizer: OptimizerFields, field: HyperField): number {
  return optimizer[field] as number;
}

/** SGD and Momentum step with `c = -lr` kept as a scalar: tfjs's setLearningRate rebuilds it. */
function keptLearningRate(opt: OptimizerFields): (v: number) => void {
  const sgd = opt as unknown as tf.SGDOptimizer & { learningRate: number };
  return (v) => {
    if (v !== sgd.learningRate) sgd.setLearningRate(v);
  };
}

/**
 * Momentum steps with the scalar `m` built in its constructor; setMomentum only changes the field.
 * Build the new scalar before freeing the old one, so a failure leaves the optimizer intact.
 */
function keptMomentum(opt: OptimizerFields): (v: number) => void {
  return (v) => {
    if (v === opt.momentum) return;
    const next = tf.keep(tf.scalar(v));
    const old = opt.m as tf.Tensor | undefined;
    opt.momentum = v;
    opt.m = next;
    old?.dispose();
  };
}

/**
 * A beta whose bias correction tfjs keeps in a variable `acc`: it divides by `1 − acc` and then
 * multiplies `acc` by the current beta. With a constant beta, `acc` before step t is beta^t; when
 * beta changes, tfjs's `acc` still carries the old beta. The correction must use the betas actually
 * applied: before step t, `acc = β1·…·β(t−1) · βt`. Keep that product on the host (float64) and
 * rewrite `acc` only when beta changes; unchanged, tfjs's own update keeps `acc` right.
 */
function biasCorrectedBeta(
  opt: OptimizerFields,
  field: "beta1" | "beta2",
  accField: string,
): (v: number) => void {
  const acc = opt[accField] as tf.Variable;
  let seen = opt.iterations;
  let applied = opt[field] as number;
  // Π of the betas of the steps already taken. tfjs keeps acc = Π · beta, so one read recovers it
  // (once per fit; a fresh optimizer needs none). A zero beta makes the product zero for good.
  let product = seen === 0 ? 1 : applied === 0 ? 0 : (acc.dataSync()[0] as number) / applied;
  return (v) => {
    const it = opt.iterations;
    if (it !== seen) {
      product *= applied ** (it - seen);
      seen = it;
    }
    if (v !== opt[field]) {
      opt[field] = v;
      tf.tidy(() => acc.assign(tf.scalar(product * v)));
    }
    applied = v;
  };
}

function plainField(opt: OptimizerFields, field: HyperField): (v: number) => void {
  return (v) => {
    opt[field] = v;
  };
}

function setterFor(opt: OptimizerFields, spec: OptimizerSpec, field: HyperField): (v: number) => void {
  const { kind } = spec;
  if (field === "learningRate" && (kind === "SGD" || kind === "Momentum")) return keptLearningRate(opt);
  if (field === "momentum" && kind === "Momentum") return keptMomentum(opt);
  if (field === "beta1" && (kind === "Adam" || kind === "Adamax"))
    return biasCorrectedBeta(opt, "beta1", "accBeta1");
  if (field === "beta2" && kind === "Adam") return biasCorrectedBeta(opt, "beta2", "accBeta2");
  return plainField(opt, field);
}

/** The field a hyper name sets on this optimizer; throws naming the hyper and the optimizer class. */
export function hyperField(spec: OptimizerSpec, name: string, where: string): HyperField {
  const field = Object.hasOwn(spec.hypers, name) ? spec.hypers[name] : undefined;
  if (field === undefined) {
    throw new UnsupportedHyperError(
      `${where}: the ${spec.kind} optimizer has no hyper-parameter "${name}"; it has: ${Object.keys(spec.hypers).join(", ")}`,
      name,
      spec.kind,
    );
  }
  return field;
}

/**
 * Setters for `names` on this optimizer, checked all at once before any is built: an unknown name
 * or two names for the same field (e.g. "mom" and "beta1" on Adam) throw and change nothing.
 */
export function bindHypers(
  opt: OptimizerFields,
  spec: OptimizerSpec,
  names: readonly string[],
  where: string,
): HyperSetter[] {
  const byField = new Map<HyperField, string>();
  const fields = names.map((name) => {
    const field = hyperField(spec, name, where);
    const other = byField.get(field);
    if (other !== undefined) {
      throw new LayersError(
        `${where}: "${other}" and "${name}" both set ${spec.kind}.${field}; schedule it under one name`,
      );
    }
    byField.set(field, name);
    return field;
  });
  return names.map((name, i) => {
    const field = fields[i] as HyperField;
    return { name, field, set: setterFor(opt, spec, field) };
  });
}
