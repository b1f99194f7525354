import { firstNonFinite } from "./curve.js";
import { DEFAULT_SUGGEST_FUNCS } from "./default-funcs.js";
import { checkFuncName } from "./define.js";
import {
  DEFAULT_THRESHOLDS,
  type Diagnostic,
  type DiagnosticThresholds,
  diagnose,
  type RunStop,
  STOP_REASONS,
} from "./diagnostics.js";
import { LrFindError, SuggestError } from "./errors.js";
import type { SuggestFunc, Suggestion } from "./types.js";

/** What an LR-finder run recorded: one entry per iteration that ran. */
export interface LrFindRun {
  lrs: readonly number[];
  /** Smoothed (debiased) losses, as the Recorder keeps them. */
  losses: readonly number[];
  /** Raw per-batch losses; enables the `noisy` diagnostic. */
  rawLosses?: readonly number[] | undefined;
  /** Iterations the run was asked for. */
  numIt: number;
}

/** Options of `analyzeLrFind`. */
export interface AnalyzeOptions {
  /** Suggestion functions, keyed in the result by their names (default `DEFAULT_SUGGEST_FUNCS`: halfway, valley). */
  suggestFuncs?: readonly SuggestFunc[] | undefined;
  /** Leading iterations left out (default `floor(numIt / 10)`). */
  skipStart?: number | undefined;
  /** Trailing iterations left out (default 5; 0 keeps all). */
  skipEnd?: number | undefined;
  /** Overrides of `DEFAULT_THRESHOLDS`. */
  thresholds?: Partial<DiagnosticThresholds> | undefined;
  /**
   * How the run ended, when the analysed losses are not the ones the run watched (e.g. validation
   * losses of a run stopped by its training loss); default `runStop(lrs, losses, numIt)`.
   */
  stop?: RunStop | undefined;
}

/** Suggestions of one run, keyed by function name in `suggestFuncs` order, with the curve they came from. */
export interface LrFindAnalysis {
  suggestions: Record<string, Suggestion>;
  /** Function names in `suggestFuncs` order. */
  names: string[];
  /** The analysed window: `lrs[start:end]`, `losses[start:end]` of the run. */
  lrs: number[];
  losses: number[];
  start: number;
  end: number;
  stop: RunStop;
  diagnostics: Diagnostic[];
}

function checkCount(value: number, what: string, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new SuggestError(`analyzeLrFind: ${what} must be an integer >= ${min}; got ${value}`);
  }
}

/** How the run ended, read from what it recorded (a diverging run stops at > 4× the best loss). */
export function runStop(lrs: readonly number[], losses: readonly number[], numIt: number): RunStop {
  const n = losses.length;
  const k = firstNonFinite(losses);
  if (k < n) return { reason: "non-finite", iterations: k, lr: lrs[k] as number };
  const lr = n > 0 ? (lrs[n - 1] as number) : Number.NaN;
  if (n >= numIt) return { reason: "completed", iterations: n, lr };
  const best = Math.min(...losses);
  const diverged = n > 0 && (losses[n - 1] as number) > 4 * best;
  return { reason: diverged ? "diverged" : "stopped", iterations: n, lr };
}

function checkFuncs(funcs: readonly SuggestFunc[]): string[] {
  if (!Array.isArray(funcs) || funcs.length === 0) {
    throw new SuggestError("analyzeLrFind: suggestFuncs must be a non-empty array of suggestion functions");
  }
  const seen = new Map<string, number>();
  return funcs.map((f, i) => {
    if (typeof f !== "function")
      throw new SuggestError(`analyzeLrFind: suggestFuncs[${i}] is not a function`);
    checkFuncName(f.name, `analyzeLrFind: suggestFuncs[${i}]`);
    const prev = seen.get(f.name);
    if (prev !== undefined) {
      throw new SuggestError(
        `analyzeLrFind: suggestFuncs[${prev}] and suggestFuncs[${i}] are both named "${f.name}"; results are ` +
          `keyed by name, so give one another name (e.g. slideWith({ name: "${f.name}2" }) or suggestFunc(...))`,
      );
    }
    seen.set(f.name, i);
    return f.name;
  });
}

interface Window {
  start: number;
  skipEnd: number;
  points: number;
  /** Leading iterations skipped for a given numIt. */
  skipStartFor: (numIt: number) => number;
}

function tooFew(run: LrFindRun, stop: RunStop, win: Window, need: { n: number; by: string }): LrFindError {
  const { numIt } = run;
  const left =
    `only ${win.points} usable point(s) remain after skipping the first ${win.start} and the last ` +
    `${win.skipEnd} iterations, and ${need.by} needs ${need.n}`;
  const details = { points: win.points, needed: need.n };
  if (stop.reason === "diverged" || stop.reason === "non-finite") {
    const what = stop.reason === "non-finite" ? "became non-finite at iteration" : "diverged after";
    return new LrFindError(
      `lrFind: the loss ${what} ${stop.iterations} of ${numIt} (lr=${stop.lr.toExponential(2)}); ${left}. ` +
        `Lower startLr (the ramp started at lr=${(run.lrs[0] ?? Number.NaN).toExponential(2)}).`,
      { reason: "diverged", ...details },
    );
  }
  if (stop.reason === "stopped") {
    return new LrFindError(
      `lrFind: the run stopped after ${stop.iterations} of ${numIt} iterations; ${left}. Let the run finish.`,
      { reason: "stopped", ...details },
    );
  }
  let m = numIt;
  while (m - win.skipStartFor(m) - win.skipEnd < need.n) m++;
  return new LrFindError(`lrFind: numIt=${numIt} is too short: ${left}. Raise numIt (to at least ${m}).`, {
    reason: "too-short",
    ...details,
  });
}

