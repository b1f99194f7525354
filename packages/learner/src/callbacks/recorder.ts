import type { Callback } from "../callback.js";
import type { Learner } from "../learner.js";
import { DebiasedEma } from "./debiased-ema.js";
import { PendingScalars } from "./pending-scalars.js";

/** Recorder options (the reference's defaults). */
export interface RecorderOptions {
  /** Append the epoch's wall time to the logged row (default true). */
  addTime?: boolean;
  /** Accumulate the metrics on training batches too (default false). */
  trainMetrics?: boolean;
  /** Log the validation loss and metrics (default true). */
  validMetrics?: boolean;
  /** Smoothing of the training loss (default 0.98). */
  beta?: number;
}

/** `mm:ss`, or `h:mm:ss` from one hour, as the reference prints epoch times. */
export function formatTime(seconds: number): string {
  const t = Math.floor(seconds);
  const [h, mm, ss] = [Math.floor(t / 3600), Math.floor(t / 60) % 60, t % 60];
  const two = (n: number) => String(n).padStart(2, "0");
  return h ? `${h}:${two(mm)}:${two(ss)}` : `${two(mm)}:${two(ss)}`;
}

/**
 * Records the training (order 50): per training batch the last group's `lr` and the smoothed,
 * debiased loss (`losses`), per epoch a row of `values` (train loss, valid loss, metrics) and the
 * cumulative batch count (`iters`). `hps` is where a ParamScheduler leaves its schedules.
 *
 * No device read per batch: each batch's loss stays on the device (retained, not copied) until someone reads
 * `losses` or `smoothLoss`, or the epoch ends; then all pending losses are read at once and smoothed
 * on the host in float64 (`val = beta·val + (1-beta)·loss; value = val/(1-beta^count)`). The values
 * are the same as reading every batch, only later.
 */
export class Recorder implements Callback {
  readonly name = "Recorder";
  readonly order = 50;
  readonly addTime: boolean;
  readonly trainMetrics: boolean;
  readonly validMetrics: boolean;
  readonly beta: number;

  /** Learning rate of the last parameter group, per training batch. */
  lrs: number[] = [];
  /** One row per finished epoch: the logged values without the epoch number and time. */
  values: number[][] = [];
  /** Cumulative number of training batches at the end of each epoch. */
  iters: number[] = [];
  /** Hyper-parameters per training batch, by name; filled by a ParamScheduler after its fit. */
  hps: Record<string, number[]> = {};
  /** Column names of the epoch table, e.g. `['epoch','train_loss','valid_loss','accuracy','time']`. */
  metricNames: string[] = [];
  /** The current epoch's row: `[epoch, ...values, time]`. */
  log: (number | string)[] = [];
  /** `[validLoss, ...metrics]` of the last validation phase (empty if it was cancelled). */
  lastValidation: number[] = [];

  #losses: number[] = [];
  #batchLosses: number[] = [];
  #pending = new PendingScalars();
  #validPending = new PendingScalars();
  #recorded = 0;
  #ema: DebiasedEma;
  #cancelTrain = false;
  #cancelValid = false;
  #epochStart = 0;
  #learn: Learner | undefined;

  constructor(opts: RecorderOptions = {}) {
    this.addTime = opts.addTime ?? true;
    this.trainMetrics = opts.trainMetrics ?? false;
    this.validMetrics = opts.validMetrics ?? true;
    this.beta = opts.beta ?? 0.98;
    this.#ema = new DebiasedEma(this.beta);
  }

  /** Smoothed, debiased training loss per training batch (reads pending losses from the device). */
  get losses(): number[] {
    this.#flush();
    return this.#losses;
  }

  /** The raw loss of each training batch, as computed (reads pending losses from the device). */
  get batchLosses(): number[] {
    this.#flush();
    return this.#batchLosses;
  }

  /** The smoothed loss after the last training batch; NaN before any. Costs one device read if losses are pending. */
  get smoothLoss(): number {
    this.#flush();
    return this.#losses.at(-1) ?? Number.NaN;
  }

