/**
 * lrFind for tfjs-layers models: the LR range test (fastai's lr_find) on a compiled model, with the
 * model and its optimizer restored bit-exactly afterwards, and the suggestions and diagnostics of
 * `analyzeLrFind` from @sched/suggest.
 */
import { SchedExp, SchedLin } from "@sched/core";
import {
  aggregateRepeats,
  analyzeLrFind,
  type LrFindAnalysis,
  LrFindError,
  type RepeatStats,
} from "@sched/suggest";
import * as tf from "@tensorflow/tfjs";
import {
  type BatchStream,
  datasetBatches,
  isDataset,
  isTensorData,
  type TensorData,
  tensorBatches,
} from "./batches.js";
import type { FitCallback } from "./callback-list.js";
import { releaseAbandonedTape } from "./engine-cleanup.js";
import { LayersError } from "./errors.js";
import { type CheckedLrFindOptions, checkLrFindOptions, type LrFindOptions } from "./lr-find-options.js";
import { optimizerSpec } from "./optimizers.js";
import { ScheduleCallback } from "./schedule-callback.js";
import { takeSnapshot } from "./snapshot.js";

export type { LrFindOptions } from "./lr-find-options.js";

/** What one run recorded, per iteration that ran: what `plotLrFind` and `plotSched` read. */
export interface LrFindRecorder {
  /** LR of each iteration. */
  lrs: number[];
  /** Smoothed, debiased loss (beta 0.98), as fastai's Recorder keeps it. */
  losses: number[];
  /** Raw loss of each batch. */
  rawLosses: number[];
  /** Iterations asked for. */
  numIt: number;
  /** `{ lr: lrs }`, for `plotSched`. */
  hps: { lr: number[] };
}

/** One run's analysis (suggestions keyed by name, window, stop, diagnostics) and its recording. */
export interface LrFindRunResult extends LrFindAnalysis {
  recorder: LrFindRecorder;
}

/** The result of lrFind: the first run, plus every run and their statistics when `repeats` > 1. */
export interface LrFindResult extends LrFindRunResult {
  repeats?: {
    /** Per suggestion function: median, quartiles (in log10 lr) and the k values. */
    stats: Record<string, RepeatStats>;
    runs: LrFindRunResult[];
  };
}

const WHERE = "lrFind";
const BETA = 0.98;

/** One ramp: sets the LR before each batch, records, and stops as fastai's LRFinder does. */
async function ramp(
  model: tf.LayersModel,
  batches: BatchStream,
  o: CheckedLrFindOptions,
): Promise<LrFindRecorder> {
  const lrSched = o.stepMode === "exp" ? SchedExp(o.startLr, o.endLr) : SchedLin(o.startLr, o.endLr);
  const scheduler = new ScheduleCallback({ lr: lrSched }, { totalSteps: o.numIt });
  const all: FitCallback[] = [scheduler, ...o.callbacks];
  for (const cb of all) {
    cb.setModel(model as never);
    cb.setParams({ epochs: 1, steps: o.numIt, verbose: 0, doValidation: false, metrics: ["loss"] });
  }
  const losses: number[] = [];
  const rawLosses: number[] = [];
  let avg = 0;
  let best = Number.POSITIVE_INFINITY;
  model.stopTraining = false;
  for (const cb of all) await cb.onTrainBegin({});
  for (let i = 0; i < o.numIt; i++) {
    const batch = await batches.next();
    let loss: number;
    try {
      const logs = { batch: i, size: batch.size };
      for (const cb of all) await cb.onBatchBegin(i, logs);
      const out = await model.trainOnBatch(batch.xs, batch.ys);
      loss = Array.isArray(out) ? (out[0] as number) : out;
    } catch (e) {
      releaseAbandonedTape();
      throw e;
    } finally {
      tf.dispose(batch.tensors);
    }
    avg = BETA * avg + (1 - BETA) * loss;
    const smooth = avg / (1 - BETA ** (i + 1));
    rawLosses.push(loss);
    losses.push(smooth);
    for (const cb of all) await cb.onBatchEnd(i, { batch: i, size: batch.size, loss });
    if (!Number.isFinite(loss)) break;
    if (smooth < best) best = smooth;
    if (o.stopDiv && smooth > 4 * best) break;
    if (model.stopTraining) break;
  }
  for (const cb of all) await cb.onTrainEnd({});
  const lrs = scheduler.hps.lr.slice(0, losses.length);
  return { lrs, losses, rawLosses, numIt: o.numIt, hps: { lr: lrs } };
}

