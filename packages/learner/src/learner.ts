/**
 * The Learner: `fit` is nothing but a sequence of events. Every feature (progress, recording,
 * schedules, early stopping, ...) is a callback or a bus listener reacting to those events.
 */

import type { Hyper } from "@sched/core";
import type * as tf from "@tensorflow/tfjs";
import m from "mitt";
import { type Callback, CallbackList, callbackName } from "./callback.js";
import { EpochLogger, type Logger, printRow } from "./callbacks/logger.js";
import { Progress } from "./callbacks/progress.js";
import { Recorder } from "./callbacks/recorder.js";
import { SkipToEpoch } from "./callbacks/skip-to-epoch.js";
import { TrainEval } from "./callbacks/train-eval.js";
import type { EventName } from "./events.js";
import {
  CallbackError,
  CancelEpochException,
  CancelFitException,
  CancelTrainException,
  CancelValidException,
  isCancelException,
  LearnerError,
} from "./exceptions.js";
import type {
  BatchLoader,
  FitOptions,
  LearnerBus,
  LearnerEvents,
  LearnerOptions,
  LoadersLike,
  Moms,
} from "./learner-options.js";
import { BatchStep, phase, runLoader } from "./loop.js";
import type { LossFunc } from "./losses.js";
import { type Metric, toMetric } from "./metrics.js";
import { checkGroups, type ModelLike, type Module, normBiasParams, toModule } from "./module.js";
import { Adam } from "./optim/index.js";
import type { HyperValue, OptFunc, Optimizer } from "./optim/types.js";
import {
  type LoadOptions,
  loadCheckpoint,
  loadCheckpointSync,
  type SaveOptions,
  saveCheckpoint,
  saveCheckpointSync,
} from "./persistence.js";

export type { BatchLoader, FitOptions, LearnerBus, LearnerEvents, LearnerOptions, LoadersLike, Moms };

const mitt = m as unknown as typeof m.default;

function checkInt(what: string, value: unknown, min: number, max = Number.POSITIVE_INFINITY): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new LearnerError(`${what} must be an integer ${range}, got ${String(value)}`);
  }
  return value;
}

/** Trains a model on DataLoaders with an optimizer and callbacks; see the package README. */
export class Learner<M extends ModelLike = ModelLike, D extends LoadersLike = LoadersLike> {
  /** The event bus; `bus.on(event, fn)` listeners run after every callback of that event. */
  readonly bus: LearnerBus = mitt<LearnerEvents>();
  readonly model: M;
  /** `model` as a Module (a LayersModel is adapted). */
  readonly module: Module;
  dls: D;
  lossFunc: LossFunc;
  optFunc: OptFunc;
  opt: Optimizer | undefined;
  metrics: Metric[];
  lr: HyperValue;
  wd: Hyper | undefined;
  wdBnBias: boolean;
  moms: Moms;
  trainBn: boolean;
  path: string;
  modelDir: string;
  /** Prints one row of the epoch table; `noLogging` swaps it for a no-op. */
  logger: Logger = printRow;
  /** True inside `noLogging`: progress bars stay hidden too. */
  silent = false;

  nEpoch = 1;
  epoch = 0;
  iter = 0;
  nIter = 0;
  trainIter = 0;
  pctTrain = 0;
  training = false;
  dl: BatchLoader | undefined;
  xb: tf.Tensor | undefined;
  yb: tf.Tensor | undefined;
  pred: tf.Tensor | undefined;
  loss: tf.Tensor | undefined;

  readonly #cbs = new CallbackList();
  readonly #split: () => tf.Variable[][];
  /** The last `freezeTo` argument: freezing lives in the optimizer, so a rebuilt one must get it again. */
  #frozenTo = 0;
  #busy: string | undefined;
  readonly #fire = (e: EventName) => this.#event(e);
  readonly #batch = new BatchStep(this, this.#fire);

