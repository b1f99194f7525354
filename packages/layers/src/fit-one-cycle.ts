/**
 * fitOneCycle for tfjs-layers models: fastai's 1cycle policy (same defaults as @sched/policies) as
 * model.fit / model.fitDataset with a scheduleCallback.
 */
import { combinedCos } from "@sched/core";
import type * as tf from "@tensorflow/tfjs";
import { isDataset, isTensorData, type TensorData } from "./batches.js";
import { type CallbackInput, toCallbacks } from "./callback-list.js";
import { releaseAbandonedTape } from "./engine-cleanup.js";
import { LayersError } from "./errors.js";
import { readHyper } from "./hypers.js";
import { optimizerSpec } from "./optimizers.js";
import { type HyperSchedules, ScheduleCallback } from "./schedule-callback.js";

/** The 1cycle policy's own options. */
export interface OneCycleOptions {
  /** Epochs to train (a positive integer). */
  epochs: number;
  /** Peak LR; default: the compiled optimizer's current LR (as fastai uses learn.lr). */
  lrMax?: number;
  /** The LR starts at lrMax / div (default 25). */
  div?: number;
  /** The LR ends at lrMax / divFinal (default 1e5). */
  divFinal?: number;
  /** Fraction of the steps spent warming up (default 0.25), in (0, 1). */
  pctStart?: number;
  /**
   * Momentum start, low point, end (default [0.95, 0.85, 0.95]); applied to the optimizer's
   * momentum-like hyper (see the README); `null` leaves momentum alone.
   */
  moms?: readonly [number, number, number] | null;
  /** Callbacks run after the schedule's (so they see this batch's values). */
  callbacks?: CallbackInput;
}

/** fitOneCycle options with tensors: the policy's plus any other `model.fit` argument. */
export type FitOneCycleOptions = OneCycleOptions & Omit<tf.ModelFitArgs, "epochs" | "callbacks">;

/** fitOneCycle options with a dataset: the policy's plus any other `model.fitDataset` argument. */
export type FitOneCycleDatasetOptions = OneCycleOptions &
  Omit<tf.ModelFitDatasetArgs<tf.TensorContainer>, "epochs" | "callbacks">;

/** The History of the fit, plus the values the schedule set per batch (`plotSched(history)` works). */
export type OneCycleHistory = tf.History & { hps: { lr: number[]; mom?: number[] } };

const WHERE = "fitOneCycle";
const DEFAULT_MOMS = [0.95, 0.85, 0.95] as const;

function fail(name: string, value: unknown, want: string): never {
  throw new LayersError(
    `${WHERE}: ${name} must be ${want}; got ${Array.isArray(value) ? `[${value}]` : String(value)}`,
  );
}

function finitePositive(name: string, v: unknown): number {
  if (!(typeof v === "number" && Number.isFinite(v) && v > 0)) fail(name, v, "a finite number > 0");
  return v;
}

/** The schedules of the policy for this model's optimizer; throws before anything is trained. */
function oneCycleSchedules(model: tf.LayersModel, o: OneCycleOptions): HyperSchedules {
  if (o === null || typeof o !== "object") fail("options", o, "an object with at least { epochs }");
  const { epochs, div = 25, divFinal = 1e5, pctStart = 0.25 } = o;
  if (!(typeof epochs === "number" && Number.isInteger(epochs) && epochs > 0))
    fail("epochs", epochs, "a positive integer");
  finitePositive("div", div);
  finitePositive("divFinal", divFinal);
  if (!(typeof pctStart === "number" && pctStart > 0 && pctStart < 1))
    fail("pctStart", pctStart, "a number in (0, 1)");
  const moms = o.moms === undefined ? DEFAULT_MOMS : o.moms;
  if (moms !== null) {
    const ok =
      Array.isArray(moms) && moms.length === 3 && moms.every((m) => typeof m === "number" && m >= 0 && m < 1);
    if (!ok) fail("moms", moms, "3 numbers in [0, 1) (start, low point, end) or null");
  }
  const [optimizer, spec] = optimizerSpec(model, WHERE);
  const lrMax = finitePositive("lrMax", o.lrMax ?? readHyper(optimizer, "learningRate"));
  const schedules: Record<string, ReturnType<typeof combinedCos<number, number, number>>> = {
    lr: combinedCos(pctStart, lrMax / div, lrMax, lrMax / divFinal),
  };
  if (moms === null) return schedules;
  const field = spec.momentum;
  // RMSProp without momentum keeps none, as fastai's RMSProp (mom = 0) ignores the mom schedule;
  // given explicitly, moms turns it on.
  const inUse =
    field !== null && (spec.kind !== "RMSProp" || o.moms !== undefined || readHyper(optimizer, field) > 0);
  if (field === null && o.moms !== undefined) {
    throw new LayersError(
      `${WHERE}: the ${spec.kind} optimizer has no momentum to schedule with moms; compile with ` +
        "tf.train.momentum, adam, adamax or rmsprop, or pass moms: null",
    );
  }
  if (inUse) schedules.mom = combinedCos(pctStart, ...(moms as [number, number, number]));
  return schedules;
}

