/** The value `lrFind` returns: suggested LRs by name, plus what to plot and how far to trust them. */

import type { Diagnostic, LrFindAnalysis, RepeatStats, Suggestion } from "@sched/suggest";

/** What one LR-finder run recorded (the Recorder's arrays, copied). */
export interface LrFindCurve {
  /** LR of the last parameter group, per iteration that ran. */
  lrs: number[];
  /** Smoothed, debiased loss per iteration. */
  losses: number[];
  /** Raw loss of each batch. */
  rawLosses: number[];
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
   * Per name `{ lr, point: [lr, loss] }`, the markers of `plotLrFind(learn.recorder, { suggestions })`.
   * With repeats, `lr` is the median and the point sits on the last run's curve at that LR.
   */
  readonly suggestions: Readonly<Record<N, Suggestion>>;
  /** Warnings about the curve (`flat-curve`, `diverged-early`, `too-few-points`, `noisy`); with repeats, each code once. */
  readonly diagnostics: readonly Diagnostic[];
  /** The run the recorder holds (the last one with repeats). */
  readonly curve: LrFindCurve;
  /** That run's analysis: the analysed window (`start`, `end`, `lrs`, `losses`) and how the run stopped. */
  readonly analysis: LrFindAnalysis;
  /** Present with `repeats` > 1. */
  readonly repeats: LrFindRepeats | undefined;
}

/**
 * What `lrFind` returns: one own enumerable number per suggestion function, keyed by its name in
 * `suggestFuncs` order (`const { valley } = await lrFind(learn)`; `Object.entries` lists only the
 * LRs), plus the non-enumerable details of `LrFindDetails`.
 */
export type SuggestedLRs<N extends string = string> = { readonly [K in N]: number } & LrFindDetails<N>;

/** Names a suggestion function cannot have: the result's own detail properties. */
export const RESERVED_NAMES: readonly string[] = [
  "names",
  "suggestions",
  "diagnostics",
  "curve",
  "analysis",
  "repeats",
];

/** Builds the result object: LRs as enumerable own properties, details as non-enumerable ones. */
export function suggestedLRs<N extends string>(
  lrs: Readonly<Record<N, number>>,
  details: LrFindDetails<N>,
): SuggestedLRs<N> {
  const out: Record<string, number> = {};
  for (const name of details.names) out[name] = lrs[name];
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

/** The loss at `lr` on a curve, interpolated in log10(lr), clamped to the end points (as `np.interp`). */
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