  before_fit(learn: Learner): void {
    this.#pending.dispose();
    this.lrs = [];
    this.values = [];
    this.iters = [];
    this.#losses = [];
    this.#batchLosses = [];
    this.#recorded = 0;
    this.#ema = new DebiasedEma(this.beta);
    this.lastValidation = [];
    const names = learn.metrics.map((m) => m.name);
    let cols: string[];
    if (this.trainMetrics && this.validMetrics) {
      const all = ["loss", ...names];
      cols = [...all.map((n) => `train_${n}`), ...all.map((n) => `valid_${n}`)];
    } else if (this.validMetrics) cols = ["train_loss", "valid_loss", ...names];
    else cols = ["train_loss", ...names];
    this.metricNames = ["epoch", ...cols, ...(this.addTime ? ["time"] : [])];
  }

  before_epoch(learn: Learner): void {
    this.#cancelTrain = this.#cancelValid = false;
    this.#epochStart = performance.now();
    this.log = [learn.epoch];
  }

  before_train(learn: Learner): void {
    if (this.trainMetrics) for (const m of learn.metrics) m.reset();
  }

  before_validate(learn: Learner): void {
    this.#cancelValid = false;
    this.#validPending.dispose();
    for (const m of learn.metrics) m.reset();
  }

  after_batch(learn: Learner): void {
    const { loss, pred, yb } = learn;
    this.#learn = learn;
    if (!loss) return; // cancelled before the loss existed: nothing to record
    if (learn.training) {
      this.lrs.push(learn.opt?.hypers.at(-1)?.lr ?? Number.NaN);
      this.#pending.push(loss, (t) => learn.retain(t));
      this.#recorded += 1;
      if (this.#pending.length >= 4096) this.#flush(); // bounds device memory on very long epochs
      if (this.trainMetrics && pred && yb) for (const m of learn.metrics) m.accumulate(pred, yb);
    } else {
      this.#validPending.push(loss, (t) => learn.retain(t), yb?.shape[0] ?? 1);
      if (pred && yb) for (const m of learn.metrics) m.accumulate(pred, yb);
    }
  }

  after_cancel_train(): void {
    this.#cancelTrain = true;
  }

  after_cancel_validate(): void {
    this.#cancelValid = true;
  }

  after_train(learn: Learner): void {
    if (this.#cancelTrain) return;
    this.log.push(this.smoothLoss);
    if (this.trainMetrics) for (const m of learn.metrics) this.log.push(m.value());
  }

  after_validate(learn: Learner): void {
    const { values, weights } = this.#validPending.drain(this.#inBatch);
    if (this.#cancelValid) {
      this.lastValidation = [];
    } else {
      let [sum, count] = [0, 0];
      values.forEach((v, i) => {
        sum += v * (weights[i] as number);
        count += weights[i] as number;
      });
      this.lastValidation = [count ? sum / count : Number.NaN, ...learn.metrics.map((m) => m.value())];
      if (this.validMetrics) this.log.push(...this.lastValidation);
    }
    for (const m of learn.metrics) m.reset();
  }

  after_epoch(): void {
    this.values.push(this.log.slice(1) as number[]);
    if (this.addTime) this.log.push(formatTime((performance.now() - this.#epochStart) / 1000));
    this.iters.push(this.#recorded);
  }

  after_fit(): void {
    this.#flush();
  }

  /** However the fit ended: read what is pending (kept for `losses`) and free every tensor. */
  cleanup(learn: Learner): void {
    try {
      this.#flush();
    } finally {
      this.#pending.dispose();
      this.#validPending.dispose();
      for (const m of learn.metrics) m.reset();
    }
  }

  /** The running batch's loss must outlive a read made during `after_batch` (e.g. `learn.smoothLoss`). */
  readonly #inBatch = (t: unknown): boolean => t === this.#learn?.loss;

  #flush(): void {
    if (this.#pending.length === 0) return;
    for (const v of this.#pending.drain(this.#inBatch).values) {
      this.#batchLosses.push(v);
      this.#losses.push(this.#ema.push(v));
    }
  }
}