/**
 * Trains with fastai's 1cycle policy: the LR rises from lrMax/div to lrMax over the first
 * pctStart of the steps and anneals to lrMax/divFinal (cosine), while momentum does the opposite.
 * Tensors go through model.fit, a dataset through model.fitDataset; other fit arguments pass
 * through. Returns the History (with `hps`).
 */
export function fitOneCycle(
  model: tf.LayersModel,
  x: TensorData,
  y: TensorData,
  options: FitOneCycleOptions,
): Promise<OneCycleHistory>;
export function fitOneCycle(
  model: tf.LayersModel,
  dataset: tf.data.Dataset<tf.TensorContainer>,
  options: FitOneCycleDatasetOptions,
): Promise<OneCycleHistory>;
export function fitOneCycle(
  model: tf.LayersModel,
  dataset: tf.data.Dataset<tf.TensorContainer>,
  y: null | undefined,
  options: FitOneCycleDatasetOptions,
): Promise<OneCycleHistory>;
export async function fitOneCycle(
  model: tf.LayersModel,
  data: TensorData | tf.data.Dataset<tf.TensorContainer>,
  yOrOptions: TensorData | FitOneCycleDatasetOptions | null | undefined,
  maybeOptions?: FitOneCycleOptions | FitOneCycleDatasetOptions,
): Promise<OneCycleHistory> {
  if (!model || typeof model.fit !== "function")
    throw new LayersError(`${WHERE}: model must be a tfjs LayersModel`);
  const dataset = isDataset(data);
  if (!dataset && !isTensorData(data)) {
    throw new LayersError(`${WHERE}: x must be a tensor, an array or a map of tensors, or a tf.data dataset`);
  }
  if (!dataset && !isTensorData(yOrOptions)) {
    throw new LayersError(`${WHERE}: y must be a tensor, an array or a map of tensors (the targets of x)`);
  }
  // A dataset's options may also come fourth, after an unused y (the tensor call's shape).
  const given = dataset && yOrOptions == null ? maybeOptions : dataset ? yOrOptions : maybeOptions;
  const options = given as FitOneCycleOptions & FitOneCycleDatasetOptions;
  const schedules = oneCycleSchedules(model, options);
  const {
    epochs,
    lrMax: _lrMax,
    div: _div,
    divFinal: _divFinal,
    pctStart: _pctStart,
    moms: _moms,
    ...fitArgs
  } = options;
  const scheduler = new ScheduleCallback(schedules);
  const callbacks = [scheduler, ...toCallbacks(options.callbacks, WHERE, options.yieldEvery)];
  try {
    const history = dataset
      ? await model.fitDataset(data as tf.data.Dataset<tf.TensorContainer>, { ...fitArgs, epochs, callbacks })
      : await model.fit(data as TensorData, yOrOptions as TensorData, { ...fitArgs, epochs, callbacks });
    return Object.assign(history, { hps: scheduler.hps as OneCycleHistory["hps"] });
  } catch (e) {
    releaseAbandonedTape();
    throw e;
  }
}
