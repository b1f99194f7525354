/**
 * Everything an LR-finder run changes, held in memory (no file) so it can be put back exactly: the
 * model's variables and buffers, the optimizer (state, hypers, cached scalars), `learn.lr` and the
 * training loader's epoch counter (its next shuffle).
 */

import type { Learner, Optimizer, OptimizerStateDict } from "@sched/learner";
import * as tf from "@tensorflow/tfjs";

/** A loader whose next shuffle is set by a writable `epoch` counter (as `DataLoader`). */
interface EpochCounter {
  epoch: number;
}

function isWritable(obj: object, key: string): boolean {
  for (let o: object | null = obj; o; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d) return Boolean(d.set) || d.writable === true;
  }
  return false;
}

/** The loader's epoch counter, if it has a writable one. */
export function epochCounter(dl: unknown): EpochCounter | undefined {
  if (dl === null || typeof dl !== "object") return undefined;
  const e = (dl as { epoch?: unknown }).epoch;
  return typeof e === "number" && isWritable(dl, "epoch") ? (dl as EpochCounter) : undefined;
}

function disposeStateDict(sd: OptimizerStateDict | undefined): void {
  for (const state of sd?.state ?? []) {
    for (const v of Object.values(state)) if (typeof v !== "number") v.dispose();
  }
}

function sameParams(a: Optimizer, b: Optimizer): boolean {
  const [pa, pb] = [a.params(), b.params()];
  return (
    pa.length === pb.length &&
    pa.every((p, i) => p === pb[i]) &&
    a.paramGroups.length === b.paramGroups.length &&
    a.paramGroups.every((g, i) => g.length === b.paramGroups[i]?.length)
  );
}

/** Freezes `twin` like `original` (same parameters training); false if no `freezeTo(n)` reproduces it. */
function matchFreezing(twin: Optimizer, original: Optimizer): boolean {
  const trains = (o: Optimizer) => {
    const set = new Set(o.trainableParams());
    return o.params().map((p) => set.has(p));
  };
  const want = trains(original);
  const same = (got: boolean[]) => got.every((t, i) => t === want[i]);
  for (let n = 0; n < twin.paramGroups.length; n++) {
    if (n > 0) twin.freezeTo(n);
    if (same(trains(twin))) return true;
  }
  return false;
}

/**
 * An optimizer for the run, built like the learner's and loaded with its state and hypers, so the
 * original is never stepped: it keeps its state tensors, hypers and cached scalars untouched, and
 * the tensor count after the run is the count before. Undefined when no faithful twin can be built
 * (e.g. `learn.opt` came from another factory than `learn.optFunc`).
 */
function makeTwin(learn: Learner, original: Optimizer): Optimizer | undefined {
  let twin: Optimizer | undefined;
  let sd: OptimizerStateDict | undefined;
  try {
    twin = learn.makeOpt();
    if (!sameParams(twin, original) || !matchFreezing(twin, original)) throw new Error("no twin");
    sd = original.stateDict();
    twin.loadStateDict(sd);
    return twin;
  } catch {
    twin?.dispose();
    return undefined;
  } finally {
    disposeStateDict(sd);
  }
}

/** The state an LR-finder run may change, and how to put it back. */
export class TrainingSnapshot {
  readonly #variables: tf.Variable[];
  readonly #values: tf.Tensor[];
  readonly #lr: Learner["lr"];
  readonly #original: Optimizer | undefined;
  readonly #twin: Optimizer | undefined;
  /** Only when no twin could be built: the original's state, loaded back into it. */
  readonly #stateDict: OptimizerStateDict | undefined;
  readonly #loader: EpochCounter | undefined;
  readonly #epoch: number;
  #restored = false;
  #disposed = false;

  /**
   * Takes the snapshot and installs the run's optimizer as `learn.opt`. Variables are captured as
   * clones, which share their data: no copy is made, and `assign` during training gives the
   * variables new data, so the clones keep the old values bit for bit.
   */
  constructor(learn: Learner) {
    const module = learn.module;
    this.#variables = [...module.variables, ...(module.buffers ?? [])];
    this.#lr = typeof learn.lr === "object" && Array.isArray(learn.lr) ? [...learn.lr] : learn.lr;
    this.#loader = epochCounter(learn.dls.train);
    this.#epoch = this.#loader?.epoch ?? 0;
    this.#values = this.#variables.map((v) => tf.keep(v.clone()));
    this.#original = learn.opt;
    try {
      this.#twin = this.#original ? makeTwin(learn, this.#original) : undefined;
      this.#stateDict = this.#original && !this.#twin ? this.#original.stateDict() : undefined;
    } catch (e) {
      tf.dispose(this.#values);
      throw e;
    }
    if (this.#twin) learn.opt = this.#twin;
  }

  /** Whether the run trains a copy of the optimizer (the original is left untouched). */
  get usesTwin(): boolean {
    return this.#twin !== undefined;
  }

  /**
   * Puts everything back (once; later calls do nothing): weights and buffers, the optimizer (the
   * original object, with its state and hypers), `learn.lr`, the loader's epoch counter. Every part
   * is attempted; the first failure is rethrown at the end.
   */
  restore(learn: Learner): void {
    if (this.#restored || this.#disposed) return;
    this.#restored = true;
    let failure: { error: unknown } | undefined;
    const attempt = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        failure ??= { error };
      }
    };
    this.#variables.forEach((v, i) => {
      attempt(() => {
        if (!v.isDisposed) v.assign(this.#values[i] as tf.Tensor);
      });
    });
    attempt(() => this.#restoreOptimizer(learn));
    learn.lr = this.#lr;
    attempt(() => {
      if (this.#loader) this.#loader.epoch = this.#epoch;
    });
    if (failure) throw failure.error;
  }

  /** Frees the snapshot's tensors (restore first). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    tf.dispose(this.#values);
    disposeStateDict(this.#stateDict);
  }

  #restoreOptimizer(learn: Learner): void {
    const original = this.#original;
    if (!original) return;
    if (this.#twin) {
      // Whatever optimizer the run ended with (the twin, or one a callback built) is the run's.
      if (learn.opt && learn.opt !== original && learn.opt !== this.#twin) learn.opt.dispose();
      this.#twin.dispose();
      learn.opt = original;
      return;
    }
    if (learn.opt !== original) {
      learn.opt?.dispose();
      learn.opt = original;
    }
    original.zeroGrad();
    original.loadStateDict(this.#stateDict as OptimizerStateDict);
  }
}
