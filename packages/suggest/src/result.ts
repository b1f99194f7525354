/**
 * The value every `lrFind` returns (`@sched/callbacks`' for the Learner, `@sched/layers`' for tfjs
 * `model.fit` users), built here once so that both have the same shape and the same repeats logic.
 */

import type { LrFindAnalysis } from "./analyze.js";
import type { Diagnostic } from "./diagnostics.js";
import { SuggestError } from "./errors.js";
import { aggregateRepeats, type RepeatStats } from "./repeats.js";
import type { SuggestFunc, Suggestion } from "./types.js";

/** A suggestion function whose name is known to the type system (e.g. `{ name: "valley" }`). */
export type NamedSuggestFunc<N extends string> = SuggestFunc & { readonly name: N };

/** What one LR-finder run recorded, per iteration that ran (copies, not the recorder's own arrays). */
export interface LrFindCurve {
  /** LR of each iteration (of the last parameter group). */
  lrs: number[];
  /** Smoothed, debiased loss per iteration. */
  losses: number[];
  /** Raw loss of each batch. */
  rawLosses: number[];
  /** Smoothed validation loss per iteration (the same debiased EMA as `losses`); only when the finder validated. */
  validLosses?: number[];
  /** Validation loss of the weights after each iteration, on the finder's fixed validation batches. */
  rawValidLosses?: number[];
}

/** Options of `lrFindResult`. */
export interface LrFindResultOptions {
  /** The curve the suggestions were read from, where the medians of repeated runs are marked (default "train"). */
  suggestOn?: "train" | "valid" | undefined;
}

/** Repeated runs (`repeats: k` with k > 1): the spread of each suggestion over the runs. */
export interface LrFindRepeats {
  /** Number of runs. */
  k: number;
  /** Per suggestion function: median, quartiles, IQR and the k values, in run order. */
  stats: Record<string, RepeatStats>;
  /** Each run's analysis (window, stop, suggestions, diagnostics), in run order. */
  runs: LrFindAnalysis[];
}

/** The non-enumerable details of an `lrFind` result. */
export interface LrFindDetails<N extends string = string> {
  /** Suggestion function names, in `suggestFuncs` order (the result's own keys). */
  readonly names: readonly N[];
  /**
   * Per name `{ lr, point: [lr, loss] }`, the markers of `plotLrFind(result.curve, { suggestions })`.
   * With repeats, `lr` is the median and the point sits on the last run's curve at that LR.
   */
  readonly suggestions: Readonly<Record<N, Suggestion>>;
  /** Warnings about the curve (`flat-curve`, `diverged-early`, `too-few-points`, `noisy`); with repeats, each code once. */
  readonly diagnostics: readonly Diagnostic[];
  /** The run's recording (the last run with repeats); `plotLrFind` takes it as its recorder. */
  readonly curve: LrFindCurve;
  /** That run's analysis: the analysed window (`start`, `end`, `lrs`, `losses`) and how the run stopped. */
  readonly analysis: LrFindAnalysis;
  /** Present with `repeats` > 1. */
  readonly repeats: LrFindRepeats | undefined;
}

/**
 * What `lrFind` returns: one own enumerable number per suggestion function, keyed by its name in
 * `suggestFuncs` order (`const { valley } = await lrFind(...)`; `Object.entries` lists only the
 * LRs), plus the non-enumerable details of `LrFindDetails`.
 */
export type SuggestedLRs<N extends string = string> = { readonly [K in N]: number } & LrFindDetails<N>;

/** Names a suggestion function cannot have: the result's own detail properties. */
export const RESERVED_NAMES: readonly string[] = Object.freeze([
  "names",
  "suggestions",
  "diagnostics",
  "curve",
  "analysis",
  "repeats",
]);

/**
 * Builds the result object: LRs as enumerable own properties, details as non-enumerable ones, all
 * frozen. A name in `RESERVED_NAMES` would be hidden by a detail, so it throws `SuggestError`.
 */
export function suggestedLRs<N extends string>(
  lrs: Readonly<Record<N, number>>,
  details: LrFindDetails<N>,
): SuggestedLRs<N> {
  const out: Record<string, number> = {};
  for (const name of details.names) {
    if (RESERVED_NAMES.includes(name)) {
      throw new SuggestError(
        `suggestedLRs: a suggestion function is named "${name}", which the result uses for its details ` +
          `(${RESERVED_NAMES.join(", ")})`,
      );
    }
    out[name] = lrs[name];
  }
  const hidden: PropertyDescriptorMap = {};
  for (const [key, value] of Object.entries(details)) hidden[key] = { value, enumerable: false };
  return Object.freeze(Object.defineProperties(out, hidden)) as unknown as SuggestedLRs<N>;
}