  constructor(dls: D, model: M, opts: LearnerOptions<M> = {}) {
    this.dls = dls;
    this.model = model;
    this.module = toModule(model);
    const lossFunc = opts.lossFunc ?? dls.lossFunc;
    if (typeof lossFunc !== "function") {
      throw new LearnerError("lossFunc is required (pass opts.lossFunc, or dls with a lossFunc)");
    }
    this.lossFunc = lossFunc;
    this.optFunc = opts.optFunc ?? Adam;
    this.lr = opts.lr ?? 1e-3;
    this.wd = opts.wd;
    this.wdBnBias = opts.wdBnBias ?? false;
    this.moms = opts.moms ?? [0.95, 0.85, 0.95];
    this.trainBn = opts.trainBn ?? true;
    this.path = opts.path ?? ".";
    this.modelDir = opts.modelDir ?? "models";
    this.metrics = (opts.metrics ?? []).map(toMetric);
    const splitter = opts.splitter;
    this.#split = splitter ? () => splitter(model) : () => [[...this.module.variables]];
    this.#cbs.add([new TrainEval(), new Recorder(), new EpochLogger(), new Progress(), ...(opts.cbs ?? [])]);
    this.#event("after_create");
  }

  /** The callbacks, in insertion order. */
  get cbs(): readonly Callback[] {
    return this.#cbs.items;
  }

  /** The first Recorder among the callbacks. */
  get recorder(): Recorder | undefined {
    return this.#cbs.items.find((cb): cb is Recorder => cb instanceof Recorder);
  }

  /**
   * The smoothed, debiased training loss after the last training batch (NaN before any). Reading it
   * costs one device read of the losses not yet read, so read it only when needed.
   */
  get smoothLoss(): number {
    return this.recorder?.smoothLoss ?? Number.NaN;
  }

  /**
   * Keeps a tensor of the current batch (`xb`, `yb`, `pred`, `loss`, or one made in a handler) alive
   * after the batch: the learner will not free it, the caller owns it and must dispose it. Cheaper
   * than a clone (no kernel), e.g. the Recorder retains each loss until it reads them all at once.
   */
  retain<T extends tf.Tensor>(t: T): T {
    return this.#batch.retain(t);
  }

  addCbs(cbs: readonly Callback[]): this {
    this.#cbs.add(cbs);
    return this;
  }

  removeCbs(cbs: readonly Callback[]): this {
    this.#cbs.remove(cbs);
    return this;
  }

  /** Builds the optimizer from the splitter's groups, with norm/bias flags; replaces any previous one. */
  createOpt(): Optimizer {
    const opt = this.makeOpt();
    this.opt?.dispose();
    this.opt = opt;
    return opt;
  }

