/** The LR finder's options: defaults, checks and the LR ramp they describe. */

import { type Hyper, SchedExp, SchedLin, type Schedule } from "@sched/core";

/** Bad option to `LRFinder` or `lrFind`: the message names the option and the value; nothing ran. */
export class LrFindOptionError extends Error {
  override readonly name = "LrFindOptionError";
}

/** How the LR travels from `startLr` to `endLr`: geometrically (the reference) or linearly. */
export type StepMode = "exp" | "linear";

/** Which recorded curve `lrFind`'s suggestion functions read: the training loss or the validation loss. */
export type SuggestOn = "train" | "valid";

/** Options of `new LRFinder(...)` (and of `lrFind`). */
export interface LRFinderOptions {
  /** LR of the first iteration, one value or one per parameter group (default 1e-7). */
  startLr?: Hyper | undefined;
  /** LR the ramp heads for (reached at iteration `numIt`, which never runs), same shape rules (default 10). */
  endLr?: Hyper | undefined;
  /** Iterations of the range test; at least 6 are run, as the reference clamps (default 100). */
  numIt?: number | undefined;
  /** Stop once the smoothed loss exceeds 4× its best (default true). Non-finite losses always stop. */
  stopDiv?: boolean | undefined;
  /** `"exp"` (default): `start·(end/start)^(i/numIt)`; `"linear"`: `start + (i/numIt)·(end − start)`. */
  stepMode?: StepMode | undefined;
  /**
   * After every training iteration, the validation loss of the current weights on the first
   * `validBatches` batches of `learn.dls.valid` (`Infinity`: all of them), the same batches each time;
   * 0 (default) skips it. Costs `validBatches` forward passes per iteration.
   */
  validBatches?: number | undefined;
  /** The curve `lrFind` suggests from (default "train"); "valid" needs `validBatches` > 0. Stopping always watches the training loss. */
  suggestOn?: SuggestOn | undefined;
}

/** The options with defaults applied and checked. */
export interface FinderSettings {
  startLr: Hyper;
  endLr: Hyper;
  /** Iterations that run: `max(numIt, 6)`. */
  numIt: number;
  stopDiv: boolean;
  stepMode: StepMode;
  /** 0: no validation. */
  validBatches: number;
  suggestOn: SuggestOn;
  /** LR per group at position `i / numIt`. */
  schedule: Schedule;
}

/** The reference's smallest run: fewer iterations crashed its suggestions (fastai PR #3458). */
export const MIN_ITERATIONS = 6;

const show = (v: unknown): string => {
  if (typeof v === "number" || typeof v === "boolean" || v === undefined || v === null) return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

function fail(where: string, option: string, value: unknown, expected: string): never {
  throw new LrFindOptionError(`${where}: ${option} must be ${expected}, got ${show(value)}`);
}

function lrValues(where: string, option: string, value: unknown): number[] {
  const values =
    typeof value === "number" ? [value] : Array.isArray(value) ? (value as unknown[]) : undefined;
  if (!values || values.length === 0) fail(where, option, value, "a number > 0 or a non-empty array of them");
  values.forEach((v, g) => {
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
      fail(where, typeof value === "number" ? option : `${option}[${g}]`, v, "a finite number > 0");
    }
  });
  return values as number[];
}

/** Applies the defaults and checks every option; throws `LrFindOptionError` naming the first bad one. */
export function finderSettings(opts: LRFinderOptions | undefined, where: string): FinderSettings {
  if (opts !== undefined && (opts === null || typeof opts !== "object")) {
    fail(where, "options", opts, "an object");
  }
  const {
    startLr = 1e-7,
    endLr = 10,
    numIt = 100,
    stopDiv = true,
    stepMode = "exp",
    validBatches = 0,
    suggestOn = "train",
  } = opts ?? {};
  const starts = lrValues(where, "startLr", startLr);
  const ends = lrValues(where, "endLr", endLr);
  if (starts.length > 1 && ends.length > 1 && starts.length !== ends.length) {
    throw new LrFindOptionError(
      `${where}: startLr and endLr must have one value per parameter group each; got ${starts.length} and ${ends.length} values`,
    );
  }
  const groups = Math.max(starts.length, ends.length);
  for (let g = 0; g < groups; g++) {
    const s = starts[starts.length > 1 ? g : 0] as number;
    const e = ends[ends.length > 1 ? g : 0] as number;
    if (!(e > s)) {
      const at = groups > 1 ? ` (parameter group ${g})` : "";
      throw new LrFindOptionError(
        `${where}: endLr must be greater than startLr${at}; got startLr=${s}, endLr=${e}`,
      );
    }
  }
  if (typeof numIt !== "number" || !Number.isInteger(numIt) || numIt < 1) {
    fail(where, "numIt", numIt, "an integer >= 1");
  }
  if (typeof stopDiv !== "boolean") fail(where, "stopDiv", stopDiv, "true or false");
  if (stepMode !== "exp" && stepMode !== "linear") fail(where, "stepMode", stepMode, '"exp" or "linear"');
  const batchCount =
    typeof validBatches === "number" &&
    (validBatches === Number.POSITIVE_INFINITY || (Number.isInteger(validBatches) && validBatches >= 0));
  if (!batchCount) {
    fail(where, "validBatches", validBatches, "0 (off), an integer >= 1 or Infinity (every batch)");
  }
  if (suggestOn !== "train" && suggestOn !== "valid")
    fail(where, "suggestOn", suggestOn, '"train" or "valid"');
  if (suggestOn === "valid" && validBatches === 0) {
    throw new LrFindOptionError(
      `${where}: suggestOn "valid" needs validBatches > 0 (the validation curve is recorded only then); got validBatches=0`,
    );
  }
  const copy = (h: Hyper): Hyper => (typeof h === "number" ? h : [...h]);
  const schedule: Schedule =
    stepMode === "exp" ? SchedExp(copy(startLr), copy(endLr)) : SchedLin(copy(startLr), copy(endLr));
  return {
    startLr: copy(startLr),
    endLr: copy(endLr),
    numIt: Math.max(numIt, MIN_ITERATIONS),
    stopDiv,
    stepMode,
    validBatches,
    suggestOn,
    schedule,
  };
}

/** Throws `LrFindOptionError` when per-group `startLr`/`endLr` arrays do not have one value per group. */
export function checkRampGroups(s: FinderSettings, groups: number, where: string): void {
  const n = (h: Hyper) => (typeof h === "number" ? 1 : h.length);
  const values = Math.max(n(s.startLr), n(s.endLr));
  if (values > 1 && values !== groups) {
    throw new LrFindOptionError(
      `${where}: startLr/endLr give ${values} values, one per parameter group, but the optimizer has ${groups} group(s)`,
    );
  }
}
