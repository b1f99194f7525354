/**
 * SaveModel: checkpoints during a fit, as the reference's SaveModelCallback. Either every epoch
 * (`fname_<epoch>`, for resuming with `startEpoch`), or each time the monitored value improves (one
 * file, `fname`, reloaded at the end of the fit). Writes go through `learn.saveSync`, which is atomic.
 */

import type { Learner } from "@sched/learner";
import { show, TrackerError } from "../errors.js";
import { isLrFinderActive } from "../lr-finder/active.js";
import { TrackerCallback, type TrackerOptions } from "./tracker.js";

/** Options of `new SaveModel(opts)`. */
export interface SaveModelOptions extends TrackerOptions {
  /** Checkpoint name under `learn.path/learn.modelDir` (default `"model"`). */
  fname?: string;
  /** Save after every epoch (`true`) or every n-th epoch (`epoch % n === 0`) instead of the best (default false). */
  everyEpoch?: boolean | number;
  /** With `everyEpoch`: overwrite one file `fname` instead of writing `fname_<epoch>` (default false). */
  overwrite?: boolean;
  /** Best mode: save the final model as `fname` after the fit instead of reloading the best (default false). */
  atEnd?: boolean;
  /** Include the optimizer's state and hypers (default true; the reference defaults to false). */
  withOpt?: boolean;
}

/**
 * Saves checkpoints with the optimizer state (order 61). Best mode (default): after each epoch whose
 * `monitor` value beats the best by more than `minDelta`, saves `fname`; at the end of the fit (also a
 * cancelled one) reloads it, or with `atEnd` saves the final model as `fname` instead. Every-epoch mode:
 * saves `fname_<epoch>` (or `fname` with `overwrite`) after each epoch that ran (epochs skipped by
 * `startEpoch` are not saved, so a resume never overwrites the checkpoints it resumes from). Quiet
 * while an LR finder runs.
 */
export class SaveModel extends TrackerCallback {
  override readonly name: string = "SaveModel";
  override readonly order: number = 61;
  readonly fname: string;
  /** 0 in best mode, else save when `epoch % everyEpoch === 0`. */
  readonly everyEpoch: number;
  readonly overwrite: boolean;
  readonly atEnd: boolean;
  readonly withOpt: boolean;
  /** The manifest path of the last checkpoint written. */
  lastSavedPath: string | undefined;
  #hasBest = false;

  constructor(opts: SaveModelOptions = {}) {
    super(opts, "SaveModel");
    const { fname = "model", everyEpoch = false, overwrite = false, atEnd = false, withOpt = true } = opts;
    if (typeof fname !== "string" || fname === "" || fname.endsWith("/")) {
      throw new TrackerError(`SaveModel: fname must be a non-empty file name, got ${show(fname)}`);
    }
    const every = everyEpoch === true ? 1 : everyEpoch === false ? 0 : everyEpoch;
    if (typeof every !== "number" || !Number.isInteger(every) || every < 0) {
      throw new TrackerError(
        `SaveModel: everyEpoch must be a boolean or a positive integer, got ${show(everyEpoch)}`,
      );
    }
    if (every > 0 && atEnd) {
      throw new TrackerError("SaveModel: everyEpoch and atEnd cannot be combined; pick one");
    }
    if (overwrite && every === 0) {
      throw new TrackerError("SaveModel: overwrite only applies with everyEpoch");
    }
    this.fname = fname;
    this.everyEpoch = every;
    this.overwrite = overwrite;
    this.atEnd = atEnd;
    this.withOpt = withOpt;
  }

  override before_fit(learn: Learner): void {
    if (this.everyEpoch > 0) {
      // Nothing is monitored: only the LR-finder check applies.
      if (isLrFinderActive(learn)) this.run = false;
      return;
    }
    super.before_fit(learn);
    if (this.run !== false && this.resetOnFit) this.#hasBest = false;
  }

  override after_epoch(learn: Learner): void {
    if (this.everyEpoch > 0) {
      if (!this.epochCancelled && learn.epoch % this.everyEpoch === 0) {
        this.#save(learn, this.overwrite ? this.fname : `${this.fname}_${learn.epoch}`);
      }
      return;
    }
    super.after_epoch(learn);
    if (!this.newBest) return;
    learn.logger([`Better model found at epoch ${learn.epoch} with ${this.monitor} value: ${this.best}.`]);
    this.#save(learn, this.fname);
    this.#hasBest = true;
  }

  after_fit(learn: Learner): void {
    if (this.everyEpoch > 0) return;
    if (this.atEnd) this.#save(learn, this.fname);
    else if (this.#hasBest) learn.loadSync(this.fname, { withOpt: this.withOpt });
  }

  #save(learn: Learner, name: string): void {
    this.lastSavedPath = learn.saveSync(name, { withOpt: this.withOpt });
  }
}