/**
 * The analysis behind lrFind: trims the run to `[skipStart, length − skipEnd)`, cuts at the first
 * non-finite loss, runs each suggestion function and adds diagnostics. Throws `LrFindError` (with
 * the cause and its fix) when too few points remain, `SuggestError` on bad input or duplicate names.
 */
export function analyzeLrFind(run: LrFindRun, options: AnalyzeOptions = {}): LrFindAnalysis {
  const { lrs, losses, rawLosses, numIt } = run;
  if (!Array.isArray(lrs) || !Array.isArray(losses)) {
    throw new SuggestError("analyzeLrFind: run.lrs and run.losses must be arrays of numbers");
  }
  if (lrs.length !== losses.length) {
    throw new SuggestError(
      `analyzeLrFind: run.lrs and run.losses must have the same length; got ${lrs.length} and ${losses.length}`,
    );
  }
  if (rawLosses !== undefined && (!Array.isArray(rawLosses) || rawLosses.length !== losses.length)) {
    throw new SuggestError(
      `analyzeLrFind: run.rawLosses must have the length of run.losses (${losses.length}); got ${rawLosses?.length}`,
    );
  }
  checkCount(numIt, "run.numIt", 1);
  const skipStartFor = (m: number) => options.skipStart ?? Math.floor(m / 10);
  const { suggestFuncs = DEFAULT_SUGGEST_FUNCS, skipStart = skipStartFor(numIt), skipEnd = 5 } = options;
  checkCount(skipStart, "skipStart", 0);
  checkCount(skipEnd, "skipEnd", 0);
  const names = checkFuncs(suggestFuncs);
  const thresholds = { ...DEFAULT_THRESHOLDS };
  for (const [key, value] of Object.entries(options.thresholds ?? {})) {
    if (!(key in DEFAULT_THRESHOLDS)) throw new SuggestError(`analyzeLrFind: unknown threshold "${key}"`);
    if (value === undefined) continue;
    if (!(typeof value === "number" && Number.isFinite(value) && value >= 0)) {
      throw new SuggestError(`analyzeLrFind: thresholds.${key} must be a finite number >= 0; got ${value}`);
    }
    thresholds[key as keyof DiagnosticThresholds] = value;
  }

  if (options.stop !== undefined && !(STOP_REASONS as readonly unknown[]).includes(options.stop?.reason)) {
    throw new SuggestError(
      `analyzeLrFind: options.stop must be a RunStop ({ reason: ${STOP_REASONS.map((r) => `"${r}"`).join(" | ")}, ` +
        `iterations, lr }); got ${JSON.stringify(options.stop)}`,
    );
  }
  const stop = options.stop ?? runStop(lrs, losses, numIt);
  const start = skipStart;
  // As the reference: slice first, then cut at the first non-finite loss inside the slice.
  const sliceEnd = Math.max(start, losses.length - skipEnd);
  const end = start + firstNonFinite(losses.slice(start, sliceEnd));
  const points = end - start;
  const need = suggestFuncs.reduce(
    (acc, f) => ((f.minPoints ?? 2) > acc.n ? { n: f.minPoints ?? 2, by: f.name } : acc),
    { n: 2, by: "every suggestion" },
  );
  if (points < need.n) throw tooFew(run, stop, { start, skipEnd, points, skipStartFor }, need);

  const wLrs = lrs.slice(start, end);
  const wLosses = losses.slice(start, end);
  const suggestions: Record<string, Suggestion> = {};
  suggestFuncs.forEach((f, i) => {
    const s = f(wLrs.slice(), wLosses.slice(), numIt);
    const ok =
      s &&
      Number.isFinite(s.lr) &&
      Array.isArray(s.point) &&
      s.point.length === 2 &&
      s.point.every(Number.isFinite);
    if (!ok) {
      throw new SuggestError(
        `analyzeLrFind: suggestFuncs[${i}] ("${f.name}") must return { lr, point: [lr, loss] } with finite ` +
          `numbers; got ${JSON.stringify(s)}`,
      );
    }
    suggestions[f.name] = { lr: s.lr, point: [s.point[0], s.point[1]] };
  });
  const diagnostics = diagnose({
    lrs: wLrs,
    losses: wLosses,
    rawLosses: rawLosses?.slice(start, end),
    stop,
    numIt,
    thresholds,
  });
  return { suggestions, names, lrs: wLrs, losses: wLosses, start, end, stop, diagnostics };
}