function analyze(recorder: LrFindRecorder, o: CheckedLrFindOptions, run: number): LrFindRunResult {
  try {
    return { ...analyzeLrFind(recorder, o.analyze), recorder };
  } catch (e) {
    if (e instanceof LrFindError && o.repeats > 1) {
      throw new LrFindError(`run ${run + 1} of ${o.repeats}: ${e.message}`, e);
    }
    throw e;
  }
}

/**
 * The LR range test on a compiled tfjs-layers model: raises the LR each batch from `startLr`
 * towards `endLr` over `numIt` batches (as many epochs as needed), records the smoothed loss and
 * stops when it diverges, then puts the model's weights and the optimizer's state and hypers back
 * exactly as they were (also when a callback or the model throws). Returns the suggestions keyed
 * by function name, the diagnostics, and the recording for `plotLrFind(result.recorder, ...)`.
 */
export function lrFind(
  model: tf.LayersModel,
  x: TensorData,
  y: TensorData,
  options?: LrFindOptions,
): Promise<LrFindResult>;
export function lrFind(
  model: tf.LayersModel,
  dataset: tf.data.Dataset<tf.TensorContainer>,
  options?: LrFindOptions,
): Promise<LrFindResult>;
export function lrFind(
  model: tf.LayersModel,
  dataset: tf.data.Dataset<tf.TensorContainer>,
  y: null | undefined,
  options?: LrFindOptions,
): Promise<LrFindResult>;
export async function lrFind(
  model: tf.LayersModel,
  data: TensorData | tf.data.Dataset<tf.TensorContainer>,
  yOrOptions?: TensorData | LrFindOptions | null,
  maybeOptions?: LrFindOptions,
): Promise<LrFindResult> {
  const dataset = isDataset(data) && !(data instanceof tf.Tensor);
  if (!dataset && !isTensorData(data)) {
    throw new LayersError(`${WHERE}: x must be a tensor, an array or a map of tensors, or a tf.data dataset`);
  }
  if (!dataset && !isTensorData(yOrOptions)) {
    throw new LayersError(`${WHERE}: y must be a tensor, an array or a map of tensors (the targets of x)`);
  }
  // A dataset's options may also come fourth, after an unused y (the tensor call's shape).
  const given = dataset && yOrOptions == null ? maybeOptions : dataset ? yOrOptions : maybeOptions;
  const o = checkLrFindOptions(given as LrFindOptions, dataset);
  if (!model || typeof model.trainOnBatch !== "function") {
    throw new LayersError(`${WHERE}: model must be a tfjs LayersModel`);
  }
  const [optimizer, spec] = optimizerSpec(model, WHERE);
  const state = model as unknown as { isTraining: boolean };
  if (state.isTraining) throw new LayersError(`${WHERE}: the model is training (another fit is running)`);
  const stopTraining = model.stopTraining;
  const history = model.history;
  const recorders: LrFindRecorder[] = [];
  const snapshot = takeSnapshot(model, optimizer, spec);
  state.isTraining = true;
  try {
    for (let r = 0; r < o.repeats; r++) {
      if (r > 0) snapshot.restore();
      const batches = dataset
        ? datasetBatches(data as tf.data.Dataset<tf.TensorContainer>, WHERE)
        : tensorBatches(data as TensorData, yOrOptions as TensorData, {
            ...o,
            seed: o.seed + r,
            where: WHERE,
          });
      recorders.push(await ramp(model, batches, o));
    }
  } finally {
    try {
      snapshot.restore();
    } finally {
      snapshot.dispose();
      state.isTraining = false;
      model.stopTraining = stopTraining;
      model.history = history;
    }
  }
  const runs = recorders.map((rec, r) => analyze(rec, o, r));
  const first = runs[0] as LrFindRunResult;
  if (o.repeats === 1) return first;
  return { ...first, repeats: { stats: aggregateRepeats(runs.map((run) => run.suggestions)), runs } };
}
