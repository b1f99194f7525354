import * as tf from "@tensorflow/tfjs";
import { OptimizerError, show } from "./errors.js";
import { assertFinite, spreadHyper } from "./hypers.js";
import { ScalarCache } from "./scalars.js";
import type { Stage, StateKind, StepContext } from "./stages.js";
import { checkStateDict, cloneState, disposeState } from "./state.js";
import type {
  Hypers,
  HyperValue,
  Optimizer,
  OptimizerOptions,
  OptimizerStateDict,
  ParamState,
} from "./types.js";

/** Parameter groups as the Learner's splitter returns them. */
export type ParamGroups = readonly (readonly tf.Variable[])[];

/** A parameter's new value and state, computed but not yet committed. */
interface Pending {
  index: number;
  value: tf.Tensor | undefined;
  state: ParamState;
}

/**
 * An optimizer assembled from stages (fastai's optimizer callbacks) over `tf.Variable`s in parameter
 * groups, with one hyper-parameter record per group that can change between any two steps.
 */
export class StagedOptimizer implements Optimizer {
  readonly paramGroups: readonly (readonly tf.Variable[])[];
  readonly hypers: Hypers[];
  private readonly stages: readonly Stage[];
  private readonly stateKinds: Readonly<Record<string, StateKind>>;
  private readonly flat: readonly tf.Variable[];
  private readonly groupOf: readonly number[];
  private readonly indexOf = new Map<tf.Variable, number>();
  private readonly forceTrain: ReadonlySet<tf.Variable>;
  private readonly noWd: ReadonlySet<tf.Variable>;
  private readonly trainBn: boolean;
  private readonly warn: (message: string) => void;
  private readonly gradMap = new Map<tf.Variable, tf.Tensor>();
  private readonly scalars = new ScalarCache();
  private readonly scalar = (value: number): tf.Scalar => this.scalars.get(value);
  private state: ParamState[];
  private frozenGroups = 0;
  private disposed = false;

  /** `hypers` are the starting values for every group, over the defaults the stages declare. */
  constructor(
    paramGroups: ParamGroups,
    stages: readonly Stage[],
    hypers: Hypers,
    opts: OptimizerOptions = {},
  ) {
    if (!Array.isArray(paramGroups) || paramGroups.length === 0) {
      throw new OptimizerError(`paramGroups must be a non-empty array of groups, got ${show(paramGroups)}`);
    }
    const flat: tf.Variable[] = [];
    const groupOf: number[] = [];
    paramGroups.forEach((group, g) => {
      if (!Array.isArray(group))
        throw new OptimizerError(`paramGroups[${g}] must be an array of tf.Variable`);
      for (const v of group) {
        if (!(v instanceof tf.Variable)) {
          throw new OptimizerError(`paramGroups[${g}] contains ${show(v)}, which is not a tf.Variable`);
        }
        if (this.indexOf.has(v)) {
          throw new OptimizerError(`variable ${show(v.name)} appears twice in paramGroups (group ${g})`);
        }
        this.indexOf.set(v, flat.length);
        flat.push(v);
        groupOf.push(g);
      }
    });
    const start: Hypers = { ...hypers };
    for (const stage of stages)
      for (const [name, value] of Object.entries(stage.defaults)) start[name] ??= value;
    for (const [name, value] of Object.entries(start)) assertFinite("optimizer", name, value);
    this.paramGroups = paramGroups.map((group) => [...group]);
    this.hypers = paramGroups.map(() => ({ ...start }));
    this.stages = [...stages];
    this.stateKinds = Object.assign({}, ...stages.map((s) => s.stateKeys));
    this.flat = flat;
    this.groupOf = groupOf;
    this.state = flat.map(() => ({}));
    this.forceTrain = opts.forceTrain ?? new Set();
    this.noWd = opts.noWd ?? new Set();
    this.trainBn = opts.trainBn ?? true;
    this.warn = opts.onWarning ?? ((message) => console.warn(message));
  }

  get grads(): ReadonlyMap<tf.Variable, tf.Tensor> {
    return this.gradMap;
  }

  params(): tf.Variable[] {
    return [...this.flat];
  }

  trainableParams(): tf.Variable[] {
    return this.flat.filter((_, i) => this.isTrainable(i));
  }

  /** Whether `name` is a hyper-parameter of this optimizer. */
  hasHyper(name: string): boolean {
    return Object.hasOwn(this.hypers[0] as Hypers, name);
  }

  setHyper(name: string, value: HyperValue): void {
    this.assertLive("setHyper");
    if (!this.hasHyper(name)) {
      throw new OptimizerError(
        `setHyper(${show(name)}): unknown hyper-parameter; this optimizer has ${show(Object.keys(this.hypers[0] as Hypers))}`,
      );
    }
    const values = spreadHyper(name, value, this.hypers.length);
    values.forEach((v, g) => {
      (this.hypers[g] as Hypers)[name] = v;
    });
  }

