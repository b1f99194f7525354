/** lrFind's options: their defaults and checks (all before anything is trained). */
import {
  type AnalyzeOptions,
  analyzeLrFind,
  DEFAULT_SUGGEST_FUNCS,
  type DefaultSuggestion,
  LrFindError,
  type NamedSuggestFunc,
  RESERVED_NAMES,
  type SuggestFunc,
} from "@sched/suggest";
import { isDataset } from "./batches.js";
import { type CallbackInput, type FitCallback, toCallbacks } from "./callback-list.js";
import { LayersError } from "./errors.js";
import { checkValidationData, type ValidationData } from "./valid-loss.js";

const WHERE = "lrFind";

/** Options of `lrFind`; `N` is the union of the suggestion functions' names (the result's keys). */
export interface LrFindOptions<N extends string = DefaultSuggestion> {
  /** First LR of the ramp (default 1e-7). */
  startLr?: number;
  /** The ramp heads for this LR, reached at iteration numIt (default 10). */
  endLr?: number;
  /** Iterations (batches) of the ramp (default 100). */
  numIt?: number;
  /** Stop once the smoothed loss exceeds 4× its best (default true). */
  stopDiv?: boolean;
  /** `"exp"`: lr_i = start·(end/start)^(i/numIt) (default); `"linear"`: start + (end − start)·i/numIt. */
  stepMode?: "exp" | "linear";
  /**
   * Rows per batch for tensor input (default 32), the training batches of x, y and the evaluation
   * batches of tensor `validationData`. A dataset is batched already: with dataset training it is
   * allowed only when it has something to batch (tensor `validationData`) and is an error otherwise.
   */
  batchSize?: number;
  /** Shuffle tensor rows, with a new order each pass (default true). */
  shuffle?: boolean;
  /** Seed of the batch order (tensor input); default random. Repeat r uses seed + r. */
  seed?: number;
  /**
   * Suggestion functions (default `DEFAULT_SUGGEST_FUNCS`: halfway, valley); the result has one LR per function, keyed by its name,
   * in this order. A name may not be one of the result's details (`RESERVED_NAMES`).
   */
  suggestFuncs?: readonly NamedSuggestFunc<N>[];
  /** Run the test k times (restoring in between) and aggregate the suggestions (default 1). */
  repeats?: number;
  /** tfjs callbacks called around each batch (logs: batch, size, loss); `model.stopTraining = true` stops. */
  callbacks?: CallbackInput;
  /**
   * `[x, y]` (tensors, arrays or maps of tensors, as model.fit's `validationData`) or a tf.data
   * dataset of batched `{ xs, ys }`: after every training step the model's compiled loss on all of
   * it (`model.evaluate` with `batchSize`, or `model.evaluateDataset`), in inference mode, goes to
   * `curve.rawValidLosses` and, smoothed like the training loss, `curve.validLosses`. Costs one
   * forward pass over it per iteration.
   */
  validationData?: ValidationData;
  /** The curve the suggestions read (default "train"); "valid" needs `validationData`. Stopping always watches the training loss. */
  suggestOn?: "train" | "valid";
  /** Analysis window and diagnostic thresholds, as `analyzeLrFind` takes them. */
  skipStart?: AnalyzeOptions["skipStart"];
  skipEnd?: AnalyzeOptions["skipEnd"];
  thresholds?: AnalyzeOptions["thresholds"];
}

/** The options with their defaults, checked. */
export interface CheckedLrFindOptions {
  startLr: number;
  endLr: number;
  numIt: number;
  stopDiv: boolean;
  stepMode: "exp" | "linear";
  batchSize: number;
  shuffle: boolean;
  seed: number;
  suggestFuncs: readonly SuggestFunc[];
  repeats: number;
  analyze: AnalyzeOptions;
  callbacks: FitCallback[];
  /** Undefined: no validation. */
  validationData: ValidationData | undefined;
  suggestOn: "train" | "valid";
}