  /** A new optimizer as `createOpt` would build it, without installing it (the caller owns it). */
  makeOpt(): Optimizer {
    const groups = checkGroups(this.#split());
    const { norm, bias } = normBiasParams(this.module);
    const opt = this.optFunc(groups, {
      ...(typeof this.lr === "number" ? { lr: this.lr } : {}),
      trainBn: this.trainBn,
      forceTrain: norm,
      noWd: this.wdBnBias ? new Set() : new Set([...norm, ...bias]),
    });
    if (typeof this.lr !== "number") opt.setHyper("lr", this.lr);
    if (this.#frozenTo !== 0) opt.freezeTo(this.#frozenTo);
    return opt;
  }

  /**
   * Freezes parameter groups before `n` (negative: from the end) and clears the optimizer state.
   * Optimizers built later (`createOpt`, `fit(..., { resetOpt: true })`) stay frozen the same way.
   */
  freezeTo(n: number): void {
    const opt = this.opt ?? this.createOpt();
    opt.freezeTo(n);
    opt.clearState();
    this.#frozenTo = n;
  }

  freeze(): void {
    this.freezeTo(-1);
  }

  unfreeze(): void {
    this.freezeTo(0);
  }

  /** Trains for `nEpoch` epochs: the events of spec §7, in order. */
  async fit(nEpoch: number, opts: FitOptions = {}): Promise<void> {
    checkInt("fit: nEpoch", nEpoch, 1);
    const startEpoch = checkInt("fit: startEpoch", opts.startEpoch ?? 0, 0, nEpoch - 1);
    this.#enter("fit");
    const added = [...(opts.cbs ?? []), ...(startEpoch ? [new SkipToEpoch(startEpoch)] : [])];
    let failed = true;
    try {
      this.#cbs.add(added);
    } catch (e) {
      this.#busy = undefined;
      throw e;
    }
    try {
      const opt = opts.resetOpt || !this.opt ? this.createOpt() : this.opt;
      const wd = opts.wd ?? this.wd;
      if (wd !== undefined) opt.setHyper("wd", wd);
      opt.setHyper("lr", opts.lr ?? this.lr);
      this.nEpoch = nEpoch;
      const fire = this.#fire;
      await phase(fire, "fit", CancelFitException, async () => {
        for (let epoch = 0; epoch < nEpoch; epoch++) {
          this.epoch = epoch;
          await phase(fire, "epoch", CancelEpochException, async () => {
            await runLoader(this, fire, this.#batch, "train", this.dls.train, CancelTrainException);
            await runLoader(this, fire, this.#batch, "validate", this.dls.valid, CancelValidException);
          });
        }
      });
      failed = false;
    } finally {
      this.#finish(failed, added);
    }
  }

  /** Runs the validation events over `dl` (default the valid loader) and returns `[validLoss, ...metrics]`. */
  async validate(dl: BatchLoader = this.dls.valid): Promise<number[]> {
    const recorder = this.recorder;
    if (!recorder) throw new LearnerError("validate: needs a Recorder among the callbacks");
    this.#enter("validate");
    let failed = true;
    try {
      await this.noLogging(() =>
        runLoader(this, this.#fire, this.#batch, "validate", dl, CancelValidException),
      );
      failed = false;
      return [...recorder.lastValidation];
    } finally {
      this.#finish(failed, []);
    }
  }

  /** Runs `fn` with the logger silenced and progress bars hidden; restores both even if `fn` throws. */
  async noLogging<T>(fn: () => T | Promise<T>): Promise<T> {
    const [logger, silent] = [this.logger, this.silent];
    this.logger = () => {};
    this.silent = true;
    try {
      return await fn();
    } finally {
      this.logger = logger;
      this.silent = silent;
    }
  }

  /** Writes weights (and optimizer state and hypers) under `path/modelDir`; returns the manifest path. */
  save(name: string, opts: SaveOptions = {}): Promise<string> {
    return saveCheckpoint(this, name, opts);
  }

  /** Reads what `save` wrote; on any mismatch throws a CheckpointError and changes nothing. */
  load(name: string, opts: LoadOptions = {}): Promise<this> {
    return loadCheckpoint(this, name, opts).then(() => this);
  }

  /** `save`, synchronously: for event handlers, which cannot await. */
  saveSync(name: string, opts: SaveOptions = {}): string {
    return saveCheckpointSync(this, name, opts);
  }

  /** `load`, synchronously: for event handlers, which cannot await. */
  loadSync(name: string, opts: LoadOptions = {}): this {
    loadCheckpointSync(this, name, opts);
    return this;
  }

  /** Frees the optimizer and the model's variables; the learner is unusable afterwards. */
  dispose(): void {
    this.opt?.dispose();
    this.opt = undefined;
    if ("layersModel" in this.module) (this.module.layersModel as tf.LayersModel).dispose();
    else for (const v of [...this.module.variables, ...(this.module.buffers ?? [])]) v.dispose();
  }

  #enter(what: string): void {
    if (this.#busy) {
      throw new LearnerError(
        `${what}: this learner is already running ${this.#busy}(); await it before starting another`,
      );
    }
    this.#busy = what;
  }

  /** Ends a fit or validate however it ended: frees batch tensors, runs `cleanup` hooks, drops temporary cbs. */
  #finish(failed: boolean, added: readonly Callback[]): void {
    let cleanupError: unknown;
    try {
      this.#batch.release();
      this.opt?.zeroGrad();
      for (const cb of this.#cbs.sorted()) {
        try {
          cb.cleanup?.call(cb, this);
        } catch (e) {
          cleanupError ??= new CallbackError(callbackName(cb), "cleanup", e);
        }
        if (cb.run === false) cb.run = true;
      }
    } finally {
      this.#cbs.remove(added);
      this.dl = undefined;
      this.#busy = undefined;
    }
    if (cleanupError !== undefined && !failed) throw cleanupError;
  }

  /** Fires an event: the callbacks in order, then the bus listeners (named ones, then `*` ones). */
  #event(name: EventName): void {
    this.#cbs.run(name, this);
    const listeners = this.bus.all.get(name) as m.Handler<Learner>[] | undefined;
    if (listeners?.length) for (const fn of [...listeners]) this.#listen(name, fn, () => fn(this));
    const wild = this.bus.all.get("*") as m.WildcardHandler<LearnerEvents>[] | undefined;
    if (wild?.length) for (const fn of [...wild]) this.#listen(name, fn, () => fn(name, this));
  }

  #listen(name: EventName, fn: { name: string }, call: () => void): void {
    try {
      call();
    } catch (e) {
      if (isCancelException(e) || e instanceof CallbackError) throw e;
      throw new CallbackError(fn.name ? `bus listener ${fn.name}` : "bus listener", name, e);
    }
  }
}
