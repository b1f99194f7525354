/**
 * The LR range test as a callback: the LR grows each training batch from `startLr` towards `endLr`,
 * the run stops when the loss diverges, and whatever it trained is put back afterwards.
 */

import {
  type Callback,
  CancelFitException,
  CancelValidException,
  DebiasedEma,
  type Learner,
  LearnerError,
} from "@sched/learner";
import { LR_FINDER } from "./active.js";
import {
  checkRampGroups,
  type FinderSettings,
  finderSettings,
  type LRFinderOptions,
  LrFindOptionError,
  type StepMode,
  type SuggestOn,
} from "./options.js";
import { TrainingSnapshot } from "./snapshot.js";
import { ValidationBatches } from "./validation.js";

/** Why the run stopped: done, the smoothed loss passed 4× its best, or a loss was NaN/±Infinity. */
export type FinderStop = "completed" | "diverged" | "non-finite";

/**
 * The LR finder (order 60, training batches only). Before each training batch it sets every group's
 * LR to the ramp at `trainIter / numIt`; after it, it stops the fit when the smoothed loss passes 4×
 * its best (`stopDiv`), at the first non-finite raw or smoothed loss (NaN too, unlike the reference),
 * or after `numIt` iterations. Validation is cancelled. At `before_fit` it snapshots the model
 * (variables and buffers), the optimizer (the run trains a copy loaded with its state and hypers),
 * `learn.lr` and the training loader's epoch counter, in memory; it restores them bit-exactly at
 * `after_fit`, or in `cleanup` when a callback or the model throws. Trackers see `isLrFinderActive`.
 * With `validBatches` > 0 it also records, after each step, the validation loss on fixed batches
 * that `loadValidBatches` took before the fit (`validLosses`, `rawValidLosses`).
 */
export class LRFinder implements Callback {
  readonly name = "LRFinder";
  readonly order = 60;
  readonly runValid = false;
  readonly [LR_FINDER] = true;
  readonly startLr: FinderSettings["startLr"];
  readonly endLr: FinderSettings["endLr"];
  /** Iterations the run is allowed: `max(numIt, 6)`. */
  readonly numIt: number;
  readonly stopDiv: boolean;
  readonly stepMode: StepMode;
  /** Validation batches evaluated after each step (0: none; `Infinity`: the whole valid loader). */
  readonly validBatches: number;
  /** The curve `lrFind` suggests from. */
  readonly suggestOn: SuggestOn;
  /** Validation loss after each training iteration, smoothed as the Recorder smooths the training loss (empty without validation). */
  validLosses: number[] = [];
  /** Validation loss of the weights after each training iteration, on the fixed batches (empty without validation). */
  rawValidLosses: number[] = [];
  /** Recorded hyper-parameters per training batch (last parameter group), as a ParamScheduler's. */
  hps: { lr: number[] } = { lr: [] };
  /** Lowest smoothed loss seen in this run. */
  bestLoss = Number.POSITIVE_INFINITY;
  /** Why the last run stopped; undefined while running, or when something else ended it. */
  stop: FinderStop | undefined;

  readonly #settings: FinderSettings;
  #snapshot: TrainingSnapshot | undefined;
  #valid: ValidationBatches | undefined;
  #validEma: DebiasedEma | undefined;

  constructor(opts: LRFinderOptions = {}) {
    const s = finderSettings(opts, "LRFinder");
    this.#settings = s;
    this.startLr = s.startLr;
    this.endLr = s.endLr;
    this.numIt = s.numIt;
    this.stopDiv = s.stopDiv;
    this.stepMode = s.stepMode;
    this.validBatches = s.validBatches;
    this.suggestOn = s.suggestOn;
  }

  /**
   * Takes the validation batches (the first `validBatches` of `learn.dls.valid`, which is left at
   * its position) before the fit: the loader is asynchronous and `before_fit` cannot wait. `lrFind`
   * calls it; with `fit(..., { cbs: [finder] })`, await it first. The fit frees them when it ends.
   */
  async loadValidBatches(learn: Learner): Promise<void> {
    this.releaseValidBatches();
    if (this.validBatches === 0) return;
    this.#valid = await ValidationBatches.take(learn, this.validBatches, "LRFinder");
  }

  /** Frees the validation batches now (the end of a fit does it too); safe to call again. */
  releaseValidBatches(): void {
    this.#valid?.dispose();
    this.#valid = undefined;
  }

  /** The LR of each group at iteration `i` (what `before_batch` sets). */
  lrAt(i: number): number | readonly number[] {
    return this.#settings.schedule(i / this.numIt);
  }

  before_fit(learn: Learner): void {
    if (!learn.recorder) throw new LearnerError("LRFinder needs a Recorder among the learner's callbacks");
    checkRampGroups(this.#settings, learn.opt?.paramGroups.length ?? 1, "LRFinder");
    if (this.validBatches > 0 && !this.#valid) {
      throw new LrFindOptionError(
        `LRFinder: validBatches=${this.validBatches} needs its validation batches before the fit; ` +
          "await finder.loadValidBatches(learn) first (lrFind does it)",
      );
    }
    this.#snapshot?.dispose();
    this.#snapshot = new TrainingSnapshot(learn);
    this.hps = { lr: [] };
    this.bestLoss = Number.POSITIVE_INFINITY;
    this.stop = undefined;
    this.validLosses = [];
    this.rawValidLosses = [];
    this.#validEma = new DebiasedEma(learn.recorder.beta);
  }

  before_batch(learn: Learner): void {
    learn.opt?.setHyper("lr", this.lrAt(learn.trainIter));
  }

  after_batch(learn: Learner): void {
    this.hps.lr.push(learn.opt?.hypers.at(-1)?.lr ?? Number.NaN);
    // Where the Recorder records a training loss (so both curves have the length of `lrs`), after the step.
    if (learn.loss && this.#valid) this.#recordValidation(learn, this.#valid);
    const recorder = learn.recorder;
    // The loop's own checks: the Recorder has read this batch's loss (one device read per batch).
    if (learn.loss && recorder) {
      const smooth = recorder.smoothLoss;
      const raw = recorder.batchLosses.at(-1) ?? Number.NaN;
      if (!Number.isFinite(smooth) || !Number.isFinite(raw)) this.#stopWith("non-finite");
      if (smooth < this.bestLoss) this.bestLoss = smooth;
      if (this.stopDiv && smooth > 4 * this.bestLoss) this.#stopWith("diverged");
    }
    if (learn.trainIter >= this.numIt) this.#stopWith("completed");
  }

  before_validate(): void {
    throw new CancelValidException();
  }

  /** Puts the model, optimizer, `learn.lr` and loader position back; the ramp is left in `recorder.hps`. */
  after_fit(learn: Learner): void {
    learn.opt?.zeroGrad();
    if (learn.recorder) learn.recorder.hps = { lr: [...this.hps.lr] };
    this.#snapshot?.restore(learn);
  }

  /** However the fit ended: restore (if `after_fit` did not), free the snapshot and the validation batches. */
  cleanup(learn: Learner): void {
    const snapshot = this.#snapshot;
    this.#snapshot = undefined;
    try {
      snapshot?.restore(learn);
    } finally {
      snapshot?.dispose();
      this.releaseValidBatches();
    }
  }

  #recordValidation(learn: Learner, valid: ValidationBatches): void {
    const raw = valid.loss(learn);
    this.rawValidLosses.push(raw);
    this.validLosses.push((this.#validEma as DebiasedEma).push(raw));
  }

  #stopWith(reason: FinderStop): never {
    this.stop = reason;
    throw new CancelFitException();
  }
}
