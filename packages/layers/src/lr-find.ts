/**
 * lrFind for tfjs-layers models: the LR range test (fastai's lr_find) on a compiled model, with the
 * model and its optimizer restored bit-exactly afterwards, and the suggestions and diagnostics of
 * `analyzeLrFind` from @sched/suggest.
 */
import { SchedExp, SchedLin } from "@sched/core";
import {
  analyzeCurve,
  type DefaultSuggestion,
  type LrFindAnalysis,
  type LrFindCurve,
  LrFindError,
  lrFindResult,
  type SuggestedLRs,
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
import { validationLoss } from "./valid-loss.js";

export type { LrFindOptions } from "./lr-find-options.js";
export type { ValidationData } from "./valid-loss.js";

const WHERE = "lrFind";
const BETA = 0.98;

/** One ramp: sets the LR before each batch, records, and stops as fastai's LRFinder does. */
async function ramp(
  model: tf.LayersModel,
  batches: BatchStream,
  o: CheckedLrFindOptions,
): Promise<LrFindCurve> {
  const lrSched = o.stepMode === "exp" ? SchedExp(o.startLr, o.endLr) : SchedLin(o.startLr, o.endLr);
  const scheduler = new ScheduleCallback({ lr: lrSched }, { totalSteps: o.numIt });
  const all: FitCallback[] = [scheduler, ...o.callbacks];
  for (const cb of all) {
    cb.setModel(model as never);
    cb.setParams({ epochs: 1, steps: o.numIt, verbose: 0, doValidation: false, metrics: ["loss"] });
  }
  const losses: number[] = [];
  const rawLosses: number[] = [];
  const validLosses: number[] = [];
  const rawValidLosses: number[] = [];
  let avg = 0;
  let validAvg = 0;
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
    if (o.validationData) {
      const valid = await validationLoss(model, o.validationData, o.batchSize);
      validAvg = BETA * validAvg + (1 - BETA) * valid;
      rawValidLosses.push(valid);
      validLosses.push(validAvg / (1 - BETA ** (i + 1)));
    }
    for (const cb of all) await cb.onBatchEnd(i, { batch: i, size: batch.size, loss });
    if (!Number.isFinite(loss)) break;
    if (smooth < best) best = smooth;
    if (o.stopDiv && smooth > 4 * best) break;
    if (model.stopTraining) break;
  }
  for (const cb of all) await cb.onTrainEnd({});
  const curve: LrFindCurve = { lrs: scheduler.hps.lr.slice(0, losses.length), losses, rawLosses };
  if (o.validationData) {
    curve.validLosses = validLosses;
    curve.rawValidLosses = rawValidLosses;
  }
  return curve;
}

function analyze(curve: LrFindCurve, o: CheckedLrFindOptions, run: number): LrFindAnalysis {
  try {
    return analyzeCurve(curve, o.numIt, { ...o.analyze, suggestOn: o.suggestOn });
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
 * exactly as they were (also when a callback or the model throws). With `validationData` it also
 * records the validation loss after every step, which `suggestOn: "valid"` suggests from. Returns `SuggestedLRs`, the
 * result `@sched/callbacks`' lrFind returns too: one LR per suggestion function, keyed by its name,
 * plus the non-enumerable `names`, `suggestions`, `diagnostics`, `curve` (for
 * `plotLrFind(result.curve, { suggestions: result.suggestions })`), `analysis` and `repeats`.
 */
export function lrFind<N extends string = DefaultSuggestion>(
  model: tf.LayersModel,
  x: TensorData,
  y: TensorData,
  options?: LrFindOptions<N>,
): Promise<SuggestedLRs<N>>;
export function lrFind<N extends string = DefaultSuggestion>(
  model: tf.LayersModel,
  dataset: tf.data.Dataset<tf.TensorContainer>,
  options?: LrFindOptions<N>,
): Promise<SuggestedLRs<N>>;
export function lrFind<N extends string = DefaultSuggestion>(
  model: tf.LayersModel,
  dataset: tf.data.Dataset<tf.TensorContainer>,
  y: null | undefined,
  options?: LrFindOptions<N>,
): Promise<SuggestedLRs<N>>;
export async function lrFind<N extends string = DefaultSuggestion>(
  model: tf.LayersModel,
  data: TensorData | tf.data.Dataset<tf.TensorContainer>,
  yOrOptions?: TensorData | LrFindOptions<N> | null,
  maybeOptions?: LrFindOptions<N>,
): Promise<SuggestedLRs<N>> {
  const dataset = isDataset(data);
  if (!dataset && !isTensorData(data)) {
    throw new LayersError(`${WHERE}: x must be a tensor, an array or a map of tensors, or a tf.data dataset`);
  }
  if (!dataset && !isTensorData(yOrOptions)) {
    throw new LayersError(`${WHERE}: y must be a tensor, an array or a map of tensors (the targets of x)`);
  }
  // A dataset's options may also come fourth, after an unused y (the tensor call's shape).
  const given = dataset && yOrOptions == null ? maybeOptions : dataset ? yOrOptions : maybeOptions;
  const o = checkLrFindOptions(given as LrFindOptions<N>, dataset);
  if (!model || typeof model.trainOnBatch !== "function") {
    throw new LayersError(`${WHERE}: model must be a tfjs LayersModel`);
  }
  const [optimizer, spec] = optimizerSpec(model, WHERE);
  const state = model as unknown as { isTraining: boolean };
  if (state.isTraining) throw new LayersError(`${WHERE}: the model is training (another fit is running)`);
  const stopTraining = model.stopTraining;
  const history = model.history;
  const curves: LrFindCurve[] = [];
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
      curves.push(await ramp(model, batches, o));
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
  const runs = curves.map((curve, r) => analyze(curve, o, r));
  // Built as @sched/callbacks builds it: with repeats, the medians marked on the last run's curve.
  return lrFindResult<N>(runs, curves[curves.length - 1] as LrFindCurve, { suggestOn: o.suggestOn });
}