/** Fills in the defaults and checks every option (LayersError; SuggestError from the analysis's own checks). */
export function checkLrFindOptions<N extends string>(
  options: LrFindOptions<N>,
  dataset: boolean,
): CheckedLrFindOptions {
  const o = options ?? {};
  if (typeof o !== "object") throw new LayersError(`${WHERE}: options must be an object; got ${String(o)}`);
  const { startLr = 1e-7, endLr = 10, numIt = 100, stopDiv = true, stepMode = "exp", shuffle = true } = o;
  const { suggestFuncs = DEFAULT_SUGGEST_FUNCS, repeats = 1 } = o;
  const positive = (name: string, v: unknown) => {
    if (!(typeof v === "number" && Number.isFinite(v) && v > 0)) {
      throw new LayersError(`${WHERE}: ${name} must be a finite number > 0; got ${String(v)}`);
    }
  };
  const count = (name: string, v: unknown) => {
    if (!(typeof v === "number" && Number.isInteger(v) && v > 0)) {
      throw new LayersError(`${WHERE}: ${name} must be a positive integer; got ${String(v)}`);
    }
  };
  positive("startLr", startLr);
  positive("endLr", endLr);
  if (!(endLr > startLr))
    throw new LayersError(`${WHERE}: endLr (${endLr}) must be above startLr (${startLr})`);
  count("numIt", numIt);
  count("repeats", repeats);
  if (typeof stopDiv !== "boolean")
    throw new LayersError(`${WHERE}: stopDiv must be a boolean; got ${String(stopDiv)}`);
  if (typeof shuffle !== "boolean")
    throw new LayersError(`${WHERE}: shuffle must be a boolean; got ${String(shuffle)}`);
  if (stepMode !== "exp" && stepMode !== "linear") {
    throw new LayersError(`${WHERE}: stepMode must be "exp" or "linear"; got ${String(stepMode)}`);
  }
  const validationData = checkValidationData(o.validationData);
  const { suggestOn = "train" } = o;
  if (suggestOn !== "train" && suggestOn !== "valid") {
    throw new LayersError(`${WHERE}: suggestOn must be "train" or "valid"; got ${String(suggestOn)}`);
  }
  if (suggestOn === "valid" && validationData === undefined) {
    throw new LayersError(
      `${WHERE}: suggestOn "valid" needs validationData (the validation curve is recorded only then); got no validationData`,
    );
  }
  // Training on a dataset, batchSize can only batch tensor validationData.
  const tensorValidation = validationData !== undefined && !isDataset(validationData);
  if (dataset && !tensorValidation && o.batchSize !== undefined) {
    throw new LayersError(
      `${WHERE}: batchSize applies to tensors (x, y or validationData); a dataset is batched already (got ${o.batchSize})`,
    );
  }
  const batchSize = o.batchSize ?? 32;
  count("batchSize", batchSize);
  if (o.seed !== undefined && !(Number.isInteger(o.seed) && o.seed >= 0)) {
    throw new LayersError(`${WHERE}: seed must be an integer >= 0; got ${String(o.seed)}`);
  }
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
  const analyze: AnalyzeOptions = {
    suggestFuncs,
    skipStart: o.skipStart,
    skipEnd: o.skipEnd,
    thresholds: o.thresholds,
  };
  // The analysis checks its options (names, duplicates, thresholds) before it looks at the run:
  // an empty run gets past them only to LrFindError, so bad options fail here, before training.
  try {
    analyzeLrFind({ lrs: [], losses: [], numIt }, analyze);
  } catch (e) {
    if (!(e instanceof LrFindError)) throw e;
  }
  suggestFuncs.forEach((f, i) => {
    if (RESERVED_NAMES.includes(f.name)) {
      throw new LayersError(
        `${WHERE}: suggestFuncs[${i}] is named "${f.name}", which the result uses for its details ` +
          `(${RESERVED_NAMES.join(", ")}); rename it, e.g. with suggestFunc("my${f.name}", ...) from @sched/suggest`,
      );
    }
  });
  const callbacks = toCallbacks(o.callbacks, WHERE);
  return {
    startLr,
    endLr,
    numIt,
    stopDiv,
    stepMode,
    batchSize,
    shuffle,
    seed,
    suggestFuncs,
    repeats,
    analyze,
    callbacks,
    validationData,
    suggestOn,
  };
}
