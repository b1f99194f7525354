/**
 * TrackerCallback: follows one recorded value (`valid_loss`, a metric, …) epoch by epoch and says when
 * it improved, as the reference's TrackerCallback. The base of SaveModel and of any tracker to come
 * (early stopping, reduce-on-plateau); every tracker stays quiet during an LR finder run.
 */

import type { Callback, Learner } from "@sched/learner";
import { show, TrackerError } from "../errors.js";
import { isLrFinderActive } from "../lr-finder/active.js";

/** Whether a lower (`"min"`) or a higher (`"max"`) value is better. */
export type Comp = "min" | "max";

/** Options every tracker takes. */
export interface TrackerOptions {
  /** The recorded column to follow: a name of `recorder.metricNames` (default `"valid_loss"`). */
  monitor?: string;
  /** Default: `"min"` when the name contains `loss` or `error`, else `"max"` (the reference's rule). */
  comp?: Comp;
  /** An improvement must beat the best by more than this (default 0). */
  minDelta?: number;
  /** Forget the best value at every fit (default true). */
  resetOnFit?: boolean;
}

/** The reference's rule: loss-like and error-like names are minimised, everything else maximised. */
export function inferComp(monitor: string): Comp {
  return monitor.includes("loss") || monitor.includes("error") ? "min" : "max";
}

/** Tracks `monitor` after each epoch; `newBest` says whether this epoch improved on `best`. */
export class TrackerCallback implements Callback {
  readonly name: string = "TrackerCallback";
  readonly order: number = 60;
  readonly monitor: string;
  readonly comp: Comp;
  readonly minDelta: number;
  readonly resetOnFit: boolean;
  run?: boolean;
  /** The best value so far (±Infinity before any). */
  best: number;
  /** The epoch that gave `best` (-1 before any). */
  bestEpoch = -1;
  /** Whether the epoch that just ended improved on the best. */
  newBest = false;
  /** Whether the epoch that just ended was cancelled (e.g. skipped by `startEpoch`). */
  protected epochCancelled = false;
  #column = -1;

  constructor(opts: TrackerOptions = {}, where = "TrackerCallback") {
    const { monitor = "valid_loss", comp, minDelta = 0, resetOnFit = true } = opts;
    if (typeof monitor !== "string" || monitor === "") {
      throw new TrackerError(`${where}: monitor must be a non-empty column name, got ${show(monitor)}`);
    }
    if (comp !== undefined && comp !== "min" && comp !== "max") {
      throw new TrackerError(`${where}: comp must be "min" or "max", got ${show(comp)}`);
    }
    if (typeof minDelta !== "number" || !Number.isFinite(minDelta) || minDelta < 0) {
      throw new TrackerError(`${where}: minDelta must be a finite number >= 0, got ${show(minDelta)}`);
    }
    this.monitor = monitor;
    this.comp = comp ?? inferComp(monitor);
    this.minDelta = minDelta;
    this.resetOnFit = resetOnFit;
    this.best = this.#worst();
  }

  /** Quiet during an LR finder run; otherwise checks `monitor` against the recorder's columns. */
  before_fit(learn: Learner): void {
    if (isLrFinderActive(learn)) {
      this.run = false;
      return;
    }
    const names = learn.recorder?.metricNames;
    if (!names) throw new TrackerError(`${this.name}: needs a Recorder among the learner's callbacks`);
    const column = names.indexOf(this.monitor);
    if (column < 1 || this.monitor === "time") {
      const columns = names.filter((n) => n !== "epoch" && n !== "time");
      throw new TrackerError(
        `${this.name}: monitor ${show(this.monitor)} is not a recorded value; recorder.metricNames has [${columns.join(", ")}]`,
      );
    }
    this.#column = column - 1; // values rows leave out the epoch number
    if (this.resetOnFit) {
      this.best = this.#worst();
      this.bestEpoch = -1;
    }
  }

  before_epoch(): void {
    this.epochCancelled = false;
    this.newBest = false;
  }

  after_cancel_epoch(): void {
    this.epochCancelled = true;
  }

  /** Compares this epoch's value with the best; a missing or NaN value (cancelled phase) never improves. */
  after_epoch(learn: Learner): void {
    this.newBest = false;
    if (this.epochCancelled) return;
    const value = learn.recorder?.values.at(-1)?.[this.#column];
    if (typeof value !== "number" || Number.isNaN(value)) return;
    const better =
      this.comp === "min" ? value < this.best - this.minDelta : value > this.best + this.minDelta;
    if (better) {
      this.best = value;
      this.bestEpoch = learn.epoch;
      this.newBest = true;
    }
  }

  #worst(): number {
    return this.comp === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }
}