/** Diagnostics of several runs, each code once (its first occurrence), in order of appearance. */
export function mergeDiagnostics(runs: readonly LrFindAnalysis[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of runs.flatMap((r) => r.diagnostics)) {
    if (!seen.has(d.code)) {
      seen.add(d.code);
      out.push(d);
    }
  }
  return out;
}

/**
 * The loss at `lr` on a curve, interpolated in log10(lr) between its finite points (LR > 0),
 * clamped to the end points (as `np.interp`); NaN when the curve has no such point.
 */
export function lossAt(lrs: readonly number[], losses: readonly number[], lr: number): number {
  const pts = lrs
    .map((x, i) => [x, losses[i] as number] as const)
    .filter(([x, y]) => x > 0 && Number.isFinite(x) && Number.isFinite(y));
  if (pts.length === 0) return Number.NaN;
  const t = Math.log10(lr);
  const first = pts[0] as readonly [number, number];
  const last = pts[pts.length - 1] as readonly [number, number];
  if (t <= Math.log10(first[0])) return first[1];
  if (t >= Math.log10(last[0])) return last[1];
  for (let i = 1; i < pts.length; i++) {
    const [x1, y1] = pts[i] as readonly [number, number];
    if (Math.log10(x1) >= t) {
      const [x0, y0] = pts[i - 1] as readonly [number, number];
      const [a, b] = [Math.log10(x0), Math.log10(x1)];
      return b === a ? y1 : y0 + ((t - a) / (b - a)) * (y1 - y0);
    }
  }
  return last[1];
}

/**
 * The result of an LR finder that ran `runs.length` times (each analysed by `analyzeLrFind` with
 * the same functions), `curve` being the last run's recording. One run: its suggestions and
 * diagnostics as they are. Several: per function the median of the runs (`aggregateRepeats`),
 * marked at that LR on `curve` (its `validLosses` with `suggestOn: "valid"`), the diagnostics of every run (each code once), and `repeats`.
 */
export function lrFindResult<N extends string = string>(
  runs: readonly LrFindAnalysis[],
  curve: LrFindCurve,
  options: LrFindResultOptions = {},
): SuggestedLRs<N> {
  if (!Array.isArray(runs) || runs.length === 0) {
    throw new SuggestError("lrFindResult: runs must be a non-empty array of analyzeLrFind results");
  }
  const { suggestOn = "train" } = options;
  if (suggestOn !== "train" && suggestOn !== "valid") {
    throw new SuggestError(
      `lrFindResult: options.suggestOn must be "train" or "valid"; got ${JSON.stringify(suggestOn)}`,
    );
  }
  const marked = suggestOn === "valid" ? curve.validLosses : curve.losses;
  if (!Array.isArray(marked)) {
    throw new SuggestError('lrFindResult: suggestOn "valid" needs curve.validLosses, but the curve has none');
  }
  const last = runs[runs.length - 1] as LrFindAnalysis;
  const names = last.names as N[];
  if (runs.length === 1) {
    const lrs = Object.fromEntries(names.map((n) => [n, (last.suggestions[n] as Suggestion).lr]));
    return suggestedLRs(lrs as Record<N, number>, {
      names,
      suggestions: last.suggestions as Record<N, Suggestion>,
      diagnostics: last.diagnostics,
      curve,
      analysis: last,
      repeats: undefined,
    });
  }
  const stats = aggregateRepeats(runs.map((run) => run.suggestions));
  const medians = Object.fromEntries(names.map((n) => [n, stats[n]?.median as number]));
  const marks = Object.fromEntries(
    names.map((n) => {
      const lr = medians[n] as number;
      return [n, { lr, point: [lr, lossAt(curve.lrs, marked, lr)] }];
    }),
  );
  return suggestedLRs(medians as Record<N, number>, {
    names,
    suggestions: marks as Record<N, Suggestion>,
    diagnostics: mergeDiagnostics(runs),
    curve,
    analysis: last,
    repeats: { k: runs.length, stats, runs: [...runs] },
  });
}