  setGrads(grads: Map<tf.Variable, tf.Tensor>): void {
    try {
      this.assertLive("setGrads");
      for (const [v, grad] of grads) {
        const index = this.indexOf.get(v);
        if (index === undefined) {
          throw new OptimizerError(
            `setGrads: variable ${show(v?.name)} is not a parameter of this optimizer`,
          );
        }
        if (!(grad instanceof tf.Tensor) || grad.isDisposed) {
          throw new OptimizerError(`setGrads: the gradient of ${show(v.name)} is not a live tensor`);
        }
        if (!tf.util.arraysEqual(grad.shape, v.shape)) {
          throw new OptimizerError(
            `setGrads: the gradient of ${show(v.name)} has shape ${show(grad.shape)}, the parameter ${show(v.shape)}`,
          );
        }
      }
    } catch (err) {
      // Ownership was handed over: a rejected map is freed, the current gradients stay.
      for (const grad of grads.values()) if (!this.isHeldGrad(grad)) grad.dispose();
      throw err;
    }
    if (this.gradMap.size > 0) {
      // Usually empty (the loop calls zeroGrad first); a tensor handed over again must survive.
      const incoming = new Set(grads.values());
      for (const old of this.gradMap.values()) if (!incoming.has(old)) old.dispose();
      this.gradMap.clear();
    }
    for (const [v, grad] of grads) this.gradMap.set(v, grad);
  }

  zeroGrad(): void {
    for (const grad of this.gradMap.values()) grad.dispose();
    this.gradMap.clear();
  }

  step(): void {
    this.assertLive("step");
    const pending: Pending[] = [];
    try {
      tf.tidy(() => {
        for (const [v, grad] of this.gradMap) {
          const index = this.indexOf.get(v) as number;
          if (this.isTrainable(index)) pending.push(this.update(index, v, grad));
        }
      });
    } catch (err) {
      for (const p of pending) {
        p.value?.dispose();
        disposeState(p.state, this.state[p.index] as ParamState);
      }
      this.scalars.rollback();
      throw err;
    }
    for (const { index, value, state } of pending) {
      if (value !== undefined) {
        (this.flat[index] as tf.Variable).assign(value);
        value.dispose();
      }
      disposeState(this.state[index] as ParamState, state);
      this.state[index] = state;
    }
    this.scalars.sweep();
  }

  freezeTo(n: number): void {
    this.assertLive("freezeTo");
    if (!Number.isInteger(n)) throw new OptimizerError(`freezeTo: n must be an integer, got ${show(n)}`);
    const nGroups = this.paramGroups.length;
    const frozenIdx = n >= 0 ? n : nGroups + n;
    if (frozenIdx >= nGroups) {
      this.warn(`freezeTo(${n}): freezing ${frozenIdx} groups; model has ${nGroups}; whole model is frozen.`);
    }
    this.frozenGroups = Math.min(Math.max(frozenIdx, 0), nGroups);
  }

  freeze(): void {
    this.freezeTo(-1);
  }

  unfreeze(): void {
    this.freezeTo(0);
  }

  clearState(): void {
    for (const s of this.state) disposeState(s);
    this.state = this.flat.map(() => ({}));
  }

  stateDict(): OptimizerStateDict {
    this.assertLive("stateDict");
    return { state: this.state.map(cloneState), hypers: this.hypers.map((h) => ({ ...h })) };
  }

  loadStateDict(sd: OptimizerStateDict): void {
    this.assertLive("loadStateDict");
    checkStateDict(sd, {
      params: this.flat,
      nGroups: this.paramGroups.length,
      hyperNames: Object.keys(this.hypers[0] as Hypers),
      stateKinds: this.stateKinds,
    });
    const state = sd.state.map(cloneState);
    for (const s of this.state) disposeState(s);
    this.state = state;
    sd.hypers.forEach((h, g) => {
      const target = this.hypers[g] as Hypers;
      for (const name of Object.keys(target)) target[name] = h[name] as number;
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.zeroGrad();
    this.clearState();
    this.scalars.clear();
    this.disposed = true;
  }

  /** Runs the stages for one parameter; new tensors are kept out of the step's tidy until committed. */
  private update(index: number, v: tf.Variable, grad: tf.Tensor): Pending {
    const old = this.state[index] as ParamState;
    const ctx: StepContext = {
      p: v,
      grad,
      state: { ...old },
      hyper: this.hypers[this.groupOf[index] as number] as Hypers,
      doWd: !this.noWd.has(v),
      scalar: this.scalar,
    };
    for (const stage of this.stages) stage.apply(ctx);
    const state = ctx.state;
    for (const key in state) {
      const t = state[key];
      if (typeof t !== "object" || t === old[key]) continue;
      // The gradient and the variable are not ours to keep: store a clone (it shares their data).
      state[key] = tf.keep(t === grad || t === v ? t.clone() : t);
    }
    const value = ctx.p === v ? undefined : tf.keep(ctx.p);
    return { index, value, state: ctx.state };
  }

  private isTrainable(index: number): boolean {
    if ((this.groupOf[index] as number) >= this.frozenGroups) return true;
    return this.trainBn && this.forceTrain.has(this.flat[index] as tf.Variable);
  }

  private isHeldGrad(grad: tf.Tensor): boolean {
    for (const held of this.gradMap.values()) if (held === grad) return true;
    return false;
  }

  private assertLive(what: string): void {
    if (this.disposed) throw new OptimizerError(`${what}: the optimizer has been disposed`);
  }
}
